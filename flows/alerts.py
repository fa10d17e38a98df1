"""Prefect flows for deadline alerts: the sweep (plan, then deliver) and the dispatcher
(retries). Both only call use cases; `flows/serve.py` schedules them."""

from __future__ import annotations

from dataclasses import asdict

from prefect import flow

from flows.runtime import run_logger
from notifications.dispatcher import DispatchCounts, dispatch
from notifications.job import DeadlineJobResult, run_deadline_job
from roadmap.i18n import t
from roadmap.settings import get_settings
from roadmap.store.clock import read_now


@flow(name="deadline-sweep", description="Обход сроков поручений и отправка уведомлений.")
def deadline_sweep_flow(now: str | None = None, region: str | None = None) -> DeadlineJobResult:
    """Plan every due alert into the outbox, then deliver (the same job as `roadmap sweep`).

    Args:
        now: ISO 8601 moment (default: now); without an offset, the region's local time
            (refused when the store holds several regions and no region is given).
        region: one region code; default: every region in the store.
    """
    settings = get_settings()
    result = run_deadline_job(settings, read_now(settings, now, region, "now"), region=region)
    logger = run_logger()
    for entry in result.regions:
        logger.info(
            t("alerts.sweep", region=entry.region, status=entry.status, planned=entry.planned)
        )
    logger.info(t("alerts.dispatch", **asdict(result.dispatch)))
    return result


@flow(name="dispatch-alerts", description="Доставка запланированных уведомлений и повторы.")
def dispatch_flow() -> DispatchCounts:
    return dispatch(get_settings())

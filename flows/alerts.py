"""Prefect flows for deadline alerts: the sweep (plan, then deliver) and the dispatcher
(retries). Both only call the services; `flows/serve.py` schedules them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import flow

from flows.stages import _logger
from notifications.dispatcher import dispatch
from roadmap.alerts.sweep import sweep
from roadmap.calendar import parse_now
from roadmap.settings import get_settings


@flow(name="deadline-sweep", description="Обход сроков поручений и отправка уведомлений.")
def deadline_sweep_flow(now: str | None = None, region: str | None = None) -> dict[str, Any]:
    """Plan every due alert into the outbox, then deliver.

    Args:
        now: ISO 8601 moment (default: now); without an offset, each region's own time.
        region: one region code; default: every region in the store.
    """
    settings = get_settings()
    moment: datetime | None = parse_now(now, "now") if now else None
    report = sweep(settings, now=moment, region_code=region)
    if moment is not None and moment.tzinfo is None and report["regions"]:
        moment = datetime.fromisoformat(report["regions"][0]["local_time"])
    report["dispatch"] = dispatch(settings, now=moment)
    for entry in report["regions"]:
        _logger().info(f"{entry['region']}: {entry['status']}, {entry.get('planned', 0)}")
    _logger().info(str(report["dispatch"]))
    return {"regions": report["regions"], "dispatch": report["dispatch"]}


@flow(name="dispatch-alerts", description="Доставка запланированных уведомлений и повторы.")
def dispatch_flow() -> dict[str, int]:
    return dispatch(get_settings())

"""Prefect flows for deadline alerts: the daily sweep (plan, then deliver), the retries of
failed deliveries, and a rehearsal that shows what a sweep would send at a chosen moment.

The production sweep takes no moment: it always runs at the clock's now, so a test run can
never use up a day's dedupe keys. A rehearsal (`deadline-rehearsal`) takes any moment and
writes nothing. Retries are not a fixed schedule: after each sweep or retry run that
leaves alerts waiting, one retry run is scheduled for the moment the next one is due
(`schedule_retry`), so the run list holds a retry only where there was something to retry.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta

from prefect import flow
from prefect.states import Completed, Failed, State

from flows.runtime import run_logger
from notifications.dispatcher import DispatchCounts, dispatch, next_attempt
from notifications.job import DeadlineJobResult, run_deadline_job
from roadmap.alerts.config import delivery_settings
from roadmap.i18n import t
from roadmap.settings import get_settings
from roadmap.store.clock import read_now

# The deployment retries are scheduled on (flows/serve.py deploys the flow under this name).
RETRY_DEPLOYMENT = "dispatch-alerts/retries"


def _region_part(region: str | None) -> str:
    return region or t("flow.all_regions")


def _sweep_run_name() -> str:
    from prefect.runtime import flow_run

    when = flow_run.scheduled_start_time or datetime.now(UTC)
    region = _region_part(flow_run.parameters.get("region"))
    return t("flow.sweep_run_name", region=region, day=when.date().isoformat())


def _rehearsal_run_name() -> str:
    from prefect.runtime import flow_run

    parameters = flow_run.parameters
    return t(
        "flow.rehearsal_run_name",
        region=_region_part(parameters.get("region")),
        now=parameters.get("now"),
    )


def _dispatch_run_name() -> str:
    from prefect.runtime import flow_run

    when = flow_run.scheduled_start_time or datetime.now(UTC)
    return t("flow.dispatch_run_name", at=when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"))


def sweep_outcome(result: DeadlineJobResult) -> State:
    """A sweep that had alerts to deliver and reached nobody fails, naming how many; one
    that left some people without an address completes under a name that says so."""
    counts = result.dispatch or DispatchCounts()
    unreached = counts.undeliverable + counts.failed + counts.dead
    message = t("alerts.dispatch", **asdict(counts))
    if unreached and not counts.sent:
        return Failed(name=t("flow.state_nobody_reached"), message=message, data=result)
    if counts.undeliverable:
        return Completed(name=t("flow.state_partly_reached"), message=message, data=result)
    return Completed(message=message, data=result)


def schedule_retry() -> str | None:
    """Schedule one retry run for when the next queued alert is due; idempotent per moment.
    Only from a run of a deployment (a served process); returns the moment, or None."""
    from prefect.context import FlowRunContext
    from prefect.deployments import run_deployment

    context = FlowRunContext.get()
    if context is None or context.flow_run is None or not context.flow_run.deployment_id:
        return None
    when = next_attempt(get_settings())
    if when is None:
        return None
    now = datetime.now(UTC)
    if when <= now:
        # Still queued right after a dispatch (e.g. a region outside its hours): the next
        # try is one retry interval on, never a loop of immediate runs.
        when = now + timedelta(seconds=max(60, delivery_settings(get_settings()).backoff_seconds))
    at = when.replace(second=0, microsecond=0) + timedelta(minutes=1)
    run_deployment(
        RETRY_DEPLOYMENT,
        scheduled_time=at,
        timeout=0,
        as_subflow=False,
        idempotency_key=f"roadmap-retry-{at.isoformat()}",
        tags=["roadmap", "retries"],
    )
    return at.isoformat()


@flow(
    name="deadline-sweep",
    flow_run_name=_sweep_run_name,
    description="Обход сроков поручений и отправка уведомлений (рабочие дни и часы региона).",
)
def deadline_sweep_flow(region: str | None = None) -> State:
    """Обход сроков: запланировать наступившие уведомления и доставить их сейчас.

    Args:
        region: код региона; по умолчанию все регионы хранилища.
    """
    settings = get_settings()
    result = run_deadline_job(settings, None, region=region)
    logger = run_logger()
    for entry in result.regions:
        logger.info(
            t("alerts.sweep", region=entry.region, status=entry.status, planned=entry.planned)
        )
    logger.info(t("alerts.dispatch", **asdict(result.dispatch or DispatchCounts())))
    if at := schedule_retry():
        logger.info(t("flow.retry_scheduled", at=at))
    return sweep_outcome(result)


@flow(
    name="deadline-rehearsal",
    flow_run_name=_rehearsal_run_name,
    description="Репетиция обхода сроков на выбранный момент: что было бы отправлено; ничего не записывает.",
)
def deadline_rehearsal_flow(now: str, region: str | None = None) -> DeadlineJobResult:
    """Репетиция: какие уведомления обход отправил бы в момент `now`; ничего не пишет.

    Args:
        now: момент ISO 8601, например 2027-01-11T09:00; без смещения — время региона.
        region: код региона; нужен при нескольких регионах в хранилище.
    """
    from prefect.artifacts import create_table_artifact

    settings = get_settings()
    moment = read_now(settings, now, region, "now")
    result = run_deadline_job(settings, moment, region=region, dry_run=True)
    create_table_artifact(
        key="deadline-rehearsal",
        table=[
            {
                t("flow.col_task"): row.task,
                t("flow.col_kind"): row.kind,
                t("flow.col_rung"): row.rung,
                t("flow.col_working_days"): row.working_days,
            }
            for row in result.planned
        ],
        description=t("flow.rehearsal_artifact", now=now, count=len(result.planned)),
    )
    return result


@flow(
    name="dispatch-alerts",
    flow_run_name=_dispatch_run_name,
    description="Повтор доставки уведомлений, которые не удалось отправить.",
)
def dispatch_flow() -> DispatchCounts:
    """Доставить ожидающие уведомления; назначить следующий повтор, если что-то осталось."""
    counts = dispatch(get_settings())
    run_logger().info(t("alerts.dispatch", **asdict(counts)))
    if at := schedule_retry():
        run_logger().info(t("flow.retry_scheduled", at=at))
    return counts

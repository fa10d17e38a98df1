"""Serve the roadmap's Prefect deployments: `roadmap serve` (or `python -m flows.serve`).

Coordinators start a stage from the Prefect UI: Deployments → `roadmap-stage` → the stage
("Этап 2. Интервью с жителями…") → Run. The stage run issues the tasks, shows them and
what its gate misses as artifacts, and waits suspended; it closes the stage by itself
once the results are in, or when the coordinator presses Resume. From a shell::

    prefect deployment run "roadmap-stage/Этап 2. Интервью с жителями для подтверждения гипотез"

The process needs a real Prefect server (`prefect server start`, on PostgreSQL when
shared) given by PREFECT_API_URL, and the roadmap store given by ROADMAP_DATABASE_URL;
each flow run inherits this process's environment. Importing this module serves nothing.

Operations:
- A clean stop leaves the schedules on (`pause_on_shutdown=False`): a 09:00 sweep that
  came due while the process was down is run, late, when it is back.
- Runs send heartbeats (flows/operations.py); a run whose process died is marked Crashed
  by the automation this process sets up, instead of staying Running.
- Retries of deliveries are scheduled only when something waits (flows/alerts.py).

Schedules take the region's timezone explicitly, `Cron("0 9 * * *",
timezone="Asia/Vladivostok")`: a bare cron string is read in UTC.
"""

from __future__ import annotations

import os
from typing import Any

from prefect import serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.settings import get_current_settings
from prefect.utilities.annotations import freeze

from flows.alerts import (
    RETRY_DEPLOYMENT,
    deadline_rehearsal_flow,
    deadline_sweep_flow,
    dispatch_flow,
)
from flows.operations import HEARTBEAT_SECONDS, ensure_automations
from flows.review import annual_review_flow
from flows.stages import stage_flow, stage_title
from roadmap.config import load_review_config, load_stage_config
from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.settings import get_settings

# Every deployment carries these tags, so the UI can filter the roadmap's runs.
TAGS = ["roadmap"]

# Titles of the parameters in the Run form (Prefect shows a parameter's name otherwise).
PARAMETER_TITLES = {
    "key": "Этап",
    "region": "Регион (код)",
    "on": "Дата начала",
    "year": "Год",
    "now": "Момент (ISO 8601)",
}


def region_timezones() -> list[str]:
    """The timezones of the regions in the store (Asia/Vladivostok for an empty one)."""
    from sqlmodel import select

    from roadmap.store.models import Region
    from roadmap.store.unit_of_work import open_store

    store = open_store(get_settings())
    try:
        with store.session() as session:
            zones = sorted(set(session.exec(select(Region.timezone))))
    finally:
        store.dispose()
    return zones or ["Asia/Vladivostok"]


def _zone_name(zone: str) -> str:
    return zone.replace("/", "-").lower()


def _titled(deployment: RunnerDeployment) -> RunnerDeployment:
    """Russian titles for the parameters of the Run form."""
    for name, prop in deployment._parameter_openapi_schema.properties.items():
        if name in PARAMETER_TITLES:
            prop["title"] = PARAMETER_TITLES[name]
    return deployment


def _deploy(flow: Any, name: str, **options: Any) -> RunnerDeployment:
    options["tags"] = [*TAGS, *options.get("tags", [])]
    return _titled(
        flow.to_deployment(name=name, entrypoint_type=EntrypointType.MODULE_PATH, **options)
    )


def stage_deployments() -> list[RunnerDeployment]:
    """One deployment a configured stage, its key fixed; at most one run of a stage runs
    its steps at a time (a second one waits, then reports the run that carries the stage)."""
    config = load_stage_config(get_settings())
    return [
        _deploy(
            stage_flow,
            stage_title(stage.key),
            parameters={"key": freeze(stage.key)},
            description=(
                f"{stage.title_ru}: поручения цифровым эмиссарам всех органов власти, срок"
                f" {stage.duration_days} раб. дней. Запуск ждёт результатов и закрывает этап,"
                " когда условия выполнены; «Resume» — проверить условия сейчас."
            ),
            concurrency_limit=ConcurrencyLimitConfig(
                limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE
            ),
            tags=["stages", f"stage:{stage.key}"],
        )
        for stage in config.stage
    ]


def deployments(timezones: list[str] | None = None) -> list[RunnerDeployment]:
    """Every deployment this process serves; building them contacts no Prefect server.

    The deadline sweep runs at 09:00 in each region timezone, every day: the sweep itself
    skips days off of the production calendar (and works on transferred working
    Saturdays), so the cron need not know the calendar.
    """
    from prefect.schedules import Cron

    zones = timezones if timezones is not None else region_timezones()
    review = load_review_config(get_settings())
    (month, day), at = review.month_day, review.at
    retry_flow, retry_name = RETRY_DEPLOYMENT.split("/")
    assert retry_flow == dispatch_flow.name
    return [
        *stage_deployments(),
        *(
            _deploy(
                deadline_sweep_flow,
                f"daily-{_zone_name(zone)}",
                schedules=[Cron("0 9 * * *", timezone=zone)],
                description=f"Обход сроков каждый день в 09:00 по времени {zone} (в рабочие дни региона).",
                tags=["deadlines"],
            )
            for zone in zones
        ),
        *(
            _deploy(
                annual_review_flow,
                f"yearly-{_zone_name(zone)}",
                schedules=[Cron(f"{at.minute} {at.hour} {day} {month} *", timezone=zone)],
                description=(
                    f"Открыть ежегодную актуализацию {day:02d}.{month:02d} по времени {zone};"
                    " год — год даты запуска (вручную — указать год)."
                ),
                tags=["review"],
            )
            for zone in zones
        ),
        # Retries of failed deliveries, scheduled by the runs that leave something queued.
        _deploy(
            dispatch_flow,
            retry_name,
            description="Повтор доставки уведомлений; назначается сам, когда есть что повторить.",
            tags=["deadlines", "retries"],
        ),
        # Rehearsals at a chosen moment: nothing written, nothing sent.
        _deploy(
            deadline_rehearsal_flow,
            "rehearsal",
            description="Репетиция обхода сроков на выбранный момент: что было бы отправлено; ничего не записывает.",
            tags=["deadlines"],
        ),
    ]


def ensure_process_pool(client: Any, pool: str) -> None:
    """Create the process work pool `pool` if the server has none of that name."""
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound
    from prefect.workers.process import ProcessWorker

    try:
        client.read_work_pool(pool)
    except ObjectNotFound:
        client.create_work_pool(
            WorkPoolCreate(
                name=pool,
                type="process",
                description="Запуски дорожной карты: этапы, обход сроков, актуализация.",
                base_job_template=ProcessWorker.get_default_base_job_template(),
            )
        )


def deploy_to_pool(pool: str, timezones: list[str] | None = None) -> list[str]:
    """Every deployment on the server, run by the workers of the process work pool `pool`
    (`prefect worker start --pool POOL` on each machine); the server owns the schedules, so
    a worker's restart loses nothing. Returns the deployments' full names."""
    from prefect import get_client
    from prefect.deployments.runner import deploy

    built = deployments(timezones)
    for deployment in built:
        # Runs a worker starts send heartbeats, which the crashed-runs automation watches.
        deployment.job_variables = {
            **deployment.job_variables,
            "env": {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT_SECONDS)},
        }
    with get_client(sync_client=True) as client:
        ensure_process_pool(client, pool)
        ensure_automations(client)
    deploy(
        *built,
        work_pool_name=pool,
        build=False,
        push=False,
        print_next_steps_message=False,
        ignore_warnings=True,
    )
    return [f"{d.flow_name}/{d.name}" for d in built]


def _require_server() -> None:
    """A Prefect server must be named and must answer: one message (exit 2) otherwise."""
    import httpx

    url = get_current_settings().api.url
    if not url:
        # Without it Prefect would serve against a temporary server without a UI that
        # disappears with this process: nobody could trigger the deployments.
        raise UserError(t("flow.no_api_url"))
    try:
        httpx.get(f"{url.rstrip('/')}/health", timeout=10).raise_for_status()
    except httpx.HTTPError as exc:
        raise UserError(t("flow.api_unreachable", url=url, error=type(exc).__name__)) from None


def main(pool: str | None = None) -> None:
    """Serve the deployments from this process, or with `pool`, deploy them to that
    process work pool and return (workers run them)."""
    _require_server()
    if pool is not None:
        names = deploy_to_pool(pool)
        print(t("flow.deployed_to_pool", pool=pool, count=len(names)))
        return
    from prefect import get_client

    # Runs started by this process inherit its environment: they send heartbeats, which the
    # crashed-runs automation watches.
    os.environ["PREFECT_FLOWS_HEARTBEAT_FREQUENCY"] = str(HEARTBEAT_SECONDS)
    with get_client(sync_client=True) as client:
        ensure_automations(client)
    serve(*deployments(), pause_on_shutdown=False)


if __name__ == "__main__":
    main()

"""Serve the roadmap's Prefect deployments: `python -m flows.serve`.

Coordinators start and close stages from the Prefect UI ("Run" on `start-stage/manual` or
`close-stage/manual`) or from the command line::

    prefect deployment run start-stage/manual -p key=interviews
    prefect deployment run close-stage/manual -p key=interviews

The process needs a real Prefect server (`prefect server start`, on PostgreSQL when
shared) given by PREFECT_API_URL, and the roadmap store given by ROADMAP_DATABASE_URL;
each flow run inherits this process's environment. Importing this module serves nothing.

To add a deployment (the scheduled ones, e.g. the deadline sweep), add it to
`deployments()`. Schedules take the region's timezone explicitly,
`Cron("0 9 * * 1-5", timezone="Asia/Vladivostok")`: a bare cron string is read in UTC.
"""

from __future__ import annotations

import sys

from prefect import serve
from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.settings import get_current_settings

from flows.alerts import deadline_sweep_flow, dispatch_flow
from flows.review import annual_review_flow
from flows.stages import close_stage_flow, start_stage_flow
from roadmap.config import load_review_config
from roadmap.settings import get_settings

# Every deployment carries these tags, so the UI can filter the roadmap's runs.
TAGS = ["roadmap"]


def region_timezones() -> list[str]:
    """The timezones of the regions in the store (Asia/Vladivostok for an empty one)."""
    from sqlmodel import select

    from roadmap.settings import get_settings
    from roadmap.store.models import Region
    from roadmap.store.unit_of_work import open_store

    store = open_store(get_settings())
    try:
        with store.session() as session:
            zones = sorted(set(session.exec(select(Region.timezone))))
    finally:
        store.dispose()
    return zones or ["Asia/Vladivostok"]


def deployments(timezones: list[str] | None = None) -> list[RunnerDeployment]:
    """Every deployment this process serves; building them contacts no Prefect server.

    The deadline sweep runs at 09:00 in each region timezone, every day: the sweep itself
    skips days off of the production calendar (and works on transferred working
    Saturdays), so the cron need not know the calendar.
    """
    from prefect.schedules import Cron

    sweeps = [
        deadline_sweep_flow.to_deployment(
            name=f"daily-{zone.replace('/', '-').lower()}",
            schedules=[Cron("0 9 * * *", timezone=zone)],
            entrypoint_type=EntrypointType.MODULE_PATH,
            description=f"Обход сроков в 09:00 по времени {zone}.",
            tags=[*TAGS, "deadlines"],
        )
        for zone in (timezones if timezones is not None else region_timezones())
    ]
    review = load_review_config(get_settings())
    (month, day), at = review.month_day, review.at
    reviews = [
        annual_review_flow.to_deployment(
            name=f"yearly-{zone.replace('/', '-').lower()}",
            schedules=[Cron(f"{at.minute} {at.hour} {day} {month} *", timezone=zone)],
            entrypoint_type=EntrypointType.MODULE_PATH,
            description=f"Открыть ежегодную актуализацию ({zone}).",
            tags=[*TAGS, "review"],
        )
        for zone in (timezones if timezones is not None else region_timezones())
    ]
    return [
        *sweeps,
        *reviews,
        # Retries of failed deliveries between sweeps.
        dispatch_flow.to_deployment(
            name="every-15-minutes",
            schedules=[Cron("*/15 * * * *", timezone="UTC")],
            entrypoint_type=EntrypointType.MODULE_PATH,
            tags=[*TAGS, "deadlines"],
        ),
        # Started by hand by a coordinator; no schedule.
        start_stage_flow.to_deployment(
            name="manual",
            entrypoint_type=EntrypointType.MODULE_PATH,
            description="Координатор начинает этап: поручения эмиссарам всех органов власти.",
            tags=[*TAGS, "stages"],
        ),
        close_stage_flow.to_deployment(
            name="manual",
            entrypoint_type=EntrypointType.MODULE_PATH,
            description="Координатор закрывает этап; запуск завершается ошибкой, если условия не выполнены.",
            tags=[*TAGS, "stages"],
        ),
    ]


def main() -> None:
    if not get_current_settings().api.url:
        # Without it Prefect would serve against a temporary server without a UI that
        # disappears with this process: nobody could trigger the deployments.
        sys.exit(
            "PREFECT_API_URL не задан: запустите сервер Prefect (`prefect server start`) и укажите"
            " его адрес, например PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    serve(*deployments())


if __name__ == "__main__":
    main()

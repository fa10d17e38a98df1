"""Prefect flows of the yearly update: open the review cycle (baseline version and a
working-group task for every agency). Scheduled by flows/serve.py each year.

The year is never guessed from a date a person did not choose: a scheduled run takes it
from its scheduled date in the region (the 15 January run opens that year's review), a run
started by hand must name it. So a rehearsal in November cannot open the wrong cycle and
block the January run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import flow

from flows.runtime import run_logger
from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.review.cycle import ReviewStarted, start_review, today_year
from roadmap.settings import get_settings
from roadmap.store.clock import read_now


def _review_run_name() -> str:
    from prefect.runtime import flow_run

    parameters = flow_run.parameters
    year = parameters.get("year") or (flow_run.scheduled_start_time or datetime.now()).year
    region = parameters.get("region")
    name = t("flow.review_run_name", year=year)
    return f"{name} · {region}" if region else name


def open_review(year: int, region: str | None, moment: datetime | None) -> ReviewStarted:
    """Open the year's review and log what it did (shared by the flows below)."""
    result = start_review(get_settings(), year, region_code=region, now=moment)
    run_logger().info(
        t(
            "review.started",
            year=year,
            status=result.status,
            baseline=result.baseline_version,
            created=result.tasks_created,
        )
    )
    return result


def review_year(year: int | None, run: Any, region: str | None) -> int:
    """The review's year: the one given, or for a run made by a schedule the year of its
    scheduled date in the region; a run started by hand without one is refused."""
    if year is not None:
        return year
    if run is not None and run.auto_scheduled and run.expected_start_time is not None:
        return today_year(get_settings(), region, now=run.expected_start_time)
    raise UserError(t("flow.review_year_needed"))


@flow(
    name="annual-review",
    flow_run_name=_review_run_name,
    description="Ежегодная актуализация стратегии: снимок версии и поручения рабочим группам.",
)
def annual_review_flow(year: int | None = None, region: str | None = None) -> ReviewStarted:
    """Открыть ежегодную актуализацию (повторный запуск ничего не создаёт дважды).

    Args:
        year: год актуализации; обязателен при запуске вручную, у запуска по расписанию — год даты запуска.
        region: код региона; нужен, только если в хранилище несколько регионов.
    """
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    year = review_year(year, context.flow_run if context else None, region)
    return open_review(year, region, None)


@flow(
    name="annual-review-demo",
    flow_run_name=_review_run_name,
    description="Демонстрация: ежегодная актуализация в заданный момент.",
)
def demo_review_flow(year: int, now: str | None = None, region: str | None = None) -> ReviewStarted:
    """Demo only (not deployed): open the review of `year` at `now` (ISO 8601, region time)."""
    return open_review(year, region, read_now(get_settings(), now, region, option="now"))

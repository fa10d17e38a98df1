"""Prefect flow of the yearly update: opens the review cycle (baseline version and a
working-group task for every agency). Scheduled by flows/serve.py each year."""

from __future__ import annotations

from prefect import flow

from flows.runtime import run_logger
from roadmap.i18n import t
from roadmap.review.cycle import ReviewStarted, start_review, today_year
from roadmap.settings import get_settings
from roadmap.store.clock import read_now


@flow(name="annual-review", description="Ежегодная актуализация стратегии: открыть цикл.")
def annual_review_flow(
    year: int | None = None, region: str | None = None, now: str | None = None
) -> ReviewStarted:
    """Open the review of `year` (default: the region's current year); idempotent.

    Args:
        year: the review's year; default: the year of `now` in the region.
        region: region code; needed only when the store holds several regions.
        now: ISO 8601 moment (default: now); without an offset, the region's own time.
    """
    settings = get_settings()
    moment = read_now(settings, now, region, option="now")
    year = year or today_year(settings, region, now=moment)
    result = start_review(settings, year, region_code=region, now=moment)
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

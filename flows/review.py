"""Prefect flow of the yearly update: opens the review cycle (baseline version and a
working-group task for every agency). Scheduled by flows/serve.py each year."""

from __future__ import annotations

from prefect import flow

from flows.runtime import run_logger
from roadmap.i18n import t
from roadmap.review.cycle import ReviewStarted, start_review, today_year
from roadmap.settings import get_settings


@flow(name="annual-review", description="Ежегодная актуализация стратегии: открыть цикл.")
def annual_review_flow(year: int | None = None, region: str | None = None) -> ReviewStarted:
    """Open the review of `year` (default: the region's current year); idempotent."""
    settings = get_settings()
    year = year or today_year(settings, region)
    result = start_review(settings, year, region_code=region)
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

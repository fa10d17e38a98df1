"""Prefect flow of the yearly update: opens the review cycle (baseline version and a
working-group task for every agency). Scheduled by flows/serve.py each year."""

from __future__ import annotations

from typing import Any

from prefect import flow

from flows.stages import _logger
from roadmap.calendar import parse_now
from roadmap.review.cycle import start_review, today_year
from roadmap.settings import get_settings


@flow(name="annual-review", description="Ежегодная актуализация стратегии: открыть цикл.")
def annual_review_flow(
    year: int | None = None, region: str | None = None, now: str | None = None
) -> dict[str, Any]:
    """Open the review of `year` (default: the region's current year); idempotent.

    Args:
        year: the review's year; default: the year of `now` in the region.
        region: region code; needed only when the store holds several regions.
        now: ISO 8601 moment (default: now); without an offset, the region's own time.
    """
    settings = get_settings()
    moment = parse_now(now, "now") if now else None
    year = year or today_year(settings, region, now=moment)
    result = start_review(settings, year, region_code=region, now=moment)
    _logger().info(
        f"Актуализация {year}: база — версия {result['baseline_version']}, "
        f"поручений рабочим группам: {result['tasks_created']}"
    )
    return result

"""`roadmap report indicators`: every indicator's target and actual, year by year, with its
progress from the baseline toward the target and a status.

Rows: one per indicator and year of the strategy's horizon that has a target or an actual
(`--year`: that year only), by indicator code, then year.

Progress = (actual − baseline) / (target − baseline): for a lower-is-better indicator this
is the same number as (baseline − actual) / (baseline − target). 1 is the target reached,
above 1 beaten, below 0 worse than the baseline. None without an actual, and when the
target does not improve on the baseline in the indicator's direction (equal to it, or on
its worse side): such a target is only met or not, by comparison.

Status, by the region's local date at `now` (docs/reports.md, "Indicators"):
- no actual: "not due" for a year not begun yet, else "no data";
- an actual without a target: "no target";
- the actual meets or beats the target (≥ when higher is better, ≤ when lower): "on track";
- else, once the year is over (the local date is past 31 December): "missed";
- else (the year is running): "at risk" when it falls short by at most the tolerance,
  "off track" beyond it. The tolerance is 5 % of |target − baseline|, or of |target| when
  the two are equal.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Session, select

from roadmap.i18n import t
from roadmap.reports.common import report_context
from roadmap.reports.table import Chart, Column, Report, Series
from roadmap.store.models import (
    Agency,
    Indicator,
    IndicatorRecord,
    IndicatorValue,
    Region,
    ValueKind,
)

#: The share of the way from baseline to target an actual may fall short by, while its year
#: runs, and be "at risk" rather than "off track".
TOLERANCE = 0.05

#: Line charts of target and actual by year are drawn per indicator when there are at most
#: this many indicators; more would be a wall of charts.
LINE_CHARTS_UP_TO = 4


class IndicatorStatus(StrEnum):
    on_track = "on_track"
    at_risk = "at_risk"
    off_track = "off_track"
    missed = "missed"
    no_data = "no_data"
    not_due = "not_due"
    no_target = "no_target"


def indicator_progress(
    baseline: float, target: float | None, actual: float | None, higher_is_better: bool
) -> float | None:
    """(actual − baseline) / (target − baseline); None without an actual or a target, or
    when the target does not improve on the baseline in the indicator's direction."""
    if actual is None or target is None:
        return None
    wanted = target - baseline if higher_is_better else baseline - target
    if wanted <= 0:
        return None
    gained = actual - baseline if higher_is_better else baseline - actual
    return gained / wanted


def tolerance_of(baseline: float, target: float, tolerance: float = TOLERANCE) -> float:
    """How far an actual may fall short of the target and be "at risk"."""
    span = abs(target - baseline) if target != baseline else abs(target)
    return tolerance * span


def indicator_status(
    *,
    year: int,
    today: date,
    baseline: float,
    target: float | None,
    actual: float | None,
    higher_is_better: bool,
    tolerance: float = TOLERANCE,
) -> IndicatorStatus:
    """The status of one indicator in one year, by the rule in the module's docstring."""
    if actual is None:
        return IndicatorStatus.not_due if year > today.year else IndicatorStatus.no_data
    if target is None:
        return IndicatorStatus.no_target
    shortfall = target - actual if higher_is_better else actual - target
    if shortfall <= 0:
        return IndicatorStatus.on_track
    if today > date(year, 12, 31):
        return IndicatorStatus.missed
    if shortfall <= tolerance_of(baseline, target, tolerance):
        return IndicatorStatus.at_risk
    return IndicatorStatus.off_track


@dataclass(frozen=True, slots=True)
class _Indicator:
    id: int
    code: str
    name: str
    unit: str
    agency: str | None
    higher_is_better: bool
    baseline_year: int
    baseline: float


def indicators_report(
    session: Session,
    region: Region,
    *,
    year: int | None = None,
    now: datetime | None = None,
    tolerance: float = TOLERANCE,
) -> Report:
    context = report_context(session, region, now)
    strategy, today = context.strategy, context.today
    indicators = [
        _Indicator(*row)
        for row in session.execute(
            select(
                Indicator.id,
                Indicator.code,
                Indicator.name,
                Indicator.unit,
                Agency.code,
                Indicator.higher_is_better,
                Indicator.baseline_year,
                Indicator.baseline_value,
            )
            .join(Agency, Indicator.agency_id == Agency.id, isouter=True)
            .where(Indicator.strategy_id == strategy.id)
            .order_by(Indicator.code)
        )
    ]
    values: dict[tuple[int, int], dict[str, float]] = defaultdict(dict)
    for ind_id, value_year, kind, value in session.execute(
        select(
            IndicatorValue.indicator_id,
            IndicatorValue.year,
            IndicatorValue.kind,
            IndicatorValue.value,
        )
        .join(Indicator, IndicatorValue.indicator_id == Indicator.id)
        .where(Indicator.strategy_id == strategy.id)
    ):
        values[(ind_id, value_year)][kind] = value
    sources = _actual_sources(session, strategy.id)
    years = range(strategy.start_year, strategy.end_year + 1)
    rows: list[dict[str, Any]] = []
    for ind in indicators:
        for row_year in years:
            if year is not None and row_year != year:
                continue
            known = values.get((ind.id, row_year), {})
            target = known.get(ValueKind.target.value)
            actual = known.get(ValueKind.actual.value)
            if target is None and actual is None:
                continue
            status = indicator_status(
                year=row_year,
                today=today,
                baseline=ind.baseline,
                target=target,
                actual=actual,
                higher_is_better=ind.higher_is_better,
                tolerance=tolerance,
            )
            rows.append(
                {
                    "code": ind.code,
                    "name": ind.name,
                    "unit": ind.unit,
                    "agency": ind.agency,
                    "direction": t(
                        "indicator.direction.up"
                        if ind.higher_is_better
                        else "indicator.direction.down"
                    ),
                    "baseline_year": ind.baseline_year,
                    "baseline": ind.baseline,
                    "year": row_year,
                    "target": target,
                    "actual": actual,
                    "actual_period": sources.get((ind.id, row_year))
                    if actual is not None
                    else None,
                    "progress": indicator_progress(
                        ind.baseline, target, actual, ind.higher_is_better
                    ),
                    "status": t(f"indicator.status.{status.value}"),
                    "_status": status,
                }
            )
    notes = [t("indicator.report.rule", tolerance=f"{tolerance * 100:g}")]
    counts = Counter(row.pop("_status") for row in rows)
    if counts:
        parts = [
            t("indicator.report.count", status=t(f"indicator.status.{s.value}"), count=counts[s])
            for s in IndicatorStatus
            if counts[s]
        ]
        notes.append(t("indicator.report.counts", counts="; ".join(parts)))
    return Report(
        name="indicators",
        title=t("indicator.report.title"),
        columns=_columns(),
        rows=rows,
        notes=notes,
        charts=_charts(rows, indicators, year, today),
        filters={"year": year},
        region=context.region_label,
        strategy=context.strategy_label,
        generated_at=context.now,
        today=today,
    )


def _columns() -> list[Column]:
    return [
        Column("code", t("indicator.col.code")),
        Column("name", t("indicator.col.name")),
        Column("unit", t("indicator.col.unit")),
        Column("agency", t("report.col.agency")),
        Column("direction", t("indicator.col.direction")),
        Column("baseline_year", t("indicator.col.baseline_year"), "year"),
        Column("baseline", t("indicator.col.baseline"), "number"),
        Column("year", t("report.col.year"), "year"),
        Column("target", t("indicator.col.target"), "number"),
        Column("actual", t("indicator.col.actual"), "number"),
        Column("actual_period", t("indicator.col.actual_period")),
        Column("progress", t("indicator.col.progress"), "percent"),
        Column("status", t("indicator.col.status")),
    ]


def _actual_sources(session: Session, strategy_id: int) -> dict[tuple[int, int], str]:
    """The recorded period behind each year's actual: the yearly record, else the latest
    quarter (an actual from the roadmap file has none)."""
    best: dict[tuple[int, int], tuple[int, str]] = {}
    for ind_id, year, quarter, period in session.execute(
        select(
            IndicatorRecord.indicator_id,
            IndicatorRecord.year,
            IndicatorRecord.quarter,
            IndicatorRecord.period,
        )
        .join(Indicator, IndicatorRecord.indicator_id == Indicator.id)
        .where(Indicator.strategy_id == strategy_id)
    ):
        rank = 5 if quarter is None else quarter
        if rank > best.get((ind_id, year), (0, ""))[0]:
            best[(ind_id, year)] = (rank, period)
    return {key: period for key, (_, period) in best.items()}


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _charts(
    rows: list[dict[str, Any]], indicators: list[_Indicator], year: int | None, today: date
) -> list[Chart]:
    """Progress toward the target per indicator in the report's year (`--year`, else the
    latest year up to today with an actual), and, for a few indicators over the horizon,
    target and actual by year, one line chart each."""
    charts: list[Chart] = []
    with_actual = [r["year"] for r in rows if r["actual"] is not None and r["year"] <= today.year]
    focus = year if year is not None else max(with_actual, default=None)
    shown = [r for r in rows if r["year"] == focus and r["target"] is not None]
    if shown:
        charts.append(
            Chart(
                title=t("indicator.chart.progress", year=focus),
                categories=[r["code"] for r in shown],
                series=[
                    Series(t("indicator.col.progress"), [_percent(r["progress"]) for r in shown])
                ],
                kind="hbar",
                unit=t("report.unit.percent"),
            )
        )
    if year is None and len(indicators) <= LINE_CHARTS_UP_TO:
        for ind in indicators:
            own = [r for r in rows if r["code"] == ind.code]
            if not own:
                continue
            charts.append(
                Chart(
                    title=t("indicator.chart.by_year", code=ind.code, unit=ind.unit),
                    categories=[str(r["year"]) for r in own],
                    series=[
                        Series(t("indicator.col.target"), [r["target"] for r in own]),
                        Series(t("indicator.col.actual"), [r["actual"] for r in own]),
                    ],
                    kind="line",
                    unit=ind.unit,
                )
            )
    return charts

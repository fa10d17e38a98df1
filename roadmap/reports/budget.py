"""`roadmap report budget`: planned and actual money grouped by any of sector, source, year,
agency (executive bodies and municipalities alike) and initiative, with the execution share.

The plan's money is as everywhere (roadmap.plan.money): lines of dropped initiatives are out
of every total and shown apart in a note. Sums are taken in SQL in kopecks (integers), so
the grand total is exactly the sum of the rows. Execution = actual / planned of the same
rows (no share where nothing is planned); a line without an actual counts as 0 spent.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from roadmap.i18n import t
from roadmap.plan.money import EXCLUDED_STATUSES
from roadmap.reports.common import grouping_option, kind_labels, report_context, source_labels
from roadmap.reports.table import Chart, Column, Report, Series, share
from roadmap.store.models import Agency, BudgetLine, Initiative, Region, Sector

#: What the money can be grouped by, in the order the columns are shown.
GROUPINGS = ("sector", "source", "year", "agency", "initiative")
DEFAULT_GROUPING = ("sector",)


def parse_grouping(value: str | None) -> tuple[str, ...]:
    return grouping_option(value, GROUPINGS, DEFAULT_GROUPING)


def _key_columns(grouping: tuple[str, ...]) -> list[tuple[str, Any, str]]:
    """(column key, SQL expression, kind) of what the rows are grouped by."""
    columns: list[tuple[str, Any, str]] = []
    for name in grouping:
        if name == "sector":
            columns += [("sector", Sector.code, "text"), ("sector_name", Sector.name, "text")]
        elif name == "source":
            columns.append(("source", BudgetLine.source, "text"))
        elif name == "year":
            columns.append(("year", BudgetLine.year, "year"))
        elif name == "agency":
            columns += [
                ("agency", Agency.code, "text"),
                ("agency_name", Agency.name, "text"),
                ("agency_kind", Agency.kind, "text"),
            ]
        else:
            columns += [
                ("initiative", Initiative.code, "text"),
                ("initiative_title", Initiative.title, "text"),
            ]
    return columns


def _base(strategy_id: int, year: int | None, counted: bool) -> Any:
    status = Initiative.status
    query = (
        sa.select()
        .select_from(BudgetLine)
        .join(Initiative, BudgetLine.initiative_id == Initiative.id)
        .join(Sector, Initiative.sector_id == Sector.id)
        .join(Agency, Initiative.agency_id == Agency.id)
        .where(Initiative.strategy_id == strategy_id)
        .where(
            status.not_in([s.value for s in EXCLUDED_STATUSES])
            if counted
            else status.in_([s.value for s in EXCLUDED_STATUSES])
        )
    )
    return query if year is None else query.where(BudgetLine.year == year)


def grouped_sums(
    session: Session, strategy_id: int, keys: list[Any], year: int | None = None
) -> list[tuple[Any, ...]]:
    """(keys..., planned kopecks, actual kopecks, initiatives) of the plan's money grouped
    by `keys`, in the keys' order: one aggregate query."""
    planned = sa.func.sum(BudgetLine.planned_kopecks)
    actual = sa.func.sum(sa.func.coalesce(BudgetLine.actual_kopecks, 0))
    initiatives = sa.func.count(sa.distinct(BudgetLine.initiative_id))
    query = (
        _base(strategy_id, year, counted=True)
        .add_columns(*keys, planned, actual, initiatives)
        .group_by(*keys)
        .order_by(*keys)
    )
    return [tuple(row) for row in session.execute(query)]


def budget_report(
    session: Session,
    region: Region,
    *,
    grouping: tuple[str, ...] = DEFAULT_GROUPING,
    year: int | None = None,
    now: datetime | None = None,
    charts: bool = True,
) -> Report:
    """The budget report; `charts=False` leaves out the charts (only the HTML page draws
    them), and the query they need."""
    context = report_context(session, region, now)
    strategy = context.strategy
    keys = _key_columns(grouping)
    rows = []
    total_planned = total_actual = 0
    for values in grouped_sums(session, strategy.id, [expr for _, expr, _ in keys], year):
        *cut, planned, actual, initiatives = values
        planned, actual = int(planned or 0), int(actual or 0)
        row = {key: value for (key, _, _), value in zip(keys, cut, strict=True)}
        row.update(
            planned=planned,
            actual=actual,
            execution=share(actual, planned),
            initiatives=int(initiatives),
        )
        rows.append(row)
        total_planned += planned
        total_actual += actual
    all_initiatives = _base(strategy.id, year, counted=True).add_columns(
        sa.func.count(sa.distinct(BudgetLine.initiative_id))
    )
    totals = {
        keys[0][0]: t("report.total"),
        "planned": total_planned,
        "actual": total_actual,
        "execution": share(total_actual, total_planned),
        "initiatives": int(session.execute(all_initiatives).scalar_one()),
    }
    notes = [t("report.budget.rule")]
    excluded = _excluded_note(session, strategy.id, year)
    if excluded:
        notes.append(excluded)
    labels = {"source": source_labels(), "agency_kind": kind_labels()}
    columns = [Column(key, t(f"report.col.{key}"), kind, labels.get(key)) for key, _, kind in keys]
    columns += [
        Column("planned", t("report.col.planned"), "money"),
        Column("actual", t("report.col.actual"), "money"),
        Column("execution", t("report.col.execution"), "percent"),
        Column("initiatives", t("report.col.initiatives"), "int"),
    ]
    return Report(
        name="budget",
        title=t("report.budget.title"),
        columns=columns,
        rows=rows,
        totals=totals,
        notes=notes,
        charts=_charts(session, strategy.id, year) if charts else [],
        filters={"by": list(grouping), "year": year},
        region=context.region_label,
        strategy=context.strategy_label,
        generated_at=context.now,
        today=context.today,
    )


def _excluded_note(session: Session, strategy_id: int, year: int | None) -> str | None:
    """The dropped initiatives' money, out of every total: its sum and each initiative
    with its own amount, by code."""
    from roadmap.reports.output import text_value

    query = (
        _base(strategy_id, year, counted=False)
        .add_columns(Initiative.code, sa.func.sum(BudgetLine.planned_kopecks))
        .group_by(Initiative.code)
        .order_by(Initiative.code)
    )
    dropped = [(code, int(planned or 0)) for code, planned in session.execute(query)]
    if not dropped:
        return None
    money = Column("planned", "", "money")
    items = [
        t("report.budget.excluded_item", code=code, amount=text_value(money, planned))
        for code, planned in dropped
    ]
    total = text_value(money, sum(planned for _, planned in dropped))
    return t("report.budget.excluded", amount=total, initiatives=", ".join(items))


def _millions(kopecks: Any) -> float:
    """Kopecks (an int, or a Decimal as PostgreSQL sums them) as millions of roubles."""
    return round(int(kopecks) / 100 / 1_000_000, 3)


def _charts(session: Session, strategy_id: int, year: int | None) -> list[Chart]:
    """Planned money by sector and source (stacked), and planned against actual by year:
    both from one grouped query."""
    by_sector: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_year: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    sources: set[str] = set()
    for sector, source, line_year, planned, actual, _ in grouped_sums(
        session, strategy_id, [Sector.name, BudgetLine.source, BudgetLine.year], year
    ):
        # Sectors are named by people: two of one name are one bar.
        by_sector[sector][source] += int(planned)
        by_year[line_year][0] += int(planned)
        by_year[line_year][1] += int(actual)
        sources.add(source)
    sectors = sorted(by_sector)
    unit = t("report.unit.millions")
    charts = []
    if sectors:
        charts.append(
            Chart(
                title=t("report.chart.budget_by_sector_source"),
                categories=sectors,
                series=[
                    Series(
                        t(f"report.source.{source}"),
                        [_millions(by_sector[s].get(source, 0)) for s in sectors],
                    )
                    for source in sorted(sources)
                ],
                kind="hstack",
                unit=unit,
            )
        )
    years = sorted(by_year)
    if years:
        charts.append(
            Chart(
                title=t("report.chart.budget_by_year"),
                categories=[str(y) for y in years],
                series=[
                    Series(t("report.col.planned"), [_millions(by_year[y][0]) for y in years]),
                    Series(t("report.col.actual"), [_millions(by_year[y][1]) for y in years]),
                ],
                kind="bar",
                unit=unit,
            )
        )
    return charts

"""`roadmap report progress`: how the tasks of each stage stand at each organisation
(executive bodies and municipalities alike): open, submitted, accepted, returned, overdue,
cancelled, and the share accepted.

- Overdue: open or returned with a due date before the region's local date at `now`
  (a subset of open + returned, shown beside them).
- Accepted share: accepted / the tasks that are not cancelled (no share without any).
- Tasks without a stage (imported from the plan, indicator reports) form the "plan" row
  of their organisation; an organisation without any task still has a row of zeros.
- `year` keeps the tasks due in that year; `kind` one kind of organisation.

Counts are taken in SQL, grouped by stage, organisation and status (one query over the
tasks, however many there are); the rest is arithmetic on those groups.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from roadmap.config import load_stage_config
from roadmap.i18n import current_locale, t
from roadmap.reports.common import kind_labels, report_context
from roadmap.reports.organisations import organisations
from roadmap.reports.table import Chart, Column, Report, Series, share
from roadmap.settings import Settings, get_settings
from roadmap.store.models import OPEN_TASK_STATUSES, Region, Task

#: The statuses counted, in the order they are shown.
STATUSES = ("open", "submitted", "accepted", "returned", "cancelled")


@dataclass(slots=True)
class Counts:
    """Tasks of one stage at one organisation (or of a total) by status."""

    tasks: int = 0
    open: int = 0
    submitted: int = 0
    accepted: int = 0
    returned: int = 0
    overdue: int = 0
    cancelled: int = 0
    returned_overdue: int = 0  # of `overdue`, the returned ones (for the chart)

    def add(self, other: Counts) -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))

    def values(self) -> dict[str, Any]:
        """The row's counts by column key, with the accepted share."""
        counted = {item.name: getattr(self, item.name) for item in fields(self)}
        del counted["returned_overdue"]
        counted["accepted_share"] = share(self.accepted, self.tasks - self.cancelled)
        return counted


def task_counts(
    session: Session,
    strategy_id: int,
    today: date,
    *,
    year: int | None = None,
    agency_ids: list[int] | None = None,
) -> dict[tuple[str | None, int], Counts]:
    """{(stage, agency id): Counts} of the strategy's tasks: one grouped query."""
    overdue = sa.func.sum(
        sa.case(
            (
                sa.and_(
                    Task.status.in_([s.value for s in OPEN_TASK_STATUSES]), Task.due_on < today
                ),
                1,
            ),
            else_=0,
        )
    )
    query = (
        sa.select(Task.stage, Task.agency_id, Task.status, sa.func.count(), overdue)
        .where(Task.strategy_id == strategy_id)
        .group_by(Task.stage, Task.agency_id, Task.status)
    )
    if year is not None:
        query = query.where(Task.due_on >= date(year, 1, 1), Task.due_on <= date(year, 12, 31))
    if agency_ids is not None:
        query = query.where(Task.agency_id.in_(agency_ids))
    counts: dict[tuple[str | None, int], Counts] = defaultdict(Counts)
    for stage, agency_id, status, count, late in session.execute(query):
        cell = counts[(stage, agency_id)]
        cell.tasks += int(count)
        if status in STATUSES:
            setattr(cell, status, getattr(cell, status) + int(count))
        cell.overdue += int(late or 0)
        if status == "returned":
            cell.returned_overdue += int(late or 0)
    return dict(counts)


def _stage_order(settings: Settings) -> dict[str, tuple[int, str]]:
    """Stage key → (its order, its title in the reader's language), from stages.toml."""
    config = load_stage_config(settings)
    return {stage.key: (index, stage.title()) for index, stage in enumerate(config.stage)}


def progress_report(
    session: Session,
    region: Region,
    *,
    year: int | None = None,
    kind: str | None = None,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> Report:
    context = report_context(session, region, now)
    stages = _stage_order(settings or get_settings())
    agencies = organisations(session, region, kind)
    by_id = {agency.id: agency for agency in agencies}
    counts = task_counts(
        session,
        context.strategy.id,
        context.today,
        year=year,
        agency_ids=None if kind is None else list(by_id),
    )

    def order(key: tuple[str | None, int]) -> tuple[Any, ...]:
        stage, agency_id = key
        if stage is None:
            place: tuple[int, str] = (2, "")
        elif stage in stages:
            place = (0, f"{stages[stage][0]:04d}")
        else:
            place = (1, stage)  # a stage no longer in stages.toml: after the known ones
        return (*place, by_id[agency_id].code)

    rows: list[dict[str, Any]] = []
    total = Counts()
    per_agency: dict[int, Counts] = {agency.id: Counts() for agency in agencies}
    for key in sorted((k for k in counts if k[1] in by_id), key=order):
        stage, agency_id = key
        cell = counts[key]
        agency = by_id[agency_id]
        if stage is None:
            title = t("progress.no_stage")
        else:
            title = stages[stage][1] if stage in stages else stage
        rows.append(
            {
                "stage": stage,
                "stage_title": title,
                **_agency_cells(agency),
                **cell.values(),
            }
        )
        total.add(cell)
        per_agency[agency_id].add(cell)
    for agency in agencies:
        if not per_agency[agency.id].tasks:
            rows.append({"stage": None, "stage_title": None, **_agency_cells(agency)})
            rows[-1].update(Counts().values())
    totals = {"stage": t("report.total"), **total.values()}
    notes = [t("progress.rule", today=_day(context.today))]
    if year is not None:
        notes.append(t("progress.year_rule", year=year))
    return Report(
        name="progress",
        title=t("progress.title"),
        columns=_columns(),
        rows=rows,
        totals=totals,
        notes=notes,
        charts=[_chart(agencies, counts)],
        filters={"year": year, "kind": kind},
        region=context.region_label,
        strategy=context.strategy_label,
        generated_at=context.now,
        today=context.today,
    )


def _day(day: date) -> str:
    return day.strftime("%d.%m.%Y") if current_locale() == "ru" else day.isoformat()


def _agency_cells(agency: Any) -> dict[str, Any]:
    return {"agency": agency.code, "agency_name": agency.name, "agency_kind": agency.kind}


def _columns() -> list[Column]:
    return [
        Column("stage", t("progress.col.stage"), "text"),
        Column("stage_title", t("progress.col.stage_title"), "text"),
        Column("agency", t("report.col.agency"), "text"),
        Column("agency_name", t("report.col.agency_name"), "text"),
        Column("agency_kind", t("report.col.agency_kind"), "text", kind_labels()),
        Column("tasks", t("progress.col.tasks"), "int"),
        *[Column(status, t(f"progress.col.{status}"), "int") for status in STATUSES[:4]],
        Column("overdue", t("progress.col.overdue"), "int"),
        Column("cancelled", t("progress.col.cancelled"), "int"),
        Column("accepted_share", t("progress.col.accepted_share"), "percent"),
    ]


def _chart(agencies: list[Any], counts: dict[tuple[str | None, int], Counts]) -> Chart:
    """Stacked bars per organisation: each task once, in the status it is in, with the
    overdue ones apart from the open and returned ones that still have time."""
    per_agency: dict[int, Counts] = {agency.id: Counts() for agency in agencies}
    for (_, agency_id), cell in counts.items():
        if agency_id in per_agency:
            per_agency[agency_id].add(cell)
    series = [
        ("progress.col.accepted", lambda c: c.accepted),
        ("progress.col.submitted", lambda c: c.submitted),
        ("progress.chart.open_in_time", lambda c: c.open - (c.overdue - c.returned_overdue)),
        ("progress.chart.returned_in_time", lambda c: c.returned - c.returned_overdue),
        ("progress.col.overdue", lambda c: c.overdue),
        ("progress.col.cancelled", lambda c: c.cancelled),
    ]
    return Chart(
        title=t("progress.chart.title"),
        categories=[agency.code for agency in agencies],
        series=[
            Series(t(key), [float(value(per_agency[agency.id])) for agency in agencies])
            for key, value in series
        ],
        kind="stack",
        unit=t("progress.unit.tasks"),
    )

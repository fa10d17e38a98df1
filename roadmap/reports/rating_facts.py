"""What the rating is computed from, per organisation and year, each in one grouped
query: tasks due in the year (handed in on time or late, overdue, with their delays in
working days), initiatives funded in the year, the year's budget lines, the indicators'
progress. See roadmap.reports.rating for the rules."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session

from roadmap.calendar import RegionCalendar
from roadmap.plan.money import EXCLUDED_STATUSES
from roadmap.reports.indicators import indicator_progress
from roadmap.reports.local_day import as_date, local_day_sql
from roadmap.store.models import (
    OPEN_TASK_STATUSES,
    BudgetLine,
    Indicator,
    IndicatorValue,
    Initiative,
    InitiativeStatus,
    Task,
    TaskAction,
    TaskEvent,
    TaskStatus,
    ValueKind,
)

HANDED_IN = (TaskStatus.submitted.value, TaskStatus.accepted.value)
ACTIVE_INITIATIVES = (InitiativeStatus.in_progress.value, InitiativeStatus.done.value)


@dataclass(slots=True)
class TaskFacts:
    """An organisation's tasks due in the period that count: handed in, or overdue."""

    handed: int = 0
    on_time: int = 0
    overdue: int = 0  # still open or returned after the due date
    late: int = 0  # handed in late, plus overdue
    delay_days: int = 0  # working days of delay over the late ones

    @property
    def counted(self) -> int:
        return self.handed + self.overdue

    @property
    def mean_delay(self) -> float:
        return self.delay_days / self.late if self.late else 0.0


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def task_facts(
    session: Session, strategy_id: int, year: int, today: date, calendar: RegionCalendar
) -> dict[int, TaskFacts]:
    """{agency id: TaskFacts} of the tasks due in `year`: overdue ones grouped by
    organisation and due date, handed-in ones also by the local day of the hand-in."""
    first, last = _year_bounds(year)
    facts: dict[int, TaskFacts] = defaultdict(TaskFacts)
    overdue = (
        sa.select(Task.agency_id, Task.due_on, sa.func.count())
        .where(
            Task.strategy_id == strategy_id,
            Task.status.in_([s.value for s in OPEN_TASK_STATUSES]),
            Task.due_on >= first,
            Task.due_on <= last,
            Task.due_on < today,
        )
        .group_by(Task.agency_id, Task.due_on)
    )
    for agency_id, due_on, count in session.execute(overdue):
        item = facts[agency_id]
        due_on = as_date(due_on)
        item.overdue += count
        item.late += count
        item.delay_days += count * max(0, calendar.working_days_between(due_on, today))
    last_submit = (
        sa.select(sa.func.max(TaskEvent.at))
        .where(TaskEvent.task_id == Task.id, TaskEvent.action == TaskAction.submit.value)
        .scalar_subquery()
    )
    handed_at = sa.func.coalesce(Task.submitted_at, last_submit)
    dialect = session.get_bind().dialect.name
    span = (year - 1, max(year, today.year) + 1)
    handed = (
        sa.select(
            Task.agency_id.label("agency_id"),
            Task.due_on.label("due_on"),
            local_day_sql(handed_at, calendar.timezone, dialect, span).label("day"),
        )
        .where(
            Task.strategy_id == strategy_id,
            Task.status.in_(HANDED_IN),
            Task.due_on >= first,
            Task.due_on <= last,
        )
        .subquery()
    )
    grouped = sa.select(
        handed.c.agency_id, handed.c.due_on, handed.c.day, sa.func.count()
    ).group_by(handed.c.agency_id, handed.c.due_on, handed.c.day)
    for agency_id, due_on, day, count in session.execute(grouped):
        item = facts[agency_id]
        due_on, day = as_date(due_on), as_date(day)
        item.handed += count
        if day is None or day <= due_on:
            item.on_time += count
        else:
            item.late += count
            item.delay_days += count * max(0, calendar.working_days_between(due_on, day))
    return dict(facts)


def initiative_counts(session: Session, strategy_id: int, year: int) -> dict[int, tuple[int, int]]:
    """{agency id: (in progress or done, all)} of the initiatives funded in `year`."""
    funded = sa.exists().where(BudgetLine.initiative_id == Initiative.id, BudgetLine.year == year)
    active = sa.func.sum(sa.case((Initiative.status.in_(ACTIVE_INITIATIVES), 1), else_=0))
    query = (
        sa.select(Initiative.agency_id, active, sa.func.count())
        .where(
            Initiative.strategy_id == strategy_id,
            Initiative.status.not_in([s.value for s in EXCLUDED_STATUSES]),
            funded,
        )
        .group_by(Initiative.agency_id)
    )
    return {agency_id: (int(a or 0), int(n)) for agency_id, a, n in session.execute(query)}


def budget_sums(session: Session, strategy_id: int, year: int) -> dict[int, tuple[int, int]]:
    """{agency id: (planned kopecks, actual kopecks)} of the year's lines in the plan."""
    query = (
        sa.select(
            Initiative.agency_id,
            sa.func.sum(BudgetLine.planned_kopecks),
            sa.func.sum(sa.func.coalesce(BudgetLine.actual_kopecks, 0)),
        )
        .join(Initiative, BudgetLine.initiative_id == Initiative.id)
        .where(
            Initiative.strategy_id == strategy_id,
            Initiative.status.not_in([s.value for s in EXCLUDED_STATUSES]),
            BudgetLine.year == year,
        )
        .group_by(Initiative.agency_id)
    )
    return {a: (int(p or 0), int(f or 0)) for a, p, f in session.execute(query)}


def indicator_progresses(session: Session, strategy_id: int, year: int) -> dict[int, list[float]]:
    """{agency id: [progress of each of its indicators with a target and an actual]}."""
    target = aliased(IndicatorValue)
    actual = aliased(IndicatorValue)
    query = (
        sa.select(
            Indicator.agency_id,
            Indicator.baseline_value,
            Indicator.higher_is_better,
            target.value,
            actual.value,
        )
        .join(
            target,
            sa.and_(
                target.indicator_id == Indicator.id,
                target.year == year,
                target.kind == ValueKind.target.value,
            ),
        )
        .join(
            actual,
            sa.and_(
                actual.indicator_id == Indicator.id,
                actual.year == year,
                actual.kind == ValueKind.actual.value,
            ),
        )
        .where(Indicator.strategy_id == strategy_id, Indicator.agency_id.is_not(None))
        .order_by(Indicator.agency_id, Indicator.code)
    )
    progress: dict[int, list[float]] = defaultdict(list)
    for agency_id, baseline, higher, goal, fact in session.execute(query):
        progress[agency_id].append(indicator_score(baseline, goal, fact, bool(higher)))
    return dict(progress)


def indicator_score(baseline: float, target: float, actual: float, higher: bool) -> float:
    """The indicators report's progress (roadmap.reports.indicators) clipped to 0..1; a
    target that does not improve on the baseline counts as met (1) or not (0)."""
    progress = indicator_progress(baseline, target, actual, higher)
    if progress is None:
        return 1.0 if (actual >= target if higher else actual <= target) else 0.0
    return min(1.0, max(0.0, progress))

"""The sweep: plan the alerts due at `now` into the outbox, once per rung, person and local day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from roadmap.alerts.config import ladder_for
from roadmap.alerts.outbox import dedupe_key, insert_planned
from roadmap.alerts.rules import DayRungs, Ladder, Level, in_window
from roadmap.calendar import RegionCalendar
from roadmap.settings import Settings
from roadmap.store.clock import utc_moment
from roadmap.store.models import (
    OPEN_TASK_STATUSES,
    Acknowledgement,
    Agency,
    Alert,
    AlertKind,
    Region,
    Strategy,
    Task,
)
from roadmap.store.unit_of_work import calendar_for, open_store, resolve_region


class SweepStatus(StrEnum):
    swept = "swept"
    outside_window = "outside_window"  # not a working day or outside the local window


@dataclass(slots=True)  # not frozen: built by the ten thousand, and frozen costs
class PlannedAlert:
    """One alert the sweep found due: an outbox row (`task` is the task's code, for people)."""

    dedupe_key: str
    task_id: int
    task: str
    person_id: int
    rung: str
    kind: AlertKind
    level: int
    working_days: int
    local_date: date
    due_on: date
    next_attempt_at: datetime
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RegionSweep:
    region: str
    local_time: str  # the region's local time of the sweep, to the minute
    moment: str  # exactly what was swept, in UTC
    status: SweepStatus
    planned: int = 0


@dataclass(frozen=True, slots=True)
class SweepReport:
    regions: list[RegionSweep]
    planned: list[PlannedAlert]


def sweep(
    settings: Settings,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    region_code: str | None = None,
) -> SweepReport:
    """Plan every due alert of every region (or one) at `now` into the outbox.

    `now` is aware (a user's --now is read by roadmap.store.clock); default the clock.
    Each region is swept with one indexed query over its open tasks due within the
    reminder horizon or overdue. Planning the same rung twice is refused by the outbox's
    unique dedupe key, so sweeps may run concurrently and repeatedly.
    """
    moment = utc_moment(now)
    report = SweepReport(regions=[], planned=[])
    store = open_store(settings)
    try:
        with store.session() as session:
            for region in _regions(session, region_code):
                entry, rows = _sweep_region(session, settings, region, moment)
                if not dry_run:
                    insert_planned(session, rows)
                report.regions.append(entry)
                report.planned.extend(rows)
            if dry_run:
                session.rollback()
    finally:
        store.dispose()
    return report


def _regions(session: Session, region_code: str | None) -> list[Region]:
    if region_code:
        return [resolve_region(session, region_code)]
    return list(session.exec(select(Region).order_by(Region.code)))


def _sweep_region(
    session: Session, settings: Settings, region: Region, moment: datetime
) -> tuple[RegionSweep, list[PlannedAlert]]:
    calendar = calendar_for(region, settings)
    ladder = ladder_for(settings, region.code)
    local_time = calendar.local_time(moment).isoformat(timespec="minutes")
    if not in_window(calendar, ladder, moment):
        status = SweepStatus.outside_window
        return RegionSweep(region.code, local_time, moment.isoformat(), status), []
    rows = _plan_region(session, region, calendar, ladder, moment)
    entry = RegionSweep(
        region.code, local_time, moment.isoformat(), SweepStatus.swept, planned=len(rows)
    )
    return entry, rows


def _plan_region(
    session: Session, region: Region, calendar: RegionCalendar, ladder: Ladder, now: datetime
) -> list[PlannedAlert]:
    today = calendar.local_date(now)
    days = _rung_days(session, calendar, ladder, today)
    if not days:
        return []
    rows: list[PlannedAlert] = []
    add = rows.append
    day = today.isoformat()  # formatted once, not per alert
    statement = _due_tasks(region, days).execution_options(yield_per=_BATCH)
    found = session.connection().execute(statement)
    for part in found.partitions():  # fetched a batch at a time: memory stays bounded
        for (
            task_id,
            code,
            due_on,
            assignee,
            responsible,
            emissary,
            coordinator,
            keys,
            levels,
        ) in part:
            planned = set(keys.split(_SEP)) if keys else _NOTHING
            acknowledged = {Level(int(n)) for n in levels.split(_SEP)} if levels else _NOTHING
            people = (assignee or emissary, responsible, coordinator)  # by Level
            for rung in days[due_on].for_task(planned, acknowledged):
                person_id = people[rung.level]
                if person_id is not None:
                    key = rung.key
                    add(
                        PlannedAlert(
                            dedupe_key(task_id, key, person_id, day),
                            task_id,
                            code,
                            person_id,
                            key,
                            rung.kind,
                            int(rung.level),
                            rung.working_days,
                            today,
                            due_on,
                            now,
                            now,
                        )
                    )
    return rows


_SEP = " "  # rung keys and levels hold no spaces
_BATCH = 5000
_NOTHING: frozenset = frozenset()


def _rung_days(
    session: Session, calendar: RegionCalendar, ladder: Ladder, today: date
) -> dict[date, DayRungs]:
    """What the ladder says today of a task due on each date from the oldest open task's
    due date to the reminder horizon: a few hundred dates, worked out once each."""
    # The last date a reminder can be for: the day before the working day after the
    # furthest reminder (a due date on the days off that follow it counts the same).
    furthest = max(ladder.reminders, default=0)
    horizon = calendar.add_working_days(today, furthest + 1) - timedelta(days=1)
    # On the (status, due_on) index; over every region, a bound for this one's.
    oldest = (
        session.connection()
        .execute(
            select(sa.func.min(Task.due_on)).where(
                Task.status.in_(OPEN_TASK_STATUSES), Task.due_on <= horizon
            )
        )
        .scalar()
    )
    if oldest is None:
        return {}
    days = {}
    for n in range((horizon - oldest).days + 1):
        day = oldest + timedelta(days=n)
        rungs = DayRungs.of(calendar, ladder, today, day)
        if rungs.fixed or rungs.escalations:
            days[day] = rungs
    return days


def _due_tasks(region: Region, days: dict[date, DayRungs]) -> Any:
    """The region's open tasks that may get a rung today, selected in SQL: those due on a
    date whose rungs come by the schedule (a handful of reminder and due dates, every other
    overdue date), and those past an escalation threshold with no escalation at that level
    planned yet for their due date (a late sweep catches up). Nothing else is read."""
    on_schedule = sorted(day for day, rungs in days.items() if rungs.by_schedule)
    due_text = sa.cast(Task.due_on, sa.String)
    condition = Task.due_on.in_(on_schedule)
    for level in (Level.responsible, Level.coordinator):
        past = [
            day for day, rungs in days.items() if any(e.level == level for e in rungs.escalations)
        ]
        if not past:
            continue
        prefix = sa.literal(f"escalation-{level.value}@") + due_text + sa.literal("#%")
        never_escalated = ~sa.exists().where(Alert.task_id == Task.id, Alert.rung.like(prefix))
        condition = condition | sa.and_(Task.due_on <= max(past), never_escalated)
    return (
        select(
            Task.id,
            Task.code,
            Task.due_on,
            Task.assignee_id,
            Agency.responsible_id,
            Agency.emissary_id,
            Strategy.coordinator_id,
            # The rungs planned for the task and the levels that took its escalation (for
            # this due date), on the alert.task_id and acknowledgement indexes.
            select(sa.func.aggregate_strings(Alert.rung, _SEP))
            .where(Alert.task_id == Task.id)
            .scalar_subquery(),
            select(sa.func.aggregate_strings(sa.cast(Acknowledgement.level, sa.String), _SEP))
            .where(Acknowledgement.task_id == Task.id, Acknowledgement.due_on == Task.due_on)
            .scalar_subquery(),
        )
        .join(Strategy, Task.strategy_id == Strategy.id)
        .join(Agency, Task.agency_id == Agency.id)
        .where(
            Strategy.region_id == region.id,
            Task.status.in_(OPEN_TASK_STATUSES),
            Task.due_on <= max(days),
            condition,
        )
    )

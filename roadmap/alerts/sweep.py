"""The sweep: plan the alerts due at `now` into the outbox, once per rung, person and local day."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from roadmap.alerts.config import ladder_for
from roadmap.alerts.outbox import dedupe_key, insert_planned
from roadmap.alerts.rules import DayRungs, Ladder, Level, in_window
from roadmap.calendar import RegionCalendar
from roadmap.plan.indicator_tasks import ensure_indicator_tasks_in_regions
from roadmap.settings import Settings
from roadmap.store.clock import utc_moment
from roadmap.store.models import (
    OPEN_TASK_STATUSES,
    AlertKind,
    Region,
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
    Regions that share a ladder, calendar and local date are swept with one indexed query
    over the open tasks a rung can be due for today (`_due_tasks`). Planning the same rung twice is refused by the outbox's
    unique dedupe key, so sweeps may run concurrently and repeatedly.
    """
    moment = utc_moment(now)
    report = SweepReport(regions=[], planned=[])
    store = open_store(settings)
    try:
        with store.session() as session:
            regions = _regions(session, region_code)
            # Indicators' recurring report tasks are made first: ordinary open tasks for the
            # ladder below (roadmap/plan/indicator_tasks.py).
            ensure_indicator_tasks_in_regions(session, settings, regions, moment)
            planned = _plan_regions(session, settings, regions, moment)
            for region in regions:
                entry, rows = planned[region.id]
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


def _plan_regions(
    session: Session, settings: Settings, regions: list[Region], moment: datetime
) -> dict[int, tuple[RegionSweep, list[PlannedAlert]]]:
    """{region id: its sweep entry and planned alerts}. Regions in their window whose
    ladder, calendar overrides and local date are the same get the same rungs for the same
    due dates: they are planned together, with one query (a federal store's 85 regions
    are a handful of such groups, not 85 round trips)."""
    at = moment.isoformat()
    entries: dict[int, tuple[RegionSweep, list[PlannedAlert]]] = {}
    groups: dict[tuple, list[Region]] = defaultdict(list)
    calendars: dict[tuple, RegionCalendar] = {}
    for region in regions:
        calendar = calendar_for(region, settings)
        ladder = ladder_for(settings, region.code)
        local_time = calendar.local_time(moment).isoformat(timespec="minutes")
        if not in_window(calendar, ladder, moment):
            entry = RegionSweep(region.code, local_time, at, SweepStatus.outside_window)
            entries[region.id] = (entry, [])
            continue
        key = (calendar.days_off, calendar.working_days, calendar.local_date(moment), ladder)
        groups[key].append(region)
        calendars.setdefault(key, calendar)
        entries[region.id] = (RegionSweep(region.code, local_time, at, SweepStatus.swept), [])
    if groups:
        oldest = _oldest_open_due_date(session)
        for key, members in groups.items():
            _, _, today, ladder = key
            by_region = {region.id: entries[region.id][1] for region in members}
            _plan(session, by_region, calendars[key], ladder, today, oldest, moment)
    return {
        region_id: (replace(entry, planned=len(rows)) if rows else entry, rows)
        for region_id, (entry, rows) in entries.items()
    }


def _oldest_open_due_date(session: Session) -> date | None:
    """The oldest due date of an open task, over every region: a bound for each group's
    dates. One query per open status, each the first entry of the (status, due_on) index
    (PostgreSQL does not take a minimum over an IN list from the index)."""
    connection = session.connection()
    found = [
        connection.execute(select(sa.func.min(Task.due_on)).where(Task.status == status)).scalar()
        for status in OPEN_TASK_STATUSES
    ]
    return min((day for day in found if day is not None), default=None)


def _plan(
    session: Session,
    by_region: dict[int, list[PlannedAlert]],
    calendar: RegionCalendar,
    ladder: Ladder,
    today: date,
    oldest: date | None,
    now: datetime,
) -> None:
    """Plan the alerts of the regions in `by_region` (all with this calendar, ladder and
    local date) into their lists."""
    days = _rung_days(calendar, ladder, today, oldest)
    if not days:
        return
    day = today.isoformat()  # formatted once, not per alert
    # A due date as the driver gives it (SQLite: text; PostgreSQL: a date) → the date and
    # what the ladder says of it.
    lookup = {key: (due, rungs) for due, rungs in days.items() for key in (due, due.isoformat())}
    for part in _due_rows(session, list(by_region), days):
        for (
            region_id,
            task_id,
            code,
            stored_due,
            assignee,
            responsible,
            emissary,
            coordinator,
            keys,
            levels,
        ) in part:
            due_on, rungs_of_day = lookup[stored_due]
            planned = set(keys.split(_SEP)) if keys else _NOTHING
            acknowledged = {Level(int(n)) for n in levels.split(_SEP)} if levels else _NOTHING
            people = (assignee or emissary, responsible, coordinator)  # by Level
            add = by_region[region_id].append
            for rung in rungs_of_day.for_task(planned, acknowledged):
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


_SEP = " "  # rung keys and levels hold no spaces
_BATCH = 5000
_NOTHING: frozenset = frozenset()


def _rung_days(
    calendar: RegionCalendar, ladder: Ladder, today: date, oldest: date | None
) -> dict[date, DayRungs]:
    """What the ladder says today of a task due on each date from the oldest open task's
    due date to the reminder horizon: a few hundred dates, worked out once each."""
    if oldest is None:
        return {}
    # The last date a reminder can be for: the day before the working day after the
    # furthest reminder (a due date on the days off that follow it counts the same).
    furthest = max(ladder.reminders, default=0)
    horizon = calendar.add_working_days(today, furthest + 1) - timedelta(days=1)
    days = {}
    for n in range((horizon - oldest).days + 1):
        day = oldest + timedelta(days=n)
        rungs = DayRungs.of(calendar, ladder, today, day)
        if rungs.fixed or rungs.escalations:
            days[day] = rungs
    return days


def _due_rows(
    session: Session, region_ids: list[int], days: dict[date, DayRungs]
) -> Iterator[list[tuple]]:
    """The regions' open tasks that may get a rung today, selected in SQL, a batch at a
    time: those due on a date whose rungs come by the schedule (a handful of reminder and
    due dates, every other overdue date), and those past an escalation threshold with no
    escalation at that level planned yet for their due date (a late sweep catches up),
    each with its people, the rungs planned for it and the levels that took its escalation
    (on the alert.task_id and acknowledgement indexes). Nothing else is read.

    Hand-written SQL through the session's own driver connection (in its transaction):
    the rows are read once and never changed, and the ORM's per-row work cost more than
    the query. SQLite and PostgreSQL differ only in the placeholder and the aggregate."""
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    mark, concat = ("%s", "string_agg") if postgres else ("?", "group_concat")
    percent = "%%" if postgres else "%"

    def marks(count: int) -> str:
        return ", ".join([mark] * count)

    def value(day: date) -> date | str:
        return day if postgres else day.isoformat()

    on_schedule = sorted(day for day, rungs in days.items() if rungs.by_schedule)
    statuses = [status.value for status in OPEN_TASK_STATUSES]
    params: list[Any] = [*region_ids, *statuses, value(max(days)), *map(value, on_schedule)]
    escalations = ""
    for level in (Level.responsible, Level.coordinator):
        past = [
            day for day, rungs in days.items() if any(e.level == level for e in rungs.escalations)
        ]
        if past:
            escalations += (
                f" OR (t.due_on <= {mark} AND NOT EXISTS (SELECT 1 FROM alert x"
                f" WHERE x.task_id = t.id AND x.rung LIKE 'escalation-{level.value}@'"
                f" || CAST(t.due_on AS VARCHAR) || '#{percent}'))"
            )
            params.append(value(max(past)))
    scheduled = f"t.due_on IN ({marks(len(on_schedule))})" if on_schedule else "1 = 0"
    sql = (
        "SELECT s.region_id, t.id, t.code, t.due_on, t.assignee_id, a.responsible_id,"
        " a.emissary_id, s.coordinator_id,"
        f" (SELECT {concat}(p.rung, '{_SEP}') FROM alert p WHERE p.task_id = t.id),"
        f" (SELECT {concat}(CAST(k.level AS VARCHAR), '{_SEP}') FROM acknowledgement k"
        "  WHERE k.task_id = t.id AND k.due_on = t.due_on)"
        " FROM task t JOIN strategy s ON s.id = t.strategy_id"
        " JOIN agency a ON a.id = t.agency_id"
        f" WHERE s.region_id IN ({marks(len(region_ids))})"
        f" AND t.status IN ({marks(len(statuses))}) AND t.due_on <= {mark}"
        f" AND ({scheduled}{escalations})"
    )
    driver = connection.connection.driver_connection
    # PostgreSQL: a server-side cursor, so a large backlog is never held whole.
    cursor = driver.cursor(name="roadmap_sweep") if postgres else driver.cursor()
    try:
        cursor.execute(sql, params)
        while part := cursor.fetchmany(_BATCH):
            yield part
    finally:
        cursor.close()

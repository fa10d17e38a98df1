"""The sweep: plan the alerts due at `now` into the outbox, once per rung, person and local day."""

from __future__ import annotations

from collections import defaultdict
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
    # On the (status, due_on) index, over every region: a bound for each group's dates.
    return (
        session.connection()
        .execute(select(sa.func.min(Task.due_on)).where(Task.status.in_(OPEN_TASK_STATUSES)))
        .scalar()
    )


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
    statement = _due_tasks(list(by_region), days).execution_options(yield_per=_BATCH)
    found = session.connection().execute(statement)
    for part in found.partitions():  # fetched a batch at a time: memory stays bounded
        for (
            region_id,
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
            add = by_region[region_id].append
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


def _due_tasks(region_ids: list[int], days: dict[date, DayRungs]) -> Any:
    """The regions' open tasks that may get a rung today, selected in SQL: those due on a
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
            Strategy.region_id,
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
            Strategy.region_id.in_(region_ids),
            Task.status.in_(OPEN_TASK_STATUSES),
            Task.due_on <= max(days),
            condition,
        )
    )

"""The sweep: plan the alerts due at `now` into the outbox, once per rung, person and local day."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Session, select

from roadmap.alerts.acknowledgements import acknowledgements
from roadmap.alerts.config import ladder_for
from roadmap.alerts.outbox import dedupe_key, insert_planned
from roadmap.alerts.rules import Ladder, Level, Rung, TaskDeadline, due_rungs, in_window
from roadmap.calendar import RegionCalendar
from roadmap.settings import Settings
from roadmap.store.clock import utc_moment
from roadmap.store.models import (
    OPEN_TASK_STATUSES,
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


@dataclass(frozen=True, slots=True)
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
    horizon = calendar.add_working_days(today, max(ladder.reminders, default=0))
    # One query, on the (status, due_on) index: open tasks due within the horizon.
    # Columns, not ORM objects: the rows are read, never changed (a tenth of the cost).
    found = session.exec(
        select(
            Task.id,
            Task.code,
            Task.due_on,
            Task.assignee_id,
            Agency.responsible_id,
            Agency.emissary_id,
            Strategy.coordinator_id,
        )
        .join(Strategy, Task.strategy_id == Strategy.id)
        .join(Agency, Task.agency_id == Agency.id)
        .where(
            Strategy.region_id == region.id,
            Task.status.in_(OPEN_TASK_STATUSES),
            Task.due_on <= horizon,
        )
    ).all()
    if not found:
        return []
    ids = [task.id for task in found]
    planned: dict[int, set[str]] = defaultdict(set)
    for task_id, rung in session.exec(
        select(Alert.task_id, Alert.rung).where(Alert.task_id.in_(ids))
    ):
        planned[task_id].add(rung)
    acknowledged = acknowledgements(session, ids)
    rows = []
    for task in found:
        responsible_id, emissary_id, coordinator_id = task[4:]
        deadline = TaskDeadline(task.due_on, True, frozenset(acknowledged[(task.id, task.due_on)]))
        for rung in due_rungs(deadline, calendar, ladder, now, frozenset(planned[task.id])):
            person_id = {
                Level.emissary: task.assignee_id or emissary_id,
                Level.responsible: responsible_id,
                Level.coordinator: coordinator_id,
            }[rung.level]
            if person_id is not None:
                rows.append(_planned(task, rung, person_id, today, now))
    return rows


def _planned(task: Any, rung: Rung, person_id: int, today: date, now: datetime) -> PlannedAlert:
    return PlannedAlert(
        dedupe_key=dedupe_key(task.id, rung.key, person_id, today),
        task_id=task.id,
        task=task.code,
        person_id=person_id,
        rung=rung.key,
        kind=rung.kind,
        level=int(rung.level),
        working_days=rung.working_days,
        local_date=today,
        due_on=task.due_on,
        next_attempt_at=now,
        created_at=now,
    )

"""The sweep: plan the alerts due at `now` into the outbox, once per rung, person and local day."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from roadmap.alerts.acknowledgements import acknowledgements
from roadmap.alerts.config import ladder_for
from roadmap.alerts.outbox import _insert, dedupe_key
from roadmap.alerts.rules import Ladder, Level, TaskDeadline, due_rungs, in_window
from roadmap.calendar import RegionCalendar
from roadmap.settings import Settings
from roadmap.store.clock import utc_moment
from roadmap.store.models import (
    OPEN_TASK_STATUSES,
    Agency,
    Alert,
    Region,
    Strategy,
    Task,
)
from roadmap.store.unit_of_work import open_store, resolve_region


def sweep(
    settings: Settings,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    region_code: str | None = None,
) -> dict[str, Any]:
    """Plan every due alert of every region (or one) at `now` into the outbox.

    `now` is aware (read a user's --now with roadmap.store.clock); default the clock. Each region is swept
    with one indexed query over its open tasks due within the reminder horizon or overdue.
    Planning the same rung twice is refused by the outbox's unique dedupe key, so sweeps
    may run concurrently and repeatedly.
    """
    moment = utc_moment(now)
    store = open_store(settings)
    try:
        with store.session() as session:
            regions = (
                [resolve_region(session, region_code)]
                if region_code
                else list(session.exec(select(Region).order_by(Region.code)))
            )
            report: dict[str, Any] = {"regions": [], "planned": []}
            for region in regions:
                calendar = RegionCalendar(region.timezone)
                ladder = ladder_for(settings, region.code)
                entry = {
                    "region": region.code,
                    "local_time": calendar.local_time(moment).isoformat(timespec="minutes"),
                    "moment": moment.isoformat(),  # exactly what was swept, in UTC
                }
                if not in_window(calendar, ladder, moment):
                    entry["status"] = "outside_window"
                    report["regions"].append(entry)
                    continue
                rows = _plan_region(session, region, calendar, ladder, moment)
                if not dry_run:
                    _insert(session, rows)
                entry["status"] = "swept"
                entry["planned"] = len(rows)
                report["regions"].append(entry)
                report["planned"].extend(rows)
            if dry_run:
                session.rollback()
            return report
    finally:
        store.dispose()


def _plan_region(
    session: Session, region: Region, calendar: RegionCalendar, ladder: Ladder, now: datetime
) -> list[dict[str, Any]]:
    today = calendar.local_date(now)
    horizon = calendar.add_working_days(today, max(ladder.reminders, default=0))
    # One query, on the (status, due_on) index: open tasks due within the horizon.
    found = session.exec(
        select(Task, Agency.responsible_id, Agency.emissary_id, Strategy.coordinator_id)
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
    ids = [task.id for task, *_ in found]
    planned: dict[int, set[str]] = defaultdict(set)
    for task_id, rung in session.exec(
        select(Alert.task_id, Alert.rung).where(Alert.task_id.in_(ids))
    ):
        planned[task_id].add(rung)
    acknowledged = acknowledgements(session, ids)
    rows = []
    for task, responsible_id, emissary_id, coordinator_id in found:
        deadline = TaskDeadline(task.due_on, True, frozenset(acknowledged[(task.id, task.due_on)]))
        for rung in due_rungs(deadline, calendar, ladder, now, frozenset(planned[task.id])):
            person_id = {
                Level.emissary: task.assignee_id or emissary_id,
                Level.responsible: responsible_id,
                Level.coordinator: coordinator_id,
            }[rung.level]
            if person_id is None:
                continue
            rows.append(
                {
                    "dedupe_key": dedupe_key(task.id, rung.key, person_id, today),
                    "task_id": task.id,
                    "task": task.code,
                    "person_id": person_id,
                    "rung": rung.key,
                    "due_on": task.due_on,
                    "kind": rung.kind,
                    "level": int(rung.level),
                    "working_days": rung.working_days,
                    "local_date": today,
                    "next_attempt_at": now,
                    "created_at": now,
                }
            )
    return rows

"""Deadline sweep: plan due alerts into the outbox (one row per task, rung and recipient),
acknowledge escalations, list the outbox. Delivery is notifications.dispatcher's job.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from roadmap.calendar import RegionCalendar
from roadmap.deadlines import Ladder, Level, TaskDeadline, due_rungs, in_window
from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.models import (
    OPEN_TASK_STATUSES,
    Acknowledgement,
    Agency,
    Alert,
    AlertStatus,
    Person,
    Region,
    Strategy,
    Task,
)
from roadmap.services import (
    current_strategy,
    find_task,
    open_store,
    region_session,
    resolve_region,
)
from roadmap.settings import Settings


@dataclass(frozen=True)
class Delivery:
    max_attempts: int = 4
    backoff_seconds: float = 300
    lease_seconds: float = 600
    timeout_seconds: float = 10

    def __post_init__(self) -> None:
        limits = {
            "max_attempts": (1, 100),
            "backoff_seconds": (0, 86_400),
            "lease_seconds": (1, 86_400),
            "timeout_seconds": (0.1, 600),
        }
        for name, (low, high) in limits.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name} = {value!r}: a number is expected")
            if not low <= value <= high:
                raise ValueError(f"{name} = {value}: expected {low}–{high}")
        if not isinstance(self.max_attempts, int):
            raise ValueError(f"max_attempts = {self.max_attempts}: a whole number is expected")


def _config(settings: Settings) -> dict[str, Any]:
    path = settings.config_dir / "alerts.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: {exc}") from None


def ladder_for(settings: Settings, region_code: str) -> Ladder:
    data = _config(settings)
    values = dict(data.get("ladder", {}))
    values.update(data.get("regions", {}).get(region_code, {}).get("ladder", {}))
    try:
        for key in ("window_start", "window_end"):
            if key in values:
                values[key] = time.fromisoformat(values[key])
        if "reminders" in values:
            values["reminders"] = tuple(values["reminders"])
        return Ladder(**values)
    except (TypeError, ValueError) as exc:
        path = settings.config_dir / "alerts.toml"
        raise UserError(f"{path}: [ladder] {region_code}: {exc}") from None


def delivery_settings(settings: Settings) -> Delivery:
    try:
        return Delivery(**_config(settings).get("delivery", {}))
    except (TypeError, ValueError) as exc:
        raise UserError(f"{settings.config_dir / 'alerts.toml'}: [delivery]: {exc}") from None


def dedupe_key(task_id: int, rung: str, person_id: int, local_date: Any) -> str:
    return f"t{task_id}:{rung}:p{person_id}:{local_date}"


def sweep(
    settings: Settings,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    region_code: str | None = None,
) -> dict[str, Any]:
    """Plan every due alert of every region (or one) at `now` into the outbox.

    `now` without an offset is read in each region's own timezone. Each region is swept
    with one indexed query over its open tasks due within the reminder horizon or overdue.
    Planning the same rung twice is refused by the outbox's unique dedupe key, so sweeps
    may run concurrently and repeatedly.
    """
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
                moment = calendar.aware(now).astimezone(UTC) if now else datetime.now(UTC)
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
                    "kind": rung.kind,
                    "level": int(rung.level),
                    "working_days": rung.working_days,
                    "local_date": today,
                    "next_attempt_at": now,
                    "created_at": now,
                }
            )
    return rows


def acknowledgements(session: Session, task_ids: list[int]) -> dict[tuple, set[Level]]:
    """{(task id, due date): acknowledged levels}."""
    found: dict[tuple, set[Level]] = defaultdict(set)
    for task_id, due_on, level in session.exec(
        select(Acknowledgement.task_id, Acknowledgement.due_on, Acknowledgement.level).where(
            Acknowledgement.task_id.in_(task_ids)
        )
    ):
        found[(task_id, due_on)].add(Level(level))
    return found


def _insert(session: Session, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    values = [
        {k: v for k, v in row.items() if k != "task"}
        | {"status": AlertStatus.pending.value, "attempts": 0}
        for row in rows
    ]
    # A row another sweep planned first is skipped, not duplicated.
    statement = insert(Alert).on_conflict_do_nothing(index_elements=["dedupe_key"])
    session.execute(statement, values)


def acknowledge(
    settings: Settings,
    code: str,
    person_code: str,
    *,
    region_code: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The responsible official (level 1) or the coordinator (level 2) takes the escalation:
    further escalation notices at that level stop."""
    with region_session(settings, region_code) as (session, region):
        strategy = current_strategy(session, region)
        task = find_task(session, region, strategy, code)
        person = session.exec(
            select(Person).where(Person.region_id == region.id, Person.code == person_code)
        ).first()
        if person is None:
            known = session.exec(
                select(Person.code).where(Person.region_id == region.id, Person.role != "emissary")
            ).all()
            raise UserError(
                t(
                    "option.unknown_code",
                    option="--by",
                    value=person_code,
                    known=", ".join(sorted(known)),
                )
            )
        agency = session.get(Agency, task.agency_id)
        if person.id == agency.responsible_id:
            level = Level.responsible
        elif person.id == strategy.coordinator_id:
            level = Level.coordinator
        else:
            raise UserError(t("task.ack_not_allowed", person=person_code, code=code))
        escalated = session.exec(
            select(Alert.id).where(
                Alert.task_id == task.id,
                Alert.rung.startswith(f"escalation-{int(level)}@{task.due_on.isoformat()}#"),
            )
        ).first()
        if escalated is None:
            raise UserError(t("task.nothing_to_ack", code=code, person=person_code))
        exists = session.exec(
            select(Acknowledgement).where(
                Acknowledgement.task_id == task.id,
                Acknowledgement.level == int(level),
                Acknowledgement.due_on == task.due_on,
            )
        ).first()
        if exists is None:
            session.add(
                Acknowledgement(
                    task_id=task.id,
                    level=int(level),
                    due_on=task.due_on,
                    person_id=person.id,
                    acknowledged_at=now.astimezone(UTC)
                    if now and now.tzinfo
                    else datetime.now(UTC),
                )
            )
        return {"code": code, "person": person_code, "level": int(level)}


def list_alerts(
    settings: Settings,
    *,
    status: str | None = None,
    person: str | None = None,
    region_code: str | None = None,
) -> list[dict[str, Any]]:
    with region_session(settings, region_code) as (session, region):
        query = (
            select(Alert, Person.code, Task.code)
            .join(Person, Alert.person_id == Person.id)
            .join(Task, Alert.task_id == Task.id, isouter=True)
            .where(Person.region_id == region.id)
            .order_by(Alert.id)
        )
        if status is not None:
            query = query.where(Alert.status == status)
        if person is not None:
            query = query.where(Person.code == person)
        return [
            {
                "id": alert.id,
                "task": task_code,
                "person": person_code,
                "kind": alert.kind,
                "rung": alert.rung,
                "local_date": alert.local_date.isoformat(),
                "status": alert.status,
                "attempts": alert.attempts,
                "sent_at": alert.sent_at.isoformat() if alert.sent_at else None,
                "last_error": alert.last_error,
            }
            for alert, person_code, task_code in session.exec(query)
        ]


def count_by_status(session: Session) -> dict[str, int]:
    return dict(session.exec(select(Alert.status, sa.func.count()).group_by(Alert.status)).all())

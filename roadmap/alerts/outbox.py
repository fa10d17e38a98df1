"""The outbox: dedupe keys, the idempotent insert, and the alert log."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlmodel import Session, func, select

from roadmap.settings import Settings
from roadmap.store.models import (
    Alert,
    AlertStatus,
    Person,
    Region,
    Task,
)
from roadmap.store.unit_of_work import region_session


@dataclass(frozen=True, slots=True)
class AlertRow:
    """One alert as `roadmap alerts list` shows it (no target, no secret)."""

    id: int
    task: str | None
    person: str
    kind: str
    rung: str
    local_date: str
    status: AlertStatus
    attempts: int
    sent_at: str | None
    last_error: str | None


def dedupe_key(task_id: int, rung: str, person_id: int, local_date: Any) -> str:
    return f"t{task_id}:{rung}:p{person_id}:{local_date}"


def insert_planned(session: Session, planned: list[Any]) -> None:
    """Insert the sweep's planned alerts (dataclasses); a row another sweep planned first is
    skipped, not duplicated (`ON CONFLICT DO NOTHING` on the dedupe key)."""
    if not planned:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    values = [
        {k: _plain(v) for k, v in dataclasses.asdict(row).items() if k != "task"}
        | {"status": AlertStatus.pending.value, "attempts": 0}
        for row in planned
    ]
    statement = insert(Alert).on_conflict_do_nothing(index_elements=["dedupe_key"])
    session.execute(statement, values)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def list_alerts(
    settings: Settings,
    *,
    status: str | None = None,
    person: str | None = None,
    region_code: str | None = None,
) -> list[AlertRow]:
    with region_session(settings, region_code) as (session, region):
        return alert_log(session, region, status=status, person=person)


def _log_filters(query: Any, region: Region, status: str | None, person: str | None) -> Any:
    query = query.join(Person, Alert.person_id == Person.id).where(Person.region_id == region.id)
    if status is not None:
        query = query.where(Alert.status == status)
    if person is not None:
        query = query.where(Person.code == person)
    return query


def alert_log(
    session: Session,
    region: Region,
    *,
    status: str | None = None,
    person: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[AlertRow]:
    """The region's alerts in the order they were planned; `limit` and `offset` give a page."""
    query = _log_filters(
        select(Alert, Person.code, Task.code).join(Task, Alert.task_id == Task.id, isouter=True),
        region,
        status,
        person,
    ).order_by(Alert.id)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [
        AlertRow(
            id=alert.id,
            task=task_code,
            person=person_code,
            kind=alert.kind,
            rung=alert.rung,
            local_date=alert.local_date.isoformat(),
            status=AlertStatus(alert.status),
            attempts=alert.attempts,
            sent_at=alert.sent_at.isoformat() if alert.sent_at else None,
            last_error=alert.last_error,
        )
        for alert, person_code, task_code in session.exec(query)
    ]


def count_alerts(
    session: Session, region: Region, *, status: str | None = None, person: str | None = None
) -> int:
    """How many alerts `alert_log` lists with these filters (counted in SQL)."""
    query = _log_filters(select(func.count(Alert.id)), region, status, person)
    return session.exec(query).one()

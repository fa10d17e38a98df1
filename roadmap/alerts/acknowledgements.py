"""Acknowledgements: a responsible official or coordinator takes an escalation."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from roadmap.alerts.rules import Level
from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.plan.tasks import find_task
from roadmap.settings import Settings
from roadmap.store.clock import utc_moment
from roadmap.store.models import (
    Acknowledgement,
    Agency,
    Alert,
    AlertKind,
    Person,
    PersonRole,
    Region,
    Strategy,
    Task,
)
from roadmap.store.unit_of_work import current_strategy, region_session


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


@dataclass(frozen=True, slots=True)
class Acknowledged:
    code: str  # the task
    person: str
    level: int  # 1 responsible official, 2 coordinator


def acknowledge(
    settings: Settings,
    code: str,
    person_code: str,
    *,
    region_code: str | None = None,
    now: datetime | None = None,
) -> Acknowledged:
    """The responsible official (level 1) or the coordinator (level 2) takes the escalation:
    further escalation notices at that level stop. `now` is aware (default the clock)."""
    with region_session(settings, region_code) as (session, region):
        strategy = current_strategy(session, region)
        task = find_task(session, region, strategy, code)
        person = _person(session, region, person_code)
        level = _level(session, task, strategy, person, code)
        _check_escalated(session, task, level, code, person_code)
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
                    acknowledged_at=utc_moment(now),
                )
            )
        return Acknowledged(code=code, person=person_code, level=int(level))


def _person(session: Session, region: Region, person_code: str) -> Person:
    person = session.exec(
        select(Person).where(Person.region_id == region.id, Person.code == person_code)
    ).first()
    if person is None:
        known = session.exec(
            select(Person.code).where(
                Person.region_id == region.id, Person.role != PersonRole.emissary
            )
        ).all()
        raise UserError(
            t(
                "option.unknown_code",
                option="--by",
                value=person_code,
                known=", ".join(sorted(known)),
            )
        )
    return person


def _level(session: Session, task: Task, strategy: Strategy, person: Person, code: str) -> Level:
    """Who may acknowledge: the agency's responsible official or the coordinator."""
    agency = session.get(Agency, task.agency_id)
    if person.id == agency.responsible_id:
        return Level.responsible
    if person.id == strategy.coordinator_id:
        return Level.coordinator
    raise UserError(t("task.ack_not_allowed", person=person.code, code=code))


def _check_escalated(session: Session, task: Task, level: Level, code: str, by: str) -> None:
    """Only an escalation to them for the task's current due date can be acknowledged."""
    escalated = session.exec(
        select(Alert.id).where(
            Alert.task_id == task.id,
            Alert.kind == AlertKind.escalation,
            Alert.level == int(level),
            Alert.due_on == task.due_on,
        )
    ).first()
    if escalated is None:
        raise UserError(t("task.nothing_to_ack", code=code, person=by))

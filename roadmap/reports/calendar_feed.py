"""`roadmap calendar PERSON`: one person's due dates as an iCalendar feed (RFC 5545) that a
mail or phone calendar subscribes to or imports.

Which tasks are the person's (the same people the deadline alerts reach, docs/alerts.md):
- an emissary: the tasks assigned to them, and the tasks of their organisation that have no
  assignee (the alerts go to the organisation's emissary then);
- a responsible official: every task of the organisations they answer for;
- the coordinator (a person with the coordinator role, or the strategy's coordinator): every
  task of the region's current strategy, since every late task ends up with them.
A person may be several of these; each task is in the feed once. Only tasks waiting for
someone to act are in it: open and returned ones (`include_submitted` adds the submitted
ones, which wait for the coordinator's acceptance).

Each task is one all-day event on its due date (DTSTART, VALUE=DATE; DTEND the next day).
Its UID names the region, the strategy and the task, never the due date: a re-dated task
moves in a subscribed calendar instead of appearing twice. SEQUENCE counts the task's recorded
changes (submissions, returns with a new date), so a calendar that imported an older file
takes the newer event. Every text is in the person's own language (Person.locale).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session

from roadmap.errors import UserError
from roadmap.i18n import t, translate
from roadmap.reports.common import report_context
from roadmap.store.enums import OPEN_TASK_STATUSES, PersonRole, TaskStatus
from roadmap.store.models import Agency, Person, Region, Task, TaskEvent

PRODID = "-//roadmap//due dates//RU"
#: A reminder at 09:00 on the day before the due date (an all-day event starts at midnight).
REMINDER = timedelta(hours=-15)
_OPEN = frozenset(s.value for s in OPEN_TASK_STATUSES)


@dataclass(frozen=True, slots=True)
class StageTitles:
    """Stage and task-template titles in both languages (from stages.toml), so a feed in
    English names the stage and a template's task in English too. Empty: keys as they are."""

    stages: dict[str, tuple[str, str]] = field(default_factory=dict)
    templates: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def from_config(cls, stages: Iterable[Any]) -> StageTitles:
        """From roadmap.config.StageDef records."""
        titles, templates = {}, {}
        for stage in stages:
            titles[stage.key] = (stage.title_ru, stage.title_en)
            for template in stage.tasks:
                templates[(stage.key, template.key)] = (template.title_ru, template.title_en)
        return cls(titles, templates)

    def stage(self, key: str, locale: str) -> str:
        pair = self.stages.get(key)
        return key if pair is None else pair[locale == "en"]

    def task(self, stage: str | None, template: str | None, title: str, locale: str) -> str:
        pair = self.templates.get((stage or "", template or ""))
        return title if pair is None or locale != "en" else pair[1]


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One task as the feed shows it."""

    uid: str
    code: str
    due: date
    summary: str
    description: str
    status: str
    overdue: bool
    sequence: int


@dataclass(slots=True)
class CalendarFeed:
    person: str  # the person's code
    name: str  # the calendar's name (X-WR-CALNAME)
    locale: str
    generated_at: datetime
    events: list[FeedEvent]

    def to_ical(self) -> bytes:
        return build_calendar(self).to_ical()


def find_person(session: Session, region: Region, code: str) -> Person:
    """The region's person by code. An unknown code is a user error that names the region
    and where to look, but lists no one (codes and addresses of people are not for anyone
    who types a wrong one)."""
    person = session.execute(
        sa.select(Person).where(Person.region_id == region.id, Person.code == code)
    ).scalar_one_or_none()
    if person is None:
        raise UserError(t("calendar.unknown_person", person=code, region=region.code))
    return person


def calendar_feed(
    session: Session,
    region: Region,
    person_code: str,
    *,
    now: datetime | None = None,
    include_submitted: bool = False,
    titles: StageTitles | None = None,
) -> CalendarFeed:
    """The person's feed at `now` (overdue = due before the region's local date then)."""
    person = find_person(session, region, person_code)
    context = report_context(session, region, now)
    strategy = context.strategy
    titles = titles or StageTitles()
    locale = "en" if person.locale == "en" else "ru"
    statuses = sorted(_OPEN)
    if include_submitted:
        statuses.append(TaskStatus.submitted.value)
    emissary = sa.func.coalesce(Task.assignee_id, Agency.emissary_id)
    assignee = aliased(Person)
    changes = (
        sa.select(sa.func.count())
        .where(TaskEvent.task_id == Task.id)
        .correlate(Task)
        .scalar_subquery()
    )
    query = (
        sa.select(
            Task.code,
            Task.title,
            Task.due_on,
            Task.status,
            Task.stage,
            Task.template,
            Agency.code,
            Agency.name,
            assignee.name,
            changes,
        )
        .join(Agency, Agency.id == Task.agency_id)
        .outerjoin(assignee, assignee.id == emissary)
        .where(Task.strategy_id == strategy.id, Task.status.in_(statuses))
        .order_by(Task.due_on, Task.code)
    )
    coordinator = person.role == PersonRole.coordinator or strategy.coordinator_id == person.id
    if not coordinator:
        query = query.where(sa.or_(emissary == person.id, Agency.responsible_id == person.id))
    say = _say(locale)
    today = context.today
    events = []
    for (
        code,
        title,
        due,
        status,
        stage,
        template,
        agency,
        agency_name,
        emissary_name,
        seq,
    ) in session.execute(query):
        overdue = status in _OPEN and due < today
        lines = [
            say("calendar.line.agency", agency=f"{agency_name} ({agency})"),
            say("calendar.line.emissary", name=emissary_name or say("calendar.nobody")),
        ]
        if stage:
            lines.append(say("calendar.line.stage", stage=titles.stage(stage, locale)))
        lines.append(say("calendar.line.status", status=say(f"status.{status}")))
        if overdue:
            lines.append(say("calendar.line.overdue"))
        events.append(
            FeedEvent(
                uid=f"task-{region.code}-{strategy.id}-{code}@roadmap",
                code=code,
                due=due,
                summary=f"{code} {titles.task(stage, template, title, locale)}",
                description="\n".join(lines),
                status=status,
                overdue=overdue,
                sequence=int(seq),
            )
        )
    return CalendarFeed(
        person=person.code,
        name=say("calendar.name", name=person.name, region=region.code),
        locale=locale,
        generated_at=context.now,
        events=events,
    )


def _say(locale: str):
    return lambda key, **values: translate(locale, key, **values)


def build_calendar(feed: CalendarFeed) -> Any:
    """The feed as an icalendar.Calendar: one VEVENT per task, a display reminder the day
    before the due date on the open tasks that are not overdue yet."""
    from icalendar import Alarm, Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", feed.name)
    for item in feed.events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", feed.generated_at)
        event.add("dtstart", item.due)
        event.add("dtend", item.due + timedelta(days=1))
        event.add("summary", item.summary)
        event.add("description", item.description)
        event.add("sequence", item.sequence)
        event.add("transp", "TRANSPARENT")  # a due date does not make a person busy
        if item.status in _OPEN and not item.overdue:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", item.summary)
            alarm.add("trigger", REMINDER)
            event.add_component(alarm)
        calendar.add_component(event)
    return calendar

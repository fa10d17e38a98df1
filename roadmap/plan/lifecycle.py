"""The task lifecycle in one place: statuses, the transitions between them, and the history.

    open ──submit──▶ submitted ──accept──▶ accepted
     ▲                  │  ▲                   │
     │               return└──────submit───────┤
     └──── returned ◀───┴──────return──────────┘
    open / returned / submitted ──cancel──▶ cancelled

A return sends the task back to the emissary with a new due date, so the alert ladder
starts again for it (rungs and acknowledgements are keyed by the due date). Every
transition is one `TaskEvent` row: who, when, why, the result note and link.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial

from sqlmodel import select

from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.roadmap_file.schema import Code, Day, StrictModel, Text
from roadmap.settings import Settings
from roadmap.store.models import Task, TaskAction, TaskEvent, TaskStatus
from roadmap.store.unit_of_work import Scope, unit_of_work

_S = TaskStatus


@dataclass(frozen=True, slots=True)
class Transition:
    action: TaskAction
    allowed_from: frozenset[TaskStatus]
    to: TaskStatus


#: Every allowed transition; anything else is refused with the statuses it is allowed from.
TRANSITIONS: dict[TaskAction, Transition] = {
    transition.action: transition
    for transition in (
        Transition(TaskAction.submit, frozenset({_S.open, _S.returned}), _S.submitted),
        Transition(TaskAction.accept, frozenset({_S.submitted}), _S.accepted),
        Transition(TaskAction.return_, frozenset({_S.submitted, _S.accepted}), _S.returned),
        Transition(
            TaskAction.cancel, frozenset({_S.open, _S.returned, _S.submitted}), _S.cancelled
        ),
    )
}


def check_transition(task: Task, action: TaskAction) -> Transition:
    """The transition `action` makes from the task's status, or a UserError saying why not."""
    transition = TRANSITIONS[action]
    if task.status not in transition.allowed_from:
        allowed = ", ".join(sorted(s.value for s in transition.allowed_from))
        raise UserError(
            t(
                "task.transition_refused",
                code=task.code,
                action=action.value,
                status=task.status,
                allowed=allowed,
            )
        )
    return transition


def apply_transition(
    scope: Scope,
    task: Task,
    action: TaskAction,
    *,
    by: str | None,
    why: str | None = None,
    note: str | None = None,
    link: str | None = None,
    due_on: date | None = None,
) -> TaskEvent:
    """Move the task along `action` at `scope.now` and record it in the task's history.
    A return needs a new due date and a reason; a cancellation needs a reason."""
    transition = check_transition(task, action)
    if action in (TaskAction.return_, TaskAction.cancel) and not (why or "").strip():
        raise UserError(t("task.why_required", code=task.code, action=action.value))
    if action == TaskAction.return_:
        if due_on is None:
            raise UserError(t("task.due_required", code=task.code))
        if due_on < scope.today:
            raise UserError(t("task.due_past", code=task.code, due=due_on, today=scope.today))
    event = TaskEvent(
        task_id=task.id,
        action=action.value,
        from_status=task.status,
        to_status=transition.to.value,
        by=by,
        at=scope.now,
        why=why,
        note=note,
        link=link,
        due_on=due_on,
    )
    task.status = transition.to.value
    if action == TaskAction.submit:
        task.submitted_at = scope.now
    elif action == TaskAction.return_:
        task.submitted_at = None
        task.due_on = due_on
    scope.session.add(task)
    scope.session.add(event)
    return event


def default_actor(settings: Settings) -> str | None:
    """Who acts when --by is not given: ROADMAP_USER, else the system's user name."""
    if settings.user:
        return settings.user
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


# --- many tasks at once: one record per task, from options or a file ----------------------


class SubmitIn(StrictModel):
    code: Code
    note: Text | None = None
    link: Text | None = None


class AcceptIn(StrictModel):
    code: Code
    note: Text | None = None


class ReturnIn(StrictModel):
    code: Code
    due: Day
    why: Text


class CancelIn(StrictModel):
    code: Code
    why: Text


#: The record each action reads, from command-line options or a bulk file.
RECORDS: dict[TaskAction, type[StrictModel]] = {
    TaskAction.submit: SubmitIn,
    TaskAction.accept: AcceptIn,
    TaskAction.return_: ReturnIn,
    TaskAction.cancel: CancelIn,
}


@dataclass(frozen=True, slots=True)
class TaskChanged:
    code: str
    from_status: TaskStatus
    to_status: TaskStatus
    due: date
    at: str  # region time, to the minute


@dataclass(frozen=True, slots=True)
class TasksChanged:
    action: TaskAction
    tasks: list[TaskChanged]
    warnings: list[str]  # e.g. a due date moved off a day off


def change_tasks(
    settings: Settings,
    action: TaskAction,
    records: list[tuple[StrictModel, str]],
    *,
    by: str | None = None,
    strict: bool = False,
    region_code: str | None = None,
    now: datetime | None = None,
) -> TasksChanged:
    """Apply `action` to every (record, place) — all or nothing: any unknown code, refused
    transition or bad due date is reported with its place and nothing is written."""
    by = by or default_actor(settings)
    with unit_of_work(settings, region_code, now) as scope:
        codes = [record.code for record, _ in records]
        tasks = {
            task.code: task
            for task in scope.session.exec(
                select(Task).where(Task.strategy_id == scope.strategy.id, Task.code.in_(codes))
            )
        }
        problems, warnings, changed = [], [], []
        first: dict[str, str] = {}
        for record, place in records:
            at = partial(_placed, place)
            task = tasks.get(record.code)
            if task is None:
                problems.append(
                    f"{place}: {t('task.unknown', code=record.code, region=scope.region.code)}"
                )
                continue
            if record.code in first:
                problems.append(
                    f"{place}: {t('task.twice', code=record.code, first=first[record.code])}"
                )
                continue
            first[record.code] = place
            due = getattr(record, "due", None)
            try:
                if due is not None:
                    due, warning = scope.calendar.working_due(
                        due, strict=strict, where=place or "--due"
                    )
                    if warning:
                        warnings.append(warning)
                before = TaskStatus(task.status)
                event = apply_transition(
                    scope,
                    task,
                    action,
                    by=by,
                    why=getattr(record, "why", None),
                    note=getattr(record, "note", None),
                    link=getattr(record, "link", None),
                    due_on=due,
                )
            except UserError as exc:
                problems.append(at(str(exc)))
                continue
            changed.append(
                TaskChanged(
                    code=task.code,
                    from_status=before,
                    to_status=TaskStatus(event.to_status),
                    due=task.due_on,
                    at=scope.calendar.local_time(scope.now).isoformat(timespec="minutes"),
                )
            )
        if problems:
            raise UserError("\n".join(problems))  # the unit of work rolls everything back
        return TasksChanged(action=action, tasks=changed, warnings=warnings)


def _placed(place: str, text: str) -> str:
    """A problem of a file's record names its line; one given by options needs no place."""
    return f"{place}: {text}" if place else text


# --- a task and its history ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaskEventRow:
    at: str  # region time, to the minute
    action: TaskAction
    from_status: TaskStatus
    to_status: TaskStatus
    by: str | None
    why: str | None
    note: str | None
    link: str | None
    due: date | None


def task_history(scope: Scope, task: Task) -> list[TaskEventRow]:
    events = scope.session.exec(
        select(TaskEvent).where(TaskEvent.task_id == task.id).order_by(TaskEvent.at, TaskEvent.id)
    )
    return [
        TaskEventRow(
            at=scope.calendar.local_time(event.at).isoformat(timespec="minutes"),
            action=TaskAction(event.action),
            from_status=TaskStatus(event.from_status),
            to_status=TaskStatus(event.to_status),
            by=event.by,
            why=event.why,
            note=event.note,
            link=event.link,
            due=event.due_on,
        )
        for event in events
    ]

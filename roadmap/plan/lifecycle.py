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

from dataclasses import dataclass
from datetime import date

from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.store.models import Task, TaskAction, TaskEvent, TaskStatus
from roadmap.store.unit_of_work import Scope

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

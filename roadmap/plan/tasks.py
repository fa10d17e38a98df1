"""Tasks (поручения): issuing them to agencies' emissaries, finding and submitting them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.plan.lifecycle import TaskEventRow, apply_transition, default_actor, task_history
from roadmap.settings import Settings
from roadmap.store.models import (
    OPEN_TASK_STATUSES,
    Region,
    Strategy,
    Task,
    TaskAction,
)
from roadmap.store.unit_of_work import Scope, unit_of_work

if TYPE_CHECKING:
    from roadmap.plan.queries import TaskRow


def _next_task_code(taken: set[str]) -> str:
    numbers = [int(code[2:]) for code in taken if code.startswith("T-") and code[2:].isdigit()]
    return f"T-{(max(numbers, default=0) + 1):03d}"


def find_task(session: Session, region: Region, strategy: Strategy, code: str) -> Task:
    task = session.exec(
        select(Task).where(Task.strategy_id == strategy.id, Task.code == code)
    ).first()
    if task is None:
        raise UserError(t("task.unknown", code=code, region=region.code))
    return task


@dataclass(frozen=True, slots=True)
class TaskCard:
    """One task as `task show` prints it: its row and its history."""

    task: TaskRow
    history: list[TaskEventRow]


def task_card(
    settings: Settings, code: str, *, region_code: str | None = None, now: datetime | None = None
) -> TaskCard:
    from roadmap.plan.queries import list_tasks

    with unit_of_work(settings, region_code, now) as scope:
        task = find_task(scope.session, scope.region, scope.strategy, code)
        row = list_tasks(scope.session, scope.region, code=code, now=scope.now)[0]
        return TaskCard(task=row, history=task_history(scope, task))


def issue_agency_tasks(
    scope: Scope,
    *,
    stage: str,
    template: str,
    title: str,
    due_on: date,
    stage_run_id: int | None = None,
    agencies: set[str] | None = None,
) -> int:
    """One task from `template` for every agency's emissary (or only those whose codes are
    in `agencies`); agencies that have it already get nothing, so issuing twice creates
    nothing twice. Returns how many were created."""
    same = (Task.strategy_id == scope.strategy.id, Task.template == template)
    have = set(
        scope.session.exec(
            select(Task.agency_id).where(
                *same, Task.stage_run_id == stage_run_id if stage_run_id else Task.stage == stage
            )
        )
    )
    # An agency still working on this stage's task (of an earlier run, e.g. of a cycle
    # before) gets no second one.
    have |= set(
        scope.session.exec(
            select(Task.agency_id).where(
                *same, Task.stage == stage, Task.status.in_(OPEN_TASK_STATUSES)
            )
        )
    )
    taken = set(scope.session.exec(select(Task.code).where(Task.strategy_id == scope.strategy.id)))
    created = 0
    for agency in scope.agencies():
        if agency.id in have or (agencies is not None and agency.code not in agencies):
            continue
        code = _next_task_code(taken)
        taken.add(code)
        scope.session.add(
            Task(
                strategy_id=scope.strategy.id,
                code=code,
                agency_id=agency.id,
                assignee_id=agency.emissary_id,
                title=title,
                due_on=due_on,
                stage=stage,
                stage_run_id=stage_run_id,
                template=template,
                created_at=scope.now,
            )
        )
        created += 1
    scope.session.flush()
    return created


def submit_tasks(
    settings: Settings,
    codes: list[str] | None = None,
    *,
    stage: str | None = None,
    by: str | None = None,
    region_code: str | None = None,
    now: datetime | None = None,
) -> int:
    """Hand in every open task of a stage (or the given codes) in one go; each submission
    goes into the task's history. Returns how many were submitted."""
    by = by or default_actor(settings)
    with unit_of_work(settings, region_code, now) as scope:
        query = select(Task).where(
            Task.strategy_id == scope.strategy.id, Task.status.in_(OPEN_TASK_STATUSES)
        )
        if codes is not None:
            query = query.where(Task.code.in_(codes))
        if stage is not None:
            query = query.where(Task.stage == stage)
        tasks = list(scope.session.exec(query.order_by(Task.code)))
        for task in tasks:
            apply_transition(scope, task, TaskAction.submit, by=by)
        return len(tasks)

"""Tasks (поручения): issuing them to agencies' emissaries, finding and submitting them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import Session, select

from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.settings import Settings
from roadmap.store.models import (
    OPEN_TASK_STATUSES,
    Region,
    Strategy,
    Task,
    TaskStatus,
)
from roadmap.store.unit_of_work import (
    Scope,
    calendar_for,
    current_strategy,
    region_session,
    unit_of_work,
)


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
class TaskSubmitted:
    code: str
    status: TaskStatus
    submitted_at: str  # ISO 8601, UTC
    submitted_local: str  # region time, to the minute


def submit_task(
    settings: Settings, code: str, *, region_code: str | None = None, now: datetime | None = None
) -> TaskSubmitted:
    """An emissary hands in the task's result: status submitted, time recorded in UTC."""
    with region_session(settings, region_code) as (session, region):
        strategy = current_strategy(session, region)
        task = find_task(session, region, strategy, code)
        if task.status not in OPEN_TASK_STATUSES:
            raise UserError(t("task.not_open", code=code, status=task.status))
        moment = calendar_for(region).aware(now) if now else datetime.now(UTC)
        task.status = TaskStatus.submitted.value
        task.submitted_at = moment.astimezone(UTC)
        session.add(task)
        local = calendar_for(region).local_time(task.submitted_at)
        return TaskSubmitted(
            code=task.code,
            status=TaskStatus.submitted,
            submitted_at=task.submitted_at.isoformat(),
            submitted_local=local.isoformat(timespec="minutes"),
        )


def issue_agency_tasks(
    scope: Scope,
    *,
    stage: str,
    template: str,
    title: str,
    due_on: date,
    stage_run_id: int | None = None,
) -> int:
    """One task from `template` for every agency's emissary; agencies that have it already
    get nothing, so issuing twice creates nothing twice. Returns how many were created."""
    have = set(
        scope.session.exec(
            select(Task.agency_id).where(
                Task.strategy_id == scope.strategy.id,
                Task.template == template,
                Task.stage_run_id == stage_run_id if stage_run_id else Task.stage == stage,
            )
        )
    )
    taken = set(scope.session.exec(select(Task.code).where(Task.strategy_id == scope.strategy.id)))
    created = 0
    for agency in scope.agencies():
        if agency.id in have:
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
    region_code: str | None = None,
    now: datetime | None = None,
) -> int:
    """Mark tasks submitted in one go (by codes, or every open task of a stage)."""
    with unit_of_work(settings, region_code, now) as scope:
        query = select(Task).where(
            Task.strategy_id == scope.strategy.id, Task.status.in_(OPEN_TASK_STATUSES)
        )
        if codes is not None:
            query = query.where(Task.code.in_(codes))
        if stage is not None:
            query = query.where(Task.stage == stage)
        count = 0
        for task in scope.session.exec(query):
            task.status, task.submitted_at = TaskStatus.submitted.value, scope.now
            scope.session.add(task)
            count += 1
        return count

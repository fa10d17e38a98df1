"""Tasks (поручения): issuing them to agencies' emissaries, finding and submitting them."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

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
    return next(task_codes(taken))


def task_codes(taken: Iterable[str]) -> Iterator[str]:
    """New task codes after the highest T-NNN in `taken`: T-001, T-002, … (one pass over
    `taken`, then a count: many code-less tasks cost no more than one)."""
    numbers = [int(code[2:]) for code in taken if code.startswith("T-") and code[2:].isdigit()]
    return (f"T-{n:03d}" for n in itertools.count(max(numbers, default=0) + 1))


class TaskWriter:
    """Writes many tasks of one strategy in batches: the batch's codes looked up in one
    query, new rows inserted and changed rows updated with one executemany each (the
    insert compiled by SQLAlchemy Core for the store's dialect), unchanged
    rows left alone; no ORM object per row. A task is matched by code; its assignee is its
    agency's emissary (as the file import has always set it). Counts go to `changes`
    (created, updated, unchanged, deleted)."""

    BATCH = 5_000
    COLUMNS = (
        "strategy_id",
        "code",
        "agency_id",
        "assignee_id",
        "title",
        "due_on",
        "stage",
        "status",
        "created_at",
    )

    def __init__(
        self,
        session: Session,
        strategy_id: int,
        agencies: dict[str, tuple[int, int | None]],
        changes: Any,
        now: datetime,
    ):
        import sqlalchemy as sa

        self.connection = session.connection()
        self.strategy_id, self.agencies, self.changes, self.now = (
            strategy_id,
            agencies,
            changes,
            now,
        )
        self.written: set[str] = set()
        self.pending: list[Any] = []
        table = Task.__table__
        self.table = table
        self._find = sa.select(
            table.c.code,
            table.c.id,
            table.c.agency_id,
            table.c.assignee_id,
            table.c.title,
            sa.type_coerce(table.c.due_on, sa.String),  # compared as a date below
            table.c.stage,
            table.c.status,
        ).where(
            table.c.strategy_id == strategy_id,
            table.c.code.in_(sa.bindparam("codes", expanding=True)),
        )
        # New rows go in through the driver's executemany with their values converted once
        # (a due date once per distinct date): SQLAlchemy's per-row parameter handling cost
        # more than the database's insert itself.
        dialect = self.connection.dialect
        insert = table.insert().compile(dialect=dialect, column_keys=list(self.COLUMNS))
        self._insert_sql = insert.string
        self._positional = insert.positional
        if self._positional and list(insert.positiontup) != list(self.COLUMNS):
            raise AssertionError(f"unexpected insert parameters: {insert.positiontup}")
        self._day = table.c.due_on.type.dialect_impl(dialect).bind_processor(dialect)
        created = table.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
        self._created = created(now) if created else now
        self._days: dict[date, Any] = {}
        self._update = (
            table.update()
            .where(table.c.id == sa.bindparam("_id"))
            .values(
                agency_id=sa.bindparam("_agency_id"),
                assignee_id=sa.bindparam("_assignee_id"),
                title=sa.bindparam("_title"),
                due_on=sa.bindparam("_due_on"),
                stage=sa.bindparam("_stage"),
                status=sa.bindparam("_status"),
            )
        )

    def add(self, code: str, agency: str, title: str, due: date, stage: str | None, status: str):
        self.pending.append((code, agency, title, due, stage, status))
        if len(self.pending) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        pending, self.pending = self.pending, []
        if not pending:
            return
        codes = [row[0] for row in pending]
        found = {row[0]: row for row in self.connection.execute(self._find, {"codes": codes}).all()}
        inserts, updates = [], []
        changes, agencies = self.changes, self.agencies
        strategy, created, days, convert = self.strategy_id, self._created, self._days, self._day
        for code, agency, title, due, stage, status in pending:
            agency_id, assignee_id = agencies[agency]
            have = found.get(code)
            if have is None:
                day = days.get(due)
                if day is None:
                    day = days[due] = convert(due) if convert else due
                inserts.append(
                    (strategy, code, agency_id, assignee_id, title, day, stage, status, created)
                )
                changes.created += 1
                self.written.add(code)
                continue
            _, id_, *was, due_was, stage_was, status_was = have
            if due_was.__class__ is str:  # SQLite's text as it is: faster than its parser
                due_was = date.fromisoformat(due_was)
            values = [agency_id, assignee_id, title, due, stage, status]
            if [*was, due_was, stage_was, status_was] != values:
                updates.append(
                    {
                        "_id": id_,
                        "_agency_id": agency_id,
                        "_assignee_id": assignee_id,
                        "_title": title,
                        "_due_on": due,
                        "_stage": stage,
                        "_status": status,
                    }
                )
                changes.updated += 1
            else:
                changes.unchanged += 1
            self.written.add(code)
        if inserts:
            if not self._positional:
                inserts = [dict(zip(self.COLUMNS, row, strict=True)) for row in inserts]
            self.connection.exec_driver_sql(self._insert_sql, inserts)
        if updates:
            self.connection.execute(self._update, updates)

    def codes_and_titles(self) -> list[tuple[str, int, str]]:
        """Every task of the strategy as (code, agency id, title), in id order."""
        table = self.table
        query = (
            table.select()
            .with_only_columns(table.c.code, table.c.agency_id, table.c.title)
            .where(table.c.strategy_id == self.strategy_id)
            .order_by(table.c.id)
        )
        return [tuple(row) for row in self.connection.execute(query)]

    def prune(self) -> None:
        """Delete the strategy's tasks the list did not have (tasks that stages and reviews
        created are not the file's to prune)."""
        table = self.table
        query = (
            table.select()
            .with_only_columns(table.c.id, table.c.code)
            .where(table.c.strategy_id == self.strategy_id, table.c.template.is_(None))
            .order_by(table.c.id)
        )
        gone = [id_ for id_, code in self.connection.execute(query) if code not in self.written]
        for start in range(0, len(gone), self.BATCH):
            chunk = gone[start : start + self.BATCH]
            self.connection.execute(table.delete().where(table.c.id.in_(chunk)))
        self.changes.deleted += len(gone)


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

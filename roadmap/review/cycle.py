"""The review cycle: start (baseline and working-group tasks), propose, decide, close into a new version."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import select

from roadmap.config import load_stage_config
from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.plan.lifecycle import apply_transition
from roadmap.plan.tasks import issue_agency_tasks
from roadmap.review.changes import (
    AddInitiative,
    ChangeHorizon,
    ChangeRecord,
    Conflict,
    apply_change,
    check_change,
    conflicts,
    touched_fields,
)
from roadmap.review.snapshots import canonical, coordinator_name, ensure_version, snapshot
from roadmap.settings import Settings
from roadmap.store.models import (
    OPEN_TASK_STATUSES,
    ChangeProposal,
    ProposalStatus,
    ReviewCycle,
    ReviewStatus,
    StageRun,
    StageStatus,
    StrategyVersion,
    Task,
    TaskAction,
    TaskStatus,
)
from roadmap.store.unit_of_work import Scope, unit_of_work

REVIEW_TEMPLATE = "review-{year}"


@dataclass(frozen=True, slots=True)
class ReviewStarted:
    year: int
    status: ReviewStatus
    baseline_version: int
    tasks_created: int


@dataclass(frozen=True, slots=True)
class ProposalsRecorded:
    year: int
    created: list[int]  # the new proposals' numbers
    conflicts: list[Conflict]


@dataclass(frozen=True, slots=True)
class Decision:
    year: int
    decided: list[int]
    status: ProposalStatus
    conflicts: list[Conflict]  # among the accepted ones


@dataclass(frozen=True, slots=True)
class ReviewClosed:
    year: int
    status: ReviewStatus
    version: int | None  # the version the review produced
    applied: int
    tasks_accepted: int = 0  # working-group tasks handed in, accepted on close
    tasks_cancelled: int = 0  # working-group tasks never handed in, cancelled on close
    cycle: int | None = None  # the stage cycle the strategy moved into


@dataclass(frozen=True, slots=True)
class ProposalRow:
    number: int
    kind: str
    target: str
    agency: str | None
    reason: str
    why: str | None
    status: ProposalStatus


@dataclass(frozen=True, slots=True)
class ReviewState:
    year: int
    status: ReviewStatus
    baseline_version: int
    result_version: int | None
    proposals: list[ProposalRow]
    conflicts: list[Conflict]  # among the pending and accepted ones


def start_review(
    settings: Settings,
    year: int,
    *,
    region_code: str | None = None,
    now: datetime | None = None,
) -> ReviewStarted:
    """Open the year's review: the current version becomes the baseline, and every agency's
    emissary gets a working-group task due in the annual_update stage's working days.
    Starting the same year again creates nothing."""
    if not 2000 <= year <= 2100:
        raise UserError(t("option.year_range", option="YEAR", value=year))
    config = load_stage_config(settings)
    duration = next((s.duration_days for s in config.stage if s.key == "annual_update"), 20)
    with unit_of_work(settings, region_code, now) as scope:
        baseline = ensure_version(scope)
        cycle = _cycle(scope, year, required=False)
        other = scope.session.exec(
            select(ReviewCycle).where(
                ReviewCycle.strategy_id == scope.strategy.id,
                ReviewCycle.status == ReviewStatus.open,
                ReviewCycle.year != year,
            )
        ).first()
        if other is not None:
            raise UserError(t("review.other_open", year=year, other=other.year))
        if cycle is None:
            cycle = ReviewCycle(
                strategy_id=scope.strategy.id,
                year=year,
                baseline_version=baseline.version,
                opened_at=scope.now,
            )
            scope.session.add(cycle)
            scope.session.flush()
        created = 0
        if cycle.status == ReviewStatus.open:
            created = issue_agency_tasks(
                scope,
                stage="annual_update",
                template=REVIEW_TEMPLATE.format(year=year),
                title=t("review.task_title", year=year),
                due_on=scope.calendar.add_working_days(scope.today, duration),
            )
        return ReviewStarted(
            year=year,
            status=ReviewStatus(cycle.status),
            baseline_version=cycle.baseline_version,
            tasks_created=created,
        )


def _cycle(scope: Scope, year: int | None, *, required: bool = True) -> ReviewCycle | None:
    query = select(ReviewCycle).where(ReviewCycle.strategy_id == scope.strategy.id)
    if year is not None:
        query = query.where(ReviewCycle.year == year)
    cycle = scope.session.exec(query.order_by(ReviewCycle.year.desc())).first()
    if cycle is None and required:
        raise UserError(t("review.none", year=year if year is not None else "—"))
    return cycle


def propose_changes(
    settings: Settings,
    changes: list[Any],
    *,
    places: list[str] | None = None,
    year: int | None = None,
    region_code: str | None = None,
    now: datetime | None = None,
) -> ProposalsRecorded:
    """Record proposals in the open cycle; references are checked, nothing is written if
    any is wrong (each problem named by its place in `places`, e.g. the file line).
    Conflicts with other proposals are reported, not merged."""
    with unit_of_work(settings, region_code, now) as scope:
        cycle = _cycle(scope, year)
        if cycle.status != ReviewStatus.open:
            raise UserError(t("review.closed", year=cycle.year))
        standing = [
            ChangeRecord.model_validate_json(p.change).root
            for p in _proposals(scope, cycle)
            if p.status != ProposalStatus.rejected
        ]
        adds = {c.initiative.code for c in standing if isinstance(c, AddInitiative)}
        # A horizon proposed in this cycle (in the file or before) opens its years to the
        # other proposals, whatever their order; closing applies it first.
        end_year = max(
            (c.end_year for c in [*standing, *changes] if isinstance(c, ChangeHorizon)),
            default=None,
        )
        problems = []
        for index, change in enumerate(changes):
            where = places[index] if places else f"changes[{index}]"
            problems += [f"{where}: {p}" for p in check_change(scope, change, adds, end_year)]
            if isinstance(change, AddInitiative):
                adds.add(change.initiative.code)
        if problems:
            raise UserError("\n".join(problems))
        existing = list(
            scope.session.exec(
                select(ChangeProposal).where(
                    ChangeProposal.cycle_id == cycle.id,
                    ChangeProposal.status.in_([ProposalStatus.pending, ProposalStatus.accepted]),
                )
            )
        )
        number = max((p.number for p in _proposals(scope, cycle)), default=0)
        agencies = {a.code: a.id for a in scope.agencies()}
        created = []
        for change in changes:
            number += 1
            fields = touched_fields(change)
            row = ChangeProposal(
                cycle_id=cycle.id,
                number=number,
                kind=change.kind,
                target=";".join(fields),
                change=change.model_dump_json(by_alias=True),
                agency_id=agencies.get(change.agency) if change.agency else None,
                reason=change.reason,
                why=change.why,
                created_at=scope.now,
            )
            scope.session.add(row)
            existing.append(row)
            created.append(number)
        scope.session.flush()
        return ProposalsRecorded(year=cycle.year, created=created, conflicts=conflicts(existing))


def _proposals(scope: Scope, cycle: ReviewCycle) -> list[ChangeProposal]:
    return list(
        scope.session.exec(
            select(ChangeProposal)
            .where(ChangeProposal.cycle_id == cycle.id)
            .order_by(ChangeProposal.number)
        )
    )


def decide(
    settings: Settings,
    numbers: list[int],
    accept: bool,
    *,
    by: str | None = None,
    year: int | None = None,
    region_code: str | None = None,
    now: datetime | None = None,
) -> Decision:
    """The coordinator accepts or rejects proposals (by number) of the open cycle."""
    with unit_of_work(settings, region_code, now) as scope:
        cycle = _cycle(scope, year)
        if cycle.status != ReviewStatus.open:
            raise UserError(t("review.closed", year=cycle.year))
        by_number = {p.number: p for p in _proposals(scope, cycle)}
        unknown = [n for n in numbers if n not in by_number]
        if unknown:
            raise UserError(t("review.unknown_proposal", numbers=unknown, year=cycle.year))
        status = ProposalStatus.accepted if accept else ProposalStatus.rejected
        for n in numbers:
            row = by_number[n]
            row.status, row.decided_by, row.decided_at = status.value, by, scope.now
            scope.session.add(row)
        accepted = [p for p in by_number.values() if p.status == ProposalStatus.accepted]
        return Decision(
            year=cycle.year, decided=numbers, status=status, conflicts=conflicts(accepted)
        )


def close_review(
    settings: Settings,
    *,
    year: int | None = None,
    by: str | None = None,
    region_code: str | None = None,
    now: datetime | None = None,
) -> ReviewClosed:
    """Apply the accepted proposals atomically as the next version. Closing again does
    nothing; accepted proposals that conflict are refused with the list."""
    with unit_of_work(settings, region_code, now) as scope:
        cycle = _cycle(scope, year)
        if cycle.status == ReviewStatus.closed:
            return ReviewClosed(cycle.year, ReviewStatus.closed, cycle.result_version, 0)
        accepted = _closable(scope, cycle)
        ensure_version(scope)  # the baseline stays as it was
        _apply_accepted(scope, accepted)
        _record_version(scope, accepted, by)
        cycle.status = ReviewStatus.closed.value
        cycle.result_version = scope.strategy.version
        cycle.closed_at = scope.now
        scope.session.add(cycle)
        who = by or coordinator_name(scope.session, scope.strategy)
        accepted_tasks, cancelled_tasks = _close_working_group_tasks(scope, cycle.year, who)
        _next_stage_cycle(scope)
        return ReviewClosed(
            cycle.year,
            ReviewStatus.closed,
            scope.strategy.version,
            applied=len(accepted),
            tasks_accepted=accepted_tasks,
            tasks_cancelled=cancelled_tasks,
            cycle=scope.strategy.cycle,
        )


def _close_working_group_tasks(scope: Scope, year: int, by: str | None) -> tuple[int, int]:
    """The review's working-group tasks end with it: handed-in ones are accepted, the rest
    cancelled with the reason, each recorded in the task's history."""
    tasks = scope.session.exec(
        select(Task)
        .where(
            Task.strategy_id == scope.strategy.id,
            Task.template == REVIEW_TEMPLATE.format(year=year),
        )
        .order_by(Task.code)
    )
    accepted = cancelled = 0
    for task in tasks:
        if task.status == TaskStatus.submitted:
            apply_transition(scope, task, TaskAction.accept, by=by)
            accepted += 1
        elif task.status in OPEN_TASK_STATUSES:
            why = t("review.task_closed_why", year=year)
            apply_transition(scope, task, TaskAction.cancel, by=by, why=why)
            cancelled += 1
    return accepted, cancelled


def _next_stage_cycle(scope: Scope) -> None:
    """A closed yearly update starts the next stage cycle: the closed runs of this one stay
    as history; a stage still running moves on into the new cycle with its tasks."""
    old = scope.strategy.cycle
    scope.strategy.cycle = old + 1
    scope.session.add(scope.strategy)
    for run in scope.session.exec(
        select(StageRun).where(
            StageRun.strategy_id == scope.strategy.id,
            StageRun.cycle == old,
            StageRun.status != StageStatus.closed,
        )
    ):
        run.cycle = old + 1
        scope.session.add(run)


def _closable(scope: Scope, cycle: ReviewCycle) -> list[ChangeProposal]:
    """The accepted proposals, once nothing stands in the way of closing: no conflict
    among them, nothing undecided, and the strategy still at the cycle's baseline."""
    proposals = _proposals(scope, cycle)
    accepted = [p for p in proposals if p.status == ProposalStatus.accepted]
    found = conflicts(accepted)
    if found:
        pairs = "; ".join(f"#{c.proposals[0]} / #{c.proposals[1]}: {c.touch}" for c in found)
        raise UserError(t("review.conflicts", items=pairs))
    undecided = [p.number for p in proposals if p.status == ProposalStatus.pending]
    if undecided:
        raise UserError(t("review.undecided", numbers=undecided))
    if cycle.baseline_version != scope.strategy.version:
        raise UserError(
            t(
                "review.stale_baseline",
                year=cycle.year,
                baseline=cycle.baseline_version,
                current=scope.strategy.version,
            )
        )
    return accepted


def _apply_accepted(scope: Scope, accepted: list[ChangeProposal]) -> None:
    stale = []
    # A horizon change first: changes for the years it opens are checked against it.
    ordered = sorted(accepted, key=lambda p: (p.kind != "change_horizon", p.number))
    for proposal in ordered:
        change = ChangeRecord.model_validate_json(proposal.change).root
        # The store may have moved since the proposal came in (an import, a proposal
        # of a stage): check again right before applying; any problem undoes it all.
        problems = check_change(scope, change)
        if problems:
            stale.append(f"#{proposal.number}: {'; '.join(problems)}")
            continue
        apply_change(scope, change)
    if stale:
        raise UserError(t("review.stale", items=" | ".join(stale)))
    for proposal in accepted:
        proposal.status = ProposalStatus.applied.value
        scope.session.add(proposal)


def _record_version(scope: Scope, accepted: list[ChangeProposal], by: str | None) -> None:
    """The next version, with its snapshot and why it changed."""
    scope.strategy.version += 1
    scope.session.add(scope.strategy)
    scope.session.flush()
    reasons = Counter(p.reason for p in accepted)
    scope.session.add(
        StrategyVersion(
            strategy_id=scope.strategy.id,
            version=scope.strategy.version,
            approved_at=scope.now,
            approved_by=by or coordinator_name(scope.session, scope.strategy),
            snapshot=canonical(snapshot(scope.session, scope.strategy)),
            reasons=json.dumps(dict(sorted(reasons.items()))),
        )
    )


def review_status(
    settings: Settings, *, year: int | None = None, region_code: str | None = None
) -> ReviewState:
    with unit_of_work(settings, region_code) as scope:
        cycle = _cycle(scope, year)
        agencies = {a.id: a.code for a in scope.agencies()}
        proposals = _proposals(scope, cycle)
        open_ones = (ProposalStatus.pending, ProposalStatus.accepted)
        return ReviewState(
            year=cycle.year,
            status=ReviewStatus(cycle.status),
            baseline_version=cycle.baseline_version,
            result_version=cycle.result_version,
            proposals=[
                ProposalRow(
                    number=p.number,
                    kind=p.kind,
                    target=p.target,
                    agency=agencies.get(p.agency_id),
                    reason=p.reason,
                    why=p.why,
                    status=ProposalStatus(p.status),
                )
                for p in proposals
            ],
            conflicts=conflicts([p for p in proposals if p.status in open_ones]),
        )


def today_year(
    settings: Settings, region_code: str | None = None, now: datetime | None = None
) -> int:
    with unit_of_work(settings, region_code, now) as scope:
        return scope.today.year

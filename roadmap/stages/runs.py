"""Stage runs: start (a task per agency's emissary), the gate, close, and what coordinators see."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import func, select

from roadmap.config import StageConfig, StageDef, load_stage_config
from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.plan.tasks import issue_agency_tasks
from roadmap.settings import Settings
from roadmap.store.models import (
    OPEN_TASK_STATUSES,
    AnalysisResult,
    AnalysisRun,
    ArchitectureDecision,
    Hypothesis,
    HypothesisStatus,
    Initiative,
    InitiativeScore,
    InitiativeStatus,
    Person,
    StageRun,
    StageStatus,
    Task,
    TaskStatus,
)
from roadmap.store.unit_of_work import (
    Scope,
    lock_region,
    unit_of_work,
)


@dataclass(frozen=True, slots=True)
class StageStart:
    """What starting a stage did: its run's status and dates, the tasks it created and has."""

    stage: str
    status: StageStatus
    started_on: date
    due_on: date
    tasks_created: int
    tasks: int
    # The Prefect flow run that follows the stage, if any; with `claimed` False it is
    # another run than the one that asked (see `start_stage`'s `flow_run_id`).
    flow_run_id: str | None = None
    claimed: bool = True
    region: str = ""


@dataclass(frozen=True, slots=True)
class StageClosed:
    """What the gate said: the stage closed, or what keeps it open (one line per item)."""

    stage: str
    status: StageStatus
    missing: list[str]


@dataclass(frozen=True, slots=True)
class StageRow:
    """A stage with its definition, status, dates and task progress."""

    key: str
    order: int
    title_ru: str
    title_en: str
    duration_days: int
    gate: list[str]
    cycle: int  # the strategy's stage cycle the run belongs to
    status: StageStatus
    started_on: date | None
    due_on: date | None
    closed_on: date | None  # region date
    tasks: int
    tasks_done: int
    missing: list[str]  # what the last gate missed


@dataclass(frozen=True, slots=True)
class StageTask:
    agency: str
    code: str
    title: str
    assignee: str | None
    due: date
    status: TaskStatus


@dataclass(frozen=True, slots=True)
class StageDetail(StageRow):
    """One stage: its overview row plus its tasks by agency."""

    tasks_by_agency: list[StageTask]


def start_stage(
    settings: Settings,
    key: str,
    *,
    on: date | None = None,
    region_code: str | None = None,
    now: datetime | None = None,
    agencies: list[str] | None = None,
    flow_run_id: str | None = None,
    replacing: str | None = None,
) -> StageStart:
    """Open a stage: one task per agency and template, due `duration_days` working days
    after the start date. Starting an open or closed stage again creates nothing.

    `agencies` limits the tasks issued to those agencies' codes (`[]`: open the run only);
    the stage flow issues them one agency at a time. `flow_run_id` claims the run for that
    Prefect flow run: when another flow run follows the stage already (and it is not the
    `replacing` one, a run that ended without closing the stage), nothing is done and the
    result names that run with `claimed` False."""
    config = load_stage_config(settings)
    stage = config.get(key)
    with unit_of_work(settings, region_code, now) as scope:
        # Two starts at once (two coordinators, a flow and the CLI): the second waits and
        # then finds the run the first made, instead of failing on its uniqueness.
        lock_region(scope.session, scope.region.code)
        scope.session.refresh(scope.strategy)
        runs = scope.runs()
        run = runs.get(key)
        if run is None:
            start = on or scope.today
            _check_previous_closed(scope, config, runs, key, start)
            run = StageRun(
                strategy_id=scope.strategy.id,
                version=scope.strategy.version,
                cycle=scope.strategy.cycle,
                stage=key,
                status=StageStatus.active.value,
                started_on=start,
                due_on=scope.calendar.add_working_days(start, stage.duration_days),
                started_at=scope.now,
            )
            scope.session.add(run)
            scope.session.flush()
        claimed = _claim(scope, run, flow_run_id, replacing)
        created = 0
        if claimed and run.status != StageStatus.closed:
            created = _open_stage_tasks(scope, run, stage, agencies)
        total = _count_run_tasks(scope, run)
        return StageStart(
            stage=key,
            status=StageStatus(run.status),
            started_on=run.started_on,
            due_on=run.due_on,
            tasks_created=created,
            tasks=total,
            flow_run_id=run.flow_run_id,
            claimed=claimed,
            region=scope.region.code,
        )


def _claim(scope: Scope, run: StageRun, flow_run_id: str | None, replacing: str | None) -> bool:
    """Whether the asking flow run (None: the command line, which needs no claim) may work
    on the stage run: no flow run carries it, or this one, or the `replacing` one; an open
    run is then recorded as carried by the asking flow run."""
    claimed = flow_run_id is None or run.flow_run_id in (None, flow_run_id, replacing)
    if flow_run_id is not None and claimed and run.status != StageStatus.closed:
        run.flow_run_id = flow_run_id
        scope.session.add(run)
    return claimed


@dataclass(frozen=True, slots=True)
class Issued:
    """One organisation's part of a stage flow's issuing: the codes of its new tasks."""

    agency: str
    name: str
    emissary: str | None  # the emissary's name; None: no emissary named yet
    codes: list[str]


def issue_to_waiting(
    settings: Settings,
    key: str,
    *,
    flow_run_id: str,
    region_code: str | None = None,
    now: datetime | None = None,
) -> list[Issued]:
    """The stage flow's issuing, in one transaction: every organisation without a task of
    the stage's run yet (all of them after the start, those added since on a resume), in
    code order, with the codes of the tasks issued to it now. Nothing is issued when the
    stage is closed or another flow run carries it, nor to an organisation that still has
    an open task of the stage from an earlier run (the same rules as `start_stage`)."""
    config = load_stage_config(settings)
    stage = config.get(key)
    with unit_of_work(settings, region_code, now) as scope:
        run = _locked_run(scope, key)
        have = set(scope.session.exec(select(Task.agency_id).where(Task.stage_run_id == run.id)))
        waiting = _participants(scope, have)
        if waiting and _claim(scope, run, flow_run_id, None) and run.status != StageStatus.closed:
            _open_stage_tasks(scope, run, stage, [p.agency for _, p in waiting])
        # The waiting organisations had no task of the run: whatever it has of theirs is new.
        codes: dict[int, list[str]] = {}
        for agency_id, code in scope.session.exec(
            select(Task.agency_id, Task.code)
            .where(Task.stage_run_id == run.id, Task.agency_id.in_([id_ for id_, _ in waiting]))
            .order_by(Task.code)
        ):
            codes.setdefault(agency_id, []).append(code)
        return [
            Issued(agency=p.agency, name=p.name, emissary=p.emissary, codes=codes.get(id_, []))
            for id_, p in waiting
        ]


def _check_previous_closed(
    scope: Scope, config: StageConfig, runs: dict[str, StageRun], key: str, start: date
) -> None:
    """A stage starts only after the one before it closed, and not before the day it closed."""
    previous = config.previous(key)
    if previous is None:
        return
    before = runs.get(previous.key)
    if before is None or before.status != StageStatus.closed:
        status = before.status if before else StageStatus.pending.value
        raise UserError(t("stage.previous_open", key=key, previous=previous.key, status=status))
    if before.closed_at is not None:
        closed_on = scope.calendar.local_date(before.closed_at)
        if start < closed_on:
            raise UserError(
                t(
                    "stage.starts_before_previous",
                    key=key,
                    on=start,
                    previous=previous.key,
                    closed=closed_on,
                )
            )


def _run_tasks(scope: Scope, run: StageRun) -> list[Task]:
    return list(scope.session.exec(select(Task).where(Task.stage_run_id == run.id)))


def _count_run_tasks(scope: Scope, run: StageRun) -> int:
    return scope.session.exec(
        select(func.count()).select_from(Task).where(Task.stage_run_id == run.id)
    ).one()


def _open_stage_tasks(
    scope: Scope, run: StageRun, stage: StageDef, agencies: list[str] | None = None
) -> int:
    return sum(
        issue_agency_tasks(
            scope,
            stage=stage.key,
            template=template.key,
            title=template.title_ru,
            due_on=run.due_on,
            stage_run_id=run.id,
            agencies=None if agencies is None else set(agencies),
        )
        for template in stage.tasks
    )


def _locked_run(scope: Scope, key: str) -> StageRun:
    """The stage's run of the current cycle, under the region's lock (a started stage)."""
    lock_region(scope.session, scope.region.code)
    scope.session.refresh(scope.strategy)
    run = scope.runs().get(key)
    if run is None:
        raise UserError(t("stage.not_started", key=key))
    return run


def close_stage(
    settings: Settings, key: str, *, region_code: str | None = None, now: datetime | None = None
) -> StageClosed:
    """Run the stage's gate: close it, or record and return exactly what is missing."""
    config = load_stage_config(settings)
    stage = config.get(key)
    with unit_of_work(settings, region_code, now) as scope:
        run = _locked_run(scope, key)
        if run.status == StageStatus.closed:
            return StageClosed(stage=key, status=StageStatus.closed, missing=[])
        if scope.today < run.started_on:
            raise UserError(t("stage.close_before_start", key=key, on=run.started_on))
        missing = gate_missing(scope, run, stage, config)
        if missing:
            run.status = StageStatus.gate_failed.value
            run.gate_missing = json.dumps(missing, ensure_ascii=False)
        else:
            run.status = StageStatus.closed.value
            run.closed_at = scope.now
            run.gate_missing = None
        scope.session.add(run)
        return StageClosed(stage=key, status=StageStatus(run.status), missing=missing)


def stage_gate(
    settings: Settings, key: str, *, region_code: str | None = None, now: datetime | None = None
) -> list[str]:
    """What the stage's gate misses right now, without closing or recording anything
    (`close_stage` runs the same checks and records them)."""
    config = load_stage_config(settings)
    stage = config.get(key)
    with unit_of_work(settings, region_code, now) as scope:
        run = scope.runs().get(key)
        if run is None:
            raise UserError(t("stage.not_started", key=key))
        if run.status == StageStatus.closed:
            return []
        return gate_missing(scope, run, stage, config)


@dataclass(frozen=True, slots=True)
class FollowedRun:
    """A stage run that a Prefect flow run follows: signal it when its gate may have moved."""

    region: str
    stage: str
    flow_run_id: str


def followed_runs(
    settings: Settings,
    *,
    region_code: str | None = None,
    task_codes: list[str] | None = None,
    stage: str | None = None,
) -> list[FollowedRun]:
    """The flow runs following the stages that a change may concern: those of the given
    tasks' stage runs, or of `stage` in the current cycle, or else every open stage run of
    the current cycle. Stage runs no flow run follows are left out."""
    with unit_of_work(settings, region_code) as scope:
        query = select(StageRun).where(
            StageRun.strategy_id == scope.strategy.id, StageRun.flow_run_id.is_not(None)
        )
        if task_codes is not None:
            run_ids = select(Task.stage_run_id).where(
                Task.strategy_id == scope.strategy.id, Task.code.in_(task_codes)
            )
            query = query.where(StageRun.id.in_(run_ids))
        else:
            query = query.where(StageRun.cycle == scope.strategy.cycle)
            if stage is not None:
                query = query.where(StageRun.stage == stage)
            else:
                query = query.where(StageRun.status != StageStatus.closed.value)
        return [
            FollowedRun(region=scope.region.code, stage=run.stage, flow_run_id=run.flow_run_id)
            for run in scope.session.exec(query.order_by(StageRun.stage))
            if run.flow_run_id
        ]


def gate_missing(scope: Scope, run: StageRun, stage: StageDef, config: StageConfig) -> list[str]:
    """Everything that keeps the stage from closing, one line per item, by agency."""
    items: list[tuple[str, str]] = []
    agency_code = {a.id: a.code for a in scope.agencies()}
    for check in stage.gate:
        if check == "tasks_submitted":
            for task in sorted(_run_tasks(scope, run), key=lambda t_: t_.code):
                if task.status in OPEN_TASK_STATUSES:
                    items.append((agency_code[task.agency_id], t("gate.task_open", code=task.code)))
        elif check == "initiatives_proposed":
            if not _candidates(scope, (InitiativeStatus.proposed, InitiativeStatus.confirmed)):
                items.append(("", t("gate.no_initiatives")))
        elif check == "hypotheses_confirmed":
            confirmed = set(
                scope.session.exec(
                    select(Hypothesis.initiative_id).where(
                        Hypothesis.status == HypothesisStatus.confirmed
                    )
                )
            )
            for initiative in _candidates(
                scope, (InitiativeStatus.proposed, InitiativeStatus.confirmed)
            ):
                if initiative.id not in confirmed:
                    items.append(
                        (
                            agency_code[initiative.agency_id],
                            t("gate.no_hypothesis", code=initiative.code),
                        )
                    )
        elif check == "analysis_selected":
            latest = _latest_analysis(scope)
            if latest is None or latest.created_at < run.started_at or not latest.selected:
                items.append(("", t("gate.no_analysis")))
            elif rescored := _rescored_since(scope, latest):
                items.append(("", t("gate.rescored", codes=", ".join(rescored))))
        elif check == "architecture_decided":
            decided = set(
                scope.session.exec(
                    select(ArchitectureDecision.agency_id).where(
                        ArchitectureDecision.strategy_id == scope.strategy.id
                    )
                )
            )
            for agency_id, code in agency_code.items():
                if agency_id not in decided:
                    items.append((code, t("gate.no_decision")))
    items.sort(key=lambda item: (item[0] != "", item[0]))
    return [f"{agency}: {text}" if agency else text for agency, text in items]


def _candidates(scope: Scope, statuses: tuple[str, ...]) -> list[Initiative]:
    return [i for i in scope.initiatives().values() if i.status in statuses]


def _latest_analysis(scope: Scope) -> AnalysisRun | None:
    return scope.session.exec(
        select(AnalysisRun)
        .where(AnalysisRun.strategy_id == scope.strategy.id)
        .order_by(AnalysisRun.id.desc())
    ).first()


def _rescored_since(scope: Scope, selection: AnalysisRun) -> list[str]:
    """Codes of the initiatives whose scores differ from those the selection was made with
    (scored again since): the selection no longer stands until the analysis runs again."""
    results = list(
        scope.session.exec(
            select(AnalysisResult).where(AnalysisResult.analysis_run_id == selection.id)
        )
    )
    current: dict[int, dict[str, float]] = {r.initiative_id: {} for r in results}
    for score in scope.session.exec(
        select(InitiativeScore).where(InitiativeScore.initiative_id.in_(list(current)))
    ):
        current[score.initiative_id][score.criterion] = score.value
    codes = {i.id: i.code for i in scope.initiatives().values()}
    return sorted(
        codes[r.initiative_id]
        for r in results
        if {c: float(v) for c, v in json.loads(r.scores).items()} != current[r.initiative_id]
    )


def stage_overview(
    settings: Settings, *, region_code: str | None = None, now: datetime | None = None
) -> list[StageRow]:
    """Every stage of the current cycle with its definition, status, dates and progress."""
    config = load_stage_config(settings)
    with unit_of_work(settings, region_code, now) as scope:
        runs = scope.runs()
        return [_stage_row(scope, stage, runs.get(stage.key)) for stage in config.stage]


def stage_history(
    settings: Settings, *, region_code: str | None = None, now: datetime | None = None
) -> list[StageRow]:
    """Every stage run of every cycle, oldest cycle first, in stage order; stages of the
    current cycle not started yet are listed as pending."""
    config = load_stage_config(settings)
    with unit_of_work(settings, region_code, now) as scope:
        runs = list(
            scope.session.exec(select(StageRun).where(StageRun.strategy_id == scope.strategy.id))
        )
        rows = []
        for cycle in sorted({r.cycle for r in runs} | {scope.strategy.cycle}):
            of_cycle = {r.stage: r for r in runs if r.cycle == cycle}
            for stage in config.stage:
                run = of_cycle.get(stage.key)
                if run is not None or cycle == scope.strategy.cycle:
                    rows.append(_stage_row(scope, stage, run, cycle))
            rows += [
                _stage_row(scope, _unknown_stage(run.stage), run, cycle)
                for key, run in sorted(of_cycle.items())
                if not any(s.key == key for s in config.stage)
            ]
        return rows


def _unknown_stage(key: str) -> StageDef:
    """A run of a stage the configuration no longer has: shown by its key."""
    return StageDef.model_construct(
        key=key, order=0, title_ru=key, title_en=key, duration_days=0, gate=[], tasks=[]
    )


def _stage_row(
    scope: Scope, stage: StageDef, run: StageRun | None, cycle: int | None = None
) -> StageRow:
    tasks = _run_tasks(scope, run) if run else []
    return StageRow(
        key=stage.key,
        order=stage.order,
        title_ru=stage.title_ru,
        title_en=stage.title_en,
        duration_days=stage.duration_days,
        gate=list(stage.gate),
        cycle=run.cycle if run else (cycle or scope.strategy.cycle),
        status=StageStatus(run.status) if run else StageStatus.pending,
        started_on=run.started_on if run else None,
        due_on=run.due_on if run else None,
        closed_on=scope.calendar.local_date(run.closed_at) if run and run.closed_at else None,
        tasks=len(tasks),
        tasks_done=sum(1 for task in tasks if task.status not in OPEN_TASK_STATUSES),
        missing=json.loads(run.gate_missing) if run and run.gate_missing else [],
    )


def stage_detail(
    settings: Settings, key: str, *, region_code: str | None = None, now: datetime | None = None
) -> StageDetail:
    """One stage: its overview row plus its tasks by agency."""
    config = load_stage_config(settings)
    config.get(key)
    row = next(
        r for r in stage_overview(settings, region_code=region_code, now=now) if r.key == key
    )
    with unit_of_work(settings, region_code, now) as scope:
        run = scope.runs().get(key)
        agencies = {a.id: a for a in scope.agencies()}
        people = {
            p.id: p.name
            for p in scope.session.exec(select(Person).where(Person.region_id == scope.region.id))
        }
        tasks = [
            StageTask(
                agency=agencies[task.agency_id].code,
                code=task.code,
                title=task.title,
                assignee=people.get(task.assignee_id),
                due=task.due_on,
                status=TaskStatus(task.status),
            )
            for task in sorted(
                _run_tasks(scope, run) if run else [],
                key=lambda t_: (agencies[t_.agency_id].code, t_.code),
            )
        ]
    fields = {name: getattr(row, name) for name in StageRow.__dataclass_fields__}
    return StageDetail(**fields, tasks_by_agency=tasks)


def region_today(
    settings: Settings, *, region_code: str | None = None, now: datetime | None = None
) -> date:
    """Today's date in the region (its timezone)."""
    with unit_of_work(settings, region_code, now) as scope:
        return scope.today


@dataclass(frozen=True, slots=True)
class Participant:
    """An organisation that gets a stage's tasks, with its digital emissary."""

    agency: str
    name: str
    emissary: str | None  # the emissary's name; None: no emissary named yet


def stage_participants(settings: Settings, *, region_code: str | None = None) -> list[Participant]:
    """Every organisation of the region (executive bodies and municipalities) in code order,
    as a stage issues its tasks to them."""
    with unit_of_work(settings, region_code) as scope:
        return [p for _, p in _participants(scope, set())]


def _participants(scope: Scope, skip: set[int]) -> list[tuple[int, Participant]]:
    """(agency id, participant) for the region's organisations in code order, but those
    whose ids are in `skip`."""
    people = {
        p.id: p.name
        for p in scope.session.exec(select(Person).where(Person.region_id == scope.region.id))
    }
    return [
        (a.id, Participant(agency=a.code, name=a.name, emissary=people.get(a.emissary_id)))
        for a in scope.agencies()
        if a.id not in skip
    ]

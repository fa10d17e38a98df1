"""Stages of the roadmap (этапы): definitions from config, stage runs, gates, stage logic.

Entry points (CLI commands, Prefect flows in flows/) call the public functions here; each is
one unit of work on the store.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlmodel import Session, select

from roadmap import roadmap_file as rf
from roadmap.calendar import RegionCalendar
from roadmap.errors import UserError
from roadmap.i18n import current_locale, t
from roadmap.models import (
    OPEN_TASK_STATUSES,
    Agency,
    AnalysisResult,
    AnalysisRun,
    ArchitectureDecision,
    BudgetLine,
    Hypothesis,
    HypothesisStatus,
    InformationSystem,
    Initiative,
    InitiativeScore,
    InitiativeStatus,
    Interview,
    Person,
    Region,
    Sector,
    StageRun,
    StageStatus,
    Strategy,
    Task,
    TaskStatus,
    kopecks_to_roubles,
)
from roadmap.services import (
    _next_task_code,
    calendar_for,
    current_strategy,
    region_session,
)
from roadmap.settings import Settings

# --- stage definitions (config/stages.toml) -----------------------------------------------

GateCheck = Literal[
    "tasks_submitted",
    "initiatives_proposed",
    "hypotheses_confirmed",
    "analysis_selected",
    "architecture_decided",
]


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TaskTemplate(_Config):
    key: Annotated[str, Field(min_length=1, max_length=40)]
    title_ru: str
    title_en: str


class StageDef(_Config):
    key: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]
    order: int
    title_ru: str
    title_en: str
    duration_days: Annotated[int, Field(ge=1, le=400)]
    gate: list[GateCheck] = Field(default_factory=list)
    tasks: list[TaskTemplate] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_templates(self) -> StageDef:
        keys = [template.key for template in self.tasks]
        if len(set(keys)) != len(keys):
            raise ValueError(f"task template keys repeat in stage {self.key}: {keys}")
        return self

    def title(self) -> str:
        return self.title_en if current_locale() == "en" else self.title_ru


class HypothesisRules(_Config):
    min_interviews: Annotated[int, Field(ge=1)] = 5
    min_support_share: Annotated[float, Field(gt=0, le=1)] = 0.6


class AnalysisRules(_Config):
    criteria: Annotated[dict[str, Annotated[float, Field(gt=0)]], Field(min_length=1)]
    cut_count: Annotated[int, Field(ge=1)] | None = None
    cut_budget: Annotated[Decimal, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _one_cut(self) -> AnalysisRules:
        if (self.cut_count is None) == (self.cut_budget is None):
            raise ValueError("set exactly one of cut_count and cut_budget")
        return self


class ArchitectureRules(_Config):
    gostekh_due_years: Annotated[int, Field(ge=0, le=10)] = 2


class Rules(_Config):
    hypotheses: HypothesisRules = HypothesisRules()
    analysis: AnalysisRules
    architecture: ArchitectureRules = ArchitectureRules()


class StageConfig(_Config):
    rules: Rules
    stage: Annotated[list[StageDef], Field(min_length=1)]

    @model_validator(mode="after")
    def _ordered_and_unique(self) -> StageConfig:
        keys = [s.key for s in self.stage]
        if len(set(keys)) != len(keys):
            raise ValueError(f"stage keys repeat: {keys}")
        if len({s.order for s in self.stage}) != len(self.stage):
            raise ValueError("stage orders repeat")
        self.stage.sort(key=lambda s: s.order)
        return self

    def get(self, key: str) -> StageDef:
        for stage in self.stage:
            if stage.key == key:
                return stage
        raise UserError(t("stage.unknown", key=key, known=", ".join(s.key for s in self.stage)))

    def previous(self, key: str) -> StageDef | None:
        index = [s.key for s in self.stage].index(key)
        return self.stage[index - 1] if index else None


def load_stage_config(settings: Settings) -> StageConfig:
    path = settings.config_dir / "stages.toml"
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise UserError(t("file.missing", path=path)) from None
    return _load_stage_config(path, stamp)


@lru_cache(maxsize=4)
def _load_stage_config(path: Path, _stamp: int) -> StageConfig:
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return StageConfig.model_validate(data)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise UserError(f"{path}: {problems}") from None


def stage_keys_in_order(settings: Settings) -> list[str]:
    return [s.key for s in load_stage_config(settings).stage]


# --- a unit of work on one region's current strategy ------------------------------------------


@dataclass
class Scope:
    session: Session
    region: Region
    strategy: Strategy
    calendar: RegionCalendar
    now: datetime

    @property
    def today(self) -> date:
        return self.calendar.local_date(self.now)

    def agencies(self) -> list[Agency]:
        return list(
            self.session.exec(
                select(Agency).where(Agency.region_id == self.region.id).order_by(Agency.code)
            )
        )

    def agency(self, code: str, option: str = "agency") -> Agency:
        found = self.session.exec(
            select(Agency).where(Agency.region_id == self.region.id, Agency.code == code)
        ).first()
        if found is None:
            known = ", ".join(a.code for a in self.agencies())
            raise UserError(t("option.unknown_code", option=option, value=code, known=known))
        return found

    def initiatives(self) -> dict[str, Initiative]:
        return {
            i.code: i
            for i in self.session.exec(
                select(Initiative)
                .where(Initiative.strategy_id == self.strategy.id)
                .order_by(Initiative.code)
            )
        }

    def runs(self) -> dict[str, StageRun]:
        return {
            r.stage: r
            for r in self.session.exec(
                select(StageRun).where(
                    StageRun.strategy_id == self.strategy.id,
                    StageRun.version == self.strategy.version,
                )
            )
        }


@contextmanager
def unit_of_work(
    settings: Settings, region_code: str | None = None, now: datetime | None = None
) -> Iterator[Scope]:
    """One unit of work on the region's current strategy, at `now` (default: the clock)."""
    with region_session(settings, region_code) as (session, region):
        strategy = current_strategy(session, region)
        calendar = calendar_for(region)
        moment = calendar.aware(now).astimezone(UTC) if now else datetime.now(UTC)
        yield Scope(session, region, strategy, calendar, moment)


# --- stage runs --------------------------------------------------------------------------------


def start_stage(
    settings: Settings,
    key: str,
    *,
    on: date | None = None,
    region_code: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Open a stage: one task per agency and template, due `duration_days` working days
    after the start date. Starting an open or closed stage again creates nothing."""
    config = load_stage_config(settings)
    stage = config.get(key)
    with unit_of_work(settings, region_code, now) as scope:
        runs = scope.runs()
        run = runs.get(key)
        if run is None:
            previous = config.previous(key)
            if previous is not None:
                before = runs.get(previous.key)
                if before is None or before.status != StageStatus.closed:
                    raise UserError(
                        t(
                            "stage.previous_open",
                            key=key,
                            previous=previous.key,
                            status=before.status if before else StageStatus.pending.value,
                        )
                    )
            start = on or scope.today
            if previous is not None and before.closed_at is not None:
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
            run = StageRun(
                strategy_id=scope.strategy.id,
                version=scope.strategy.version,
                stage=key,
                status=StageStatus.active.value,
                started_on=start,
                due_on=scope.calendar.add_working_days(start, stage.duration_days),
                started_at=scope.now,
            )
            scope.session.add(run)
            scope.session.flush()
        created = _open_stage_tasks(scope, run, stage) if run.status != StageStatus.closed else 0
        total = len(_run_tasks(scope, run))
        return {
            "stage": key,
            "status": run.status,
            "started_on": run.started_on.isoformat(),
            "due_on": run.due_on.isoformat(),
            "tasks_created": created,
            "tasks": total,
        }


def _run_tasks(scope: Scope, run: StageRun) -> list[Task]:
    return list(scope.session.exec(select(Task).where(Task.stage_run_id == run.id)))


def _open_stage_tasks(scope: Scope, run: StageRun, stage: StageDef) -> int:
    return sum(
        issue_agency_tasks(
            scope,
            stage=stage.key,
            template=template.key,
            title=template.title_ru,
            due_on=run.due_on,
            stage_run_id=run.id,
        )
        for template in stage.tasks
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


def close_stage(
    settings: Settings, key: str, *, region_code: str | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """Run the stage's gate: close it, or record and return exactly what is missing."""
    config = load_stage_config(settings)
    stage = config.get(key)
    with unit_of_work(settings, region_code, now) as scope:
        run = scope.runs().get(key)
        if run is None:
            raise UserError(t("stage.not_started", key=key))
        if run.status == StageStatus.closed:
            return {"stage": key, "status": run.status, "missing": []}
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
        return {"stage": key, "status": run.status, "missing": missing}


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


def stage_overview(
    settings: Settings, *, region_code: str | None = None, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Every stage with its definition, status, dates and task progress."""
    config = load_stage_config(settings)
    with unit_of_work(settings, region_code, now) as scope:
        runs = scope.runs()
        rows = []
        for stage in config.stage:
            run = runs.get(stage.key)
            tasks = _run_tasks(scope, run) if run else []
            done = sum(1 for task in tasks if task.status not in OPEN_TASK_STATUSES)
            rows.append(
                {
                    "key": stage.key,
                    "order": stage.order,
                    "title_ru": stage.title_ru,
                    "title_en": stage.title_en,
                    "duration_days": stage.duration_days,
                    "gate": list(stage.gate),
                    "status": run.status if run else StageStatus.pending.value,
                    "started_on": run.started_on.isoformat() if run else None,
                    "due_on": run.due_on.isoformat() if run else None,
                    "closed_on": scope.calendar.local_date(run.closed_at).isoformat()
                    if run and run.closed_at
                    else None,
                    "tasks": len(tasks),
                    "tasks_done": done,
                    "missing": json.loads(run.gate_missing) if run and run.gate_missing else [],
                }
            )
        return rows


def stage_detail(
    settings: Settings, key: str, *, region_code: str | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """One stage: its overview row plus its tasks by agency."""
    config = load_stage_config(settings)
    config.get(key)
    row = next(
        r for r in stage_overview(settings, region_code=region_code, now=now) if r["key"] == key
    )
    with unit_of_work(settings, region_code, now) as scope:
        run = scope.runs().get(key)
        agencies = {a.id: a for a in scope.agencies()}
        people = {
            p.id: p.name
            for p in scope.session.exec(select(Person).where(Person.region_id == scope.region.id))
        }
        row["tasks_by_agency"] = [
            {
                "agency": agencies[task.agency_id].code,
                "code": task.code,
                "title": task.title,
                "assignee": people.get(task.assignee_id),
                "due": task.due_on.isoformat(),
                "status": task.status,
            }
            for task in sorted(
                _run_tasks(scope, run) if run else [],
                key=lambda t_: (agencies[t_.agency_id].code, t_.code),
            )
        ]
    return row


# --- initiatives stage: proposals ----------------------------------------------------------


class ProposalIn(rf._Model):
    code: rf.Code | None = None
    title: rf.Text
    sector: rf.Code
    agency: rf.Code
    problem: rf.Text
    expected_effect: rf.Text


def propose_initiatives(
    settings: Settings, proposals: list[ProposalIn], *, region_code: str | None = None
) -> dict[str, Any]:
    """Emissaries' proposals enter the strategy as `proposed` initiatives."""
    with unit_of_work(settings, region_code) as scope:
        sectors = {
            s.code: s
            for s in scope.session.exec(select(Sector).where(Sector.region_id == scope.region.id))
        }
        existing = scope.initiatives()
        counts: Counter[str] = Counter()
        codes = []
        # Explicit codes are reserved first; a row without one matches an earlier proposal
        # of the same agency and title, so a file proposed twice adds nothing.
        reserved = {item.code for item in proposals if item.code}
        by_title = {
            (row.agency_id, row.title): code
            for code, row in existing.items()
            if row.status == InitiativeStatus.proposed
        }
        for item in proposals:
            agency = scope.agency(item.agency)
            if item.sector not in sectors:
                raise UserError(
                    t(
                        "option.unknown_code",
                        option="sector",
                        value=item.sector,
                        known=", ".join(sorted(sectors)),
                    )
                )
            code = (
                item.code
                or by_title.get((agency.id, item.title))
                or _next_code({**existing, **dict.fromkeys(reserved)}, "P-")
            )
            reserved.add(code)
            row = existing.get(code)
            if row is None:
                row = Initiative(strategy_id=scope.strategy.id, code=code, title=item.title)
                existing[code] = row
                counts["created"] += 1
            elif row.status not in (InitiativeStatus.proposed, InitiativeStatus.dropped):
                raise UserError(t("initiative.not_proposed", code=code, status=row.status))
            else:
                counts["updated"] += 1
            row.title = item.title
            by_title[(agency.id, item.title)] = code
            row.sector_id = sectors[item.sector].id
            row.agency_id = agency.id
            row.status = InitiativeStatus.proposed.value
            row.problem = item.problem
            row.expected_effect = item.expected_effect
            scope.session.add(row)
            codes.append(code)
        return {"created": counts["created"], "updated": counts["updated"], "codes": codes}


def _next_code(existing: dict[str, Any], prefix: str) -> str:
    numbers = [
        int(code[len(prefix) :])
        for code in existing
        if code.startswith(prefix) and code[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


# Initiatives the coordinator may drop during planning; later ones change in the yearly
# review (roadmap review propose … drop_initiative), where the reason is recorded.
DROPPABLE = (InitiativeStatus.proposed, InitiativeStatus.confirmed, InitiativeStatus.selected)


def drop_initiative(
    settings: Settings, code: str, *, region_code: str | None = None
) -> dict[str, Any]:
    """The coordinator drops an initiative (e.g. its hypothesis was not confirmed)."""
    with unit_of_work(settings, region_code) as scope:
        initiative = _initiative(scope, code)
        if initiative.status not in DROPPABLE:
            raise UserError(t("initiative.not_droppable", code=code, status=initiative.status))
        initiative.status = InitiativeStatus.dropped.value
        scope.session.add(initiative)
        return {"code": code, "status": initiative.status}


def _initiative(scope: Scope, code: str) -> Initiative:
    found = scope.initiatives().get(code)
    if found is None:
        raise UserError(t("initiative.unknown", code=code))
    return found


# --- interviews stage: hypotheses and interviews ------------------------------------------------


class HypothesisIn(rf._Model):
    initiative: rf.Code
    code: rf.Code
    statement: rf.Text


class InterviewIn(rf._Model):
    initiative: rf.Code
    hypothesis: rf.Code
    respondent: rf.Code
    held_on: rf.Day
    respondent_group: rf.Text
    supports: bool
    notes: rf.Text | None = None


def add_hypotheses(
    settings: Settings, items: list[HypothesisIn], *, region_code: str | None = None
) -> dict[str, Any]:
    with unit_of_work(settings, region_code) as scope:
        counts: Counter[str] = Counter()
        for item in items:
            initiative = _initiative(scope, item.initiative)
            row = _hypothesis(scope, initiative, item.code)
            if row is None:
                scope.session.add(
                    Hypothesis(
                        initiative_id=initiative.id, code=item.code, statement=item.statement
                    )
                )
                counts["created"] += 1
            elif row.statement != item.statement:
                row.statement = item.statement
                scope.session.add(row)
                counts["updated"] += 1
        return {"created": counts["created"], "updated": counts["updated"]}


def _hypothesis(scope: Scope, initiative: Initiative, code: str) -> Hypothesis | None:
    return scope.session.exec(
        select(Hypothesis).where(Hypothesis.initiative_id == initiative.id, Hypothesis.code == code)
    ).first()


def hypothesis_verdict(
    interviews: int, supporting: int, rules: HypothesisRules
) -> HypothesisStatus:
    """The configured rule: decided once there are enough interviews, by the support share."""
    if interviews < rules.min_interviews:
        return HypothesisStatus.pending
    if supporting / interviews >= rules.min_support_share:
        return HypothesisStatus.confirmed
    return HypothesisStatus.rejected


def add_interviews(
    settings: Settings, items: list[InterviewIn], *, region_code: str | None = None
) -> dict[str, Any]:
    """Record interviews (a respondent counts once per hypothesis) and re-decide hypotheses;
    an initiative whose hypothesis is confirmed becomes `confirmed`."""
    rules = load_stage_config(settings).rules.hypotheses
    with unit_of_work(settings, region_code) as scope:
        touched: dict[int, Hypothesis] = {}
        counts: Counter[str] = Counter()
        for item in items:
            initiative = _initiative(scope, item.initiative)
            hypothesis = _hypothesis(scope, initiative, item.hypothesis)
            if hypothesis is None:
                raise UserError(
                    t("hypothesis.unknown", code=item.hypothesis, initiative=item.initiative)
                )
            row = scope.session.exec(
                select(Interview).where(
                    Interview.hypothesis_id == hypothesis.id,
                    Interview.respondent == item.respondent,
                )
            ).first()
            values = {
                "held_on": item.held_on,
                "respondent_group": item.respondent_group,
                "supports": item.supports,
                "notes": item.notes,
            }
            if row is None:
                row = Interview(hypothesis_id=hypothesis.id, respondent=item.respondent, **values)
                counts["created"] += 1
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                counts["updated"] += 1
            scope.session.add(row)
            touched[hypothesis.id] = hypothesis
        scope.session.flush()
        verdicts = {}
        for hypothesis in touched.values():
            votes = list(
                scope.session.exec(
                    select(Interview.supports).where(Interview.hypothesis_id == hypothesis.id)
                )
            )
            hypothesis.status = hypothesis_verdict(len(votes), sum(votes), rules).value
            scope.session.add(hypothesis)
            initiative = scope.session.get(Initiative, hypothesis.initiative_id)
            if (
                hypothesis.status == HypothesisStatus.confirmed
                and initiative.status == InitiativeStatus.proposed
            ):
                initiative.status = InitiativeStatus.confirmed.value
                scope.session.add(initiative)
            elif initiative.status == InitiativeStatus.confirmed and not any(
                h.status == HypothesisStatus.confirmed
                for h in scope.session.exec(
                    select(Hypothesis).where(Hypothesis.initiative_id == initiative.id)
                )
            ):
                # Its only confirmed hypothesis was overturned by a changed interview.
                initiative.status = InitiativeStatus.proposed.value
                scope.session.add(initiative)
            verdicts[f"{initiative.code}/{hypothesis.code}"] = hypothesis.status
        return {"created": counts["created"], "updated": counts["updated"], "verdicts": verdicts}


def hypotheses_list(settings: Settings, *, region_code: str | None = None) -> list[dict[str, Any]]:
    with unit_of_work(settings, region_code) as scope:
        initiatives = {i.id: i for i in scope.initiatives().values()}
        rows = []
        for hypothesis in scope.session.exec(
            select(Hypothesis).where(Hypothesis.initiative_id.in_(list(initiatives)))
        ):
            votes = list(
                scope.session.exec(
                    select(Interview.supports).where(Interview.hypothesis_id == hypothesis.id)
                )
            )
            rows.append(
                {
                    "initiative": initiatives[hypothesis.initiative_id].code,
                    "code": hypothesis.code,
                    "statement": hypothesis.statement,
                    "interviews": len(votes),
                    "supporting": sum(votes),
                    "status": hypothesis.status,
                }
            )
        return sorted(rows, key=lambda r: (r["initiative"], r["code"]))


# --- analysis stage: weighted scores, ranking and selection ---------------------------------------


class ScoreIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    initiative: rf.Code


def record_scores(
    settings: Settings, items: list[ScoreIn], *, region_code: str | None = None
) -> dict[str, Any]:
    """Scores 0–10 per configured criterion; a row may carry any subset of the criteria."""
    criteria = load_stage_config(settings).rules.analysis.criteria
    with unit_of_work(settings, region_code) as scope:
        changed = 0
        for item in items:
            initiative = _initiative(scope, item.initiative)
            for criterion, raw in (item.model_extra or {}).items():
                if criterion not in criteria:
                    raise UserError(
                        t("score.unknown_criterion", criterion=criterion, known=", ".join(criteria))
                    )
                if raw is None or raw == "":
                    continue
                try:
                    value = float(str(raw).replace(",", "."))
                except ValueError:
                    value = -1.0
                if not 0 <= value <= 10:
                    raise UserError(
                        t("score.bad_value", code=item.initiative, criterion=criterion, value=raw)
                    )
                row = scope.session.exec(
                    select(InitiativeScore).where(
                        InitiativeScore.initiative_id == initiative.id,
                        InitiativeScore.criterion == criterion,
                    )
                ).first()
                if row is None:
                    row = InitiativeScore(
                        initiative_id=initiative.id, criterion=criterion, value=value
                    )
                elif row.value == value:
                    continue
                row.value = value
                scope.session.add(row)
                changed += 1
        return {"scores": changed}


def rank(
    scores: dict[str, dict[str, float]],
    weights: dict[str, float],
    *,
    budgets: dict[str, Decimal] | None = None,
    cut_count: int | None = None,
    cut_budget: Decimal | None = None,
) -> list[dict[str, Any]]:
    """Weighted total per initiative (0–10), ranked best first (ties by code), then the cut:
    the best `cut_count`, or the best whose planned budgets together fit in `cut_budget`."""
    total_weight = sum(weights.values())
    ranked = sorted(
        (
            (round(sum(weights[c] * s[c] for c in weights) / total_weight, 4), code)
            for code, s in scores.items()
        ),
        key=lambda pair: (-pair[0], pair[1]),
    )
    results, spent = [], Decimal(0)
    for place, (total, code) in enumerate(ranked, start=1):
        if cut_count is not None:
            selected = place <= cut_count
        else:
            cost = (budgets or {}).get(code, Decimal(0))
            selected = spent + cost <= (cut_budget or Decimal(0))
            if selected:
                spent += cost
        results.append(
            {
                "initiative": code,
                "total": total,
                "rank": place,
                "selected": selected,
                "scores": scores[code],
            }
        )
    return results


def run_analysis(
    settings: Settings,
    *,
    cut_count: int | None = None,
    cut_budget: Decimal | None = None,
    region_code: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Rank the candidates (confirmed initiatives and those an earlier run selected) and
    select the best; the run is recorded with the weights, cut and scores behind it."""
    rules = load_stage_config(settings).rules.analysis
    if cut_count is None and cut_budget is None:
        cut_count, cut_budget = rules.cut_count, rules.cut_budget
    weights = rules.criteria
    with unit_of_work(settings, region_code, now) as scope:
        initiatives = scope.initiatives()
        by_id = {i.id: i for i in initiatives.values()}
        previous = _latest_analysis(scope)
        earlier = set()
        if previous is not None:
            earlier = set(
                scope.session.exec(
                    select(AnalysisResult.initiative_id).where(
                        AnalysisResult.analysis_run_id == previous.id, AnalysisResult.selected
                    )
                )
            )
        candidates = [
            i
            for i in initiatives.values()
            if i.status == InitiativeStatus.confirmed
            or (i.id in earlier and i.status == InitiativeStatus.selected)
        ]
        if not candidates:
            raise UserError(t("analysis.no_candidates"))
        scores: dict[str, dict[str, float]] = defaultdict(dict)
        for row in scope.session.exec(
            select(InitiativeScore).where(
                InitiativeScore.initiative_id.in_([i.id for i in candidates])
            )
        ):
            scores[by_id[row.initiative_id].code][row.criterion] = row.value
        missing = [
            f"{i.code}: {', '.join(c for c in weights if c not in scores[i.code])}"
            for i in candidates
            if any(c not in scores[i.code] for c in weights)
        ]
        if missing:
            raise UserError(t("analysis.missing_scores", items="; ".join(missing)))
        budgets: dict[str, Decimal] = defaultdict(Decimal)
        for line in scope.session.exec(
            select(BudgetLine).where(BudgetLine.initiative_id.in_([i.id for i in candidates]))
        ):
            budgets[by_id[line.initiative_id].code] += kopecks_to_roubles(line.planned_kopecks)
        results = rank(
            {i.code: scores[i.code] for i in candidates},
            weights,
            budgets=budgets,
            cut_count=cut_count,
            cut_budget=cut_budget,
        )
        cut = f"count:{cut_count}" if cut_count is not None else f"budget:{cut_budget}"
        run = AnalysisRun(
            strategy_id=scope.strategy.id,
            created_at=scope.now,
            weights=json.dumps(weights),
            cut=cut,
            selected=sum(r["selected"] for r in results),
        )
        scope.session.add(run)
        scope.session.flush()
        for result in results:
            initiative = initiatives[result["initiative"]]
            scope.session.add(
                AnalysisResult(
                    analysis_run_id=run.id,
                    initiative_id=initiative.id,
                    scores=json.dumps(result["scores"]),
                    total=result["total"],
                    rank=result["rank"],
                    selected=result["selected"],
                )
            )
            initiative.status = (
                InitiativeStatus.selected if result["selected"] else InitiativeStatus.confirmed
            ).value
            scope.session.add(initiative)
            result["title"] = initiative.title
            result["planned"] = str(budgets.get(initiative.code, Decimal("0.00")))
        return {"run": run.id, "cut": cut, "weights": weights, "results": results}


def latest_selection(
    settings: Settings, *, region_code: str | None = None
) -> dict[str, Any] | None:
    """The last analysis run with its ranking, or None."""
    with unit_of_work(settings, region_code) as scope:
        run = _latest_analysis(scope)
        if run is None:
            return None
        by_id = {i.id: i for i in scope.initiatives().values()}
        results = [
            {
                "initiative": by_id[r.initiative_id].code,
                "title": by_id[r.initiative_id].title,
                "total": r.total,
                "rank": r.rank,
                "selected": r.selected,
                "scores": json.loads(r.scores),
            }
            for r in scope.session.exec(
                select(AnalysisResult)
                .where(AnalysisResult.analysis_run_id == run.id)
                .order_by(AnalysisResult.rank)
            )
        ]
        return {
            "run": run.id,
            "cut": run.cut,
            "weights": json.loads(run.weights),
            "results": results,
        }


# --- architecture review: inventory, duplicates, Gostekh candidates, decisions -----------------


class DecisionIn(rf._Model):
    agency: rf.Code
    decision: rf.Text


def architecture_review(
    settings: Settings, *, region_code: str | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """Per agency: its systems, systems that duplicate another's function, Gostekh
    migration candidates with due dates, and the recorded decision."""
    rules = load_stage_config(settings).rules.architecture
    with unit_of_work(settings, region_code, now) as scope:
        agencies = scope.agencies()
        code_of = {a.id: a.code for a in agencies}
        systems = list(
            scope.session.exec(
                select(InformationSystem)
                .where(InformationSystem.region_id == scope.region.id)
                .order_by(InformationSystem.code)
            )
        )
        by_function: dict[str, list[InformationSystem]] = defaultdict(list)
        for system in systems:
            if system.function:
                by_function[system.function].append(system)
        duplicates = [
            {
                "function": function,
                "systems": [
                    {"code": s.code, "agency": code_of[s.agency_id], "name": s.name} for s in group
                ],
            }
            for function, group in sorted(by_function.items())
            if len(group) > 1
        ]
        default_due = date(scope.today.year + rules.gostekh_due_years, 12, 31)
        candidates = [
            {
                "code": s.code,
                "agency": code_of[s.agency_id],
                "name": s.name,
                "platform": s.platform,
                "due": (s.gostekh_migration_due or default_due).isoformat(),
                "due_proposed": s.gostekh_migration_due is None,
            }
            for s in systems
            if (s.platform or "").lower() != "gostekh"
        ]
        decisions = {
            d.agency_id: d.decision
            for d in scope.session.exec(
                select(ArchitectureDecision).where(
                    ArchitectureDecision.strategy_id == scope.strategy.id
                )
            )
        }
        per_agency = [
            {
                "agency": a.code,
                "systems": [s.code for s in systems if s.agency_id == a.id],
                "decision": decisions.get(a.id),
            }
            for a in agencies
        ]
        return {"agencies": per_agency, "duplicates": duplicates, "gostekh_candidates": candidates}


def record_decisions(
    settings: Settings,
    items: list[DecisionIn],
    *,
    region_code: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    with unit_of_work(settings, region_code, now) as scope:
        counts: Counter[str] = Counter()
        for item in items:
            agency = scope.agency(item.agency)
            row = scope.session.exec(
                select(ArchitectureDecision).where(
                    ArchitectureDecision.strategy_id == scope.strategy.id,
                    ArchitectureDecision.agency_id == agency.id,
                )
            ).first()
            if row is None:
                row = ArchitectureDecision(
                    strategy_id=scope.strategy.id,
                    agency_id=agency.id,
                    decision=item.decision,
                    decided_at=scope.now,
                )
                counts["created"] += 1
            elif row.decision != item.decision:
                row.decision, row.decided_at = item.decision, scope.now
                counts["updated"] += 1
            scope.session.add(row)
        return {"created": counts["created"], "updated": counts["updated"]}


# --- tasks --------------------------------------------------------------------------------------


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

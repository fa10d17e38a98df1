"""The analysis stage: weighted scores, ranking and the selection."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict
from sqlmodel import select

from roadmap.config import load_stage_config
from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.roadmap_file.schema import Code
from roadmap.settings import Settings
from roadmap.stages.proposals import _initiative
from roadmap.stages.runs import _latest_analysis
from roadmap.store.models import (
    AnalysisResult,
    AnalysisRun,
    BudgetLine,
    Initiative,
    InitiativeScore,
    InitiativeStatus,
    kopecks_to_roubles,
)
from roadmap.store.unit_of_work import Scope, unit_of_work


class ScoreIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    initiative: Code


@dataclass(frozen=True, slots=True)
class ScoresSaved:
    scores: int  # scores written or changed


@dataclass(frozen=True, slots=True)
class Ranked:
    """An initiative's place in a ranking: its weighted total (0–10) and whether the cut
    selects it, with the scores behind it."""

    initiative: str
    total: float
    rank: int
    selected: bool
    scores: dict[str, float]


@dataclass(frozen=True, slots=True)
class RankedInitiative(Ranked):
    title: str
    planned: Decimal  # roubles, all years and sources


@dataclass(frozen=True, slots=True)
class AnalysisRan:
    run: int
    cut: str  # "count:N" or "budget:ROUBLES"
    weights: dict[str, float]
    results: list[RankedInitiative]


@dataclass(frozen=True, slots=True)
class SelectionRow:
    initiative: str
    title: str
    total: float
    rank: int
    selected: bool
    scores: dict[str, float]


@dataclass(frozen=True, slots=True)
class Selection:
    """The last analysis run with its ranking."""

    run: int
    cut: str
    weights: dict[str, float]
    results: list[SelectionRow]


def record_scores(
    settings: Settings, items: list[ScoreIn], *, region_code: str | None = None
) -> ScoresSaved:
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
        return ScoresSaved(scores=changed)


def rank(
    scores: dict[str, dict[str, float]],
    weights: dict[str, float],
    *,
    budgets: dict[str, Decimal] | None = None,
    cut_count: int | None = None,
    cut_budget: Decimal | None = None,
) -> list[Ranked]:
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
            Ranked(initiative=code, total=total, rank=place, selected=selected, scores=scores[code])
        )
    return results


def run_analysis(
    settings: Settings,
    *,
    cut_count: int | None = None,
    cut_budget: Decimal | None = None,
    region_code: str | None = None,
    now: datetime | None = None,
) -> AnalysisRan:
    """Rank the candidates (confirmed initiatives and those an earlier run selected) and
    select the best; the run is recorded with the weights, cut and scores behind it."""
    rules = load_stage_config(settings).rules.analysis
    if cut_count is None and cut_budget is None:
        cut_count, cut_budget = rules.cut_count, rules.cut_budget
    weights = rules.criteria
    with unit_of_work(settings, region_code, now) as scope:
        initiatives = scope.initiatives()
        candidates = _candidates(scope, initiatives)
        scores = _scores(scope, candidates, weights)
        budgets = _planned(scope, candidates)
        results = rank(scores, weights, budgets=budgets, cut_count=cut_count, cut_budget=cut_budget)
        cut = f"count:{cut_count}" if cut_count is not None else f"budget:{cut_budget}"
        run = _record_run(scope, initiatives, weights, cut, results)
        return AnalysisRan(
            run=run.id,
            cut=cut,
            weights=weights,
            results=[
                RankedInitiative(
                    initiative=r.initiative,
                    total=r.total,
                    rank=r.rank,
                    selected=r.selected,
                    scores=r.scores,
                    title=initiatives[r.initiative].title,
                    planned=budgets.get(r.initiative, Decimal("0.00")),
                )
                for r in results
            ],
        )


def _candidates(scope: Scope, initiatives: dict[str, Initiative]) -> list[Initiative]:
    """Confirmed initiatives and those the previous run selected; none is an error."""
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
    return candidates


def _scores(
    scope: Scope, candidates: list[Initiative], weights: dict[str, float]
) -> dict[str, dict[str, float]]:
    """Each candidate's score per criterion; a criterion without a score is an error."""
    code_of = {i.id: i.code for i in candidates}
    scores: dict[str, dict[str, float]] = defaultdict(dict)
    for row in scope.session.exec(
        select(InitiativeScore).where(InitiativeScore.initiative_id.in_(list(code_of)))
    ):
        scores[code_of[row.initiative_id]][row.criterion] = row.value
    missing = [
        f"{i.code}: {', '.join(c for c in weights if c not in scores[i.code])}"
        for i in candidates
        if any(c not in scores[i.code] for c in weights)
    ]
    if missing:
        raise UserError(t("analysis.missing_scores", items="; ".join(missing)))
    return {i.code: scores[i.code] for i in candidates}


def _planned(scope: Scope, candidates: list[Initiative]) -> dict[str, Decimal]:
    """Each candidate's planned budget in roubles, all years and sources together."""
    code_of = {i.id: i.code for i in candidates}
    budgets: dict[str, Decimal] = defaultdict(Decimal)
    for line in scope.session.exec(
        select(BudgetLine).where(BudgetLine.initiative_id.in_(list(code_of)))
    ):
        budgets[code_of[line.initiative_id]] += kopecks_to_roubles(line.planned_kopecks)
    return budgets


def _record_run(
    scope: Scope,
    initiatives: dict[str, Initiative],
    weights: dict[str, float],
    cut: str,
    results: list[Ranked],
) -> AnalysisRun:
    """The run with its results; the selected initiatives become selected, the rest confirmed."""
    run = AnalysisRun(
        strategy_id=scope.strategy.id,
        created_at=scope.now,
        weights=json.dumps(weights),
        cut=cut,
        selected=sum(r.selected for r in results),
    )
    scope.session.add(run)
    scope.session.flush()
    for result in results:
        initiative = initiatives[result.initiative]
        scope.session.add(
            AnalysisResult(
                analysis_run_id=run.id,
                initiative_id=initiative.id,
                scores=json.dumps(result.scores),
                total=result.total,
                rank=result.rank,
                selected=result.selected,
            )
        )
        initiative.status = (
            InitiativeStatus.selected if result.selected else InitiativeStatus.confirmed
        ).value
        scope.session.add(initiative)
    return run


def latest_selection(settings: Settings, *, region_code: str | None = None) -> Selection | None:
    """The last analysis run with its ranking, or None."""
    with unit_of_work(settings, region_code) as scope:
        run = _latest_analysis(scope)
        if run is None:
            return None
        by_id = {i.id: i for i in scope.initiatives().values()}
        results = [
            SelectionRow(
                initiative=by_id[r.initiative_id].code,
                title=by_id[r.initiative_id].title,
                total=r.total,
                rank=r.rank,
                selected=r.selected,
                scores=json.loads(r.scores),
            )
            for r in scope.session.exec(
                select(AnalysisResult)
                .where(AnalysisResult.analysis_run_id == run.id)
                .order_by(AnalysisResult.rank)
            )
        ]
        return Selection(run=run.id, cut=run.cut, weights=json.loads(run.weights), results=results)

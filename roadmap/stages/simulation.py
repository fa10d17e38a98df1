"""Simulated emissaries' work for the demo: proposals, interviews, scores, decisions."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from roadmap.settings import Settings
from roadmap.store.models import InitiativeStatus

if TYPE_CHECKING:
    from roadmap.plan.queries import InitiativeRow

_PROPOSALS = {
    "minzdrav": (
        "health",
        "Запись к врачу через голосового помощника",
        "Очереди в колл-центр поликлиник",
        "Запись без ожидания на линии",
    ),
    "minobr": (
        "education",
        "Электронная очередь в детские сады",
        "Родители не видят своего места в очереди",
        "Прозрачная очередь онлайн",
    ),
    "minsoc": (
        "social",
        "Проактивное назначение пособий при рождении ребёнка",
        "Семьи собирают справки сами",
        "Пособие без заявления",
    ),
    "mingkh": (
        "housing",
        "Цифровой паспорт многоквартирного дома",
        "Жители не знают о плановых ремонтах",
        "Сведения о доме в одном окне",
    ),
    "mintrans": (
        "transport",
        "Прогноз прибытия пригородных автобусов",
        "Пассажиры ждут на остановках без расписания",
        "Время ожидания сократится",
    ),
    "mintour": (
        "tourism",
        "Электронная путёвка на маршруты национальных парков",
        "Бумажные пропуска в нацпарки",
        "Пропуск онлайн за минуту",
    ),
    "mincifra": (
        "public_admin",
        "Единая платформа обратной связи для органов края",
        "Обращения теряются между ведомствами",
        "Ответ в срок по каждому обращению",
    ),
    "minfin": (
        "finance",
        "Открытый бюджет для жителей",
        "Жители не видят, на что тратится бюджет",
        "Понятный отчёт о расходах",
    ),
}
# One proposal the residents do not support: the coordinator drops it.


_UNSUPPORTED = "mintour"


def _score(code: str, criterion: str) -> float:
    """A stable pseudo-score 3–10 for the demo, the same on every run."""
    digest = hashlib.sha256(f"{code}/{criterion}".encode()).digest()
    return 3 + digest[0] % 8


def simulate_stage_work(settings: Settings, key: str, *, now: datetime) -> dict[str, int]:
    """What emissaries and the coordinator do during a stage, so that its gate can pass:
    proposals, hypotheses and interviews, scores and the analysis run, review decisions,
    and every task of the stage submitted: how many of each were done. Demo only."""
    from roadmap.plan.tasks import submit_tasks

    step = _STEPS.get(key)
    done: dict[str, int] = step(settings, now) if step is not None else {}
    done["submitted"] = submit_tasks(settings, stage=key, now=now)
    return done


def _propose(settings: Settings, now: datetime) -> dict[str, int]:
    from roadmap.stages.proposals import ProposalIn, propose_initiatives

    proposals = [
        ProposalIn(
            code=f"P-{agency}",
            title=title,
            sector=sector,
            agency=agency,
            problem=problem,
            expected_effect=effect,
        )
        for agency, (sector, title, problem, effect) in _PROPOSALS.items()
    ]
    return {"proposed": propose_initiatives(settings, proposals).created}


def _interview(settings: Settings, now: datetime) -> dict[str, int]:
    """A hypothesis per candidate, interviews for it; the initiatives residents reject drop."""
    from roadmap.config import load_stage_config
    from roadmap.stages.interviews import HypothesisIn, add_hypotheses, add_interviews
    from roadmap.stages.proposals import drop_initiative

    rules = load_stage_config(settings).rules.hypotheses
    candidates = [
        row
        for row in _initiatives(settings)
        if row.status in (InitiativeStatus.proposed, InitiativeStatus.confirmed)
    ]
    add_hypotheses(
        settings,
        [
            HypothesisIn(
                initiative=row.code,
                code="HYP-1",
                statement=f"Жителям нужно: {row.title.lower()}",
            )
            for row in candidates
        ],
    )
    interviews = [
        interview
        for row in candidates
        for interview in _interviews_of(row.code, rules.min_interviews, now)
    ]
    verdicts = add_interviews(settings, interviews).verdicts
    rejected = [name.split("/")[0] for name, v in verdicts.items() if v == "rejected"]
    for code in rejected:
        drop_initiative(settings, code)
    return {"interviews": len(interviews), "dropped": len(rejected)}


def _interviews_of(code: str, min_interviews: int, now: datetime) -> list[Any]:
    """One more interview than the rules ask; the unsupported proposal gets mostly 'no'."""
    from roadmap.stages.interviews import InterviewIn

    against = min_interviews if code == f"P-{_UNSUPPORTED}" else 1
    return [
        InterviewIn(
            initiative=code,
            hypothesis="HYP-1",
            respondent=f"R-{n + 1:03d}",
            held_on=now.date(),
            respondent_group=("жители Владивостока", "жители районов")[n % 2],
            supports=n >= against,
        )
        for n in range(min_interviews + 1)
    ]


def _analyse(settings: Settings, now: datetime) -> dict[str, int]:
    from roadmap.config import load_stage_config
    from roadmap.stages.analysis import ScoreIn, record_scores, run_analysis

    criteria = load_stage_config(settings).rules.analysis.criteria
    confirmed = [
        row.code for row in _initiatives(settings) if row.status == InitiativeStatus.confirmed
    ]
    record_scores(
        settings,
        [ScoreIn(initiative=code, **{c: _score(code, c) for c in criteria}) for code in confirmed],
    )
    result = run_analysis(settings, now=now)
    return {
        "selected": sum(r.selected for r in result.results),
        "ranked": len(result.results),
    }


def _decide_architecture(settings: Settings, now: datetime) -> dict[str, int]:
    """A decision per agency: merge duplicated systems, move to Gostekh, or nothing to do."""
    from roadmap.stages.architecture import DecisionIn, architecture_review, record_decisions

    review = architecture_review(settings, now=now)
    duplicated = {s.agency: dup.function for dup in review.duplicates for s in dup.systems}
    moving: dict[str, date] = {}
    for candidate in review.gostekh_candidates:
        moving.setdefault(candidate.agency, candidate.due)
    decisions = []
    for agency in review.agencies:
        code = agency.agency
        parts = []
        if code in duplicated:
            parts.append(f"объединить системы с функцией {duplicated[code]}")
        if code in moving:
            parts.append(f"перевести системы на ГосТех до {moving[code]}")
        decisions.append(
            DecisionIn(agency=code, decision="; ".join(parts) or "изменений не требуется")
        )
    record_decisions(settings, decisions, now=now)
    return {"decisions": len(decisions), "duplicates": len(review.duplicates)}


_STEPS: dict[str, Callable[[Settings, datetime], dict[str, int]]] = {
    "initiatives": _propose,
    "interviews": _interview,
    "analysis": _analyse,
    "architecture_review": _decide_architecture,
}


def _initiatives(settings: Settings) -> list[InitiativeRow]:
    from roadmap.plan.queries import list_initiatives
    from roadmap.store.unit_of_work import region_session

    with region_session(settings) as (session, region):
        return list_initiatives(session, region)

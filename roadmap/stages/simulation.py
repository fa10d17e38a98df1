"""Simulated emissaries' work for the demo: proposals, interviews, scores, decisions."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from roadmap.settings import Settings

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


def simulate_stage_work(settings: Settings, key: str, *, now: datetime) -> dict[str, Any]:
    """What emissaries and the coordinator do during a stage, so that its gate can pass:
    proposals, hypotheses and interviews, scores and the analysis run, review decisions,
    and every task of the stage submitted. Demo only."""
    from roadmap.config import load_stage_config
    from roadmap.plan.tasks import submit_tasks
    from roadmap.stages.analysis import ScoreIn, record_scores, run_analysis
    from roadmap.stages.architecture import DecisionIn, architecture_review, record_decisions
    from roadmap.stages.interviews import HypothesisIn, InterviewIn, add_hypotheses, add_interviews
    from roadmap.stages.proposals import ProposalIn, drop_initiative, propose_initiatives

    done: dict[str, Any] = {}
    if key == "initiatives":
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
        done["proposed"] = propose_initiatives(settings, proposals)["created"]
    elif key == "interviews":
        rules = load_stage_config(settings).rules.hypotheses
        candidates = [
            row for row in _initiatives(settings) if row["status"] in ("proposed", "confirmed")
        ]
        add_hypotheses(
            settings,
            [
                HypothesisIn(
                    initiative=row["code"],
                    code="HYP-1",
                    statement=f"Жителям нужно: {row['title'].lower()}",
                )
                for row in candidates
            ],
        )
        interviews = []
        for row in candidates:
            against = rules.min_interviews if row["code"] == f"P-{_UNSUPPORTED}" else 1
            for n in range(rules.min_interviews + 1):
                interviews.append(
                    InterviewIn(
                        initiative=row["code"],
                        hypothesis="HYP-1",
                        respondent=f"R-{n + 1:03d}",
                        held_on=now.date(),
                        respondent_group=("жители Владивостока", "жители районов")[n % 2],
                        supports=n >= against,
                    )
                )
        verdicts = add_interviews(settings, interviews)["verdicts"]
        done["interviews"] = len(interviews)
        rejected = [name.split("/")[0] for name, v in verdicts.items() if v == "rejected"]
        for code in rejected:
            drop_initiative(settings, code)
        done["dropped"] = len(rejected)
    elif key == "analysis":
        criteria = load_stage_config(settings).rules.analysis.criteria
        confirmed = [row["code"] for row in _initiatives(settings) if row["status"] == "confirmed"]
        record_scores(
            settings,
            [
                ScoreIn(initiative=code, **{c: _score(code, c) for c in criteria})
                for code in confirmed
            ],
        )
        result = run_analysis(settings, now=now)
        done["selected"] = sum(r["selected"] for r in result["results"])
        done["ranked"] = len(result["results"])
    elif key == "architecture_review":
        review = architecture_review(settings, now=now)
        duplicated = {
            s["agency"]: dup["function"] for dup in review["duplicates"] for s in dup["systems"]
        }
        moving = {}
        for candidate in review["gostekh_candidates"]:
            moving.setdefault(candidate["agency"], candidate["due"])
        decisions = []
        for agency in review["agencies"]:
            code = agency["agency"]
            parts = []
            if code in duplicated:
                parts.append(f"объединить системы с функцией {duplicated[code]}")
            if code in moving:
                parts.append(f"перевести системы на ГосТех до {moving[code]}")
            decisions.append(
                DecisionIn(agency=code, decision="; ".join(parts) or "изменений не требуется")
            )
        record_decisions(settings, decisions, now=now)
        done["decisions"] = len(decisions)
        done["duplicates"] = len(review["duplicates"])
    done["submitted"] = submit_tasks(settings, stage=key, now=now)
    return done


def _initiatives(settings: Settings) -> list[dict[str, Any]]:
    from roadmap.plan.queries import list_initiatives
    from roadmap.store.unit_of_work import region_session

    with region_session(settings) as (session, region):
        return list_initiatives(session, region)

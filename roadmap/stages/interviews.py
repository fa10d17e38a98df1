"""The interviews stage: hypotheses per initiative, residents' interviews, the verdict rule."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlmodel import select

from roadmap.config import HypothesisRules, load_stage_config
from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.roadmap_file.schema import Code, Day, StrictModel, Text
from roadmap.settings import Settings
from roadmap.stages.proposals import _initiative
from roadmap.store.models import (
    Hypothesis,
    HypothesisStatus,
    Initiative,
    InitiativeStatus,
    Interview,
)
from roadmap.store.unit_of_work import (
    Scope,
    unit_of_work,
)


class HypothesisIn(StrictModel):
    initiative: Code
    code: Code
    statement: Text


class InterviewIn(StrictModel):
    initiative: Code
    hypothesis: Code
    respondent: Code
    held_on: Day
    respondent_group: Text
    supports: bool
    notes: Text | None = None


@dataclass(frozen=True, slots=True)
class HypothesesSaved:
    created: int
    updated: int


@dataclass(frozen=True, slots=True)
class InterviewsSaved:
    created: int
    updated: int
    verdicts: dict[str, HypothesisStatus]  # "initiative/hypothesis": its verdict now


@dataclass(frozen=True, slots=True)
class HypothesisRow:
    initiative: str
    code: str
    statement: str
    interviews: int
    supporting: int
    status: HypothesisStatus


def add_hypotheses(
    settings: Settings, items: list[HypothesisIn], *, region_code: str | None = None
) -> HypothesesSaved:
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
        return HypothesesSaved(created=counts["created"], updated=counts["updated"])


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
) -> InterviewsSaved:
    """Record interviews (a respondent counts once per hypothesis) and re-decide hypotheses;
    an initiative whose hypothesis is confirmed becomes `confirmed`."""
    rules = load_stage_config(settings).rules.hypotheses
    with unit_of_work(settings, region_code) as scope:
        touched: dict[int, Hypothesis] = {}
        counts: Counter[str] = Counter()
        for item in items:
            hypothesis, change = _record_interview(scope, item)
            if change:
                counts[change] += 1
            touched[hypothesis.id] = hypothesis
        scope.session.flush()
        verdicts = {}
        for hypothesis in touched.values():
            initiative = _decide(scope, hypothesis, rules)
            verdicts[f"{initiative.code}/{hypothesis.code}"] = HypothesisStatus(hypothesis.status)
        return InterviewsSaved(
            created=counts["created"], updated=counts["updated"], verdicts=verdicts
        )


def _record_interview(scope: Scope, item: InterviewIn) -> tuple[Hypothesis, str | None]:
    """The interview written (matched by hypothesis and respondent); 'created', 'updated' or None."""
    initiative = _initiative(scope, item.initiative)
    hypothesis = _hypothesis(scope, initiative, item.hypothesis)
    if hypothesis is None:
        raise UserError(t("hypothesis.unknown", code=item.hypothesis, initiative=item.initiative))
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
    change = None
    if row is None:
        row = Interview(hypothesis_id=hypothesis.id, respondent=item.respondent, **values)
        change = "created"
    elif any(getattr(row, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(row, k, v)
        change = "updated"
    scope.session.add(row)
    return hypothesis, change


def _decide(scope: Scope, hypothesis: Hypothesis, rules: HypothesisRules) -> Initiative:
    """The hypothesis's verdict from its votes, and its initiative's status from the verdicts."""
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
    return initiative


def hypotheses_list(settings: Settings, *, region_code: str | None = None) -> list[HypothesisRow]:
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
                HypothesisRow(
                    initiative=initiatives[hypothesis.initiative_id].code,
                    code=hypothesis.code,
                    statement=hypothesis.statement,
                    interviews=len(votes),
                    supporting=sum(votes),
                    status=HypothesisStatus(hypothesis.status),
                )
            )
        return sorted(rows, key=lambda r: (r.initiative, r.code))

"""The architecture review stage: systems per agency, duplicates, Gostekh candidates, decisions."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import select

from roadmap.config import load_stage_config
from roadmap.roadmap_file.schema import Code, StrictModel, Text
from roadmap.settings import Settings
from roadmap.store.models import (
    ArchitectureDecision,
    InformationSystem,
)
from roadmap.store.unit_of_work import Scope, unit_of_work


class DecisionIn(StrictModel):
    agency: Code
    decision: Text


@dataclass(frozen=True, slots=True)
class SystemRef:
    code: str
    agency: str
    name: str


@dataclass(frozen=True, slots=True)
class Duplicate:
    """Systems of several agencies that do the same thing."""

    function: str
    systems: list[SystemRef]


@dataclass(frozen=True, slots=True)
class GostekhCandidate:
    code: str
    agency: str
    name: str
    platform: str | None
    due: date  # the recorded migration date, or the default the rules propose
    due_proposed: bool


@dataclass(frozen=True, slots=True)
class AgencyArchitecture:
    agency: str
    systems: list[str]
    decision: str | None


@dataclass(frozen=True, slots=True)
class ArchitectureReview:
    agencies: list[AgencyArchitecture]
    duplicates: list[Duplicate]
    gostekh_candidates: list[GostekhCandidate]


@dataclass(frozen=True, slots=True)
class DecisionsSaved:
    created: int
    updated: int


def architecture_review(
    settings: Settings, *, region_code: str | None = None, now: datetime | None = None
) -> ArchitectureReview:
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
        default_due = date(scope.today.year + rules.gostekh_due_years, 12, 31)
        candidates = [
            GostekhCandidate(
                code=s.code,
                agency=code_of[s.agency_id],
                name=s.name,
                platform=s.platform,
                due=s.gostekh_migration_due or default_due,
                due_proposed=s.gostekh_migration_due is None,
            )
            for s in systems
            if (s.platform or "").lower() != "gostekh"
        ]
        return ArchitectureReview(
            agencies=_per_agency(scope, systems),
            duplicates=_duplicates(systems, code_of),
            gostekh_candidates=candidates,
        )


def _duplicates(systems: list[InformationSystem], code_of: dict[int, str]) -> list[Duplicate]:
    by_function: dict[str, list[InformationSystem]] = defaultdict(list)
    for system in systems:
        if system.function:
            by_function[system.function].append(system)
    return [
        Duplicate(
            function=function,
            systems=[
                SystemRef(code=s.code, agency=code_of[s.agency_id], name=s.name) for s in group
            ],
        )
        for function, group in sorted(by_function.items())
        if len(group) > 1
    ]


def _per_agency(scope: Scope, systems: list[InformationSystem]) -> list[AgencyArchitecture]:
    """Each agency's systems and its recorded decision."""
    decisions = {
        d.agency_id: d.decision
        for d in scope.session.exec(
            select(ArchitectureDecision).where(
                ArchitectureDecision.strategy_id == scope.strategy.id
            )
        )
    }
    return [
        AgencyArchitecture(
            agency=a.code,
            systems=[s.code for s in systems if s.agency_id == a.id],
            decision=decisions.get(a.id),
        )
        for a in scope.agencies()
    ]


def record_decisions(
    settings: Settings,
    items: list[DecisionIn],
    *,
    region_code: str | None = None,
    now: datetime | None = None,
) -> DecisionsSaved:
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
        return DecisionsSaved(created=counts["created"], updated=counts["updated"])

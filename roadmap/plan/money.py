"""The plan's money: one definition for every view (summary, versions, diff, reports).

The plan's money is the planned (and actual) money of its budget lines whose initiative
still counts: an initiative that was dropped (`dropped`) is no longer in the plan, so its
lines leave every total and are shown apart as "excluded". The same rule reads the live
store and a version's snapshot, so a version and the current state always agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from roadmap.store.models import (
    Agency,
    BudgetLine,
    Initiative,
    InitiativeStatus,
    Sector,
    Strategy,
    kopecks_to_roubles,
    roubles_to_kopecks,
)

#: Initiative statuses whose money is not in the plan's totals.
EXCLUDED_STATUSES = frozenset({InitiativeStatus.dropped})


@dataclass(frozen=True, slots=True)
class MoneyLine:
    """One budget line with what the totals are cut by."""

    initiative: str
    status: str
    sector: str
    agency: str
    year: int
    source: str
    planned_kopecks: int
    actual_kopecks: int | None = None

    @property
    def counts(self) -> bool:
        return self.status not in EXCLUDED_STATUSES


@dataclass(frozen=True, slots=True)
class PlanMoney:
    """Totals of the plan in kopecks; `by` cuts the planned money by (sector, source, year,
    agency); `excluded` is the planned money of initiatives no longer in the plan."""

    planned_kopecks: int = 0
    actual_kopecks: int = 0
    excluded_kopecks: int = 0
    excluded_initiatives: tuple[str, ...] = ()
    by: dict[tuple[str, str, int, str], int] = field(default_factory=dict)

    @property
    def planned(self) -> Decimal:
        return kopecks_to_roubles(self.planned_kopecks)

    @property
    def actual(self) -> Decimal:
        return kopecks_to_roubles(self.actual_kopecks)

    @property
    def excluded(self) -> Decimal:
        return kopecks_to_roubles(self.excluded_kopecks)

    def planned_by(self, *keys: str) -> dict[tuple[Any, ...], Decimal]:
        """Planned roubles summed by some of "sector", "source", "year", "agency"."""
        names = ("sector", "source", "year", "agency")
        index = [names.index(key) for key in keys]
        out: dict[tuple[Any, ...], int] = defaultdict(int)
        for cut, kopecks in self.by.items():
            out[tuple(cut[i] for i in index)] += kopecks
        return {key: kopecks_to_roubles(value) for key, value in sorted(out.items())}


def tally(lines: Iterable[MoneyLine]) -> PlanMoney:
    planned = actual = excluded = 0
    excluded_codes: set[str] = set()
    by: dict[tuple[str, str, int, str], int] = defaultdict(int)
    for line in lines:
        if not line.counts:
            excluded += line.planned_kopecks
            excluded_codes.add(line.initiative)
            continue
        planned += line.planned_kopecks
        actual += line.actual_kopecks or 0
        by[(line.sector, line.source, line.year, line.agency)] += line.planned_kopecks
    return PlanMoney(
        planned_kopecks=planned,
        actual_kopecks=actual,
        excluded_kopecks=excluded,
        excluded_initiatives=tuple(sorted(excluded_codes)),
        by=dict(by),
    )


def plan_money(session: Session, strategy: Strategy) -> PlanMoney:
    """The money of the strategy's current state in the store."""
    rows = session.exec(
        select(BudgetLine, Initiative.code, Initiative.status, Sector.code, Agency.code)
        .join(Initiative, BudgetLine.initiative_id == Initiative.id)
        .join(Sector, Initiative.sector_id == Sector.id)
        .join(Agency, Initiative.agency_id == Agency.id)
        .where(Initiative.strategy_id == strategy.id)
    )
    return tally(
        MoneyLine(
            initiative=code,
            status=status,
            sector=sector,
            agency=agency,
            year=line.year,
            source=line.source,
            planned_kopecks=line.planned_kopecks,
            actual_kopecks=line.actual_kopecks,
        )
        for line, code, status, sector, agency in rows
    )


def snapshot_money(snapshot: dict[str, Any]) -> PlanMoney:
    """The money of a version's snapshot (planned only: versions keep no actuals)."""
    initiatives = snapshot["initiatives"]
    lines = []
    for key, planned in snapshot["budget"].items():
        code, year, source = key.split("|")
        initiative = initiatives.get(code, {})
        lines.append(
            MoneyLine(
                initiative=code,
                status=initiative.get("status", InitiativeStatus.dropped.value),
                sector=initiative.get("sector", "?"),
                agency=initiative.get("agency", "?"),
                year=int(year),
                source=source,
                planned_kopecks=roubles_to_kopecks(Decimal(planned)),
            )
        )
    return tally(lines)

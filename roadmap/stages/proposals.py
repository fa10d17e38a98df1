"""The initiatives stage: emissaries' proposals, and dropping an initiative."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlmodel import select

from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.roadmap_file.schema import Code, StrictModel, Text
from roadmap.settings import Settings
from roadmap.store.models import (
    Initiative,
    InitiativeStatus,
    Sector,
)
from roadmap.store.unit_of_work import (
    Scope,
    unit_of_work,
)


class ProposalIn(StrictModel):
    code: Code | None = None
    title: Text
    sector: Code
    agency: Code
    problem: Text
    expected_effect: Text


@dataclass(frozen=True, slots=True)
class Proposed:
    created: int
    updated: int
    codes: list[str]  # each proposal's initiative, in the order given


@dataclass(frozen=True, slots=True)
class Dropped:
    code: str
    status: InitiativeStatus


def propose_initiatives(
    settings: Settings, proposals: list[ProposalIn], *, region_code: str | None = None
) -> Proposed:
    """Emissaries' proposals enter the strategy as `proposed` initiatives."""
    with unit_of_work(settings, region_code) as scope:
        return propose_in(scope, proposals)


def propose_in(scope: Scope, proposals: list[ProposalIn]) -> Proposed:
    """`propose_initiatives` inside a unit of work already open (a strategy session's
    proposal becomes an initiative in the same transaction that records it)."""
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
    return Proposed(created=counts["created"], updated=counts["updated"], codes=codes)


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


def drop_initiative(settings: Settings, code: str, *, region_code: str | None = None) -> Dropped:
    """The coordinator drops an initiative (e.g. its hypothesis was not confirmed)."""
    with unit_of_work(settings, region_code) as scope:
        initiative = _initiative(scope, code)
        if initiative.status not in DROPPABLE:
            raise UserError(t("initiative.not_droppable", code=code, status=initiative.status))
        initiative.status = InitiativeStatus.dropped.value
        scope.session.add(initiative)
        return Dropped(code=code, status=InitiativeStatus.dropped)


def _initiative(scope: Scope, code: str) -> Initiative:
    found = scope.initiatives().get(code)
    if found is None:
        raise UserError(t("initiative.unknown", code=code))
    return found

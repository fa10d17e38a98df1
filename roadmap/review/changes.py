"""Change proposals: their file format, the fields each touches, conflicts, checks and how each applies."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, RootModel
from sqlmodel import select

from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.roadmap_file.readers import read_placed_records
from roadmap.roadmap_file.schema import Code, Day, Money, Number, StrictModel, Text, Year
from roadmap.store.models import (
    BudgetLine,
    ChangeProposal,
    Indicator,
    IndicatorValue,
    Initiative,
    InitiativeStatus,
    Sector,
    Task,
    ValueKind,
    roubles_to_kopecks,
)
from roadmap.store.unit_of_work import Scope


class _Change(StrictModel):
    reason: Reason
    why: Text
    agency: Code | None = None  # the proposing agency


class NewInitiative(StrictModel):
    code: Code
    title: Text
    sector: Code
    agency: Code
    status: Literal["proposed", "confirmed", "selected", "in_progress"] = "selected"


class AddInitiative(_Change):
    kind: Literal["add_initiative"]
    initiative: NewInitiative


class ChangeInitiative(_Change):
    kind: Literal["change_initiative"]
    initiative: Code
    title: Text | None = None
    sector: Code | None = None
    agency_code: Code | None = Field(default=None, alias="owner")
    status: Literal["proposed", "confirmed", "selected", "in_progress", "done"] | None = None


class DropInitiative(_Change):
    kind: Literal["drop_initiative"]
    initiative: Code


class MoveDate(_Change):
    kind: Literal["move_date"]
    task: Code
    due: Day


class ChangeBudget(_Change):
    kind: Literal["change_budget"]
    initiative: Code
    year: Year
    source: Literal["federal", "regional", "municipal", "extrabudgetary"]
    planned: Money


class ChangeTarget(_Change):
    kind: Literal["change_target"]
    indicator: Code
    year: Year
    value: Number


class ChangeHorizon(_Change):
    """The strategy's end year moves (planned to 2024, then to 2030); it stays one strategy."""

    kind: Literal["change_horizon"]
    end_year: Year


ChangeIn = Annotated[
    AddInitiative
    | ChangeInitiative
    | DropInitiative
    | MoveDate
    | ChangeBudget
    | ChangeTarget
    | ChangeHorizon,
    Field(discriminator="kind"),
]


class ChangeRecord(RootModel[ChangeIn]):
    pass


def read_changes(path: Path) -> list[Any]:
    return [change for change, _ in read_placed_changes(path)]


def read_placed_changes(path: Path) -> list[tuple[Any, str]]:
    """The changes of a change file, each with its place (file:line) for later problems."""
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise UserError(t("review.yaml_only", path=path))
    return [
        (record.root, place) for record, place in read_placed_records(path, ChangeRecord, "changes")
    ]


def touched_fields(change: Any) -> list[str]:
    """What a change touches; two changes touching the same thing conflict."""
    if isinstance(change, AddInitiative):
        return [f"initiative:{change.initiative.code}"]
    if isinstance(change, DropInitiative):
        return [f"initiative:{change.initiative}"]
    if isinstance(change, ChangeInitiative):
        names = {
            "title": change.title,
            "sector": change.sector,
            "owner": change.agency_code,
            "status": change.status,
        }
        return [f"initiative:{change.initiative}.{k}" for k, v in names.items() if v is not None]
    if isinstance(change, MoveDate):
        return [f"task:{change.task}.due"]
    if isinstance(change, ChangeBudget):
        return [f"budget:{change.initiative}|{change.year}|{change.source}"]
    if isinstance(change, ChangeHorizon):
        return ["strategy:horizon"]
    return [f"target:{change.indicator}|{change.year}"]


def _overlap(a: str, b: str) -> bool:
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


@dataclass(frozen=True, slots=True)
class Conflict:
    """Two proposals that change the same thing (`touch`)."""

    proposals: list[int]
    touch: str


def conflicts(proposals: list[ChangeProposal]) -> list[Conflict]:
    found = []
    for i, a in enumerate(proposals):
        for b in proposals[i + 1 :]:
            shared = [x for x in a.target.split(";") for y in b.target.split(";") if _overlap(x, y)]
            if shared:
                found.append(Conflict(proposals=[a.number, b.number], touch=shared[0]))
    return found


def check_change(
    scope: Scope, change: Any, adds: set[str] = frozenset(), end_year: int | None = None
) -> list[str]:
    """What is wrong with a change against the current state; `adds` are initiatives that
    earlier proposals of the cycle add (later ones may refer to them), `end_year` the
    horizon an earlier proposal moves to (years up to it are then accepted)."""
    start, end = scope.strategy.start_year, end_year or scope.strategy.end_year
    current = scope.initiatives()
    initiatives = set(current) | set(adds)
    agencies = {a.code for a in scope.agencies()}
    sectors = set(
        scope.session.exec(select(Sector.code).where(Sector.region_id == scope.region.id))
    )
    problems = []

    def need(kind: str, code: str | None, known: set[str] | dict) -> None:
        if code is not None and code not in known:
            problems.append(t("review.unknown", what=kind, code=code))

    need("agency", change.agency, agencies)
    if isinstance(change, AddInitiative):
        if change.initiative.code in current:
            problems.append(t("review.exists", code=change.initiative.code))
        need("sector", change.initiative.sector, sectors)
        need("agency", change.initiative.agency, agencies)
    elif isinstance(change, ChangeInitiative | DropInitiative | ChangeBudget):
        need("initiative", change.initiative, initiatives)
    if isinstance(change, DropInitiative) and (
        change.initiative in current
        and current[change.initiative].status == InitiativeStatus.dropped
    ):
        problems.append(t("review.already_dropped", code=change.initiative))
    if isinstance(change, ChangeInitiative) and not touched_fields(change):
        problems.append(t("review.nothing_to_change", code=change.initiative))
    if isinstance(change, ChangeInitiative):
        need("sector", change.sector, sectors)
        need("agency", change.agency_code, agencies)
    if isinstance(change, ChangeBudget | ChangeTarget) and not start <= change.year <= end:
        problems.append(t("review.year_outside", year=change.year, start=start, end=end))
    if isinstance(change, ChangeHorizon):
        problems += _horizon_problems(scope, change)
    if isinstance(change, MoveDate):
        tasks = set(
            scope.session.exec(select(Task.code).where(Task.strategy_id == scope.strategy.id))
        )
        need("task", change.task, tasks)
        if not scope.calendar.is_working_day(change.due):
            moved = scope.calendar.next_working_day(change.due)
            problems.append(t("review.due_day_off", day=change.due, moved=moved))
    if isinstance(change, ChangeTarget):
        indicators = set(
            scope.session.exec(
                select(Indicator.code).where(Indicator.strategy_id == scope.strategy.id)
            )
        )
        need("indicator", change.indicator, indicators)
    return problems


def _horizon_problems(scope: Scope, change: ChangeHorizon) -> list[str]:
    """A new end year: not before the start, not the same, and no planned money or target
    left beyond it (move or remove those first)."""
    strategy = scope.strategy
    if change.end_year < strategy.start_year:
        return [t("review.horizon_before_start", end=change.end_year, start=strategy.start_year)]
    if change.end_year == strategy.end_year:
        return [t("review.horizon_same", end=change.end_year)]
    beyond = sorted(
        set(
            scope.session.exec(
                select(BudgetLine.year)
                .join(Initiative)
                .where(Initiative.strategy_id == strategy.id, BudgetLine.year > change.end_year)
            )
        )
        | set(
            scope.session.exec(
                select(IndicatorValue.year)
                .join(Indicator)
                .where(
                    Indicator.strategy_id == strategy.id,
                    IndicatorValue.kind == ValueKind.target,
                    IndicatorValue.year > change.end_year,
                )
            )
        )
    )
    if beyond:
        years = ", ".join(str(y) for y in beyond)
        return [t("review.horizon_cuts", end=change.end_year, years=years)]
    return []


def apply_change(scope: Scope, change: Any) -> None:
    """Apply one checked change to the store (flushed, not committed)."""
    appliers = {
        AddInitiative: _add_initiative,
        ChangeInitiative: _change_initiative,
        DropInitiative: _drop_initiative,
        MoveDate: _move_date,
        ChangeBudget: _change_budget,
        ChangeTarget: _change_target,
        ChangeHorizon: _change_horizon,
    }
    appliers[type(change)](scope, change)
    scope.session.flush()


def _sector_ids(scope: Scope) -> dict[str, int]:
    return {
        s.code: s.id
        for s in scope.session.exec(select(Sector).where(Sector.region_id == scope.region.id))
    }


def _add_initiative(scope: Scope, change: AddInitiative) -> None:
    new = change.initiative
    scope.session.add(
        Initiative(
            strategy_id=scope.strategy.id,
            code=new.code,
            title=new.title,
            sector_id=_sector_ids(scope)[new.sector],
            agency_id=scope.agency(new.agency).id,
            status=new.status,
        )
    )


def _change_initiative(scope: Scope, change: ChangeInitiative) -> None:
    row = scope.initiatives()[change.initiative]
    if change.title is not None:
        row.title = change.title
    if change.sector is not None:
        row.sector_id = _sector_ids(scope)[change.sector]
    if change.agency_code is not None:
        row.agency_id = scope.agency(change.agency_code).id
    if change.status is not None:
        row.status = change.status
    scope.session.add(row)


def _drop_initiative(scope: Scope, change: DropInitiative) -> None:
    row = scope.initiatives()[change.initiative]
    row.status = InitiativeStatus.dropped.value
    scope.session.add(row)


def _move_date(scope: Scope, change: MoveDate) -> None:
    task = scope.session.exec(
        select(Task).where(Task.strategy_id == scope.strategy.id, Task.code == change.task)
    ).one()
    task.due_on = change.due
    scope.session.add(task)


def _change_budget(scope: Scope, change: ChangeBudget) -> None:
    initiative = scope.initiatives()[change.initiative]
    line = scope.session.exec(
        select(BudgetLine).where(
            BudgetLine.initiative_id == initiative.id,
            BudgetLine.year == change.year,
            BudgetLine.source == change.source,
        )
    ).first() or BudgetLine(
        initiative_id=initiative.id,
        year=change.year,
        source=change.source,
        planned_kopecks=0,
    )
    line.planned_kopecks = roubles_to_kopecks(change.planned)
    scope.session.add(line)


def _change_horizon(scope: Scope, change: ChangeHorizon) -> None:
    scope.strategy.end_year = change.end_year
    scope.session.add(scope.strategy)


def _change_target(scope: Scope, change: ChangeTarget) -> None:
    session = scope.session
    indicator = session.exec(
        select(Indicator).where(
            Indicator.strategy_id == scope.strategy.id, Indicator.code == change.indicator
        )
    ).one()
    value = session.exec(
        select(IndicatorValue).where(
            IndicatorValue.indicator_id == indicator.id,
            IndicatorValue.year == change.year,
            IndicatorValue.kind == ValueKind.target,
        )
    ).first() or IndicatorValue(
        indicator_id=indicator.id, year=change.year, kind=ValueKind.target.value, value=0
    )
    value.value = change.value
    session.add(value)


Reason = Literal["regional_policy", "national_project", "federal_task", "other"]

"""Immutable strategy versions (snapshots), their history and the diff between two of them."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.plan.money import snapshot_money
from roadmap.settings import Settings
from roadmap.store.models import (
    Agency,
    BudgetLine,
    Indicator,
    IndicatorValue,
    Initiative,
    InitiativeStatus,
    Person,
    Sector,
    Strategy,
    StrategyVersion,
    Task,
    ValueKind,
    kopecks_to_roubles,
)
from roadmap.store.unit_of_work import Scope, unit_of_work


def snapshot(session: Session, strategy: Strategy) -> dict[str, Any]:
    """The strategy's state that versions keep: initiatives (status, sector, agency),
    planned budget by year and source, indicator targets, task due dates. A plain JSON
    document on purpose: it is stored as it is (`strategy_version.snapshot`)."""
    sectors = {s.id: s.code for s in session.exec(select(Sector))}
    agencies = {a.id: a.code for a in session.exec(select(Agency))}
    initiatives = list(
        session.exec(select(Initiative).where(Initiative.strategy_id == strategy.id))
    )
    code_of = {i.id: i.code for i in initiatives}
    budget = {}
    for line in session.exec(
        select(BudgetLine).join(Initiative).where(Initiative.strategy_id == strategy.id)
    ):
        key = f"{code_of[line.initiative_id]}|{line.year}|{line.source}"
        budget[key] = str(kopecks_to_roubles(line.planned_kopecks))
    targets = {}
    for indicator, value in session.exec(
        select(Indicator.code, IndicatorValue)
        .join(IndicatorValue, IndicatorValue.indicator_id == Indicator.id)
        .where(Indicator.strategy_id == strategy.id, IndicatorValue.kind == ValueKind.target)
    ):
        targets[f"{indicator}|{value.year}"] = value.value
    tasks = {
        task.code: task.due_on.isoformat()
        for task in session.exec(select(Task).where(Task.strategy_id == strategy.id))
    }
    return {
        "horizon": [strategy.start_year, strategy.end_year],
        "initiatives": {
            i.code: {
                "title": i.title,
                "status": i.status,
                "sector": sectors[i.sector_id],
                "agency": agencies[i.agency_id],
            }
            for i in initiatives
        },
        "budget": budget,
        "targets": targets,
        "tasks": tasks,
    }


def canonical(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _version_row(session: Session, strategy: Strategy, version: int) -> StrategyVersion | None:
    return session.exec(
        select(StrategyVersion).where(
            StrategyVersion.strategy_id == strategy.id, StrategyVersion.version == version
        )
    ).first()


def coordinator_name(session: Session, strategy: Strategy) -> str | None:
    person = session.get(Person, strategy.coordinator_id) if strategy.coordinator_id else None
    return person.name if person else None


def ensure_version(scope: Scope) -> StrategyVersion:
    """The current version's immutable record (made from the current state if missing)."""
    row = _version_row(scope.session, scope.strategy, scope.strategy.version)
    if row is None:
        row = StrategyVersion(
            strategy_id=scope.strategy.id,
            version=scope.strategy.version,
            approved_at=scope.now,
            approved_by=coordinator_name(scope.session, scope.strategy),
            snapshot=canonical(snapshot(scope.session, scope.strategy)),
        )
        scope.session.add(row)
        scope.session.flush()
    return row


@dataclass(frozen=True, slots=True)
class VersionRow:
    """One recorded version: when and by whom approved, how big, why it changed."""

    version: int
    approved_at: str  # region time, to the minute
    approved_by: str | None
    initiatives: int  # not dropped
    budget_total: str  # roubles
    targets: int
    tasks: int
    reasons: dict[str, int]


def versions(settings: Settings, *, region_code: str | None = None) -> list[VersionRow]:
    with unit_of_work(settings, region_code) as scope:
        ensure_version(scope)
        return [
            _version_row_of(scope, row)
            for row in scope.session.exec(
                select(StrategyVersion)
                .where(StrategyVersion.strategy_id == scope.strategy.id)
                .order_by(StrategyVersion.version)
            )
        ]


def _version_row_of(scope: Scope, row: StrategyVersion) -> VersionRow:
    data = json.loads(row.snapshot)
    live = [i for i in data["initiatives"].values() if i["status"] != InitiativeStatus.dropped]
    return VersionRow(
        version=row.version,
        approved_at=scope.calendar.local_time(row.approved_at).isoformat(timespec="minutes"),
        approved_by=row.approved_by,
        initiatives=len(live),
        budget_total=str(snapshot_money(data).planned),
        targets=len(data["targets"]),
        tasks=len(data["tasks"]),
        reasons=json.loads(row.reasons),
    )


def diff(
    settings: Settings,
    first: int | None = None,
    second: int | None = None,
    *,
    region_code: str | None = None,
) -> VersionDiff:
    """Changes from version `first` to version `second`. Without `second`, to the current
    state; without either, from the latest recorded version to the current state."""
    with unit_of_work(settings, region_code) as scope:
        ensure_version(scope)
        known = {
            row.version: row
            for row in scope.session.exec(
                select(StrategyVersion).where(StrategyVersion.strategy_id == scope.strategy.id)
            )
        }
        if first is None:
            first = max(known, default=scope.strategy.version)
        for number in (first, second):
            if number is not None and number not in known:
                raise UserError(
                    t(
                        "review.unknown_version",
                        version=number,
                        known=", ".join(map(str, sorted(known))) or "—",
                    )
                )
        a = (
            json.loads(known[first].snapshot)
            if first in known
            else snapshot(scope.session, scope.strategy)
        )
        b = (
            json.loads(known[second].snapshot)
            if second is not None
            else snapshot(scope.session, scope.strategy)
        )
        return VersionDiff(
            from_version=first,
            to_version=second if second is not None else "current",
            changes=compare(a, b),
        )


@dataclass(frozen=True, slots=True)
class InitiativeChange:
    initiative: str
    changes: dict[str, list[Any]]  # field -> [before, after]


@dataclass(frozen=True, slots=True)
class InitiativeChanges:
    added: list[str]
    dropped: list[str]
    changed: list[InitiativeChange]


@dataclass(frozen=True, slots=True)
class BudgetChange:
    sector: str
    source: str
    before: str
    after: str
    delta: str


@dataclass(frozen=True, slots=True)
class BudgetChanges:
    by_sector_source: list[BudgetChange]
    total_before: str
    total_after: str
    total_delta: str


@dataclass(frozen=True, slots=True)
class TargetChange:
    indicator: str
    year: int
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class DeadlineChange:
    task: str
    before: str | None
    after: str


@dataclass(frozen=True, slots=True)
class SnapshotDiff:
    horizon: list[list[int] | None] | None  # [before, after] when the horizon moved
    initiatives: InitiativeChanges
    budget: BudgetChanges
    targets: list[TargetChange]
    deadlines: list[DeadlineChange]


@dataclass(frozen=True, slots=True)
class VersionDiff:
    """The diff between two versions (`to_version` "current": the live state). Its JSON
    form names them "from" and "to" (see roadmap.cli.review)."""

    from_version: int
    to_version: int | str
    changes: SnapshotDiff


def compare(a: dict[str, Any], b: dict[str, Any]) -> SnapshotDiff:
    """The differences between two snapshots, as a coordinator reads them."""
    horizons = [a.get("horizon"), b.get("horizon")]  # versions before 0005 keep none
    return SnapshotDiff(
        horizon=horizons if None not in horizons and horizons[0] != horizons[1] else None,
        initiatives=_initiative_changes(a["initiatives"], b["initiatives"]),
        budget=_budget_changes(a, b),
        targets=_target_changes(a["targets"], b["targets"]),
        deadlines=[
            DeadlineChange(task=code, before=a["tasks"].get(code), after=b["tasks"][code])
            for code in sorted(b["tasks"])
            if code in a["tasks"] and a["tasks"][code] != b["tasks"][code]
        ],
    )


def _dropped(initiative: dict[str, Any] | None) -> bool:
    return initiative is None or initiative["status"] == InitiativeStatus.dropped


def _initiative_changes(ia: dict[str, Any], ib: dict[str, Any]) -> InitiativeChanges:
    added = sorted(c for c in ib if c not in ia and not _dropped(ib[c]))
    dropped = sorted(c for c in ia if not _dropped(ia[c]) and _dropped(ib.get(c)))
    changed = []
    for code in sorted(set(ia) & set(ib)):
        if code in dropped:
            continue
        fields = {k: [ia[code][k], ib[code][k]] for k in ia[code] if ia[code][k] != ib[code][k]}
        if fields:
            changed.append(InitiativeChange(initiative=code, changes=fields))
    return InitiativeChanges(added=added, dropped=dropped, changed=changed)


def _budget_totals(snap: dict[str, Any]) -> dict[tuple[str, str], Decimal]:
    """Planned roubles by sector and source, by the one definition of the plan's money."""
    return defaultdict(Decimal, snapshot_money(snap).planned_by("sector", "source"))


def _budget_changes(a: dict[str, Any], b: dict[str, Any]) -> BudgetChanges:
    ta, tb = _budget_totals(a), _budget_totals(b)
    rows = [
        BudgetChange(
            sector=sector,
            source=source,
            before=str(ta[(sector, source)]),
            after=str(tb[(sector, source)]),
            delta=str(tb[(sector, source)] - ta[(sector, source)]),
        )
        for sector, source in sorted(set(ta) | set(tb))
        if ta[(sector, source)] != tb[(sector, source)]
    ]
    total_a, total_b = snapshot_money(a).planned, snapshot_money(b).planned
    return BudgetChanges(
        by_sector_source=rows,
        total_before=str(total_a),
        total_after=str(total_b),
        total_delta=str(total_b - total_a),
    )


def _target_changes(a: dict[str, Any], b: dict[str, Any]) -> list[TargetChange]:
    return [
        TargetChange(
            indicator=key.split("|")[0],
            year=int(key.split("|")[1]),
            before=a.get(key),
            after=b.get(key),
        )
        for key in sorted(set(a) | set(b))
        if a.get(key) != b.get(key)
    ]

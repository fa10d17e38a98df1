"""Immutable strategy versions (snapshots), their history and the diff between two of them."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.settings import Settings
from roadmap.store.models import (
    Agency,
    BudgetLine,
    Indicator,
    IndicatorValue,
    Initiative,
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
    planned budget by year and source, indicator targets, task due dates."""
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


def _canonical(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _version_row(session: Session, strategy: Strategy, version: int) -> StrategyVersion | None:
    return session.exec(
        select(StrategyVersion).where(
            StrategyVersion.strategy_id == strategy.id, StrategyVersion.version == version
        )
    ).first()


def _coordinator_name(session: Session, strategy: Strategy) -> str | None:
    person = session.get(Person, strategy.coordinator_id) if strategy.coordinator_id else None
    return person.name if person else None


def _ensure_version(scope: Scope) -> StrategyVersion:
    """The current version's immutable record (made from the current state if missing)."""
    row = _version_row(scope.session, scope.strategy, scope.strategy.version)
    if row is None:
        row = StrategyVersion(
            strategy_id=scope.strategy.id,
            version=scope.strategy.version,
            approved_at=scope.now,
            approved_by=_coordinator_name(scope.session, scope.strategy),
            snapshot=_canonical(snapshot(scope.session, scope.strategy)),
        )
        scope.session.add(row)
        scope.session.flush()
    return row


def versions(settings: Settings, *, region_code: str | None = None) -> list[dict[str, Any]]:
    with unit_of_work(settings, region_code) as scope:
        _ensure_version(scope)
        rows = []
        for row in scope.session.exec(
            select(StrategyVersion)
            .where(StrategyVersion.strategy_id == scope.strategy.id)
            .order_by(StrategyVersion.version)
        ):
            data = json.loads(row.snapshot)
            live = [i for i in data["initiatives"].values() if i["status"] != "dropped"]
            rows.append(
                {
                    "version": row.version,
                    "approved_at": scope.calendar.local_time(row.approved_at).isoformat(
                        timespec="minutes"
                    ),
                    "approved_by": row.approved_by,
                    "initiatives": len(live),
                    "budget_total": str(
                        sum((Decimal(v) for v in data["budget"].values()), Decimal("0.00"))
                    ),
                    "targets": len(data["targets"]),
                    "tasks": len(data["tasks"]),
                    "reasons": json.loads(row.reasons),
                }
            )
        return rows


def diff(
    settings: Settings,
    first: int | None = None,
    second: int | None = None,
    *,
    region_code: str | None = None,
) -> dict[str, Any]:
    """Changes from version `first` to version `second`. Without `second`, to the current
    state; without either, from the latest recorded version to the current state."""
    with unit_of_work(settings, region_code) as scope:
        _ensure_version(scope)
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
        result = compare(a, b)
        result["from"] = first
        result["to"] = second if second is not None else "current"
        return result


def compare(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """The differences between two snapshots, as a coordinator reads them."""
    ia, ib = a["initiatives"], b["initiatives"]
    added = sorted(c for c in ib if c not in ia and ib[c]["status"] != "dropped")
    dropped = sorted(
        c
        for c in ia
        if ia[c]["status"] != "dropped" and (c not in ib or ib[c]["status"] == "dropped")
    )
    changed = []
    for code in sorted(set(ia) & set(ib)):
        if code in dropped:
            continue
        fields = {k: [ia[code][k], ib[code][k]] for k in ia[code] if ia[code][k] != ib[code][k]}
        if fields:
            changed.append({"initiative": code, "changes": fields})

    def totals(snap: dict[str, Any], sectors_of: dict[str, dict]) -> dict[tuple[str, str], Decimal]:
        out: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        for key, planned in snap["budget"].items():
            code, _, source = key.split("|")
            if snap["initiatives"].get(code, {}).get("status") == "dropped":
                continue  # a dropped initiative's money is no longer planned
            sector = (sectors_of.get(code) or {}).get("sector", "?")
            out[(sector, source)] += Decimal(planned)
        return out

    ta, tb = totals(a, {**ib, **ia}), totals(b, {**ia, **ib})
    budget = [
        {
            "sector": sector,
            "source": source,
            "before": str(ta[(sector, source)]),
            "after": str(tb[(sector, source)]),
            "delta": str(tb[(sector, source)] - ta[(sector, source)]),
        }
        for sector, source in sorted(set(ta) | set(tb))
        if ta[(sector, source)] != tb[(sector, source)]
    ]
    total_a, total_b = sum(ta.values(), Decimal("0.00")), sum(tb.values(), Decimal("0.00"))
    targets = [
        {
            "indicator": key.split("|")[0],
            "year": int(key.split("|")[1]),
            "before": a["targets"].get(key),
            "after": b["targets"].get(key),
        }
        for key in sorted(set(a["targets"]) | set(b["targets"]))
        if a["targets"].get(key) != b["targets"].get(key)
    ]
    moved = [
        {"task": code, "before": a["tasks"].get(code), "after": b["tasks"][code]}
        for code in sorted(b["tasks"])
        if code in a["tasks"] and a["tasks"][code] != b["tasks"][code]
    ]
    return {
        "initiatives": {"added": added, "dropped": dropped, "changed": changed},
        "budget": {
            "by_sector_source": budget,
            "total_before": str(total_a),
            "total_after": str(total_b),
            "total_delta": str(total_b - total_a),
        },
        "targets": targets,
        "deadlines": moved,
    }

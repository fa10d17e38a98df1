"""Yearly strategy update (ежегодная актуализация): versions, review cycles, change
proposals with reasons, and the diff between any two versions.

"The strategy is not dogma": each year every agency's working group proposes changes;
the coordinator accepts or rejects each, and closing the cycle applies the accepted ones
atomically as the next immutable version.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, RootModel
from sqlmodel import Session, select

from roadmap import roadmap_file as rf
from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.models import (
    Agency,
    BudgetLine,
    ChangeProposal,
    Indicator,
    IndicatorValue,
    Initiative,
    Person,
    ProposalStatus,
    ReviewCycle,
    ReviewStatus,
    Sector,
    Strategy,
    StrategyVersion,
    Task,
    ValueKind,
    kopecks_to_roubles,
    roubles_to_kopecks,
)
from roadmap.settings import Settings
from roadmap.workflow import Scope, issue_agency_tasks, load_stage_config, unit_of_work

Reason = Literal["regional_policy", "national_project", "federal_task", "other"]
REVIEW_TEMPLATE = "review-{year}"

# --- snapshots -------------------------------------------------------------------------------


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


# --- the cycle --------------------------------------------------------------------------------


def start_review(
    settings: Settings,
    year: int,
    *,
    region_code: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Open the year's review: the current version becomes the baseline, and every agency's
    emissary gets a working-group task due in the annual_update stage's working days.
    Starting the same year again creates nothing."""
    if not 2000 <= year <= 2100:
        raise UserError(t("option.year_range", option="YEAR", value=year))
    config = load_stage_config(settings)
    duration = next((s.duration_days for s in config.stage if s.key == "annual_update"), 20)
    with unit_of_work(settings, region_code, now) as scope:
        baseline = _ensure_version(scope)
        cycle = _cycle(scope, year, required=False)
        other = scope.session.exec(
            select(ReviewCycle).where(
                ReviewCycle.strategy_id == scope.strategy.id,
                ReviewCycle.status == ReviewStatus.open,
                ReviewCycle.year != year,
            )
        ).first()
        if other is not None:
            raise UserError(t("review.other_open", year=year, other=other.year))
        if cycle is None:
            cycle = ReviewCycle(
                strategy_id=scope.strategy.id,
                year=year,
                baseline_version=baseline.version,
                opened_at=scope.now,
            )
            scope.session.add(cycle)
            scope.session.flush()
        created = 0
        if cycle.status == ReviewStatus.open:
            created = issue_agency_tasks(
                scope,
                stage="annual_update",
                template=REVIEW_TEMPLATE.format(year=year),
                title=t("review.task_title", year=year),
                due_on=scope.calendar.add_working_days(scope.today, duration),
            )
        return {
            "year": year,
            "status": cycle.status,
            "baseline_version": cycle.baseline_version,
            "tasks_created": created,
        }


def _cycle(scope: Scope, year: int | None, *, required: bool = True) -> ReviewCycle | None:
    query = select(ReviewCycle).where(ReviewCycle.strategy_id == scope.strategy.id)
    if year is not None:
        query = query.where(ReviewCycle.year == year)
    cycle = scope.session.exec(query.order_by(ReviewCycle.year.desc())).first()
    if cycle is None and required:
        raise UserError(t("review.none", year=year if year is not None else "—"))
    return cycle


# --- proposals ----------------------------------------------------------------------------------


class _Change(rf._Model):
    reason: Reason
    why: rf.Text
    agency: rf.Code | None = None  # the proposing agency


class NewInitiative(rf._Model):
    code: rf.Code
    title: rf.Text
    sector: rf.Code
    agency: rf.Code
    status: Literal["proposed", "confirmed", "selected", "in_progress"] = "selected"


class AddInitiative(_Change):
    kind: Literal["add_initiative"]
    initiative: NewInitiative


class ChangeInitiative(_Change):
    kind: Literal["change_initiative"]
    initiative: rf.Code
    title: rf.Text | None = None
    sector: rf.Code | None = None
    agency_code: rf.Code | None = Field(default=None, alias="owner")
    status: Literal["proposed", "confirmed", "selected", "in_progress", "done"] | None = None


class DropInitiative(_Change):
    kind: Literal["drop_initiative"]
    initiative: rf.Code


class MoveDate(_Change):
    kind: Literal["move_date"]
    task: rf.Code
    due: rf.Day


class ChangeBudget(_Change):
    kind: Literal["change_budget"]
    initiative: rf.Code
    year: rf.Year
    source: Literal["federal", "regional", "municipal", "extrabudgetary"]
    planned: rf.Money


class ChangeTarget(_Change):
    kind: Literal["change_target"]
    indicator: rf.Code
    year: rf.Year
    value: rf.Number


ChangeIn = Annotated[
    AddInitiative | ChangeInitiative | DropInitiative | MoveDate | ChangeBudget | ChangeTarget,
    Field(discriminator="kind"),
]


class ChangeRecord(RootModel[ChangeIn]):
    pass


def read_changes(path: Path) -> list[Any]:
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise UserError(t("review.yaml_only", path=path))
    return [record.root for record in rf.read_records(path, ChangeRecord, "changes")]


def _fields(change: Any) -> list[str]:
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
    return [f"target:{change.indicator}|{change.year}"]


def _overlap(a: str, b: str) -> bool:
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def propose_changes(
    settings: Settings,
    changes: list[Any],
    *,
    year: int | None = None,
    region_code: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Record proposals in the open cycle; references are checked, nothing is written if
    any is wrong. Conflicts with other proposals are reported, not merged."""
    with unit_of_work(settings, region_code, now) as scope:
        cycle = _cycle(scope, year)
        if cycle.status != ReviewStatus.open:
            raise UserError(t("review.closed", year=cycle.year))
        adds = {
            ChangeRecord.model_validate_json(p.change).root.initiative.code
            for p in _proposals(scope, cycle)
            if p.kind == "add_initiative" and p.status != ProposalStatus.rejected
        }
        problems = []
        for index, change in enumerate(changes):
            problems += [f"changes[{index}]: {p}" for p in _check(scope, change, adds)]
            if isinstance(change, AddInitiative):
                adds.add(change.initiative.code)
        if problems:
            raise UserError("\n".join(problems))
        existing = list(
            scope.session.exec(
                select(ChangeProposal).where(
                    ChangeProposal.cycle_id == cycle.id,
                    ChangeProposal.status.in_([ProposalStatus.pending, ProposalStatus.accepted]),
                )
            )
        )
        number = max((p.number for p in _proposals(scope, cycle)), default=0)
        agencies = {a.code: a.id for a in scope.agencies()}
        created = []
        for change in changes:
            number += 1
            fields = _fields(change)
            row = ChangeProposal(
                cycle_id=cycle.id,
                number=number,
                kind=change.kind,
                target=";".join(fields),
                change=change.model_dump_json(by_alias=True),
                agency_id=agencies.get(change.agency) if change.agency else None,
                reason=change.reason,
                why=change.why,
                created_at=scope.now,
            )
            scope.session.add(row)
            existing.append(row)
            created.append(number)
        scope.session.flush()
        return {"year": cycle.year, "created": created, "conflicts": _conflicts(existing)}


def _proposals(scope: Scope, cycle: ReviewCycle) -> list[ChangeProposal]:
    return list(
        scope.session.exec(
            select(ChangeProposal)
            .where(ChangeProposal.cycle_id == cycle.id)
            .order_by(ChangeProposal.number)
        )
    )


def _conflicts(proposals: list[ChangeProposal]) -> list[dict[str, Any]]:
    found = []
    for i, a in enumerate(proposals):
        for b in proposals[i + 1 :]:
            shared = [x for x in a.target.split(";") for y in b.target.split(";") if _overlap(x, y)]
            if shared:
                found.append({"proposals": [a.number, b.number], "touch": shared[0]})
    return found


def _check(scope: Scope, change: Any, adds: set[str] = frozenset()) -> list[str]:
    """What is wrong with a change against the current state; `adds` are initiatives that
    earlier proposals of the cycle add (later ones may refer to them)."""
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
        change.initiative in current and current[change.initiative].status == "dropped"
    ):
        problems.append(t("review.already_dropped", code=change.initiative))
    if isinstance(change, ChangeInitiative) and not _fields(change):
        problems.append(t("review.nothing_to_change", code=change.initiative))
    if isinstance(change, ChangeInitiative):
        need("sector", change.sector, sectors)
        need("agency", change.agency_code, agencies)
    if isinstance(change, ChangeBudget) and not (
        scope.strategy.start_year <= change.year <= scope.strategy.end_year
    ):
        problems.append(t("review.year_outside", year=change.year))
    if isinstance(change, MoveDate):
        tasks = set(
            scope.session.exec(select(Task.code).where(Task.strategy_id == scope.strategy.id))
        )
        need("task", change.task, tasks)
    if isinstance(change, ChangeTarget):
        indicators = set(
            scope.session.exec(
                select(Indicator.code).where(Indicator.strategy_id == scope.strategy.id)
            )
        )
        need("indicator", change.indicator, indicators)
    return problems


def decide(
    settings: Settings,
    numbers: list[int],
    accept: bool,
    *,
    by: str | None = None,
    year: int | None = None,
    region_code: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The coordinator accepts or rejects proposals (by number) of the open cycle."""
    with unit_of_work(settings, region_code, now) as scope:
        cycle = _cycle(scope, year)
        if cycle.status != ReviewStatus.open:
            raise UserError(t("review.closed", year=cycle.year))
        by_number = {p.number: p for p in _proposals(scope, cycle)}
        unknown = [n for n in numbers if n not in by_number]
        if unknown:
            raise UserError(t("review.unknown_proposal", numbers=unknown, year=cycle.year))
        status = ProposalStatus.accepted if accept else ProposalStatus.rejected
        for n in numbers:
            row = by_number[n]
            row.status, row.decided_by, row.decided_at = status.value, by, scope.now
            scope.session.add(row)
        accepted = [p for p in by_number.values() if p.status == ProposalStatus.accepted]
        return {
            "year": cycle.year,
            "decided": numbers,
            "status": status.value,
            "conflicts": _conflicts(accepted),
        }


def close_review(
    settings: Settings,
    *,
    year: int | None = None,
    by: str | None = None,
    region_code: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Apply the accepted proposals atomically as the next version. Closing again does
    nothing; accepted proposals that conflict are refused with the list."""
    with unit_of_work(settings, region_code, now) as scope:
        cycle = _cycle(scope, year)
        if cycle.status == ReviewStatus.closed:
            return {
                "year": cycle.year,
                "status": cycle.status,
                "version": cycle.result_version,
                "applied": 0,
            }
        proposals = _proposals(scope, cycle)
        accepted = [p for p in proposals if p.status == ProposalStatus.accepted]
        conflicts = _conflicts(accepted)
        if conflicts:
            raise UserError(
                t(
                    "review.conflicts",
                    items="; ".join(
                        f"#{c['proposals'][0]} / #{c['proposals'][1]}: {c['touch']}"
                        for c in conflicts
                    ),
                )
            )
        undecided = [p.number for p in proposals if p.status == ProposalStatus.pending]
        if undecided:
            raise UserError(t("review.undecided", numbers=undecided))
        if cycle.baseline_version != scope.strategy.version:
            raise UserError(
                t(
                    "review.stale_baseline",
                    year=cycle.year,
                    baseline=cycle.baseline_version,
                    current=scope.strategy.version,
                )
            )
        _ensure_version(scope)  # the baseline stays as it was
        stale = []
        for proposal in accepted:
            change = ChangeRecord.model_validate_json(proposal.change).root
            # The store may have moved since the proposal came in (an import, a proposal
            # of a stage): check again right before applying; any problem undoes it all.
            problems = _check(scope, change)
            if problems:
                stale.append(f"#{proposal.number}: {'; '.join(problems)}")
                continue
            _apply(scope, change)
        if stale:
            raise UserError(t("review.stale", items=" | ".join(stale)))
        for proposal in accepted:
            proposal.status = ProposalStatus.applied.value
            scope.session.add(proposal)
        scope.strategy.version += 1
        scope.session.add(scope.strategy)
        scope.session.flush()
        reasons = Counter(p.reason for p in accepted)
        scope.session.add(
            StrategyVersion(
                strategy_id=scope.strategy.id,
                version=scope.strategy.version,
                approved_at=scope.now,
                approved_by=by or _coordinator_name(scope.session, scope.strategy),
                snapshot=_canonical(snapshot(scope.session, scope.strategy)),
                reasons=json.dumps(dict(sorted(reasons.items()))),
            )
        )
        cycle.status = ReviewStatus.closed.value
        cycle.result_version = scope.strategy.version
        cycle.closed_at = scope.now
        scope.session.add(cycle)
        return {
            "year": cycle.year,
            "status": cycle.status,
            "version": scope.strategy.version,
            "applied": len(accepted),
        }


def _apply(scope: Scope, change: Any) -> None:
    session = scope.session
    initiatives = scope.initiatives()
    sectors = {
        s.code: s.id
        for s in session.exec(select(Sector).where(Sector.region_id == scope.region.id))
    }
    agencies = {a.code: a.id for a in scope.agencies()}
    if isinstance(change, AddInitiative):
        new = change.initiative
        session.add(
            Initiative(
                strategy_id=scope.strategy.id,
                code=new.code,
                title=new.title,
                sector_id=sectors[new.sector],
                agency_id=agencies[new.agency],
                status=new.status,
            )
        )
    elif isinstance(change, ChangeInitiative):
        row = initiatives[change.initiative]
        if change.title is not None:
            row.title = change.title
        if change.sector is not None:
            row.sector_id = sectors[change.sector]
        if change.agency_code is not None:
            row.agency_id = agencies[change.agency_code]
        if change.status is not None:
            row.status = change.status
        session.add(row)
    elif isinstance(change, DropInitiative):
        row = initiatives[change.initiative]
        row.status = "dropped"
        session.add(row)
    elif isinstance(change, MoveDate):
        task = session.exec(
            select(Task).where(Task.strategy_id == scope.strategy.id, Task.code == change.task)
        ).one()
        task.due_on = change.due
        session.add(task)
    elif isinstance(change, ChangeBudget):
        initiative = initiatives[change.initiative]
        line = session.exec(
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
        session.add(line)
    elif isinstance(change, ChangeTarget):
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
    session.flush()


def review_status(
    settings: Settings, *, year: int | None = None, region_code: str | None = None
) -> dict[str, Any]:
    with unit_of_work(settings, region_code) as scope:
        cycle = _cycle(scope, year)
        agencies = {a.id: a.code for a in scope.agencies()}
        proposals = _proposals(scope, cycle)
        return {
            "year": cycle.year,
            "status": cycle.status,
            "baseline_version": cycle.baseline_version,
            "result_version": cycle.result_version,
            "proposals": [
                {
                    "number": p.number,
                    "kind": p.kind,
                    "target": p.target,
                    "agency": agencies.get(p.agency_id),
                    "reason": p.reason,
                    "why": p.why,
                    "status": p.status,
                }
                for p in proposals
            ],
            "conflicts": _conflicts(
                [
                    p
                    for p in proposals
                    if p.status in (ProposalStatus.pending, ProposalStatus.accepted)
                ]
            ),
        }


# --- versions and diff ----------------------------------------------------------------------------


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


def today_year(settings: Settings, region_code: str | None = None) -> int:
    with unit_of_work(settings, region_code) as scope:
        return scope.today.year

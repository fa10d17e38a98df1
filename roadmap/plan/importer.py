"""Import a roadmap file into the store: match rows by code, write only what differs, count it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from roadmap.config import default_sectors, stage_keys_in_order
from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.plan.tasks import _next_task_code
from roadmap.roadmap_file.readers import read_source
from roadmap.roadmap_file.schema import LIST_KEYS, PersonIn, RoadmapDoc
from roadmap.roadmap_file.validation import Context, validate
from roadmap.settings import Settings
from roadmap.store.models import (
    Agency,
    BudgetLine,
    Indicator,
    IndicatorValue,
    InformationSystem,
    Initiative,
    Person,
    PersonRole,
    Region,
    Sector,
    Service,
    Strategy,
    Task,
    ValueKind,
    roubles_to_kopecks,
)
from roadmap.store.unit_of_work import current_strategy, open_store, resolve_region


@dataclass
class Changes:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    region: str
    dry_run: bool
    changes: dict[str, Changes] = field(default_factory=lambda: defaultdict(Changes))

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated or c.deleted for c in self.changes.values())

    def summary(self) -> str:
        parts = []
        for kind, c in self.changes.items():
            marks = [f"+{c.created}" if c.created else "", f"~{c.updated}" if c.updated else ""]
            marks.append(f"−{c.deleted}" if c.deleted else "")
            marks = [m for m in marks if m]
            if marks:
                parts.append(f"{kind} {' '.join(marks)}")
        return ", ".join(parts) if parts else t("import.unchanged")

    def as_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "dry_run": self.dry_run,
            "changed": self.changed,
            "changes": {k: vars(v) for k, v in self.changes.items()},
        }


class _Upserter:
    """Matches rows by key, writes only what differs, counts what it did."""

    def __init__(self, session: Session, report: ImportReport):
        self.session = session
        self.report = report
        self.seen: dict[str, set[int]] = defaultdict(set)

    def upsert(self, kind: str, existing: dict[Any, Any], key: Any, model: type, values: dict):
        row = existing.get(key)
        counts = self.report.changes[kind]
        if row is None:
            row = model(**values)
            self.session.add(row)
            existing[key] = row
            counts.created += 1
        else:
            changed = False
            for name, value in values.items():
                if getattr(row, name) != value:
                    setattr(row, name, value)
                    changed = True
            if changed:
                counts.updated += 1
            else:
                counts.unchanged += 1
        return row

    def mark(self, kind: str, row: Any) -> None:
        if row.id is None:
            self.session.flush()  # a new row needs its id for the rows that refer to it
        self.seen[kind].add(row.id)

    def prune(self, kind: str, rows: list[Any]) -> None:
        for row in rows:
            if row.id not in self.seen[kind]:
                self.session.delete(row)
                self.report.changes[kind].deleted += 1
        self.session.flush()


def import_roadmap(
    settings: Settings,
    path: Path,
    *,
    prune: bool = False,
    dry_run: bool = False,
    region_code: str | None = None,
) -> ImportReport:
    """Validate a roadmap file whole, then apply it in one transaction (or roll back)."""
    source = read_source(path)  # before the store is opened: a bad file touches nothing
    store = open_store(settings)
    try:
        with Session(store.engine, expire_on_commit=False) as session:
            context = Context(default_sectors(settings), tuple(stage_keys_in_order(settings)))
            region = strategy = None
            if source.list_name is not None:
                if session.exec(select(sa.func.count()).select_from(Region)).one() == 0:
                    raise UserError(t("import.csv_needs_region", path=path))
                region = resolve_region(session, region_code)
                strategy = current_strategy(session, region)
                _fill_context(session, region, strategy, context)
            else:
                code = _peek_region_code(source.data)
                if region_code is not None and code is not None and code != region_code:
                    raise UserError(
                        t("import.region_mismatch", path=path, code=code, option=region_code)
                    )
                region = session.exec(select(Region).where(Region.code == code)).first()
                if region is not None:
                    context.sectors = set(
                        session.exec(select(Sector.code).where(Sector.region_id == region.id))
                    )
            doc = validate(source, context)
            report = ImportReport(
                region=(doc.region.code if doc.region else region.code), dry_run=dry_run
            )
            try:
                _apply(
                    session,
                    doc,
                    report,
                    prune=prune,
                    region=region,
                    strategy=strategy,
                    settings=settings,
                )
            except IntegrityError as exc:
                session.rollback()
                raise UserError(f"{path.name}: {exc.orig}") from None
            if dry_run:
                session.rollback()
            else:
                session.commit()
            return report
    finally:
        store.dispose()


def _peek_region_code(data: Any) -> str | None:
    if isinstance(data, dict) and isinstance(data.get("region"), dict):
        code = data["region"].get("code")
        return code.strip() if isinstance(code, str) else None
    return None


def _fill_context(session: Session, region: Region, strategy: Strategy, context: Context):
    context.agencies = set(session.exec(select(Agency.code).where(Agency.region_id == region.id)))
    context.sectors = set(session.exec(select(Sector.code).where(Sector.region_id == region.id)))
    context.initiatives = set(
        session.exec(select(Initiative.code).where(Initiative.strategy_id == strategy.id))
    )
    context.horizon = (strategy.start_year, strategy.end_year)


def _by_code(session: Session, model: type, **where: Any) -> dict[str, Any]:
    query = select(model)
    for column, value in where.items():
        query = query.where(getattr(model, column) == value)
    return {row.code: row for row in session.exec(query.order_by(model.id))}


def _apply(
    session: Session,
    doc: RoadmapDoc,
    report: ImportReport,
    *,
    prune: bool,
    region: Region | None,
    strategy: Strategy | None,
    settings: Settings,
) -> None:
    up = _Upserter(session, report)
    if doc.whole:
        regions = {r.code: r for r in session.exec(select(Region))}
        region = up.upsert(
            "region",
            regions,
            doc.region.code,
            Region,
            {"code": doc.region.code, "name": doc.region.name, "timezone": doc.region.timezone},
        )
        session.flush()
    assert region is not None
    people = _by_code(session, Person, region_id=region.id)

    def person(p: PersonIn, role: PersonRole) -> Person:
        row = up.upsert(
            "people",
            people,
            p.code,
            Person,
            {
                "region_id": region.id,
                "code": p.code,
                "name": p.name,
                "email": p.email,
                "role": role.value,
                "locale": p.locale,
            },
        )
        up.mark("people", row)
        return row

    if doc.whole:
        coordinator = person(doc.coordinator, PersonRole.coordinator)
        strategies = {
            (s.start_year, s.end_year): s
            for s in session.exec(select(Strategy).where(Strategy.region_id == region.id))
        }
        strategy = up.upsert(
            "strategy",
            strategies,
            (doc.strategy.start_year, doc.strategy.end_year),
            Strategy,
            {
                "region_id": region.id,
                "title": doc.strategy.title,
                "start_year": doc.strategy.start_year,
                "end_year": doc.strategy.end_year,
                "coordinator_id": coordinator.id,
            },
        )
        session.flush()
        sectors = _by_code(session, Sector, region_id=region.id)
        for code, name in default_sectors(settings).items():
            if code not in sectors:
                up.upsert(
                    "sectors",
                    sectors,
                    code,
                    Sector,
                    {"region_id": region.id, "code": code, "name": name},
                )
        for sector in doc.sectors:
            up.upsert(
                "sectors",
                sectors,
                sector.code,
                Sector,
                {"region_id": region.id, "code": sector.code, "name": sector.name},
            )
        session.flush()
    assert strategy is not None
    sectors = _by_code(session, Sector, region_id=region.id)
    sector_id = {code: row.id for code, row in sectors.items()}
    lists = doc.lists
    # --prune replaces the lists the file has; a list the file leaves out is left alone.
    prune_list = {key: prune and key in lists for key in LIST_KEYS}

    agencies = _by_code(session, Agency, region_id=region.id)
    for item in lists.get("agencies", []):
        emissary = person(item.emissary, PersonRole.emissary)
        responsible = person(item.responsible, PersonRole.responsible)
        row = up.upsert(
            "agencies",
            agencies,
            item.code,
            Agency,
            {
                "region_id": region.id,
                "code": item.code,
                "name": item.name,
                "kind": item.kind,
                "emissary_id": emissary.id,
                "responsible_id": responsible.id,
            },
        )
        up.mark("agencies", row)
    agency_id = {code: row.id for code, row in agencies.items()}
    agency_emissary = {code: row.emissary_id for code, row in agencies.items()}

    initiatives = _by_code(session, Initiative, strategy_id=strategy.id)
    for item in lists.get("initiatives", []):
        row = up.upsert(
            "initiatives",
            initiatives,
            item.code,
            Initiative,
            {
                "strategy_id": strategy.id,
                "code": item.code,
                "title": item.title,
                "sector_id": sector_id[item.sector],
                "agency_id": agency_id[item.agency],
                "status": item.status,
                "problem": item.problem,
                "expected_effect": item.expected_effect,
            },
        )
        up.mark("initiatives", row)
    initiative_id = {code: row.id for code, row in initiatives.items()}

    budget = {
        (line.initiative_id, line.year, line.source): line
        for line in session.exec(
            select(BudgetLine).join(Initiative).where(Initiative.strategy_id == strategy.id)
        )
    }
    for item in lists.get("budget", []):
        key = (initiative_id[item.initiative], item.year, item.source)
        row = up.upsert(
            "budget",
            budget,
            key,
            BudgetLine,
            {
                "initiative_id": key[0],
                "year": item.year,
                "source": item.source,
                "planned_kopecks": roubles_to_kopecks(item.planned),
                "actual_kopecks": None if item.actual is None else roubles_to_kopecks(item.actual),
            },
        )
        up.mark("budget", row)

    indicators = _by_code(session, Indicator, strategy_id=strategy.id)
    values = {
        (v.indicator_id, v.year, v.kind): v
        for v in session.exec(
            select(IndicatorValue).join(Indicator).where(Indicator.strategy_id == strategy.id)
        )
    }
    for item in lists.get("indicators", []):
        row = up.upsert(
            "indicators",
            indicators,
            item.code,
            Indicator,
            {
                "strategy_id": strategy.id,
                "code": item.code,
                "name": item.name,
                "unit": item.unit,
                "sector_id": sector_id[item.sector],
                "agency_id": agency_id[item.agency] if item.agency else None,
                "higher_is_better": item.higher_is_better,
                "baseline_year": item.baseline.year,
                "baseline_value": item.baseline.value,
            },
        )
        up.mark("indicators", row)
        for kind, series in ((ValueKind.target, item.targets), (ValueKind.actual, item.actuals)):
            for year, value in series.items():
                value_row = up.upsert(
                    "indicator values",
                    values,
                    (row.id, year, kind.value),
                    IndicatorValue,
                    {"indicator_id": row.id, "year": year, "kind": kind.value, "value": value},
                )
                up.mark("indicator values", value_row)

    tasks = _by_code(session, Task, strategy_id=strategy.id)
    by_title = {(row.agency_id, row.title): row for row in tasks.values()}
    taken = set(tasks) | {item.code for item in lists.get("tasks", []) if item.code}
    for item in lists.get("tasks", []):
        code = item.code
        if code is None:
            # No code in the file: match by agency and title, else make the next T-NNN.
            match = by_title.pop((agency_id[item.agency], item.title), None)
            code = match.code if match is not None else _next_task_code(taken)
            taken.add(code)
        row = up.upsert(
            "tasks",
            tasks,
            code,
            Task,
            {
                "strategy_id": strategy.id,
                "code": code,
                "agency_id": agency_id[item.agency],
                "assignee_id": agency_emissary[item.agency],
                "title": item.title,
                "due_on": item.due,
                "stage": item.stage,
                "status": item.status,
            },
        )
        up.mark("tasks", row)

    services = _by_code(session, Service, region_id=region.id)
    for item in lists.get("services", []):
        row = up.upsert(
            "services",
            services,
            item.code,
            Service,
            {
                "region_id": region.id,
                "code": item.code,
                "name": item.name,
                "agency_id": agency_id[item.agency],
                "online": item.online,
                "online_target_year": item.online_target_year,
                "ai_candidate": item.ai_candidate,
            },
        )
        up.mark("services", row)

    systems = _by_code(session, InformationSystem, region_id=region.id)
    for item in lists.get("systems", []):
        row = up.upsert(
            "systems",
            systems,
            item.code,
            InformationSystem,
            {
                "region_id": region.id,
                "code": item.code,
                "name": item.name,
                "agency_id": agency_id[item.agency],
                "gostekh_migration_due": item.gostekh_migration_due,
                "function": item.function,
                "platform": item.platform,
            },
        )
        up.mark("systems", row)

    # Prune children before parents, so foreign keys hold at every step.
    if prune_list["budget"]:
        up.prune("budget", list(budget.values()))
    if prune_list["indicators"]:
        up.prune("indicator values", list(values.values()))
        up.prune("indicators", list(indicators.values()))
    # Tasks that stages and reviews created are not the file's to prune.
    tasks = {code: task for code, task in tasks.items() if task.template is None}
    for kind, rows in (
        ("tasks", tasks),
        ("services", services),
        ("systems", systems),
        ("initiatives", initiatives),
    ):
        if prune_list[kind]:
            up.prune(kind, list(rows.values()))
    # Agencies and people belong to the region: another strategy may still need them.
    if prune_list["agencies"]:
        used = _agencies_in_use(session, region)
        up.prune("agencies", [a for a in agencies.values() if a.id not in used])
    if doc.whole and prune:
        used = _people_in_use(session, region)
        up.prune("people", [p for p in people.values() if p.id not in used])
    session.flush()


def _agencies_in_use(session: Session, region: Region) -> set[int]:
    strategies = select(Strategy.id).where(Strategy.region_id == region.id)
    used: set[int] = set()
    for model in (Initiative, Task, Indicator):
        used |= set(session.exec(select(model.agency_id).where(model.strategy_id.in_(strategies))))
    for model in (Service, InformationSystem):
        used |= set(session.exec(select(model.agency_id).where(model.region_id == region.id)))
    return used


def _people_in_use(session: Session, region: Region) -> set[int]:
    used = set(session.exec(select(Strategy.coordinator_id).where(Strategy.region_id == region.id)))
    for agency in session.exec(select(Agency).where(Agency.region_id == region.id)):
        used |= {agency.emissary_id, agency.responsible_id}
    used |= set(
        session.exec(
            select(Task.assignee_id).where(
                Task.strategy_id.in_(select(Strategy.id).where(Strategy.region_id == region.id))
            )
        )
    )
    return used

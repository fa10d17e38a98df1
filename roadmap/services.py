"""Use cases. Each public function is one unit of work on the store.

Entry points (CLI, Prefect flows, later the web portal) call these and nothing deeper.
"""

from __future__ import annotations

import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from roadmap import roadmap_file as rf
from roadmap.calendar import RegionCalendar
from roadmap.db import Store, migrate, redacted
from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.models import (
    OPEN_TASK_STATUSES,
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
    TaskStatus,
    ValueKind,
    kopecks_to_roubles,
    roubles_to_kopecks,
)
from roadmap.settings import Settings

# --- configuration data --------------------------------------------------------------------


def default_sectors(settings: Settings) -> dict[str, str]:
    path = settings.config_dir / "sectors.toml"
    return dict(_read_toml(path).get("sectors", {}))


def stage_keys(settings: Settings) -> tuple[str, ...]:
    path = settings.config_dir / "stages.toml"
    return tuple(stage["key"] for stage in _read_toml(path).get("stage", []))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(t("file.missing", path=path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: {exc}") from None


# --- store and region -------------------------------------------------------------------------


def init_store(settings: Settings) -> tuple[str, str]:
    """Create or upgrade the store's schema; returns (redacted url, revision)."""
    revision = migrate(settings.store_url)
    return redacted(settings.store_url), revision


def open_store(settings: Settings) -> Store:
    return Store(settings.store_url)


@contextmanager
def region_session(
    settings: Settings, region_code: str | None = None
) -> Iterator[tuple[Session, Region]]:
    """One unit of work on one region's data: (session, region), committed on success."""
    store = open_store(settings)
    try:
        with store.session() as session:
            yield session, resolve_region(session, region_code)
    finally:
        store.dispose()


def resolve_region(session: Session, code: str | None) -> Region:
    """The region a command works on: --region CODE, or the only one in the store."""
    regions = session.exec(select(Region).order_by(Region.code)).all()
    if code is not None:
        for region in regions:
            if region.code == code:
                return region
        known = ", ".join(r.code for r in regions) or "—"
        raise UserError(t("region.unknown", code=code, known=known))
    if not regions:
        raise UserError(t("region.none"))
    if len(regions) > 1:
        raise UserError(t("region.ambiguous", known=", ".join(r.code for r in regions)))
    return regions[0]


def current_strategy(session: Session, region: Region) -> Strategy:
    strategy = session.exec(
        select(Strategy)
        .where(Strategy.region_id == region.id)
        .order_by(Strategy.start_year.desc(), Strategy.id.desc())
    ).first()
    if strategy is None:
        raise UserError(t("strategy.none", region=region.code))
    return strategy


def calendar_for(region: Region) -> RegionCalendar:
    return RegionCalendar(region.timezone)


# --- import ----------------------------------------------------------------------------------


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
    source = rf.read_source(path)  # before the store is opened: a bad file touches nothing
    store = open_store(settings)
    try:
        with Session(store.engine, expire_on_commit=False) as session:
            context = rf.Context(default_sectors(settings), stage_keys(settings))
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
            doc = rf.validate(source, context)
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


def _fill_context(session: Session, region: Region, strategy: Strategy, context: rf.Context):
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
    doc: rf.RoadmapDoc,
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

    def person(p: rf.PersonIn, role: PersonRole) -> Person:
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
    prune_list = {key: prune and key in lists for key in rf.LIST_KEYS}

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


def _next_task_code(taken: set[str]) -> str:
    numbers = [int(code[2:]) for code in taken if code.startswith("T-") and code[2:].isdigit()]
    return f"T-{(max(numbers, default=0) + 1):03d}"


# --- export ------------------------------------------------------------------------------------


def export_document(session: Session, region: Region) -> dict[str, Any]:
    """The region's current roadmap as a format-1 document (the inverse of import)."""
    strategy = current_strategy(session, region)
    people = {p.id: p for p in session.exec(select(Person).where(Person.region_id == region.id))}
    sectors = {
        s.id: s
        for s in session.exec(
            select(Sector).where(Sector.region_id == region.id).order_by(Sector.id)
        )
    }
    agencies = {
        a.id: a
        for a in session.exec(
            select(Agency).where(Agency.region_id == region.id).order_by(Agency.id)
        )
    }

    def person(person_id: int | None) -> dict[str, Any]:
        p = people[person_id]
        out = {"code": p.code, "name": p.name}
        if p.email:
            out["email"] = p.email
        if p.locale != "ru":
            out["locale"] = p.locale
        return out

    doc: dict[str, Any] = {
        "format": rf.FORMAT_VERSION,
        "region": {"code": region.code, "name": region.name, "timezone": region.timezone},
        "strategy": {
            "title": strategy.title,
            "start_year": strategy.start_year,
            "end_year": strategy.end_year,
        },
        "coordinator": person(strategy.coordinator_id),
        "sectors": [{"code": s.code, "name": s.name} for s in sectors.values()],
        "agencies": [],
    }
    for a in agencies.values():
        item = {"code": a.code, "name": a.name}
        if a.kind != "executive_body":
            item["kind"] = a.kind
        item["emissary"] = person(a.emissary_id)
        item["responsible"] = person(a.responsible_id)
        doc["agencies"].append(item)

    initiatives = session.exec(
        select(Initiative).where(Initiative.strategy_id == strategy.id).order_by(Initiative.id)
    ).all()
    code_of = {i.id: i.code for i in initiatives}
    doc["initiatives"] = []
    for i in initiatives:
        item = {
            "code": i.code,
            "title": i.title,
            "sector": sectors[i.sector_id].code,
            "agency": agencies[i.agency_id].code,
            "status": i.status,
        }
        if i.problem:
            item["problem"] = i.problem
        if i.expected_effect:
            item["expected_effect"] = i.expected_effect
        doc["initiatives"].append(item)

    doc["budget"] = []
    for line in session.exec(
        select(BudgetLine)
        .join(Initiative)
        .where(Initiative.strategy_id == strategy.id)
        .order_by(BudgetLine.id)
    ):
        item = {
            "initiative": code_of[line.initiative_id],
            "year": line.year,
            "source": line.source,
            "planned": line.planned,
        }
        if line.actual_kopecks is not None:
            item["actual"] = line.actual
        doc["budget"].append(item)

    series: dict[int, dict[str, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    for v in session.exec(
        select(IndicatorValue)
        .join(Indicator)
        .where(Indicator.strategy_id == strategy.id)
        .order_by(IndicatorValue.year)
    ):
        series[v.indicator_id][v.kind][v.year] = v.value
    doc["indicators"] = []
    for ind in session.exec(
        select(Indicator).where(Indicator.strategy_id == strategy.id).order_by(Indicator.id)
    ):
        item = {
            "code": ind.code,
            "name": ind.name,
            "unit": ind.unit,
            "sector": sectors[ind.sector_id].code,
        }
        if ind.agency_id:
            item["agency"] = agencies[ind.agency_id].code
        item["higher_is_better"] = ind.higher_is_better
        item["baseline"] = {"year": ind.baseline_year, "value": ind.baseline_value}
        item["targets"] = dict(series[ind.id]["target"])
        if series[ind.id]["actual"]:
            item["actuals"] = dict(series[ind.id]["actual"])
        doc["indicators"].append(item)

    doc["tasks"] = []
    for task in session.exec(select(Task).where(Task.strategy_id == strategy.id).order_by(Task.id)):
        item = {
            "code": task.code,
            "agency": agencies[task.agency_id].code,
            "title": task.title,
            "due": task.due_on,
        }
        if task.stage:
            item["stage"] = task.stage
        item["status"] = task.status
        doc["tasks"].append(item)

    doc["services"] = []
    for s in session.exec(
        select(Service).where(Service.region_id == region.id).order_by(Service.id)
    ):
        item = {
            "code": s.code,
            "name": s.name,
            "agency": agencies[s.agency_id].code,
            "online": s.online,
        }
        if s.online_target_year is not None:
            item["online_target_year"] = s.online_target_year
        item["ai_candidate"] = s.ai_candidate
        doc["services"].append(item)

    doc["systems"] = []
    for s in session.exec(
        select(InformationSystem)
        .where(InformationSystem.region_id == region.id)
        .order_by(InformationSystem.id)
    ):
        item = {"code": s.code, "name": s.name, "agency": agencies[s.agency_id].code}
        if s.gostekh_migration_due:
            item["gostekh_migration_due"] = s.gostekh_migration_due
        if s.function:
            item["function"] = s.function
        if s.platform:
            item["platform"] = s.platform
        doc["systems"].append(item)
    return doc


def export_roadmap(settings: Settings, path: Path, region_code: str | None = None) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".xlsx"):
        raise UserError(t("file.bad_kind", path=path))
    if not path.parent.is_dir():
        raise UserError(t("file.missing", path=path.parent))
    with region_session(settings, region_code) as (session, region):
        document = export_document(session, region)
    try:
        if suffix == ".xlsx":
            rf.write_xlsx(document, path)
        else:
            rf.write_yaml(document, path)
    except OSError as exc:
        raise UserError(t("export.cannot_write", path=path, reason=exc.strerror or exc)) from None
    return region.code


# --- queries for coordinators -------------------------------------------------------------------


def list_agencies(session: Session, region: Region) -> list[dict[str, Any]]:
    people = {p.id: p for p in session.exec(select(Person).where(Person.region_id == region.id))}
    strategy = current_strategy(session, region)
    open_tasks = Counter(
        session.exec(
            select(Task.agency_id).where(
                Task.strategy_id == strategy.id, Task.status.in_(OPEN_TASK_STATUSES)
            )
        )
    )
    initiatives = Counter(
        session.exec(select(Initiative.agency_id).where(Initiative.strategy_id == strategy.id))
    )
    rows = []
    for a in session.exec(
        select(Agency).where(Agency.region_id == region.id).order_by(Agency.code)
    ):
        emissary, responsible = people.get(a.emissary_id), people.get(a.responsible_id)
        rows.append(
            {
                "code": a.code,
                "name": a.name,
                "kind": a.kind,
                "emissary": emissary.name if emissary else None,
                "emissary_code": emissary.code if emissary else None,
                "responsible": responsible.name if responsible else None,
                "responsible_code": responsible.code if responsible else None,
                "initiatives": initiatives[a.id],
                "open_tasks": open_tasks[a.id],
            }
        )
    return rows


def _code_filter(
    session: Session, model: type, option: str, code: str | None, **where
) -> int | None:
    if code is None:
        return None
    known = _by_code(session, model, **where)
    if code not in known:
        raise UserError(
            t("option.unknown_code", option=option, value=code, known=", ".join(sorted(known)))
        )
    return known[code].id


def list_initiatives(
    session: Session,
    region: Region,
    *,
    sector: str | None = None,
    agency: str | None = None,
    status: str | None = None,
) -> list[dict[str, Any]]:
    strategy = current_strategy(session, region)
    sector_id = _code_filter(session, Sector, "--sector", sector, region_id=region.id)
    agency_id = _code_filter(session, Agency, "--agency", agency, region_id=region.id)
    query = (
        select(Initiative, Sector.code, Agency.code)
        .join(Sector, Initiative.sector_id == Sector.id)
        .join(Agency, Initiative.agency_id == Agency.id)
        .where(Initiative.strategy_id == strategy.id)
        .order_by(Initiative.code)
    )
    if sector_id is not None:
        query = query.where(Initiative.sector_id == sector_id)
    if agency_id is not None:
        query = query.where(Initiative.agency_id == agency_id)
    if status is not None:
        query = query.where(Initiative.status == status)
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for initiative_id, planned, actual in session.exec(
        select(
            BudgetLine.initiative_id,
            sa.func.sum(BudgetLine.planned_kopecks),
            sa.func.sum(sa.func.coalesce(BudgetLine.actual_kopecks, 0)),
        )
        .join(Initiative)
        .where(Initiative.strategy_id == strategy.id)
        .group_by(BudgetLine.initiative_id)
    ):
        totals[initiative_id] = [int(planned or 0), int(actual or 0)]
    return [
        {
            "code": i.code,
            "title": i.title,
            "sector": sector_code,
            "agency": agency_code,
            "status": i.status,
            "planned": str(kopecks_to_roubles(totals[i.id][0])),
            "actual": str(kopecks_to_roubles(totals[i.id][1])),
        }
        for i, sector_code, agency_code in session.exec(query)
    ]


def list_tasks(
    session: Session,
    region: Region,
    *,
    agency: str | None = None,
    status: str | None = None,
    overdue: bool = False,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    strategy = current_strategy(session, region)
    calendar = calendar_for(region)
    today = calendar.local_date(now or datetime.now(UTC))
    agency_id = _code_filter(session, Agency, "--agency", agency, region_id=region.id)
    query = (
        select(Task, Agency.code, Person.name)
        .join(Agency, Task.agency_id == Agency.id)
        .join(Person, Task.assignee_id == Person.id, isouter=True)
        .where(Task.strategy_id == strategy.id)
        .order_by(Task.due_on, Task.code)
    )
    if agency_id is not None:
        query = query.where(Task.agency_id == agency_id)
    if status is not None:
        query = query.where(Task.status == status)
    if overdue:
        query = query.where(Task.status.in_(OPEN_TASK_STATUSES), Task.due_on < today)
    rows = []
    for task, agency_code, assignee in session.exec(query):
        waiting = task.status in OPEN_TASK_STATUSES
        rows.append(
            {
                "code": task.code,
                "title": task.title,
                "agency": agency_code,
                "assignee": assignee,
                "stage": task.stage,
                "due": task.due_on.isoformat(),
                "status": task.status,
                "overdue": waiting and task.due_on < today,
                # working days left (positive) or overdue (negative), for open tasks
                "working_days_left": calendar.working_days_between(today, task.due_on)
                if waiting
                else None,
                "submitted_at": task.submitted_at.isoformat() if task.submitted_at else None,
            }
        )
    return rows


def find_task(session: Session, region: Region, strategy: Strategy, code: str) -> Task:
    task = session.exec(
        select(Task).where(Task.strategy_id == strategy.id, Task.code == code)
    ).first()
    if task is None:
        raise UserError(t("task.unknown", code=code, region=region.code))
    return task


def submit_task(
    settings: Settings, code: str, *, region_code: str | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """An emissary hands in the task's result: status submitted, time recorded in UTC."""
    with region_session(settings, region_code) as (session, region):
        strategy = current_strategy(session, region)
        task = find_task(session, region, strategy, code)
        if task.status not in OPEN_TASK_STATUSES:
            raise UserError(t("task.not_open", code=code, status=task.status))
        moment = calendar_for(region).aware(now) if now else datetime.now(UTC)
        task.status = TaskStatus.submitted.value
        task.submitted_at = moment.astimezone(UTC)
        session.add(task)
        local = calendar_for(region).local_time(task.submitted_at)
        return {
            "code": task.code,
            "status": task.status,
            "submitted_at": task.submitted_at.isoformat(),
            "submitted_local": local.isoformat(timespec="minutes"),
        }


def summary(session: Session, region: Region, *, now: datetime | None = None) -> dict[str, Any]:
    """The roadmap at a glance: counts, budget by source and year, indicators, tasks."""
    strategy = current_strategy(session, region)
    today = calendar_for(region).local_date(now or datetime.now(UTC))
    status_counts = Counter(
        session.exec(select(Initiative.status).where(Initiative.strategy_id == strategy.id))
    )
    budget: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for source, year, planned in session.exec(
        select(BudgetLine.source, BudgetLine.year, sa.func.sum(BudgetLine.planned_kopecks))
        .join(Initiative)
        .where(Initiative.strategy_id == strategy.id)
        .group_by(BudgetLine.source, BudgetLine.year)
    ):
        budget[source][year] = kopecks_to_roubles(int(planned))
    tasks = session.exec(select(Task).where(Task.strategy_id == strategy.id)).all()
    task_counts = Counter(task.status for task in tasks)
    overdue = sum(1 for task in tasks if task.status in OPEN_TASK_STATUSES and task.due_on < today)
    indicators = []
    for ind in session.exec(
        select(Indicator).where(Indicator.strategy_id == strategy.id).order_by(Indicator.code)
    ):
        values = {
            (v.kind, v.year): v.value
            for v in session.exec(
                select(IndicatorValue).where(IndicatorValue.indicator_id == ind.id)
            )
        }
        last_actual = max((y for k, y in values if k == "actual"), default=None)
        final_target = max((y for k, y in values if k == "target"), default=None)
        indicators.append(
            {
                "code": ind.code,
                "name": ind.name,
                "unit": ind.unit,
                "baseline": [ind.baseline_year, ind.baseline_value],
                "last_actual": [last_actual, values[("actual", last_actual)]]
                if last_actual
                else None,
                "target": [final_target, values[("target", final_target)]]
                if final_target
                else None,
                "higher_is_better": ind.higher_is_better,
            }
        )
    count = lambda model, column, value: session.exec(  # noqa: E731
        select(sa.func.count()).select_from(model).where(column == value)
    ).one()
    return {
        "region": {"code": region.code, "name": region.name, "timezone": region.timezone},
        "strategy": {
            "title": strategy.title,
            "start_year": strategy.start_year,
            "end_year": strategy.end_year,
            "version": strategy.version,
        },
        "today": today.isoformat(),
        "agencies": count(Agency, Agency.region_id, region.id),
        "initiatives": dict(status_counts),
        "budget": {s: {y: str(v) for y, v in sorted(years.items())} for s, years in budget.items()},
        "budget_total": str(
            sum((v for ys in budget.values() for v in ys.values()), Decimal("0.00"))
        ),
        "indicators": indicators,
        "tasks": dict(task_counts),
        "overdue_tasks": overdue,
        "services": count(Service, Service.region_id, region.id),
        "systems": count(InformationSystem, InformationSystem.region_id, region.id),
    }


def parse_day(value: str, option: str) -> date:
    import re

    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise UserError(t("option.bad_date", option=option, value=value))
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise UserError(t("option.bad_date", option=option, value=value)) from None
    if not 2000 <= day.year <= 2100:
        raise UserError(t("option.year_range", option=option, value=value))
    return day

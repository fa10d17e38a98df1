"""Import a roadmap file into the store: match rows by code, write only what differs, count it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from roadmap.config import default_sectors, stage_keys_in_order
from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.plan.tasks import TaskWriter, task_codes
from roadmap.roadmap_file.readers import CsvFile, read_source
from roadmap.roadmap_file.schema import PersonIn, RoadmapDoc
from roadmap.roadmap_file.validation import Context, TaskRows, validate
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
    SessionProposal,
    Strategy,
    StrategySession,
    Task,
    ValueKind,
    roubles_to_kopecks,
    utcnow,
)
from roadmap.store.unit_of_work import (
    current_strategy,
    lock_region,
    open_store,
    resolve_region,
    rows_by_code,
)


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
    warnings: list[str] = field(default_factory=list)  # taken with a change: say so

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
            "warnings": self.warnings,
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
    list_name: str | None = None,
    encoding: str | None = None,
    strict: bool = False,
) -> ImportReport:
    """Validate a roadmap file whole, then apply it in one transaction (or roll back). A CSV
    file's list is `list_name`, else told by its name or header; `encoding` forces its
    encoding; `strict` refuses due dates on days off instead of moving them."""
    # Before the store is opened: a bad file touches nothing. A task list is checked row by
    # row as it is written (in the transaction, rolled back when any row is refused).
    source = read_source(path, list_name=list_name, encoding=encoding, stream=("tasks",))
    store = open_store(settings)
    try:
        # The store's unit of work: a fault of the environment (a lost connection, a full
        # disk) rolls everything back and is one message.
        with store.session() as session:
            context = Context(default_sectors(settings), tuple(stage_keys_in_order(settings)))
            context.strict = strict
            region = strategy = None
            if source.list_name is not None:
                if session.exec(select(sa.func.count()).select_from(Region)).one() == 0:
                    raise UserError(t("import.csv_needs_region", path=path))
                region = resolve_region(session, region_code)
                lock_region(session, region.code)
                session.refresh(region)
                strategy = current_strategy(session, region)
                _fill_context(session, region, strategy, context, settings)
                if isinstance(source, CsvFile):
                    try:
                        report = _import_task_list(
                            session, source, context, region, strategy, prune=prune, dry_run=dry_run
                        )
                    except IntegrityError as exc:
                        session.rollback()
                        raise UserError(f"{path.name}: {exc.orig}") from None
                    if dry_run:
                        session.rollback()
                    return report
            else:
                code = _peek_region_code(source.data)
                if region_code is not None and code is not None and code != region_code:
                    raise UserError(
                        t("import.region_mismatch", path=path, code=code, option=region_code)
                    )
                if code is not None:
                    lock_region(session, code)  # before anything of the region is read
                region = session.exec(select(Region).where(Region.code == code)).first()
                if region is not None:
                    context.sectors = set(
                        session.exec(select(Sector.code).where(Sector.region_id == region.id))
                    )
            from roadmap.plan.exporter import export_document, state_stamp

            base_changed = (
                source.stamp is not None
                and region is not None
                and state_stamp(export_document(session, region)) != source.stamp
            )
            doc = validate(source, context)
            report = ImportReport(
                region=(doc.region.code if doc.region else region.code),
                dry_run=dry_run,
                warnings=[*source.warnings, *context.warnings],
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
            if base_changed:
                # The file was exported from an older state: what it replaces is what
                # changed in the store since, and the import says so.
                report.warnings.append(
                    t("import.older_base", path=path.name, summary=report.summary())
                )
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


def _fill_context(
    session: Session, region: Region, strategy: Strategy, context: Context, settings: Settings
):
    from roadmap.store.unit_of_work import calendar_for

    context.calendar = calendar_for(region, settings)
    context.agencies = set(session.exec(select(Agency.code).where(Agency.region_id == region.id)))
    context.sectors = set(session.exec(select(Sector.code).where(Sector.region_id == region.id)))
    context.initiatives = set(
        session.exec(select(Initiative.code).where(Initiative.strategy_id == strategy.id))
    )
    context.horizon = (strategy.start_year, strategy.end_year)


def _import_task_list(
    session: Session,
    opened: CsvFile,
    context: Context,
    region: Region,
    strategy: Strategy,
    *,
    prune: bool,
    dry_run: bool,
) -> ImportReport:
    """A CSV task list, however long, in one pass: each row checked as it is read
    (TaskRows: the messages of `validate`), written in batches (TaskWriter: one lookup, one
    insert and one update per batch, no ORM object per row). Any problem stops the writing;
    the file's problems are raised and the transaction is rolled back, so a refused file
    writes nothing. Code-less tasks are matched (or given codes) at the end, when every
    code of the file is known."""
    report = ImportReport(region=region.code, dry_run=dry_run, warnings=context.warnings)
    agencies = {
        code: (id_, emissary)
        for code, id_, emissary in session.exec(
            select(Agency.code, Agency.id, Agency.emissary_id).where(Agency.region_id == region.id)
        )
    }
    checked = TaskRows(opened, context)
    writer = TaskWriter(session, strategy.id, agencies, report.changes["tasks"], utcnow())
    uncoded = []
    for row in checked.rows():
        if row.code is None:
            uncoded.append(row)
        else:
            writer.add(*row)
    checked.finish()  # raises with every problem found: the transaction rolls back
    writer.flush()
    if uncoded:
        # Matched by agency and title, else the next T-NNN after every code there is.
        existing = writer.codes_and_titles()
        by_title = {(agency_id, title): code for code, agency_id, title in existing}
        codes = task_codes([code for code, _, _ in existing] + list(checked.codes))
        for row in uncoded:
            match = by_title.pop((agencies[row.agency][0], row.title), None)
            writer.add(*row._replace(code=match or next(codes)))
        writer.flush()
    if prune:
        writer.prune()
    if not any(vars(report.changes["tasks"]).values()):
        del report.changes["tasks"]  # an empty list: nothing to count (as for any list)
    return report


@dataclass
class _Refs:
    """What a list's rows point at: the region, its strategy, and the rows each kind has so far."""

    region: Region
    strategy: Strategy
    person: Callable[[PersonIn, PersonRole], Person]
    rows: dict[str, dict[Any, Any]] = field(default_factory=dict)

    def id_of(self, kind: str, code: str | None) -> int | None:
        return None if code is None else self.rows[kind][code].id


@dataclass(frozen=True, slots=True)
class _Spec:
    """One list of the file: its table, natural key, parent lookups and columns."""

    kind: str  # the list key; also the name the import report counts it under
    model: type
    scope: str | None  # "region" | "strategy": the owner column `{scope}_id`; None: no owner
    copy: tuple[str, ...] = ()  # columns taken as they are from the item's field of that name
    parents: tuple[tuple[str, str, str], ...] = ()  # (column, kind, item field): code → id
    extra: Callable[[Any, _Refs], dict[str, Any]] | None = None  # columns computed otherwise
    key: Callable[[Any, _Refs], Any] = lambda item, refs: item.code
    load: Callable[[Session, _Refs], dict[Any, Any]] | None = None  # default: rows by code
    children: Callable[[_Upserter, Any, Any, _Refs], None] | None = None

    def existing(self, session: Session, refs: _Refs) -> dict[Any, Any]:
        if self.load is not None:
            return self.load(session, refs)
        return rows_by_code(session, self.model, **{f"{self.scope}_id": self._owner(refs)})

    def _owner(self, refs: _Refs) -> int:
        return refs.region.id if self.scope == "region" else refs.strategy.id

    def values(self, item: Any, refs: _Refs) -> dict[str, Any]:
        values = {} if self.scope is None else {f"{self.scope}_id": self._owner(refs)}
        values.update({name: getattr(item, name) for name in self.copy})
        for column, kind, name in self.parents:
            values[column] = refs.id_of(kind, getattr(item, name))
        if self.extra is not None:
            values.update(self.extra(item, refs))
        return values


def _agency_people(item: Any, refs: _Refs) -> dict[str, Any]:
    emissary = refs.person(item.emissary, PersonRole.emissary)
    responsible = refs.person(item.responsible, PersonRole.responsible)
    return {"emissary_id": emissary.id, "responsible_id": responsible.id}


def _budget_lines(session: Session, refs: _Refs) -> dict[Any, Any]:
    query = select(BudgetLine).join(Initiative).where(Initiative.strategy_id == refs.strategy.id)
    return {(line.initiative_id, line.year, line.source): line for line in session.exec(query)}


def _money(item: Any, refs: _Refs) -> dict[str, Any]:
    actual = None if item.actual is None else roubles_to_kopecks(item.actual)
    return {"planned_kopecks": roubles_to_kopecks(item.planned), "actual_kopecks": actual}


def _indicator_fields(item: Any, refs: _Refs) -> dict[str, Any]:
    return {"baseline_year": item.baseline.year, "baseline_value": item.baseline.value}


def _indicator_values(session: Session, refs: _Refs) -> dict[Any, Any]:
    query = select(IndicatorValue).join(Indicator).where(Indicator.strategy_id == refs.strategy.id)
    return {(v.indicator_id, v.year, v.kind): v for v in session.exec(query)}


def _upsert_series(up: _Upserter, row: Indicator, item: Any, refs: _Refs) -> None:
    existing = refs.rows["indicator values"]
    for kind, series in ((ValueKind.target, item.targets), (ValueKind.actual, item.actuals)):
        for year, value in series.items():
            values = {"indicator_id": row.id, "year": year, "kind": kind.value, "value": value}
            key = (row.id, year, kind.value)
            up.mark(
                "indicator values",
                up.upsert("indicator values", existing, key, IndicatorValue, values),
            )


def _session_proposals(session: Session, refs: _Refs) -> dict[Any, Any]:
    query = (
        select(SessionProposal)
        .join(StrategySession)
        .where(StrategySession.strategy_id == refs.strategy.id)
    )
    return {(p.session_id, p.code): p for p in session.exec(query)}


def _upsert_proposals(up: _Upserter, row: StrategySession, item: Any, refs: _Refs) -> None:
    """A session's proposals, matched by the session and their code; each linked to the
    initiative it names (none: not linked)."""
    existing = refs.rows["session proposals"]
    for proposal in item.proposals:
        values = {
            "session_id": row.id,
            "code": proposal.code,
            "title": proposal.title,
            "author": proposal.author,
            "initiative_id": refs.id_of("initiatives", proposal.initiative),
        }
        key = (row.id, proposal.code)
        up.mark(
            "session proposals",
            up.upsert("session proposals", existing, key, SessionProposal, values),
        )


def _task_fields(item: Any, refs: _Refs) -> dict[str, Any]:
    return {"due_on": item.due, "assignee_id": refs.rows["agencies"][item.agency].emissary_id}


_LISTS = (
    _Spec("agencies", Agency, "region", copy=("code", "name", "kind"), extra=_agency_people),
    _Spec(
        "initiatives",
        Initiative,
        "strategy",
        copy=("code", "title", "status", "problem", "expected_effect"),
        parents=(("sector_id", "sectors", "sector"), ("agency_id", "agencies", "agency")),
    ),
    _Spec(
        "budget",
        BudgetLine,
        None,
        copy=("year", "source"),
        parents=(("initiative_id", "initiatives", "initiative"),),
        extra=_money,
        key=lambda item, refs: (refs.id_of("initiatives", item.initiative), item.year, item.source),
        load=_budget_lines,
    ),
    _Spec(
        "indicators",
        Indicator,
        "strategy",
        copy=("code", "name", "unit", "higher_is_better", "frequency"),
        parents=(("sector_id", "sectors", "sector"), ("agency_id", "agencies", "agency")),
        extra=_indicator_fields,
        children=_upsert_series,
    ),
    _Spec(
        "tasks",
        Task,
        "strategy",
        copy=("code", "title", "stage", "status"),
        parents=(("agency_id", "agencies", "agency"),),
        extra=_task_fields,
    ),
    _Spec(
        "services",
        Service,
        "region",
        copy=("code", "name", "online", "online_target_year", "ai_candidate"),
        parents=(("agency_id", "agencies", "agency"), ("sector_id", "sectors", "sector")),
    ),
    _Spec(
        "systems",
        InformationSystem,
        "region",
        copy=("code", "name", "gostekh_migration_due", "function", "platform"),
        parents=(("agency_id", "agencies", "agency"),),
    ),
    _Spec(
        "sessions",
        StrategySession,
        "strategy",
        copy=("code", "title", "kind", "held_on", "participants"),
        parents=(
            ("sector_id", "sectors", "sector"),
            ("municipality_id", "agencies", "municipality"),
        ),
        children=_upsert_proposals,
    ),
)


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
        region = _upsert_region(up, session, doc)
    assert region is not None
    people = rows_by_code(session, Person, region_id=region.id)

    def person(p: PersonIn, role: PersonRole) -> Person:
        values = {"region_id": region.id, "code": p.code, "name": p.name, "email": p.email}
        row = up.upsert(
            "people", people, p.code, Person, values | {"role": role.value, "locale": p.locale}
        )
        up.mark("people", row)
        return row

    if doc.whole:
        strategy = _upsert_strategy(
            up, session, doc, region, person(doc.coordinator, PersonRole.coordinator)
        )
        _upsert_sectors(up, session, doc, region, settings)
    assert strategy is not None
    refs = _Refs(
        region, strategy, person, {"sectors": rows_by_code(session, Sector, region_id=region.id)}
    )
    refs.rows["indicator values"] = _indicator_values(session, refs)
    refs.rows["session proposals"] = _session_proposals(session, refs)
    for spec in _LISTS:
        existing = refs.rows[spec.kind] = spec.existing(session, refs)
        items = doc.lists.get(spec.kind, [])
        if spec.kind == "tasks":
            items = _with_codes(items, existing, refs)
        for item in items:
            row = up.upsert(
                spec.kind, existing, spec.key(item, refs), spec.model, spec.values(item, refs)
            )
            up.mark(spec.kind, row)
            if spec.children is not None:
                spec.children(up, row, item, refs)
    # --prune replaces the lists the file has; a list the file leaves out is left alone.
    if prune:
        _prune(up, session, refs, set(doc.lists), people if doc.whole else None)
    session.flush()


def _upsert_region(up: _Upserter, session: Session, doc: RoadmapDoc) -> Region:
    regions = {r.code: r for r in session.exec(select(Region))}
    values = {"code": doc.region.code, "name": doc.region.name, "timezone": doc.region.timezone}
    region = up.upsert("region", regions, doc.region.code, Region, values)
    session.flush()
    return region


def _upsert_strategy(
    up: _Upserter, session: Session, doc: RoadmapDoc, region: Region, coordinator: Person
) -> Strategy:
    # A strategy is its region's plan from a start year: moving its end year (to 2024, then
    # to 2030) updates the same strategy; a file from another start year is a new strategy.
    strategies = {
        s.start_year: s
        for s in session.exec(
            select(Strategy).where(Strategy.region_id == region.id).order_by(Strategy.id.desc())
        )
    }
    values = {
        "region_id": region.id,
        "title": doc.strategy.title,
        "start_year": doc.strategy.start_year,
        "end_year": doc.strategy.end_year,
        "coordinator_id": coordinator.id,
    }
    strategy = up.upsert("strategy", strategies, doc.strategy.start_year, Strategy, values)
    session.flush()
    return strategy


def _upsert_sectors(
    up: _Upserter, session: Session, doc: RoadmapDoc, region: Region, settings: Settings
) -> None:
    """The configured default sectors the region lacks, then the file's own."""
    sectors = rows_by_code(session, Sector, region_id=region.id)
    defaults = [(c, n) for c, n in default_sectors(settings).items() if c not in sectors]
    for code, name in [*defaults, *((s.code, s.name) for s in doc.sectors)]:
        values = {"region_id": region.id, "code": code, "name": name}
        up.upsert("sectors", sectors, code, Sector, values)
    session.flush()


def _with_codes(items: list[Any], tasks: dict[str, Task], refs: _Refs) -> list[Any]:
    """Tasks without a code: match by agency and title, else give them the next T-NNN."""
    by_title = {(row.agency_id, row.title): row for row in tasks.values()}
    codes = task_codes(set(tasks) | {item.code for item in items if item.code})
    coded = []
    for item in items:
        if item.code is None:
            match = by_title.pop((refs.id_of("agencies", item.agency), item.title), None)
            code = match.code if match is not None else next(codes)
            item = item.model_copy(update={"code": code})
        coded.append(item)
    return coded


def _prune(
    up: _Upserter, session: Session, refs: _Refs, lists: set[str], people: dict | None
) -> None:
    """Delete what the file's lists no longer have, children before parents (foreign keys hold)."""
    rows = refs.rows
    if "budget" in lists:
        up.prune("budget", list(rows["budget"].values()))
    if "indicators" in lists:
        up.prune("indicator values", list(rows["indicator values"].values()))
        up.prune("indicators", list(rows["indicators"].values()))
    if "sessions" in lists:
        up.prune("session proposals", list(rows["session proposals"].values()))
        up.prune("sessions", list(rows["sessions"].values()))
    if "tasks" in lists:  # tasks that stages and reviews created are not the file's to prune
        up.prune("tasks", [task for task in rows["tasks"].values() if task.template is None])
    for kind in ("services", "systems", "initiatives"):
        if kind in lists:
            up.prune(kind, list(rows[kind].values()))
    # Agencies and people belong to the region: another strategy may still need them.
    if "agencies" in lists:
        used = _agencies_in_use(session, refs.region)
        up.prune("agencies", [a for a in rows["agencies"].values() if a.id not in used])
    if people is not None:
        used = _people_in_use(session, refs.region)
        up.prune("people", [p for p in people.values() if p.id not in used])


def _agencies_in_use(session: Session, region: Region) -> set[int]:
    strategies = select(Strategy.id).where(Strategy.region_id == region.id)
    used: set[int] = set()
    for model in (Initiative, Task, Indicator):
        used |= set(session.exec(select(model.agency_id).where(model.strategy_id.in_(strategies))))
    for model in (Service, InformationSystem):
        used |= set(session.exec(select(model.agency_id).where(model.region_id == region.id)))
    used |= set(
        session.exec(
            select(StrategySession.municipality_id).where(
                StrategySession.strategy_id.in_(strategies)
            )
        )
    )
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

"""Export the store back to a roadmap file (format 1), so export → import round-trips."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.roadmap_file.schema import (
    FORMAT_VERSION,
    AgencyIn,
    BaselineIn,
    BudgetIn,
    IndicatorIn,
    InitiativeIn,
    PersonIn,
    RegionIn,
    SectorIn,
    ServiceIn,
    SessionIn,
    SessionProposalIn,
    StrategyIn,
    StrictModel,
    SystemIn,
    TaskIn,
)
from roadmap.roadmap_file.writers import write_xlsx, write_yaml
from roadmap.settings import Settings
from roadmap.store.models import (
    Agency,
    BudgetLine,
    Indicator,
    IndicatorValue,
    InformationSystem,
    Initiative,
    Person,
    Region,
    Sector,
    Service,
    SessionProposal,
    Strategy,
    StrategySession,
    Task,
    ValueKind,
)
from roadmap.store.unit_of_work import current_strategy, region_session

# Fields written even at their default value (a reader of the file sees them spelled out); every
# other field at its default (or empty) is left out of the document.
_SHOWN_AT_DEFAULT = {"status", "higher_is_better", "ai_candidate"}


def _dump(item: StrictModel) -> dict[str, Any]:
    """One item as the file has it: its model's keys in order, defaults left out (but the shown)."""
    given = item.model_dump(exclude_none=True, exclude_defaults=True)
    return {
        name: given[name] if name in given else getattr(item, name)
        for name in type(item).model_fields
        if name in given or (name in _SHOWN_AT_DEFAULT and getattr(item, name) is not None)
    }


def export_document(session: Session, region: Region) -> dict[str, Any]:
    """The region's current roadmap as a format-1 document (the inverse of import)."""
    strategy = current_strategy(session, region)
    codes = _Codes(session, region, strategy)
    doc: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "region": _dump(RegionIn(code=region.code, name=region.name, timezone=region.timezone)),
        "strategy": _dump(
            StrategyIn(
                title=strategy.title, start_year=strategy.start_year, end_year=strategy.end_year
            )
        ),
        "coordinator": _dump(codes.person(strategy.coordinator_id)),
        "sectors": [_dump(SectorIn(code=s.code, name=s.name)) for s in codes.sectors.values()],
    }
    for key, rows in _LISTS.items():
        doc[key] = [_dump(rows(codes, row)) for row in codes.rows(key)]
    sessions = [_session_dump(codes, row) for row in codes.rows("sessions")]
    if sessions:  # a strategy without sessions exports as it did before they existed
        doc["sessions"] = sessions
    return doc


class _Codes:
    """The store's rows of one region and strategy, and the codes the file names them by."""

    def __init__(self, session: Session, region: Region, strategy: Strategy):
        self.session, self.region, self.strategy = session, region, strategy
        self.people = {p.id: p for p in self._all(Person, Person.region_id == region.id)}
        self.sectors = {s.id: s for s in self._all(Sector, Sector.region_id == region.id)}
        self.agencies = {a.id: a for a in self._all(Agency, Agency.region_id == region.id)}
        self.initiatives = {
            i.id: i for i in self._all(Initiative, Initiative.strategy_id == strategy.id)
        }
        self.session_proposals: dict[int, list[SessionProposal]] | None = None
        self.series: dict[int, dict[str, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
        for v in session.exec(
            select(IndicatorValue)
            .join(Indicator)
            .where(Indicator.strategy_id == strategy.id)
            .order_by(IndicatorValue.year)
        ):
            self.series[v.indicator_id][v.kind][v.year] = v.value

    def _all(self, model: type, *where: Any, join: type | None = None) -> list[Any]:
        query = select(model)
        if join is not None:
            query = query.join(join)
        return list(self.session.exec(query.where(*where).order_by(model.id)))

    def rows(self, key: str) -> list[Any]:
        region, strategy = self.region.id, self.strategy.id
        match key:
            case "agencies":
                return list(self.agencies.values())
            case "initiatives":
                return list(self.initiatives.values())
            case "budget":
                return self._all(BudgetLine, Initiative.strategy_id == strategy, join=Initiative)
            case "indicators":
                return self._all(Indicator, Indicator.strategy_id == strategy)
            case "tasks":
                return self._all(Task, Task.strategy_id == strategy)
            case "services":
                return self._all(Service, Service.region_id == region)
            case "systems":
                return self._all(InformationSystem, InformationSystem.region_id == region)
            case "sessions":
                return self._all(StrategySession, StrategySession.strategy_id == strategy)
        raise KeyError(key)

    def proposals(self) -> dict[int, list[SessionProposal]]:
        """Every session's proposals, in the order they were recorded."""
        by_session: dict[int, list[SessionProposal]] = defaultdict(list)
        query = (
            select(SessionProposal)
            .join(StrategySession)
            .where(StrategySession.strategy_id == self.strategy.id)
            .order_by(SessionProposal.id)
        )
        for proposal in self.session.exec(query):
            by_session[proposal.session_id].append(proposal)
        return by_session

    def person(self, person_id: int | None) -> PersonIn:
        p = self.people[person_id]
        return PersonIn(code=p.code, name=p.name, email=p.email or None, locale=p.locale)

    def agency(self, agency_id: int | None) -> str | None:
        return None if agency_id is None else self.agencies[agency_id].code


def _agency(codes: _Codes, a: Agency) -> AgencyIn:
    return AgencyIn(
        code=a.code,
        name=a.name,
        kind=a.kind,
        emissary=codes.person(a.emissary_id),
        responsible=codes.person(a.responsible_id),
    )


def _initiative(codes: _Codes, i: Initiative) -> InitiativeIn:
    return InitiativeIn(
        code=i.code,
        title=i.title,
        sector=codes.sectors[i.sector_id].code,
        agency=codes.agency(i.agency_id),
        status=i.status,
        problem=i.problem or None,
        expected_effect=i.expected_effect or None,
    )


def _budget(codes: _Codes, line: BudgetLine) -> BudgetIn:
    return BudgetIn(
        initiative=codes.initiatives[line.initiative_id].code,
        year=line.year,
        source=line.source,
        planned=line.planned,
        actual=line.actual,
    )


def _indicator(codes: _Codes, ind: Indicator) -> IndicatorIn:
    series = codes.series[ind.id]
    return IndicatorIn(
        code=ind.code,
        name=ind.name,
        unit=ind.unit,
        sector=codes.sectors[ind.sector_id].code,
        agency=codes.agency(ind.agency_id),
        higher_is_better=ind.higher_is_better,
        frequency=ind.frequency,
        baseline=BaselineIn(year=ind.baseline_year, value=ind.baseline_value),
        targets=dict(series[ValueKind.target.value]),
        actuals=dict(series[ValueKind.actual.value]),
    )


def _task(codes: _Codes, task: Task) -> TaskIn:
    return TaskIn(
        code=task.code,
        agency=codes.agency(task.agency_id),
        title=task.title,
        due=task.due_on,
        stage=task.stage or None,
        status=task.status,
    )


def _service(codes: _Codes, s: Service) -> ServiceIn:
    return ServiceIn(
        code=s.code,
        name=s.name,
        agency=codes.agency(s.agency_id),
        sector=codes.sectors[s.sector_id].code if s.sector_id is not None else None,
        online=s.online,
        online_target_year=s.online_target_year,
        ai_candidate=s.ai_candidate,
    )


def _system(codes: _Codes, s: InformationSystem) -> SystemIn:
    return SystemIn(
        code=s.code,
        name=s.name,
        agency=codes.agency(s.agency_id),
        gostekh_migration_due=s.gostekh_migration_due or None,
        function=s.function or None,
        platform=s.platform or None,
    )


def _session_dump(codes: _Codes, s: StrategySession) -> dict[str, Any]:
    """A session as the file has it, its proposals (each as the file has it) last."""
    if codes.session_proposals is None:
        codes.session_proposals = codes.proposals()
    proposals = [
        SessionProposalIn(
            code=p.code,
            title=p.title,
            author=p.author or None,
            initiative=codes.initiatives[p.initiative_id].code if p.initiative_id else None,
        )
        for p in codes.session_proposals.get(s.id, [])
    ]
    session = SessionIn(
        code=s.code,
        title=s.title,
        kind=s.kind,
        held_on=s.held_on,
        sector=codes.sectors[s.sector_id].code if s.sector_id is not None else None,
        municipality=codes.agency(s.municipality_id),
        participants=s.participants,
    )
    dumped = _dump(session)
    if proposals:
        dumped["proposals"] = [_dump(p) for p in proposals]
    return dumped


_LISTS: dict[str, Callable[[_Codes, Any], StrictModel]] = {
    "agencies": _agency,
    "initiatives": _initiative,
    "budget": _budget,
    "indicators": _indicator,
    "tasks": _task,
    "services": _service,
    "systems": _system,
}


def state_stamp(document: dict[str, Any]) -> str:
    """A short fingerprint of a region's exported state: equal documents, equal stamps."""
    import hashlib
    import json

    text = json.dumps(document, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


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
            write_xlsx(document, path)
        else:
            write_yaml(document, path, stamp=state_stamp(document))
    except OSError as exc:
        raise UserError(t("export.cannot_write", path=path, reason=exc.strerror or exc)) from None
    return region.code

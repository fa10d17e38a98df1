"""Export the store back to a roadmap file (format 1), so export → import round-trips."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.roadmap_file.schema import FORMAT_VERSION
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
    Task,
)
from roadmap.store.unit_of_work import current_strategy, region_session


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
        "format": FORMAT_VERSION,
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
            write_xlsx(document, path)
        else:
            write_yaml(document, path)
    except OSError as exc:
        raise UserError(t("export.cannot_write", path=path, reason=exc.strerror or exc)) from None
    return region.code

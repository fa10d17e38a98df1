"""`roadmap report services`: the region's public services and their move online, by
organisation (executive bodies and municipalities alike) and sector.

Per group: the services, those online now, those still to go online by year Y (not online
now, `online_target_year` ≤ Y), online by Y (the two together), AI candidates, the share
online now and by Y, and whether the share by Y reaches the target (default 0.95: the
national goal of 95 % of mass socially important services online by 2030). Y defaults to
the strategy's end year. Counted in SQL in one aggregate query per view; the totals are
the sums of the rows. A service's sector is the one its roadmap file names (`sector:`);
one without is counted under "no sector".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.reports.common import grouping_option, kind_labels, report_context
from roadmap.reports.table import Chart, Column, Report, Series, share
from roadmap.store.models import Agency, Region, Sector, Service

GROUPINGS = ("agency", "sector")
DEFAULT_GROUPING = ("agency",)
DEFAULT_TARGET = 0.95


def parse_grouping(value: str | None) -> tuple[str, ...]:
    return grouping_option(value, GROUPINGS, DEFAULT_GROUPING)


def parse_target(value: str | None) -> float:
    """`--target 0.95` (or `0,95`): a share above 0 and at most 1."""
    if value is None:
        return DEFAULT_TARGET
    try:
        number = float(value.strip().replace(",", "."))
    except ValueError:
        raise UserError(t("report.services.bad_target", value=value)) from None
    if not 0 < number <= 1:
        raise UserError(t("report.services.bad_target", value=value))
    return number


def _counts(year: int) -> list[Any]:
    """services, online now, to go online by `year`, AI candidates: SQL aggregates."""
    later = sa.and_(
        Service.online == sa.false(),
        Service.online_target_year.is_not(None),
        Service.online_target_year <= year,
    )
    return [
        sa.func.count(Service.id),
        sa.func.coalesce(sa.func.sum(sa.case((Service.online == sa.true(), 1), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case((later, 1), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case((Service.ai_candidate == sa.true(), 1), else_=0)), 0),
    ]


def grouped_counts(
    session: Session, region_id: int, grouping: tuple[str, ...], year: int
) -> list[tuple[Any, ...]]:
    """(keys…, services, online, to go online by `year`, AI candidates) per group. Grouped
    by organisation, every organisation of the region has its row (one without services
    counts 0); grouped by sector alone, the sectors that have services."""
    columns = {
        "agency": [Agency.code, Agency.name, Agency.kind],
        "sector": [Sector.code, Sector.name],
    }
    keys = [column for name in grouping for column in columns[name]]
    if "agency" in grouping:
        query = (
            sa.select(*keys, *_counts(year))
            .select_from(Agency)
            .outerjoin(Service, Service.agency_id == Agency.id)
            .where(Agency.region_id == region_id)
        )
    else:
        query = (
            sa.select(*keys, *_counts(year))
            .select_from(Service)
            .where(Service.region_id == region_id)
        )
    if "sector" in grouping:
        query = query.outerjoin(Sector, Service.sector_id == Sector.id)
    rows = [tuple(row) for row in session.execute(query.group_by(*keys))]

    def order(row: tuple[Any, ...]) -> tuple[Any, ...]:
        # Executive bodies, then municipalities, each by code; sectors by code, none last.
        key: list[Any] = []
        for name in grouping:
            if name == "agency":
                code, _, kind, *row = row
                key += [kind, code]
            else:
                code, _, *row = row
                key += [code is None, code or ""]
        return tuple(key)

    return sorted(rows, key=order)


def services_report(
    session: Session,
    region: Region,
    *,
    year: int | None = None,
    target: float = DEFAULT_TARGET,
    grouping: tuple[str, ...] = DEFAULT_GROUPING,
    now: datetime | None = None,
) -> Report:
    context = report_context(session, region, now)
    year = year if year is not None else context.strategy.end_year
    rows = []
    sectors = _sectors_of_agencies(session, region.id) if grouping == ("agency",) else None
    for values in grouped_counts(session, region.id, grouping, year):
        row: dict[str, Any] = {}
        rest = list(values)
        for grouped in grouping:
            if grouped == "agency":
                code, name, kind, *rest = rest
                row.update(agency=code, agency_name=name, agency_kind=kind)
                if sectors is not None:
                    row["sectors"] = ", ".join(sectors.get(code, [])) or None
            else:
                code, name, *rest = rest
                row.update(sector=code, sector_name=name)
        row.update(_measures(*(int(v) for v in rest), target=target))
        if row.get("sector_name", "") is None and row["services"]:
            row["sector_name"] = t("report.services.no_sector")
        rows.append(row)
    totals = _measures(
        *(sum(r[k] for r in rows) for k in ("services", "online", "planned", "ai")),
        target=target,
    )
    totals[grouping[0]] = t("report.total")
    notes = [t("report.services.rule", year=year, target=_percent(target))]
    if "sector" in grouping:
        unsectored = sum(r["services"] for r in rows if r["sector"] is None)
        if unsectored:
            notes.append(t("report.services.unsectored", count=unsectored))
    empty = [r["agency"] for r in rows if "agency" in r and not r["services"]]
    if empty:
        notes.append(t("report.services.empty", codes=", ".join(empty)))
    return Report(
        name="services",
        title=t("report.services.title"),
        columns=_columns(grouping, year),
        rows=rows,
        totals=totals,
        notes=notes,
        charts=_charts(session, region.id, year, target),
        filters={"by": list(grouping), "year": year, "target": target},
        region=context.region_label,
        strategy=context.strategy_label,
        generated_at=context.now,
        today=context.today,
    )


def _sectors_of_agencies(session: Session, region_id: int) -> dict[str, list[str]]:
    """The sectors each organisation's services name, by code (services without one add
    nothing): the sector of a row by organisation, where the file gives it."""
    pairs = session.execute(
        sa.select(Agency.code, Sector.code)
        .select_from(Service)
        .join(Agency, Service.agency_id == Agency.id)
        .join(Sector, Service.sector_id == Sector.id)
        .where(Service.region_id == region_id)
        .distinct()
        .order_by(Agency.code, Sector.code)
    )
    found: dict[str, list[str]] = {}
    for agency, sector in pairs:
        found.setdefault(agency, []).append(sector)
    return found


def _measures(services: int, online: int, planned: int, ai: int, *, target: float) -> dict:
    by_year = online + planned
    share_by = share(by_year, services)
    return {
        "services": services,
        "online": online,
        "planned": planned,
        "online_by": by_year,
        "ai": ai,
        "online_share": share(online, services),
        "online_by_share": share_by,
        # A code ("yes" / "no") that the writers show by its label; JSON keeps the code.
        "target_met": None if share_by is None else ("yes" if share_by >= target - 1e-9 else "no"),
    }


def _percent(fraction: float) -> str:
    return f"{fraction * 100:g}"


def _columns(grouping: tuple[str, ...], year: int) -> list[Column]:
    columns = []
    for name in grouping:
        if name == "agency":
            columns += [
                Column("agency", t("report.col.agency")),
                Column("agency_name", t("report.col.agency_name")),
                Column("agency_kind", t("report.col.agency_kind"), labels=kind_labels()),
            ]
        else:
            columns += [
                Column("sector", t("report.col.sector")),
                Column("sector_name", t("report.col.sector_name")),
            ]
    if grouping == ("agency",):
        columns.append(Column("sectors", t("report.services.col.sectors")))
    return [
        *columns,
        Column("services", t("report.services.col.services"), "int"),
        Column("online", t("report.services.col.online"), "int"),
        Column("planned", t("report.services.col.planned", year=year), "int"),
        Column("online_by", t("report.services.col.online_by", year=year), "int"),
        Column("ai", t("report.services.col.ai"), "int"),
        Column("online_share", t("report.services.col.online_share"), "percent"),
        Column("online_by_share", t("report.services.col.online_by_share", year=year), "percent"),
        Column(
            "target_met",
            t("report.services.col.target_met", year=year),
            labels={"yes": t("report.services.yes"), "no": t("report.services.no")},
        ),
    ]


def _charts(session: Session, region_id: int, year: int, target: float) -> list[Chart]:
    """The share online now and by Y per organisation that has services."""
    rows = [r for r in grouped_counts(session, region_id, ("agency",), year) if r[3]]
    if not rows:
        return []
    return [
        Chart(
            title=t("report.services.chart", year=year, target=_percent(target)),
            categories=[name for _, name, _, *_ in rows],
            series=[
                Series(
                    t("report.services.col.online_share"),
                    [round(online / total * 100, 1) for _, _, _, total, online, _, _ in rows],
                ),
                Series(
                    t("report.services.col.online_by_share", year=year),
                    [
                        round((online + planned) / total * 100, 1)
                        for _, _, _, total, online, planned, _ in rows
                    ],
                ),
            ],
            kind="hbar",
            unit=t("report.unit.percent"),
        )
    ]

"""`roadmap report sessions`: what the strategy sessions gave the strategy. Per session (its
code, title, kind, sector or municipality, date and participants): the proposals made
there, how many of them became initiatives, and how many of those initiatives were
selected (status selected, in_progress or done), with the selected share of the proposals.

Everything is counted per proposal (a proposal belongs to one session), in one aggregate
query, so the totals are exactly the sums of the rows. `--year` keeps the sessions held in
that year, `--kind` the sectoral or the territorial ones.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from roadmap.i18n import t
from roadmap.reports.common import report_context
from roadmap.reports.table import Chart, Column, Report, Series, share
from roadmap.store.models import (
    Agency,
    Initiative,
    InitiativeStatus,
    Region,
    Sector,
    SessionKind,
    SessionProposal,
    StrategySession,
)

#: Initiatives that made it into the strategy's selection (and those already under way).
SELECTED_STATUSES = (InitiativeStatus.selected, InitiativeStatus.in_progress, InitiativeStatus.done)


def session_counts(
    session: Session, strategy_id: int, *, year: int | None = None, kind: str | None = None
) -> list[tuple[Any, ...]]:
    """(session, sector code, sector name, municipality code, municipality name, proposals,
    proposals that became initiatives, of them selected) per session, by date and code."""
    selected = sa.func.sum(
        sa.case((Initiative.status.in_([s.value for s in SELECTED_STATUSES]), 1), else_=0)
    )
    described_by = (
        StrategySession.id,
        StrategySession.code,
        StrategySession.title,
        StrategySession.kind,
        StrategySession.held_on,
        StrategySession.participants,
        Sector.code,
        Sector.name,
        Agency.code,
        Agency.name,
    )
    query = (
        sa.select(
            *described_by,
            sa.func.count(SessionProposal.id),
            sa.func.count(SessionProposal.initiative_id),
            sa.func.coalesce(selected, 0),
        )
        .select_from(StrategySession)
        .outerjoin(Sector, StrategySession.sector_id == Sector.id)
        .outerjoin(Agency, StrategySession.municipality_id == Agency.id)
        .outerjoin(SessionProposal, SessionProposal.session_id == StrategySession.id)
        .outerjoin(Initiative, SessionProposal.initiative_id == Initiative.id)
        .where(StrategySession.strategy_id == strategy_id)
        .group_by(*described_by)
        .order_by(StrategySession.held_on, StrategySession.code)
    )
    if year is not None:
        query = query.where(StrategySession.held_on.between(date(year, 1, 1), date(year, 12, 31)))
    if kind is not None:
        query = query.where(StrategySession.kind == kind)
    return [tuple(row)[1:] for row in session.execute(query)]


def sessions_report(
    session: Session,
    region: Region,
    *,
    year: int | None = None,
    kind: str | None = None,
    now: datetime | None = None,
) -> Report:
    context = report_context(session, region, now)
    rows: list[dict[str, Any]] = []
    for (
        code,
        title,
        session_kind,
        held_on,
        participants,
        sector,
        sector_name,
        municipality,
        municipality_name,
        proposals,
        initiatives,
        selected,
    ) in session_counts(session, context.strategy.id, year=year, kind=kind):
        proposals, initiatives, selected = int(proposals), int(initiatives), int(selected)
        rows.append(
            {
                "code": code,
                "title": title,
                "kind": session_kind,
                "place": sector if sector is not None else municipality,
                "place_name": sector_name if sector is not None else municipality_name,
                "held_on": held_on,
                "participants": int(participants),
                "proposals": proposals,
                "initiatives": initiatives,
                "selected": selected,
                "selected_share": share(selected, proposals),
            }
        )
    proposals = sum(r["proposals"] for r in rows)
    selected = sum(r["selected"] for r in rows)
    totals = {
        "code": t("report.total"),
        "title": t("report.sessions.count", count=len(rows)),
        "participants": sum(r["participants"] for r in rows),
        "proposals": proposals,
        "initiatives": sum(r["initiatives"] for r in rows),
        "selected": selected,
        "selected_share": share(selected, proposals),
    }
    columns = [
        Column("code", t("report.sessions.col.code")),
        Column("title", t("report.sessions.col.title")),
        Column(
            "kind",
            t("report.sessions.col.kind"),
            labels={k.value: t(f"session.kind.{k.value}") for k in SessionKind},
        ),
        Column("place", t("report.sessions.col.place")),
        Column("place_name", t("report.sessions.col.place_name")),
        Column("held_on", t("report.sessions.col.held_on"), "date"),
        Column("participants", t("report.sessions.col.participants"), "int"),
        Column("proposals", t("report.sessions.col.proposals"), "int"),
        Column("initiatives", t("report.sessions.col.initiatives"), "int"),
        Column("selected", t("report.sessions.col.selected"), "int"),
        Column("selected_share", t("report.sessions.col.selected_share"), "percent"),
    ]
    return Report(
        name="sessions",
        title=t("report.sessions.title"),
        columns=columns,
        rows=rows,
        totals=totals,
        notes=[t("report.sessions.rule")],
        charts=_charts(rows),
        filters={"year": year, "kind": kind},
        region=context.region_label,
        strategy=context.strategy_label,
        generated_at=context.now,
        today=context.today,
    )


def _charts(rows: list[dict[str, Any]]) -> list[Chart]:
    """Proposals and the selected among them, session by session."""
    if not rows:
        return []
    return [
        Chart(
            title=t("report.sessions.chart"),
            categories=[r["code"] for r in rows],
            series=[
                Series(t("report.sessions.col.proposals"), [r["proposals"] for r in rows]),
                Series(t("report.sessions.col.selected"), [r["selected"] for r in rows]),
            ],
            kind="bar",
        )
    ]

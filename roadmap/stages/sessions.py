"""Strategy sessions (стратегические сессии): sectoral sessions on one sector and
territorial ones with one municipality, where anyone may propose an idea. A proposal is
recorded against its session and may become an initiative of the initiatives stage,
through the stage's own proposals service (roadmap.stages.proposals), in the same
transaction; the proposal then names that initiative."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import select

from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.roadmap_file.schema import SessionFields
from roadmap.settings import Settings
from roadmap.stages.proposals import ProposalIn, propose_in
from roadmap.store.models import (
    Agency,
    AgencyKind,
    Sector,
    SessionKind,
    SessionProposal,
    StrategySession,
)
from roadmap.store.unit_of_work import Scope, unit_of_work


@dataclass(frozen=True, slots=True)
class SessionRow:
    """A session as `roadmap session list` shows it."""

    code: str
    title: str
    kind: SessionKind
    held_on: date
    sector: str | None
    municipality: str | None
    participants: int
    proposals: int
    initiatives: int  # proposals that became initiatives


@dataclass(frozen=True, slots=True)
class Recorded:
    """A proposal recorded at a session; `initiative` is the one it names (`created` when
    the proposal entered the initiatives stage as a new one)."""

    session: str
    code: str
    initiative: str | None
    created: bool


def add_session(
    settings: Settings, fields: SessionFields, *, region_code: str | None = None
) -> SessionRow:
    """A new session of the current strategy: a sectoral one names a sector of the region,
    a territorial one a municipality (an agency of that kind); a code is used once."""
    with unit_of_work(settings, region_code) as scope:
        if _session(scope, fields.code, missing_ok=True) is not None:
            raise UserError(t("session.exists", code=fields.code))
        sector_id, municipality_id = _place(scope, fields)
        row = StrategySession(
            strategy_id=scope.strategy.id,
            code=fields.code,
            title=fields.title,
            kind=fields.kind,
            held_on=fields.held_on,
            sector_id=sector_id,
            municipality_id=municipality_id,
            participants=fields.participants,
        )
        scope.session.add(row)
        scope.session.flush()
        return next(s for s in _rows(scope) if s.code == fields.code)


def list_sessions(settings: Settings, *, region_code: str | None = None) -> list[SessionRow]:
    with unit_of_work(settings, region_code) as scope:
        return _rows(scope)


def propose_at_session(
    settings: Settings,
    session_code: str,
    *,
    title: str,
    author: str | None = None,
    code: str | None = None,
    initiative: str | None = None,
    new_initiative: ProposalIn | None = None,
    region_code: str | None = None,
) -> Recorded:
    """Record a proposal at a session: linked to an existing initiative (`initiative`), to a
    new one proposed into the initiatives stage (`new_initiative`, titled as the proposal),
    or to none. Everything or nothing is written."""
    if initiative is not None and new_initiative is not None:
        raise UserError(t("session.initiative_or_new"))
    with unit_of_work(settings, region_code) as scope:
        session = _session(scope, session_code)
        taken = set(
            scope.session.exec(
                select(SessionProposal.code).where(SessionProposal.session_id == session.id)
            )
        )
        if code is not None and code in taken:
            raise UserError(t("session.proposal_exists", code=code, session=session_code))
        code = code or _next_code(taken)
        created = False
        initiative_id = None
        if new_initiative is not None:
            before = set(scope.initiatives())
            proposed = propose_in(scope, [new_initiative])
            scope.session.flush()
            initiative = proposed.codes[0]
            created = initiative not in before
        if initiative is not None:
            found = scope.initiatives().get(initiative)
            if found is None:
                raise UserError(t("initiative.unknown", code=initiative))
            initiative_id = found.id
        scope.session.add(
            SessionProposal(
                session_id=session.id,
                code=code,
                title=title,
                author=author,
                initiative_id=initiative_id,
            )
        )
        return Recorded(session=session_code, code=code, initiative=initiative, created=created)


def _next_code(taken: set[str]) -> str:
    """P1, P2, …: the next after the largest number a proposal of the session has."""
    numbers = [int(c[1:]) for c in taken if c.startswith("P") and c[1:].isdigit()]
    return f"P{max(numbers, default=0) + 1}"


def _session(scope: Scope, code: str, missing_ok: bool = False) -> StrategySession | None:
    found = scope.session.exec(
        select(StrategySession).where(
            StrategySession.strategy_id == scope.strategy.id, StrategySession.code == code
        )
    ).first()
    if found is None and not missing_ok:
        known = scope.session.exec(
            select(StrategySession.code)
            .where(StrategySession.strategy_id == scope.strategy.id)
            .order_by(StrategySession.code)
        ).all()
        raise UserError(t("session.unknown", code=code, known=", ".join(known) or "—"))
    return found


def _place(scope: Scope, fields: SessionFields) -> tuple[int | None, int | None]:
    """(sector id, municipality id) of a new session, by its kind's rule."""
    own, other = (
        ("sector", "municipality") if fields.kind == "sectoral" else ("municipality", "sector")
    )
    if getattr(fields, own) is None:
        raise UserError(f"--{own}: " + t(f"format.sessions.needs_{own}"))
    if getattr(fields, other) is not None:
        raise UserError(f"--{other}: " + t(f"format.sessions.no_{other}"))
    if fields.kind == "sectoral":
        sectors = {
            s.code: s.id
            for s in scope.session.exec(select(Sector).where(Sector.region_id == scope.region.id))
        }
        if fields.sector not in sectors:
            known = ", ".join(sorted(sectors))
            raise UserError(
                t("option.unknown_code", option="--sector", value=fields.sector, known=known)
            )
        return sectors[fields.sector], None
    agencies = {a.code: a for a in scope.agencies()}
    municipalities = sorted(c for c, a in agencies.items() if a.kind == AgencyKind.municipality)
    found = agencies.get(fields.municipality)
    if found is None:
        known = ", ".join(municipalities) or "—"
        raise UserError(
            t(
                "option.unknown_code",
                option="--municipality",
                value=fields.municipality,
                known=known,
            )
        )
    if found.kind != AgencyKind.municipality:
        message = t(
            "format.sessions.not_municipality",
            code=fields.municipality,
            known=", ".join(municipalities) or "—",
        )
        raise UserError(f"--municipality: {message}")
    return None, found.id


def _rows(scope: Scope) -> list[SessionRow]:
    """The strategy's sessions by date and code, with their proposals counted in SQL."""
    proposals = (
        select(
            SessionProposal.session_id,
            sa.func.count().label("proposals"),
            sa.func.count(SessionProposal.initiative_id).label("initiatives"),
        )
        .group_by(SessionProposal.session_id)
        .subquery()
    )
    query = (
        select(
            StrategySession,
            Sector.code,
            Agency.code,
            sa.func.coalesce(proposals.c.proposals, 0),
            sa.func.coalesce(proposals.c.initiatives, 0),
        )
        .outerjoin(Sector, StrategySession.sector_id == Sector.id)
        .outerjoin(Agency, StrategySession.municipality_id == Agency.id)
        .outerjoin(proposals, proposals.c.session_id == StrategySession.id)
        .where(StrategySession.strategy_id == scope.strategy.id)
        .order_by(StrategySession.held_on, StrategySession.code)
    )
    return [
        SessionRow(
            code=s.code,
            title=s.title,
            kind=SessionKind(s.kind),
            held_on=s.held_on,
            sector=sector,
            municipality=municipality,
            participants=s.participants,
            proposals=int(count),
            initiatives=int(linked),
        )
        for s, sector, municipality, count, linked in scope.session.exec(query)
    ]

"""A small region whose strategy sessions and public services are counted by hand, for the
`sessions` and `services` reports. Region TST, strategy 2025–2027.

Initiatives: h1 in_progress, h2 selected, e1 confirmed, e2 done, x1 dropped, p1 proposed.

Sessions (by date) and their proposals → the initiative each became:

    S-H  sectoral health      2025-03-10  40  a→h1  b→h2  c→x1  d→—     4 / 3 / 2
    S-E  sectoral edu         2025-04-02  25  a→e1  b→e2  c→p1          3 / 3 / 1
    T-V  territorial mo-vlad  2026-02-20  60  a→h2  b→—                 2 / 1 / 1
    T-A  territorial mo-artem 2026-05-15   0  (none)                    0 / 0 / 0

(proposals / became initiatives / of them selected: selected, in_progress or done.)

Services (online now, online_target_year, AI candidate):

    minzdrav  s1 health  yes  —     AI      s2 health  no  2026
              s3 health  no   2028  AI      s4 (none)  yes 2024
    minobr    s5 edu     no   —             s6 edu     yes —
    mo-vlad   s7 edu     no   2027          s8 health  yes —     AI
    mo-artem  (no services: a municipality without any)

A second region OTH has a session and a service of its own that no TST figure may count.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import pytest

from roadmap.settings import Settings, get_settings
from roadmap.store.models import (
    Agency,
    Initiative,
    Region,
    Sector,
    Service,
    SessionProposal,
    Strategy,
    StrategySession,
)
from roadmap.store.unit_of_work import open_store
from tests.support import BACKENDS, Backend

INITIATIVES = [
    ("h1", "health", "minzdrav", "in_progress"),
    ("h2", "health", "mo-vlad", "selected"),
    ("e1", "edu", "minobr", "confirmed"),
    ("e2", "edu", "minobr", "done"),
    ("x1", "edu", "minobr", "dropped"),
    ("p1", "health", "minzdrav", "proposed"),
]

SESSIONS = [
    ("S-H", "Здравоохранение", "sectoral", date(2025, 3, 10), "health", None, 40,
     [("a", "h1"), ("b", "h2"), ("c", "x1"), ("d", None)]),
    ("S-E", "Образование", "sectoral", date(2025, 4, 2), "edu", None, 25,
     [("a", "e1"), ("b", "e2"), ("c", "p1")]),
    ("T-V", "Владивосток", "territorial", date(2026, 2, 20), None, "mo-vlad", 60,
     [("a", "h2"), ("b", None)]),
    ("T-A", "Артём", "territorial", date(2026, 5, 15), None, "mo-artem", 0, []),
]  # fmt: skip

SERVICES = [
    ("s1", "minzdrav", "health", True, None, True),
    ("s2", "minzdrav", "health", False, 2026, False),
    ("s3", "minzdrav", "health", False, 2028, True),
    ("s4", "minzdrav", None, True, 2024, False),
    ("s5", "minobr", "edu", False, None, False),
    ("s6", "minobr", "edu", True, None, False),
    ("s7", "mo-vlad", "edu", False, 2027, False),
    ("s8", "mo-vlad", "health", True, None, True),
]


@pytest.fixture(scope="module", params=BACKENDS)
def built_store(request, store_templates, tmp_path_factory) -> Iterator[Backend]:
    """The regions below, built once for a module of tests that only read them."""
    from tests.conftest import _create_schema, _drop_schema, _postgres_schema_url

    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sessions') / 'roadmap.db'}"
    else:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        _create_schema(schema)
        url = _postgres_schema_url(schema)
    backend = Backend(request.param, url, Settings(database_url=url), schema)
    try:
        store_templates.copy_into("migrated", backend)
        build(backend)
        yield backend
    finally:
        if schema is not None:
            _drop_schema(schema)


@pytest.fixture(name="built")
def built_fixture(built_store: Backend, monkeypatch: pytest.MonkeyPatch) -> Backend:
    """The built store, and ROADMAP_DATABASE_URL pointing at it (for the command line)."""
    monkeypatch.setenv("ROADMAP_DATABASE_URL", built_store.url)
    get_settings.cache_clear()
    return built_store


def build(backend: Backend) -> None:
    """Regions TST (above) and OTH in the (migrated, empty) store."""
    store = open_store(backend.settings)
    try:
        with store.session() as session:
            _tst(session)
            _other(session)
    finally:
        store.dispose()


def _tst(session) -> None:
    region = Region(code="TST", name="Тестовый край", timezone="Asia/Vladivostok")
    session.add(region)
    session.flush()
    plan = Strategy(region_id=region.id, title="Стратегия ЦТ", start_year=2025, end_year=2027)
    sectors = {
        "health": Sector(region_id=region.id, code="health", name="Здравоохранение"),
        "edu": Sector(region_id=region.id, code="edu", name="Образование"),
    }
    agencies = {
        "minzdrav": Agency(region_id=region.id, code="minzdrav", name="Минздрав"),
        "minobr": Agency(region_id=region.id, code="minobr", name="Минобр"),
        "mo-vlad": Agency(
            region_id=region.id, code="mo-vlad", name="Владивосток", kind="municipality"
        ),
        "mo-artem": Agency(region_id=region.id, code="mo-artem", name="Артём", kind="municipality"),
    }
    session.add_all([plan, *sectors.values(), *agencies.values()])
    session.flush()
    initiatives = {
        code: Initiative(
            strategy_id=plan.id,
            code=code,
            title=f"Инициатива {code}",
            sector_id=sectors[sector].id,
            agency_id=agencies[agency].id,
            status=status,
        )
        for code, sector, agency, status in INITIATIVES
    }
    session.add_all(initiatives.values())
    session.flush()
    for code, title, kind, held_on, sector, municipality, participants, proposals in SESSIONS:
        row = StrategySession(
            strategy_id=plan.id,
            code=code,
            title=title,
            kind=kind,
            held_on=held_on,
            sector_id=sectors[sector].id if sector else None,
            municipality_id=agencies[municipality].id if municipality else None,
            participants=participants,
        )
        session.add(row)
        session.flush()
        session.add_all(
            SessionProposal(
                session_id=row.id,
                code=proposal,
                title=f"Идея {code}-{proposal}",
                initiative_id=initiatives[initiative].id if initiative else None,
            )
            for proposal, initiative in proposals
        )
    session.add_all(
        Service(
            region_id=region.id,
            code=code,
            name=f"Услуга {code}",
            agency_id=agencies[agency].id,
            sector_id=sectors[sector].id if sector else None,
            online=online,
            online_target_year=target,
            ai_candidate=ai,
        )
        for code, agency, sector, online, target, ai in SERVICES
    )


def _other(session) -> None:
    region = Region(code="OTH", name="Другой край", timezone="Europe/Moscow")
    session.add(region)
    session.flush()
    plan = Strategy(region_id=region.id, title="Другая", start_year=2025, end_year=2027)
    sector = Sector(region_id=region.id, code="social", name="Социальная сфера")
    agency = Agency(region_id=region.id, code="minzdrav", name="Минздрав ДК")
    session.add_all([plan, sector, agency])
    session.flush()
    initiative = Initiative(
        strategy_id=plan.id,
        code="h1",
        title="Чужая",
        sector_id=sector.id,
        agency_id=agency.id,
        status="selected",
    )
    other = StrategySession(
        strategy_id=plan.id,
        code="S-H",
        title="Чужая сессия",
        kind="sectoral",
        held_on=date(2025, 3, 10),
        sector_id=sector.id,
        participants=99,
    )
    session.add_all([initiative, other])
    session.flush()
    session.add(
        SessionProposal(session_id=other.id, code="a", title="Чужая", initiative_id=initiative.id)
    )
    session.add(
        Service(
            region_id=region.id,
            code="s1",
            name="Чужая услуга",
            agency_id=agency.id,
            sector_id=sector.id,
            online=True,
        )
    )

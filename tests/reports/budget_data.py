"""A small region whose budget is computed by hand, for the budget report and its writers.

Lines (kopecks), of strategy 2025–2027:

    initiative  sector  agency    status       year  source          planned   actual
    h1          health  minzdrav  in_progress  2025  federal           10001     5000
    h1          health  minzdrav  in_progress  2025  regional              2     None
    h1          health  minzdrav  in_progress  2026  federal           20003     None
    h2          health  mo-vlad   selected     2025  municipal          1004     1004
    h2          health  mo-vlad   selected     2026  regional              5     None
    e1          edu     minobr    confirmed    2025  regional          30006    29999
    e1          edu     minobr    confirmed    2026  extrabudgetary        7        0
    x1          edu     minobr    dropped      2025  regional          50000    12345
    x1          edu     minobr    dropped      2026  federal           25050     None
    i0          health  mintrud   proposed     (no lines)

`mo-vlad` is a municipality; `mintrud` has an initiative but no money; 2027 has no lines.
"""

from __future__ import annotations

from roadmap.store.models import Agency, BudgetLine, Initiative, Region, Sector, Strategy
from roadmap.store.unit_of_work import open_store
from tests.support import Backend

EDU_NAME = "Образование <b>и</b> наука"

LINES = [
    ("h1", 2025, "federal", 10001, 5000),
    ("h1", 2025, "regional", 2, None),
    ("h1", 2026, "federal", 20003, None),
    ("h2", 2025, "municipal", 1004, 1004),
    ("h2", 2026, "regional", 5, None),
    ("e1", 2025, "regional", 30006, 29999),
    ("e1", 2026, "extrabudgetary", 7, 0),
    ("x1", 2025, "regional", 50000, 12345),
    ("x1", 2026, "federal", 25050, None),
]


def build(backend: Backend, *, strategy: bool = True) -> None:
    """The region above in the (migrated, empty) store; without its strategy if asked."""
    store = open_store(backend.settings)
    try:
        with store.session() as session:
            region = Region(code="TST", name="Тестовый край", timezone="Asia/Vladivostok")
            session.add(region)
            session.flush()
            if not strategy:
                return
            plan = Strategy(
                region_id=region.id, title="Стратегия ЦТ", start_year=2025, end_year=2027
            )
            sectors = {
                "health": Sector(region_id=region.id, code="health", name="Здравоохранение"),
                "edu": Sector(region_id=region.id, code="edu", name=EDU_NAME),
            }
            agencies = {
                "minzdrav": Agency(region_id=region.id, code="minzdrav", name="Минздрав"),
                "minobr": Agency(region_id=region.id, code="minobr", name="Минобр"),
                "mintrud": Agency(region_id=region.id, code="mintrud", name="Минтруд"),
                "mo-vlad": Agency(
                    region_id=region.id,
                    code="mo-vlad",
                    name="Владивостокский ГО",
                    kind="municipality",
                ),
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
                for code, sector, agency, status in [
                    ("h1", "health", "minzdrav", "in_progress"),
                    ("h2", "health", "mo-vlad", "selected"),
                    ("e1", "edu", "minobr", "confirmed"),
                    ("x1", "edu", "minobr", "dropped"),
                    ("i0", "health", "mintrud", "proposed"),
                ]
            }
            session.add_all(initiatives.values())
            session.flush()
            session.add_all(
                BudgetLine(
                    initiative_id=initiatives[code].id,
                    year=year,
                    source=source,
                    planned_kopecks=planned,
                    actual_kopecks=actual,
                )
                for code, year, source, planned, actual in LINES
            )
    finally:
        store.dispose()

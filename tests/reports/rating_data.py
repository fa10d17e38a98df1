"""A small region whose task progress and rating are computed by hand, for the progress
and rating reports. Region TST in Asia/Vladivostok (UTC+10), strategy 2025–2027; the
reports run at NOW = 2026-04-20 13:00 local (a Monday). April 2026 has no holidays:
working days are Monday to Friday.

Tasks (stage None is a plan task; "at" is the hand-in in UTC, its local date after →):

    org     code  stage        due         status     at                        counts as
    a-min   A1    initiatives  2026-04-06  accepted   04-06 13:00Z → 04-06     on time
    a-min   A2    initiatives  2026-04-06  submitted  04-06 15:30Z → 04-07     late 1 wd
    a-min   A3    interviews   2026-04-10  open                                overdue 6 wd
    a-min   A4    —            2026-04-30  open                                not due yet
    a-min   A5    initiatives  2026-04-06  cancelled                           left out
    a-min   A6    —            2025-06-02  accepted   (no time: imported so)   on time, 2025
    b-min   B1    initiatives  2026-04-06  accepted   04-03 02:00Z → 04-03     on time
    b-min   B2    initiatives  2026-04-08  returned                            overdue 8 wd
    b-min   B3    initiatives  2026-04-08  submitted  only an event: 04-09 01:00Z → 04-09, late 1
    b-min   B4    —            2025-06-02  open                                overdue, 2025
    t-min, u-min  (the same)   2026-04-06  accepted   04-06 00:00Z → 04-06     on time
                  initiatives  2026-04-06  submitted  04-13 01:00Z → 04-13     late 5 wd
    s-min   S1    initiatives  2026-04-06  accepted   04-05 23:00Z → 04-06     on time
    s-min   S2    interviews   2026-04-13  open                                overdue 5 wd
    m-mun   M1    —            2026-05-15  open                                not due yet
    z-none  (nothing at all)

Initiatives (status; budget lines year: planned/actual kopecks):

    a-min  ia1 in_progress 2026: 1000/900   ia2 selected 2026: 1000/—
           ia3 dropped 2026: 5000/5000      ia4 proposed (no lines)
    b-min  ib1 in_progress 2026: 1000/1500
    t-min  it1 in_progress 2025: 100/80
    m-mun  im1 in_progress 2026: 1000/500   im2 selected 2026: 1000/500

Indicators of a-min in 2026: I1 higher is better, 50 → target 70, actual 60 (0.5);
I2 lower is better, 100 → target 80, actual 88 (0.6); I3 a target, no actual (left out);
I4 10 → 20, actual 25 (1.5, clipped to 1); I5 lower is better, 5 → keep 5, actual 6
(missed: 0). Their mean: 2.1 / 4 = 0.525.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from roadmap.store.models import (
    Agency,
    BudgetLine,
    Indicator,
    IndicatorValue,
    Initiative,
    Region,
    Sector,
    Strategy,
    Task,
    TaskEvent,
)
from roadmap.store.unit_of_work import open_store
from tests.support import Backend

NOW = datetime(2026, 4, 20, 3, 0, tzinfo=UTC)
CODES = ["a-min", "b-min", "m-mun", "s-min", "t-min", "u-min", "z-none"]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# (code, org, stage, due, status, submitted_at)
TASKS = [
    ("A1", "a-min", "initiatives", "2026-04-06", "accepted", "2026-04-06T13:00"),
    ("A2", "a-min", "initiatives", "2026-04-06", "submitted", "2026-04-06T15:30"),
    ("A3", "a-min", "interviews", "2026-04-10", "open", None),
    ("A4", "a-min", None, "2026-04-30", "open", None),
    ("A5", "a-min", "initiatives", "2026-04-06", "cancelled", None),
    ("A6", "a-min", None, "2025-06-02", "accepted", None),
    ("B1", "b-min", "initiatives", "2026-04-06", "accepted", "2026-04-03T02:00"),
    ("B2", "b-min", "initiatives", "2026-04-08", "returned", None),
    ("B3", "b-min", "initiatives", "2026-04-08", "submitted", None),
    ("B4", "b-min", None, "2025-06-02", "open", None),
    ("T1", "t-min", "initiatives", "2026-04-06", "accepted", "2026-04-06T00:00"),
    ("T2", "t-min", "initiatives", "2026-04-06", "submitted", "2026-04-13T01:00"),
    ("U1", "u-min", "initiatives", "2026-04-06", "accepted", "2026-04-06T00:00"),
    ("U2", "u-min", "initiatives", "2026-04-06", "submitted", "2026-04-13T01:00"),
    ("S1", "s-min", "initiatives", "2026-04-06", "accepted", "2026-04-05T23:00"),
    ("S2", "s-min", "interviews", "2026-04-13", "open", None),
    ("M1", "m-mun", None, "2026-05-15", "open", None),
]

# (code, org, status, [(year, planned, actual)])
INITIATIVES = [
    ("ia1", "a-min", "in_progress", [(2026, 1000, 900)]),
    ("ia2", "a-min", "selected", [(2026, 1000, None)]),
    ("ia3", "a-min", "dropped", [(2026, 5000, 5000)]),
    ("ia4", "a-min", "proposed", []),
    ("ib1", "b-min", "in_progress", [(2026, 1000, 1500)]),
    ("it1", "t-min", "in_progress", [(2025, 100, 80)]),
    ("im1", "m-mun", "in_progress", [(2026, 1000, 500)]),
    ("im2", "m-mun", "selected", [(2026, 1000, 500)]),
]

# (code, higher is better, baseline, {year: (target, actual)})
INDICATORS = [
    ("I1", True, 50.0, {2026: (70.0, 60.0)}),
    ("I2", False, 100.0, {2026: (80.0, 88.0)}),
    ("I3", True, 10.0, {2026: (20.0, None)}),
    ("I4", True, 10.0, {2026: (20.0, 25.0)}),
    ("I5", False, 5.0, {2026: (5.0, 6.0)}),
]


def build(backend: Backend) -> None:
    """The region above in the (migrated, empty) store."""
    store = open_store(backend.settings)
    try:
        with store.session() as session:
            region = Region(code="TST", name="Тестовый край", timezone="Asia/Vladivostok")
            session.add(region)
            session.flush()
            plan = Strategy(
                region_id=region.id, title="Стратегия ЦТ", start_year=2025, end_year=2027
            )
            sector = Sector(region_id=region.id, code="gov", name="Госуправление")
            agencies = {
                code: Agency(
                    region_id=region.id,
                    code=code,
                    name=f"Орган {code}",
                    kind="municipality" if code.endswith("-mun") else "executive_body",
                )
                for code in CODES
            }
            session.add_all([plan, sector, *agencies.values()])
            session.flush()
            tasks = {}
            for code, org, stage, due, status, at in TASKS:
                tasks[code] = Task(
                    strategy_id=plan.id,
                    code=code,
                    agency_id=agencies[org].id,
                    title=f"Поручение {code}",
                    due_on=date.fromisoformat(due),
                    stage=stage,
                    status=status,
                    submitted_at=_at(at) if at else None,
                )
            session.add_all(tasks.values())
            session.flush()
            # B3 was submitted through the lifecycle, then its time was lost from the task
            # row (a later import rewrote its status): the event is the record.
            session.add(
                TaskEvent(
                    task_id=tasks["B3"].id,
                    action="submit",
                    from_status="open",
                    to_status="submitted",
                    at=_at("2026-04-09T01:00"),
                )
            )
            for code, org, status, lines in INITIATIVES:
                initiative = Initiative(
                    strategy_id=plan.id,
                    code=code,
                    title=f"Инициатива {code}",
                    sector_id=sector.id,
                    agency_id=agencies[org].id,
                    status=status,
                )
                session.add(initiative)
                session.flush()
                session.add_all(
                    BudgetLine(
                        initiative_id=initiative.id,
                        year=year,
                        source="regional",
                        planned_kopecks=planned,
                        actual_kopecks=actual,
                    )
                    for year, planned, actual in lines
                )
            for code, higher, baseline, values in INDICATORS:
                indicator = Indicator(
                    strategy_id=plan.id,
                    code=code,
                    name=f"Показатель {code}",
                    unit="%",
                    sector_id=sector.id,
                    agency_id=agencies["a-min"].id,
                    higher_is_better=higher,
                    baseline_year=2024,
                    baseline_value=baseline,
                )
                session.add(indicator)
                session.flush()
                for year, (target, actual) in values.items():
                    session.add(
                        IndicatorValue(
                            indicator_id=indicator.id, year=year, kind="target", value=target
                        )
                    )
                    if actual is not None:
                        session.add(
                            IndicatorValue(
                                indicator_id=indicator.id, year=year, kind="actual", value=actual
                            )
                        )
            session.commit()
    finally:
        store.dispose()

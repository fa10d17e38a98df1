"""Recurring report tasks: an indicator that names an agency gets, for every reporting
period (a quarter or a year, by `Indicator.frequency`), a task for the agency's emissary to
report its value, due on the 8th of the month after the period (roadmap.plan.indicator_periods).

`ensure_indicator_tasks` creates, idempotently, the task of the current period and of every
past period of the strategy's horizon (never before its start year) whose value is not
known yet and that has no task in any status. A value is known when the period has a
record, the whole year has a record, or the year's actual came with the roadmap file (an
actual with no record behind it). Both `roadmap import` and the daily sweep call it, so the
tasks then go through the alert ladder like any open task; recording the value accepts the
task (`close_report_task`).

The tasks are ordinary tasks: code `IND-<indicator>-<period>` (shortened with a hash when
longer than a code may be), template `indicator_report`, no stage.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from roadmap.calendar import RegionCalendar
from roadmap.i18n import t
from roadmap.plan.indicator_periods import Period, reporting_periods
from roadmap.settings import Settings
from roadmap.store.models import (
    Agency,
    Indicator,
    IndicatorRecord,
    IndicatorValue,
    Region,
    Strategy,
    Task,
    TaskStatus,
    ValueKind,
)
from roadmap.store.unit_of_work import calendar_for, unit_of_work

TEMPLATE = "indicator_report"
_MAX_CODE = 40  # a task code's length in the store
_BATCH = 500  # values per IN list or multi-row insert


def report_task_code(indicator_code: str, period: Period) -> str:
    """`IND-<indicator>-<period>`; a code too long for the store keeps the indicator's code's
    start and four hex digits of its hash (the same indicator always gets the same code)."""
    suffix = f"-{period.label}"
    code = f"IND-{indicator_code}{suffix}"
    if len(code) <= _MAX_CODE:
        return code
    digest = hashlib.sha256(indicator_code.encode()).hexdigest()[:4]
    keep = _MAX_CODE - len("IND-") - len(suffix) - len(digest) - 1
    return f"IND-{indicator_code[:keep]}.{digest}{suffix}"


@dataclass(frozen=True, slots=True)
class _Horizon:
    """One strategy to ensure the tasks of, at the region's local date."""

    strategy: Strategy
    today: date
    calendar: RegionCalendar


def ensure_indicator_tasks(
    session: Session,
    region: Region,
    strategy: Strategy,
    today: date,
    *,
    calendar: RegionCalendar | None = None,
    now: datetime | None = None,
) -> list[str]:
    """Create the missing report tasks of the strategy's indicators at the region's local
    date `today`; returns the codes created (none the second time)."""
    horizon = _Horizon(strategy, today, calendar or calendar_for(region))
    return _ensure(session, [horizon], now or datetime.now(UTC))


def ensure_region_indicator_tasks(
    settings: Settings, region_code: str | None = None, now: datetime | None = None
) -> list[str]:
    """`ensure_indicator_tasks` for one region's current strategy in a unit of work of its
    own (after `roadmap import`)."""
    with unit_of_work(settings, region_code, now) as scope:
        return ensure_indicator_tasks(
            scope.session,
            scope.region,
            scope.strategy,
            scope.today,
            calendar=scope.calendar,
            now=scope.now,
        )


def ensure_indicator_tasks_in_regions(
    session: Session, settings: Settings, regions: Sequence[Region], now: datetime
) -> list[str]:
    """`ensure_indicator_tasks` for the current strategy of each region at `now` (aware),
    with a handful of queries however many regions there are (the daily sweep)."""
    if not regions:
        return []
    latest: dict[int, Strategy] = {}
    for strategy in session.exec(
        select(Strategy)
        .where(Strategy.region_id.in_([r.id for r in regions]))
        .order_by(Strategy.region_id, Strategy.start_year.desc(), Strategy.id.desc())
    ):
        latest.setdefault(strategy.region_id, strategy)
    horizons = []
    for region in _unclaimed(session, regions):
        if region.id in latest:
            calendar = calendar_for(region, settings)
            horizons.append(_Horizon(latest[region.id], calendar.local_date(now), calendar))
    return _ensure(session, horizons, now)


def _unclaimed(session: Session, regions: Sequence[Region]) -> list[Region]:
    """The regions whose report tasks no other transaction is making right now. On
    PostgreSQL a transaction-level advisory lock per region is tried, not waited for: a
    sweep running beside another leaves those regions' tasks to it (they are the same
    tasks) instead of waiting for its commit. SQLite runs one writer at a time anyway."""
    if session.get_bind().dialect.name != "postgresql":
        return list(regions)
    keys = {region.id: _lock_key(region.code) for region in regions}
    taken = session.connection().execute(
        sa.text(
            "SELECT k FROM unnest(CAST(:keys AS bigint[])) AS k WHERE pg_try_advisory_xact_lock(k)"
        ),
        {"keys": list(keys.values())},
    )
    claimed = {key for (key,) in taken}
    return [region for region in regions if keys[region.id] in claimed]


def _lock_key(region_code: str) -> int:
    digest = hashlib.sha256(f"roadmap-indicator-tasks:{region_code}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _ensure(session: Session, horizons: list[_Horizon], now: datetime) -> list[str]:
    by_strategy = {h.strategy.id: h for h in horizons}
    if not by_strategy:
        return []
    in_strategies = Indicator.strategy_id.in_(list(by_strategy))
    indicators = session.execute(
        select(
            Indicator.id,
            Indicator.strategy_id,
            Indicator.code,
            Indicator.frequency,
            Indicator.agency_id,
            Agency.emissary_id,
        )
        .join(Agency, Indicator.agency_id == Agency.id)
        .where(in_strategies)
        .order_by(Indicator.strategy_id, Indicator.code)
    ).all()
    if not indicators:
        return []
    known = _KnownValues(session, in_strategies)
    wanted: dict[tuple[int, str], dict[str, Any]] = {}
    for ind_id, strategy_id, code, frequency, agency_id, emissary_id in indicators:
        horizon = by_strategy[strategy_id]
        for period in due_periods(frequency, horizon.strategy, horizon.today):
            if known.covers(ind_id, period):
                continue
            task_code = report_task_code(code, period)
            wanted[(strategy_id, task_code)] = {
                "strategy_id": strategy_id,
                "code": task_code,
                "agency_id": agency_id,
                "assignee_id": emissary_id,
                "title": t("indicator.task_title", code=code, period=period.label),
                "due_on": period.due_on(horizon.calendar),
                "stage": None,
                "stage_run_id": None,
                "template": TEMPLATE,
                "status": TaskStatus.open.value,
                "submitted_at": None,
                "created_at": now,
            }
    for codes in _batches(sorted({code for _, code in wanted})):
        for strategy_id, code in session.execute(
            select(Task.strategy_id, Task.code).where(
                Task.strategy_id.in_(list(by_strategy)), Task.code.in_(codes)
            )
        ):
            wanted.pop((strategy_id, code), None)
    return _insert(session, list(wanted.values()))


def due_periods(frequency: str, strategy: Strategy, today: date) -> list[Period]:
    """The periods of the horizon that have begun by `today`: the past ones and the current."""
    last_year = min(strategy.end_year, today.year)
    return [
        p for p in reporting_periods(frequency, strategy.start_year, last_year) if p.start <= today
    ]


class _KnownValues:
    """Which periods' values are known: the records, and the years' actuals (one query each)."""

    def __init__(self, session: Session, in_strategies: Any):
        self.records: set[tuple[int, int, int | None]] = set()
        self.recorded_years: set[tuple[int, int]] = set()
        for ind_id, year, quarter in session.execute(
            select(IndicatorRecord.indicator_id, IndicatorRecord.year, IndicatorRecord.quarter)
            .join(Indicator, IndicatorRecord.indicator_id == Indicator.id)
            .where(in_strategies)
        ):
            self.records.add((ind_id, year, quarter))
            self.recorded_years.add((ind_id, year))
        self.actual_years = {
            (ind_id, year)
            for ind_id, year in session.execute(
                select(IndicatorValue.indicator_id, IndicatorValue.year)
                .join(Indicator, IndicatorValue.indicator_id == Indicator.id)
                .where(in_strategies, IndicatorValue.kind == ValueKind.actual.value)
            )
        }

    def covers(self, ind_id: int, period: Period) -> bool:
        year = period.year
        return (
            (ind_id, year, period.quarter) in self.records
            or (ind_id, year, None) in self.records
            or ((ind_id, year) in self.actual_years and (ind_id, year) not in self.recorded_years)
        )


def _batches(items: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]


def _insert(session: Session, rows: list[dict[str, Any]]) -> list[str]:
    """Insert the tasks; one another sweep inserted first is skipped (`ON CONFLICT DO
    NOTHING` on the strategy's task code). Returns the codes inserted here."""
    if not rows:
        return []
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    created: list[str] = []
    table: sa.Table = Task.__table__  # type: ignore[attr-defined]
    for batch in _batches(rows):
        statement = (
            insert(table)
            .values(batch)
            .on_conflict_do_nothing(index_elements=["strategy_id", "code"])
            .returning(table.c.code)
        )
        created += list(session.execute(statement).scalars())
    return sorted(created)

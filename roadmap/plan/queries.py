"""Coordinators' read-only views: agencies, initiatives, tasks, the summary."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, select

from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.plan import reads
from roadmap.plan.money import plan_money
from roadmap.plan.reads import AgencyRow, TaskRow, task_row
from roadmap.store.models import (
    OPEN_TASK_STATUSES,
    Agency,
    BudgetLine,
    FundingSource,
    Indicator,
    IndicatorValue,
    InformationSystem,
    Initiative,
    InitiativeStatus,
    Region,
    Sector,
    Service,
    Strategy,
    Task,
    TaskStatus,
    ValueKind,
    kopecks_to_roubles,
)
from roadmap.store.reader import Reader
from roadmap.store.unit_of_work import calendar_for, current_strategy, rows_by_code


@dataclass(frozen=True, slots=True)
class InitiativeRow:
    code: str
    title: str
    sector: str
    agency: str
    status: InitiativeStatus
    planned: Decimal  # roubles
    actual: Decimal


@dataclass(frozen=True, slots=True)
class RegionInfo:
    code: str
    name: str
    timezone: str


@dataclass(frozen=True, slots=True)
class StrategyInfo:
    title: str
    start_year: int
    end_year: int
    version: int


@dataclass(frozen=True, slots=True)
class IndicatorLine:
    """An indicator with its baseline, latest actual and final target as (year, value)."""

    code: str
    name: str
    unit: str
    baseline: tuple[int, float]
    last_actual: tuple[int, float] | None
    target: tuple[int, float] | None
    higher_is_better: bool


@dataclass(frozen=True, slots=True)
class Summary:
    """The roadmap at a glance."""

    region: RegionInfo
    strategy: StrategyInfo
    today: date
    agencies: int
    initiatives: dict[InitiativeStatus, int]
    budget: dict[FundingSource, dict[int, Decimal]]  # planned roubles by source and year
    budget_total: Decimal  # the plan's money (roadmap.plan.money): dropped initiatives left out
    budget_excluded: Decimal  # planned money of dropped initiatives, not in the totals
    indicators: list[IndicatorLine]
    tasks: dict[TaskStatus, int]
    overdue_tasks: int
    services: int
    systems: int


def list_agencies(session: Session, region: Region) -> list[AgencyRow]:
    strategy = current_strategy(session, region)
    return reads.agencies(Reader.of_session(session), region, strategy.id)


def _code_filter(
    session: Session, model: type, option: str, code: str | None, **where
) -> int | None:
    if code is None:
        return None
    known = rows_by_code(session, model, **where)
    if code not in known:
        raise UserError(
            t("option.unknown_code", option=option, value=code, known=", ".join(sorted(known)))
        )
    return known[code].id


def list_initiatives(
    session: Session,
    region: Region,
    *,
    sector: str | None = None,
    agency: str | None = None,
    status: str | None = None,
) -> list[InitiativeRow]:
    strategy = current_strategy(session, region)
    sector_id = _code_filter(session, Sector, "--sector", sector, region_id=region.id)
    agency_id = _code_filter(session, Agency, "--agency", agency, region_id=region.id)
    query = (
        select(Initiative, Sector.code, Agency.code)
        .join(Sector, Initiative.sector_id == Sector.id)
        .join(Agency, Initiative.agency_id == Agency.id)
        .where(Initiative.strategy_id == strategy.id)
        .order_by(Initiative.code)
    )
    if sector_id is not None:
        query = query.where(Initiative.sector_id == sector_id)
    if agency_id is not None:
        query = query.where(Initiative.agency_id == agency_id)
    if status is not None:
        query = query.where(Initiative.status == status)
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for initiative_id, planned, actual in session.exec(
        select(
            BudgetLine.initiative_id,
            sa.func.sum(BudgetLine.planned_kopecks),
            sa.func.sum(sa.func.coalesce(BudgetLine.actual_kopecks, 0)),
        )
        .join(Initiative)
        .where(Initiative.strategy_id == strategy.id)
        .group_by(BudgetLine.initiative_id)
    ):
        totals[initiative_id] = [int(planned or 0), int(actual or 0)]
    return [
        InitiativeRow(
            code=i.code,
            title=i.title,
            sector=sector_code,
            agency=agency_code,
            status=InitiativeStatus(i.status),
            planned=kopecks_to_roubles(totals[i.id][0]),
            actual=kopecks_to_roubles(totals[i.id][1]),
        )
        for i, sector_code, agency_code in session.exec(query)
    ]


def list_tasks(
    session: Session,
    region: Region,
    *,
    agency: str | None = None,
    status: str | None = None,
    overdue: bool = False,
    code: str | None = None,
    now: datetime | None = None,
) -> list[TaskRow]:
    strategy = current_strategy(session, region)
    query = reads.tasks(
        Reader.of_session(session),
        region,
        strategy.id,
        calendar_for(region),
        now=now,
        agency=agency,
        status=status,
        overdue=overdue,
        code=code,
    )
    return [task_row(values) for values in query.rows()]


def summary(session: Session, region: Region, *, now: datetime | None = None) -> Summary:
    """The roadmap at a glance: counts, budget by source and year, indicators, tasks."""
    strategy = current_strategy(session, region)
    today = calendar_for(region).local_date(now or datetime.now(UTC))
    status_counts = Counter(
        InitiativeStatus(status)
        for status in session.exec(
            select(Initiative.status).where(Initiative.strategy_id == strategy.id)
        )
    )
    money = plan_money(session, strategy)
    budget: dict[FundingSource, dict[int, Decimal]] = defaultdict(dict)
    for (source, year), planned in money.planned_by("source", "year").items():
        budget[FundingSource(source)][year] = planned
    tasks = session.exec(select(Task).where(Task.strategy_id == strategy.id)).all()
    task_counts = Counter(TaskStatus(task.status) for task in tasks)
    overdue = sum(1 for task in tasks if task.status in OPEN_TASK_STATUSES and task.due_on < today)
    count = lambda model, column, value: session.exec(  # noqa: E731
        select(sa.func.count()).select_from(model).where(column == value)
    ).one()
    return Summary(
        region=RegionInfo(code=region.code, name=region.name, timezone=region.timezone),
        strategy=StrategyInfo(
            title=strategy.title,
            start_year=strategy.start_year,
            end_year=strategy.end_year,
            version=strategy.version,
        ),
        today=today,
        agencies=count(Agency, Agency.region_id, region.id),
        initiatives=dict(status_counts),
        budget=dict(budget),
        budget_total=money.planned,
        budget_excluded=money.excluded,
        indicators=_indicator_lines(session, strategy),
        tasks=dict(task_counts),
        overdue_tasks=overdue,
        services=count(Service, Service.region_id, region.id),
        systems=count(InformationSystem, InformationSystem.region_id, region.id),
    )


def _indicator_lines(session: Session, strategy: Strategy) -> list[IndicatorLine]:
    """Each indicator with its baseline, latest actual and final target as (year, value)."""
    indicators = []
    for ind in session.exec(
        select(Indicator).where(Indicator.strategy_id == strategy.id).order_by(Indicator.code)
    ):
        values = {
            (v.kind, v.year): v.value
            for v in session.exec(
                select(IndicatorValue).where(IndicatorValue.indicator_id == ind.id)
            )
        }
        actual, target = ValueKind.actual.value, ValueKind.target.value
        last_actual = max((y for k, y in values if k == actual), default=None)
        final_target = max((y for k, y in values if k == target), default=None)
        indicators.append(
            IndicatorLine(
                code=ind.code,
                name=ind.name,
                unit=ind.unit,
                baseline=(ind.baseline_year, ind.baseline_value),
                last_actual=(last_actual, values[(actual, last_actual)]) if last_actual else None,
                target=(final_target, values[(target, final_target)]) if final_target else None,
                higher_is_better=ind.higher_is_better,
            )
        )
    return indicators

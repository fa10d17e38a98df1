"""Tables of the store (SQLModel); the enums whose values they hold live in enums.py."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from roadmap.store.enums import (  # noqa: F401  (the tables' enums, re-exported)
    OPEN_TASK_STATUSES,
    AgencyKind,
    AlertKind,
    AlertStatus,
    FundingSource,
    HypothesisStatus,
    IndicatorFrequency,
    InitiativeStatus,
    PersonRole,
    ProposalStatus,
    ReasonCategory,
    ReviewStatus,
    SessionKind,
    StageStatus,
    StrategyStatus,
    TaskAction,
    TaskStatus,
    ValueKind,
)

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every backend (SQLite drops offsets, so store UTC)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _one_of(column: str, enum: type[StrEnum]) -> sa.CheckConstraint:
    values = ", ".join(f"'{member.value}'" for member in enum)
    return sa.CheckConstraint(f"{column} IN ({values})", name=f"{column}_valid")


def _code_field(length: int = 40) -> Any:
    return Field(max_length=length, sa_type=sa.String(length), nullable=False)


class Region(SQLModel, table=True):
    """Регион: a code, a name and the IANA timezone its calendar runs in."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, sa_type=sa.String(20), unique=True, nullable=False)
    name: str
    timezone: str = Field(max_length=64, sa_type=sa.String(64))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Strategy(SQLModel, table=True):
    """Стратегия ЦТ: the region's strategy over a horizon of years, with a version."""

    __table_args__ = (
        sa.UniqueConstraint("region_id", "start_year", "end_year"),
        sa.CheckConstraint("start_year <= end_year", name="horizon_ordered"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        _one_of("status", StrategyStatus),
    )

    id: int | None = Field(default=None, primary_key=True)
    region_id: int = Field(foreign_key="region.id", ondelete="CASCADE", index=True)
    title: str
    start_year: int
    end_year: int
    version: int = 1
    # The stage cycle the strategy is in: 1 while it is drafted, +1 for each closed yearly
    # update. Stage runs of earlier cycles are history and never change (since 0005).
    cycle: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    coordinator_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    status: str = Field(default=StrategyStatus.draft, sa_type=sa.String(16))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Sector(SQLModel, table=True):
    """Отрасль."""

    __table_args__ = (sa.UniqueConstraint("region_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    region_id: int = Field(foreign_key="region.id", ondelete="CASCADE")
    code: str = _code_field()
    name: str


class Person(SQLModel, table=True):
    """A named officer: emissary, responsible official or coordinator."""

    __table_args__ = (
        sa.UniqueConstraint("region_id", "code"),
        _one_of("role", PersonRole),
        sa.CheckConstraint("locale IN ('ru', 'en')", name="locale_valid"),
    )

    id: int | None = Field(default=None, primary_key=True)
    region_id: int = Field(foreign_key="region.id", ondelete="CASCADE")
    code: str = _code_field()
    name: str
    email: str | None = None
    role: str = Field(sa_type=sa.String(16))
    locale: str = Field(default="ru", sa_type=sa.String(2))


class Agency(SQLModel, table=True):
    """ОИВ / министерство, or a municipality, with its emissary and responsible official."""

    __table_args__ = (sa.UniqueConstraint("region_id", "code"), _one_of("kind", AgencyKind))

    id: int | None = Field(default=None, primary_key=True)
    region_id: int = Field(foreign_key="region.id", ondelete="CASCADE")
    code: str = _code_field()
    name: str
    kind: str = Field(default=AgencyKind.executive_body, sa_type=sa.String(16))
    emissary_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    responsible_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")


class Initiative(SQLModel, table=True):
    """Инициатива / проект of the strategy."""

    __table_args__ = (
        sa.UniqueConstraint("strategy_id", "code"),
        _one_of("status", InitiativeStatus),
    )

    id: int | None = Field(default=None, primary_key=True)
    strategy_id: int = Field(foreign_key="strategy.id", ondelete="CASCADE", index=True)
    code: str = _code_field()
    title: str
    sector_id: int = Field(foreign_key="sector.id", ondelete="RESTRICT")
    agency_id: int = Field(foreign_key="agency.id", ondelete="RESTRICT", index=True)
    status: str = Field(default=InitiativeStatus.proposed, sa_type=sa.String(16))
    problem: str | None = None
    expected_effect: str | None = None


class BudgetLine(SQLModel, table=True):
    """Финансирование: initiative × year × source, planned and actual, in kopecks."""

    __tablename__ = "budget_line"
    __table_args__ = (
        sa.UniqueConstraint("initiative_id", "year", "source"),
        _one_of("source", FundingSource),
        sa.CheckConstraint("planned_kopecks >= 0", name="planned_non_negative"),
        sa.CheckConstraint(
            "actual_kopecks IS NULL OR actual_kopecks >= 0", name="actual_non_negative"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", ondelete="CASCADE")
    year: int
    source: str = Field(sa_type=sa.String(16))
    planned_kopecks: int = Field(sa_type=sa.BigInteger)
    actual_kopecks: int | None = Field(default=None, sa_type=sa.BigInteger)

    @property
    def planned(self) -> Decimal:
        return kopecks_to_roubles(self.planned_kopecks)

    @property
    def actual(self) -> Decimal | None:
        return None if self.actual_kopecks is None else kopecks_to_roubles(self.actual_kopecks)


class Indicator(SQLModel, table=True):
    """Показатель: unit, baseline, yearly targets and actuals (IndicatorValue)."""

    __table_args__ = (
        sa.UniqueConstraint("strategy_id", "code"),
        _one_of("frequency", IndicatorFrequency),
    )

    id: int | None = Field(default=None, primary_key=True)
    strategy_id: int = Field(foreign_key="strategy.id", ondelete="CASCADE")
    code: str = _code_field()
    name: str
    unit: str = Field(max_length=40, sa_type=sa.String(40))
    sector_id: int = Field(foreign_key="sector.id", ondelete="RESTRICT")
    agency_id: int | None = Field(default=None, foreign_key="agency.id", ondelete="SET NULL")
    higher_is_better: bool = True
    baseline_year: int
    baseline_value: float
    # How often the named agency reports the actual value (a recurring task; since 0009).
    frequency: str = Field(
        default=IndicatorFrequency.yearly,
        sa_type=sa.String(10),
        sa_column_kwargs={"server_default": IndicatorFrequency.yearly.value},
    )


class IndicatorValue(SQLModel, table=True):
    """One yearly target or actual of an indicator."""

    __tablename__ = "indicator_value"
    __table_args__ = (
        sa.UniqueConstraint("indicator_id", "year", "kind"),
        _one_of("kind", ValueKind),
    )

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", ondelete="CASCADE")
    year: int
    kind: str = Field(sa_type=sa.String(8))
    value: float


class IndicatorRecord(SQLModel, table=True):
    """One recorded actual of an indicator for a period ("2026" or "2026-Q1"), with who
    recorded it and when (since 0009). The year's actual in indicator_value follows the
    records: a yearly record, else the latest quarter's."""

    __tablename__ = "indicator_record"
    __table_args__ = (
        sa.UniqueConstraint("indicator_id", "period"),
        sa.CheckConstraint("quarter IS NULL OR quarter BETWEEN 1 AND 4", name="quarter_1_4"),
    )

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", ondelete="CASCADE")
    period: str = Field(max_length=7, sa_type=sa.String(7))
    year: int
    quarter: int | None = None
    value: float
    recorded_by: str | None = Field(default=None, max_length=120, sa_type=sa.String(120))
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class StrategySession(SQLModel, table=True):
    """Стратегическая сессия: sectoral (one sector) or territorial (one municipality), held
    on a date with a number of participants; ideas proposed there are its proposals."""

    __tablename__ = "strategy_session"
    __table_args__ = (
        sa.UniqueConstraint("strategy_id", "code"),
        _one_of("kind", SessionKind),
        sa.CheckConstraint("participants >= 0", name="participants_non_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    strategy_id: int = Field(foreign_key="strategy.id", ondelete="CASCADE")
    code: str = _code_field()
    title: str
    kind: str = Field(sa_type=sa.String(12))
    held_on: date
    sector_id: int | None = Field(default=None, foreign_key="sector.id", ondelete="RESTRICT")
    municipality_id: int | None = Field(default=None, foreign_key="agency.id", ondelete="RESTRICT")
    participants: int = 0


class SessionProposal(SQLModel, table=True):
    """An idea proposed at a strategy session; `initiative_id` is the initiative it became
    (proposed into the initiatives stage), if any."""

    __tablename__ = "session_proposal"
    __table_args__ = (sa.UniqueConstraint("session_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="strategy_session.id", ondelete="CASCADE", index=True)
    code: str = _code_field()
    title: str
    author: str | None = None
    initiative_id: int | None = Field(
        default=None, foreign_key="initiative.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Task(SQLModel, table=True):
    """Поручение: assigned to an agency's emissary, due on a local date."""

    __table_args__ = (
        sa.UniqueConstraint("strategy_id", "code"),
        _one_of("status", TaskStatus),
        sa.Index("ix_task_open_due", "status", "due_on"),
        # Open tasks counted per organisation (agencies list) from the index alone.
        sa.Index("ix_task_strategy_status_agency", "strategy_id", "status", "agency_id"),
        # One task per stage run, agency and template: starting a stage twice adds nothing.
        sa.UniqueConstraint("stage_run_id", "agency_id", "template"),
    )

    id: int | None = Field(default=None, primary_key=True)
    strategy_id: int = Field(foreign_key="strategy.id", ondelete="CASCADE")
    code: str = _code_field()
    agency_id: int = Field(foreign_key="agency.id", ondelete="RESTRICT", index=True)
    assignee_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    title: str
    due_on: date
    stage: str | None = Field(default=None, max_length=40, sa_type=sa.String(40))
    stage_run_id: int | None = Field(default=None, foreign_key="stage_run.id", ondelete="CASCADE")
    template: str | None = Field(default=None, max_length=40, sa_type=sa.String(40))
    status: str = Field(default=TaskStatus.open, sa_type=sa.String(16))
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class TaskEvent(SQLModel, table=True):
    """История поручения: one transition of a task, with who, when and why (since 0005)."""

    __tablename__ = "task_event"
    __table_args__ = (
        _one_of("action", TaskAction),
        _one_of("from_status", TaskStatus),
        _one_of("to_status", TaskStatus),
    )

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", ondelete="CASCADE", index=True)
    action: str = Field(sa_type=sa.String(16))
    from_status: str = Field(sa_type=sa.String(16))
    to_status: str = Field(sa_type=sa.String(16))
    by: str | None = Field(default=None, max_length=120, sa_type=sa.String(120))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    why: str | None = None
    note: str | None = None  # the result note handed in with a submission
    link: str | None = None  # a link to the result (document, page)
    due_on: date | None = None  # the new due date a return set


class Service(SQLModel, table=True):
    """A public service (госуслуга) and its move online."""

    __table_args__ = (sa.UniqueConstraint("region_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    region_id: int = Field(foreign_key="region.id", ondelete="CASCADE")
    code: str = _code_field()
    name: str
    agency_id: int = Field(foreign_key="agency.id", ondelete="RESTRICT")
    # The sector the service belongs to, when the roadmap file names one (since 0009).
    sector_id: int | None = Field(default=None, foreign_key="sector.id", ondelete="RESTRICT")
    online: bool = False
    online_target_year: int | None = None
    ai_candidate: bool = False


class InformationSystem(SQLModel, table=True):
    """Информационная система and its Gostekh migration."""

    __tablename__ = "information_system"
    __table_args__ = (sa.UniqueConstraint("region_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    region_id: int = Field(foreign_key="region.id", ondelete="CASCADE")
    code: str = _code_field()
    name: str
    agency_id: int = Field(foreign_key="agency.id", ondelete="RESTRICT")
    gostekh_migration_due: date | None = None
    function: str | None = Field(default=None, max_length=60, sa_type=sa.String(60))
    platform: str | None = Field(default=None, max_length=60, sa_type=sa.String(60))


class StageRun(SQLModel, table=True):
    """Этап: one run of a stage in one cycle of the strategy (see Strategy.cycle)."""

    __tablename__ = "stage_run"
    __table_args__ = (
        sa.UniqueConstraint("strategy_id", "cycle", "stage"),
        _one_of("status", StageStatus),
    )

    id: int | None = Field(default=None, primary_key=True)
    strategy_id: int = Field(foreign_key="strategy.id", ondelete="CASCADE")
    version: int = 1  # the strategy version the run started at
    cycle: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    stage: str = Field(max_length=40, sa_type=sa.String(40))
    status: str = Field(default=StageStatus.active, sa_type=sa.String(16))
    started_on: date
    due_on: date
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    gate_missing: str | None = None  # JSON list of what the last failed gate check missed
    # The Prefect flow run that carries this stage from start to close (a pointer only).
    flow_run_id: str | None = Field(default=None, max_length=36, sa_type=sa.String(36))


class Hypothesis(SQLModel, table=True):
    """Гипотеза about an initiative, confirmed or rejected by resident interviews."""

    __table_args__ = (
        sa.UniqueConstraint("initiative_id", "code"),
        _one_of("status", HypothesisStatus),
    )

    id: int | None = Field(default=None, primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", ondelete="CASCADE", index=True)
    code: str = _code_field()
    statement: str
    status: str = Field(default=HypothesisStatus.pending, sa_type=sa.String(16))


class Interview(SQLModel, table=True):
    """Интервью with one resident about one hypothesis; a respondent counts once."""

    __table_args__ = (sa.UniqueConstraint("hypothesis_id", "respondent"),)

    id: int | None = Field(default=None, primary_key=True)
    hypothesis_id: int = Field(foreign_key="hypothesis.id", ondelete="CASCADE", index=True)
    respondent: str = _code_field()  # an anonymised respondent id, e.g. R-017
    held_on: date
    respondent_group: str
    supports: bool
    notes: str | None = None


class InitiativeScore(SQLModel, table=True):
    """One criterion's score (0–10, higher is better) of an initiative for the analysis."""

    __tablename__ = "initiative_score"
    __table_args__ = (
        sa.UniqueConstraint("initiative_id", "criterion"),
        sa.CheckConstraint("value >= 0 AND value <= 10", name="value_0_10"),
    )

    id: int | None = Field(default=None, primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", ondelete="CASCADE")
    criterion: str = Field(max_length=40, sa_type=sa.String(40))
    value: float


class AnalysisRun(SQLModel, table=True):
    """A ranking of the candidates with the weights and cut that produced the selection."""

    __tablename__ = "analysis_run"

    id: int | None = Field(default=None, primary_key=True)
    strategy_id: int = Field(foreign_key="strategy.id", ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    weights: str  # JSON {criterion: weight}
    cut: str  # "count:10" or "budget:2000000000.00"
    selected: int = 0


class AnalysisResult(SQLModel, table=True):
    """One initiative's place in an analysis run, with the scores that led to it."""

    __tablename__ = "analysis_result"
    __table_args__ = (sa.UniqueConstraint("analysis_run_id", "initiative_id"),)

    id: int | None = Field(default=None, primary_key=True)
    analysis_run_id: int = Field(foreign_key="analysis_run.id", ondelete="CASCADE")
    initiative_id: int = Field(foreign_key="initiative.id", ondelete="CASCADE")
    scores: str  # JSON {criterion: value}
    total: float
    rank: int
    selected: bool


class ArchitectureDecision(SQLModel, table=True):
    """The architecture review's decision for one agency's systems and infrastructure."""

    __tablename__ = "architecture_decision"
    __table_args__ = (sa.UniqueConstraint("strategy_id", "agency_id"),)

    id: int | None = Field(default=None, primary_key=True)
    strategy_id: int = Field(foreign_key="strategy.id", ondelete="CASCADE")
    agency_id: int = Field(foreign_key="agency.id", ondelete="CASCADE")
    decision: str
    decided_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Acknowledgement(SQLModel, table=True):
    """An escalation acknowledged by the responsible official (level 1) or coordinator (2),
    for the due date it was about: a new due date starts the ladder afresh."""

    __table_args__ = (
        sa.UniqueConstraint("task_id", "level", "due_on"),
        sa.CheckConstraint("level IN (1, 2)", name="level_valid"),
    )

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", ondelete="CASCADE")
    level: int
    due_on: date
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    acknowledged_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Alert(SQLModel, table=True):
    """Уведомление: one outbox row per task, rung and recipient (the dedupe key)."""

    __table_args__ = (
        _one_of("status", AlertStatus),
        sa.Index("ix_alert_status_next", "status", "next_attempt_at"),
        # The outbox lookups of one task's alerts (revive, cancel, acknowledgements).
        sa.Index("ix_alert_task_id", "task_id"),
        sa.CheckConstraint("attempts >= 0", name="attempts_non_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=200, sa_type=sa.String(200), unique=True)
    task_id: int | None = Field(default=None, foreign_key="task.id", ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    rung: str = Field(max_length=80, sa_type=sa.String(80))  # the ladder's key; see dedupe_key
    kind: str = Field(max_length=20, sa_type=sa.String(20))
    # The task's due date the rung was planned for (a re-dated task cancels it) and, for a
    # dead letter, the alert it reports. Columns since 0004; before, parsed from `rung`.
    due_on: date | None = None
    about_alert_id: int | None = Field(default=None, foreign_key="alert.id", ondelete="SET NULL")
    level: int = 0
    working_days: int = 0
    local_date: date
    status: str = Field(default=AlertStatus.pending, sa_type=sa.String(16))
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claim_token: str | None = Field(default=None, max_length=40, sa_type=sa.String(40))
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_to: str | None = None  # JSON list of target ids already delivered
    last_error: str | None = None  # redacted: never holds a secret of a target URL
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class AlertDelivery(SQLModel, table=True):
    """Delivery log: one try of one digest to one target."""

    __tablename__ = "alert_delivery"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    alerts: str  # JSON list of alert ids in the digest
    target: str  # the target's URL in Apprise's privacy form
    ok: bool
    error: str | None = None
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class StrategyVersion(SQLModel, table=True):
    """An approved state of a strategy; written once and never changed."""

    __tablename__ = "strategy_version"
    __table_args__ = (sa.UniqueConstraint("strategy_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    strategy_id: int = Field(foreign_key="strategy.id", ondelete="CASCADE")
    version: int
    approved_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    approved_by: str | None = None
    snapshot: str  # canonical JSON: initiatives, budget, indicator targets, task due dates
    reasons: str = "{}"  # JSON {reason category: number of applied changes}


class ReviewCycle(SQLModel, table=True):
    """Ежегодная актуализация: one yearly review of a strategy."""

    __tablename__ = "review_cycle"
    __table_args__ = (sa.UniqueConstraint("strategy_id", "year"), _one_of("status", ReviewStatus))

    id: int | None = Field(default=None, primary_key=True)
    strategy_id: int = Field(foreign_key="strategy.id", ondelete="CASCADE")
    year: int
    status: str = Field(default=ReviewStatus.open, sa_type=sa.String(8))
    baseline_version: int
    result_version: int | None = None
    opened_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ChangeProposal(SQLModel, table=True):
    """A working group's proposed change to the strategy, with its reason."""

    __tablename__ = "change_proposal"
    __table_args__ = (
        _one_of("status", ProposalStatus),
        _one_of("reason", ReasonCategory),
        sa.UniqueConstraint("cycle_id", "number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="review_cycle.id", ondelete="CASCADE")
    number: int  # shown to users: the proposal's number within the cycle
    kind: str = Field(max_length=30, sa_type=sa.String(30))
    target: str = Field(max_length=120, sa_type=sa.String(120))  # what it changes
    change: str  # JSON of the change
    agency_id: int | None = Field(default=None, foreign_key="agency.id", ondelete="SET NULL")
    reason: str = Field(sa_type=sa.String(20))
    why: str
    status: str = Field(default=ProposalStatus.pending, sa_type=sa.String(10))
    decided_by: str | None = None
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class PersonToken(SQLModel, table=True):
    """A person's sign-in link for the web portal: only the token's SHA-256 is kept; it
    expires, and the coordinator can revoke it (since 0010)."""

    __tablename__ = "person_token"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    token_hash: str = Field(max_length=64, sa_type=sa.String(64), unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: str | None = Field(default=None, max_length=120, sa_type=sa.String(120))
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebSession(SQLModel, table=True):
    """A signed-in browser: the cookie holds a random id, the store its SHA-256, the
    token it came from (revoking the token ends it) and the form token against CSRF."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    session_hash: str = Field(max_length=64, sa_type=sa.String(64), unique=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    token_id: int | None = Field(
        default=None, foreign_key="person_token.id", ondelete="CASCADE", index=True
    )
    csrf_token: str = Field(max_length=64, sa_type=sa.String(64))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class Attachment(SQLModel, table=True):
    """A file handed in with a task's result: stored under a random name in the data
    folder, with its original name, type, size and SHA-256 (since 0010)."""

    id: int | None = Field(default=None, primary_key=True)
    task_event_id: int = Field(foreign_key="task_event.id", ondelete="CASCADE", index=True)
    stored_name: str = Field(max_length=80, sa_type=sa.String(80), unique=True)
    original_name: str = Field(max_length=255, sa_type=sa.String(255))
    content_type: str = Field(max_length=100, sa_type=sa.String(100))
    size: int
    sha256: str = Field(max_length=64, sa_type=sa.String(64))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def roubles_to_kopecks(amount: Decimal) -> int:
    return int((amount * 100).to_integral_exact())


def kopecks_to_roubles(kopecks: int) -> Decimal:
    return (Decimal(kopecks) / 100).quantize(Decimal("0.01"))

"""One unit of work on one region's data: open the store, resolve the region and its current
strategy, commit on success, roll back on error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session, select

from roadmap.calendar import RegionCalendar
from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.settings import Settings
from roadmap.store.engine import Store, migrate, redacted
from roadmap.store.models import (
    Agency,
    Initiative,
    Region,
    StageRun,
    Strategy,
)


@dataclass(frozen=True, slots=True)
class StoreInfo:
    store: str  # the store's URL, password redacted
    revision: str  # the Alembic revision it is at


def init_store(settings: Settings) -> StoreInfo:
    """Create or upgrade the store's schema."""
    revision = migrate(settings.store_url)
    return StoreInfo(store=redacted(settings.store_url), revision=revision)


def open_store(settings: Settings) -> Store:
    return Store(settings.store_url)


# The store every unit of work in a `shared_store` block uses (this context and its copies).
_shared_store: ContextVar[Store | None] = ContextVar("roadmap_shared_store", default=None)


@contextmanager
def shared_store(settings: Settings) -> Iterator[None]:
    """Open the store once for every unit of work on it in this block (a flow run and its
    task runs): one engine, one schema check, pooled connections. Each unit of work is
    still a transaction of its own."""
    store = open_store(settings)
    token = _shared_store.set(store)
    try:
        yield
    finally:
        _shared_store.reset(token)
        store.dispose()


@contextmanager
def region_session(
    settings: Settings, region_code: str | None = None
) -> Iterator[tuple[Session, Region]]:
    """One unit of work on one region's data: (session, region), committed on success."""
    shared = _shared_store.get()
    store = shared if shared and shared.url == settings.store_url else open_store(settings)
    try:
        with store.session() as session:
            yield session, resolve_region(session, region_code)
    finally:
        if store is not shared:
            store.dispose()


def resolve_region(session: Session, code: str | None) -> Region:
    """The region a command works on: --region CODE, or the only one in the store."""
    from roadmap.store.reader import pick_region

    return pick_region(session.exec(select(Region).order_by(Region.code)).all(), code)


def lock_region(session: Session, code: str) -> None:
    """Serialise writers of one region until the transaction ends: on PostgreSQL a
    transaction-level advisory lock keyed by the region's code (two imports of one region
    then apply one after the other, each on the state the other left). SQLite needs none:
    every transaction takes the write lock when it begins (BEGIN IMMEDIATE)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    import hashlib

    import sqlalchemy as sa

    digest = hashlib.sha256(f"roadmap-region:{code}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    session.connection().execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def current_strategy(session: Session, region: Region) -> Strategy:
    strategy = session.exec(
        select(Strategy)
        .where(Strategy.region_id == region.id)
        .order_by(Strategy.start_year.desc(), Strategy.id.desc())
    ).first()
    if strategy is None:
        raise UserError(t("strategy.none", region=region.code))
    return strategy


def rows_by_code(session: Session, model: type, **where: Any) -> dict[str, Any]:
    """Rows of `model` matching `where` (column=value), by their code, in id order."""
    query = select(model)
    for column, value in where.items():
        query = query.where(getattr(model, column) == value)
    return {row.code: row for row in session.exec(query.order_by(model.id))}


def calendar_for(region: Region, settings: Settings | None = None) -> RegionCalendar:
    """The region's calendar: its timezone, the production calendar and the region's own
    days from config/calendar.toml (of `settings`, default the environment's)."""
    from roadmap.config import calendar_overrides
    from roadmap.settings import get_settings

    days_off, working_days = calendar_overrides(settings or get_settings(), region.code)
    return RegionCalendar(region.timezone, days_off, working_days)


@dataclass
class Scope:
    session: Session
    region: Region
    strategy: Strategy
    calendar: RegionCalendar
    now: datetime

    @property
    def today(self) -> date:
        return self.calendar.local_date(self.now)

    def agencies(self) -> list[Agency]:
        return list(
            self.session.exec(
                select(Agency).where(Agency.region_id == self.region.id).order_by(Agency.code)
            )
        )

    def agency(self, code: str, option: str = "agency") -> Agency:
        found = self.session.exec(
            select(Agency).where(Agency.region_id == self.region.id, Agency.code == code)
        ).first()
        if found is None:
            known = ", ".join(a.code for a in self.agencies())
            raise UserError(t("option.unknown_code", option=option, value=code, known=known))
        return found

    def initiatives(self) -> dict[str, Initiative]:
        return {
            i.code: i
            for i in self.session.exec(
                select(Initiative)
                .where(Initiative.strategy_id == self.strategy.id)
                .order_by(Initiative.code)
            )
        }

    def runs(self) -> dict[str, StageRun]:
        return {
            r.stage: r
            for r in self.session.exec(
                select(StageRun).where(
                    StageRun.strategy_id == self.strategy.id,
                    StageRun.cycle == self.strategy.cycle,
                )
            )
        }


@contextmanager
def unit_of_work(
    settings: Settings, region_code: str | None = None, now: datetime | None = None
) -> Iterator[Scope]:
    """One unit of work on the region's current strategy, at `now` (default: the clock)."""
    with region_session(settings, region_code) as (session, region):
        strategy = current_strategy(session, region)
        calendar = calendar_for(region, settings)
        moment = calendar.aware(now).astimezone(UTC) if now else datetime.now(UTC)
        yield Scope(session, region, strategy, calendar, moment)

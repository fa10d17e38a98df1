"""The database itself refuses bad rows, whatever code writes them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, select

from roadmap.store.models import BudgetLine, Initiative, Region, Task
from roadmap.store.unit_of_work import init_store, open_store
from tests.support import Backend


def test_migrations_build_exactly_the_models(store: Backend) -> None:
    engine = sa.create_engine(store.url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == []


def test_init_twice_is_harmless(store: Backend) -> None:
    _, revision = init_store(store.settings)
    assert revision
    open_store(store.settings).dispose()


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("budget_line", "planned_kopecks", -1),
        ("budget_line", "actual_kopecks", -100),
        ("budget_line", "source", "lottery"),
        ("initiative", "status", "forgotten"),
        ("task", "status", "lost"),
        ("agency", "kind", "company"),
    ],
)
def test_check_constraints(loaded: Backend, table: str, column: str, value: object) -> None:
    engine = sa.create_engine(loaded.url)
    try:
        with pytest.raises(IntegrityError), engine.begin() as connection:
            row_id = connection.execute(sa.text(f"SELECT min(id) FROM {table}")).scalar_one()
            connection.execute(
                sa.text(f"UPDATE {table} SET {column} = :value WHERE id = :id"),
                {"value": value, "id": row_id},
            )
    finally:
        engine.dispose()


def test_foreign_keys_and_unique_codes(loaded: Backend) -> None:
    store = open_store(loaded.settings)
    try:
        with pytest.raises(IntegrityError), store.session() as session:
            initiative = session.exec(select(Initiative)).first()
            session.add(
                BudgetLine(
                    initiative_id=initiative.id + 10_000,
                    year=2026,
                    source="federal",
                    planned_kopecks=1,
                )
            )
        with pytest.raises(IntegrityError), store.session() as session:
            task = session.exec(select(Task)).first()
            session.add(
                Task(
                    strategy_id=task.strategy_id,
                    code=task.code,
                    agency_id=task.agency_id,
                    title="дубль",
                    due_on=task.due_on,
                )
            )
        with pytest.raises(IntegrityError), store.session() as session:
            session.add(Region(code="PRI", name="ещё один", timezone="Asia/Vladivostok"))
    finally:
        store.dispose()


def test_timestamps_come_back_in_utc(loaded: Backend) -> None:
    from datetime import UTC, datetime, timedelta, timezone

    store = open_store(loaded.settings)
    vladivostok = timezone(timedelta(hours=10))
    try:
        with store.session() as session:
            task = session.exec(select(Task).order_by(Task.id)).first()
            task.submitted_at = datetime(2026, 12, 1, 10, 0, tzinfo=vladivostok)
            session.add(task)
        with store.session() as session:
            again = session.get(Task, task.id)
            assert again.submitted_at == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
            assert again.submitted_at.tzinfo is not None
    finally:
        store.dispose()

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
    revision = init_store(store.settings).revision
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


def test_0004_fills_due_on_and_about_alert_from_the_rung_strings(backend: Backend) -> None:
    """A store at 0003 holding alerts upgrades with the new columns filled from the rungs."""
    from datetime import date

    from alembic import command

    from roadmap.store.engine import _alembic_config, migrate

    engine = sa.create_engine(backend.url)
    try:
        with engine.connect() as connection:
            command.upgrade(_alembic_config(connection), "0003")
            connection.commit()
        with engine.begin() as connection:
            now = "2027-03-10 01:00:00"
            connection.execute(
                sa.text(
                    "INSERT INTO region (id, code, name, timezone, created_at)"
                    " VALUES (1, 'PRI', 'Приморье', 'Asia/Vladivostok', :now)"
                ),
                {"now": now},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO person (id, region_id, code, name, role, locale)"
                    " VALUES (1, 1, 'coord', 'К', 'coordinator', 'ru')"
                )
            )
            rungs = {
                1: "reminder-3@2027-03-01",
                2: "escalation-1@2027-03-02#4",
                3: "dead-letter:2",
                4: "due@2027-03-05",
            }
            for alert_id, rung in rungs.items():
                kind = {1: "reminder", 2: "escalation", 3: "dead_letter", 4: "due"}[alert_id]
                connection.execute(
                    sa.text(
                        "INSERT INTO alert (id, dedupe_key, person_id, rung, kind, level,"
                        " working_days, local_date, status, attempts, next_attempt_at,"
                        " created_at) VALUES (:id, :key, 1, :rung, :kind, 0, 0, '2027-03-10',"
                        " 'pending', 0, :now, :now)"
                    ),
                    {"id": alert_id, "key": f"k{alert_id}", "rung": rung, "kind": kind, "now": now},
                )
        migrate(backend.url)
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT id, rung, due_on, about_alert_id FROM alert ORDER BY id")
            ).all()
    finally:
        engine.dispose()
    due = {row.id: row.due_on for row in rows}
    as_date = {
        k: v if isinstance(v, date) or v is None else date.fromisoformat(v) for k, v in due.items()
    }
    assert as_date == {
        1: date(2027, 3, 1),
        2: date(2027, 3, 2),
        3: date(2027, 3, 2),  # a dead letter: its original's due date
        4: date(2027, 3, 5),
    }
    assert {row.id: row.about_alert_id for row in rows} == {1: None, 2: None, 3: 2, 4: None}
    assert [row.rung for row in rows] == list(rungs.values())  # the rungs stay as they were

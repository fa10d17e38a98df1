"""Engines and sessions for SQLite and PostgreSQL; the Alembic migrations that create the schema."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlmodel import Session

from roadmap.errors import UserError
from roadmap.i18n import t

# The released migrations keep their place (roadmap/migrations): released history never moves.
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def redacted(url: str) -> str:
    """The store URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<?>"


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            engine = sa.create_engine(parsed, connect_args={"timeout": 30})
            sa.event.listen(engine, "connect", _sqlite_on_connect)
            sa.event.listen(engine, "begin", _sqlite_on_begin)
        else:
            engine = sa.create_engine(parsed, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise UserError(t("store.bad_url", store=redacted(url), reason=exc)) from None
    return engine


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    # SQLite leaves foreign keys off unless asked, per connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    # Transactions are begun by us (below), not by the driver.
    dbapi_connection.isolation_level = None


def _sqlite_on_begin(connection: sa.Connection) -> None:
    # Take the write lock up front: concurrent processes (sweeps, dispatchers) then wait
    # their turn (busy timeout) instead of failing with "database is locked" when a read
    # transaction tries to become a write one.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _alembic_config(connection: sa.Connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    config = _alembic_config(None)  # type: ignore[arg-type]
    return ScriptDirectory.from_config(config).get_current_head() or ""


def current_revision(connection: sa.Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def migrate(url: str) -> str:
    """Create or upgrade the schema to the newest revision; returns it."""
    from alembic import command

    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    try:
        with _connect(engine, url) as connection:
            command.upgrade(_alembic_config(connection), "head")
            connection.commit()
            return current_revision(connection) or ""
    finally:
        engine.dispose()


@contextmanager
def _connect(engine: Engine, url: str) -> Iterator[sa.Connection]:
    try:
        connection = engine.connect()
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise UserError(t("store.unreachable", store=redacted(url), reason=reason)) from None
    with connection:
        yield connection


class Store:
    """An initialised store: an engine whose schema is at the newest revision."""

    def __init__(self, url: str):
        self.url = url
        path = sqlite_path(url)
        if path is not None and not path.exists():
            # Opening would create an empty file: refuse instead, nothing is written.
            raise UserError(t("store.not_initialised", store=redacted(url)))
        self.engine = make_engine(url)
        with _connect(self.engine, url) as connection:
            revision = current_revision(connection)
        head = head_revision()
        if revision is None:
            raise UserError(t("store.not_initialised", store=redacted(url)))
        if revision != head:
            from alembic.script import ScriptDirectory

            known = {
                s.revision
                for s in ScriptDirectory.from_config(_alembic_config(None)).walk_revisions()
            }
            key = "store.outdated" if revision in known else "store.newer"
            raise UserError(t(key, store=redacted(url), revision=revision))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: committed on success, rolled back on any error."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()

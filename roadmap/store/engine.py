"""Engines and sessions for SQLite and PostgreSQL; the Alembic migrations that create the schema."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
)
from sqlmodel import Session

from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.store.revisions import MIGRATIONS_DIR, head_revision, known_revisions


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
        if parsed.drivername in ("postgresql", "postgres"):
            # A plain postgresql:// URL names no driver: psycopg (3) is the one installed.
            parsed = parsed.set(drivername="postgresql+psycopg")
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


def current_revision(connection: sa.Connection) -> str | None:
    """The store's schema revision (None for an empty store), as Alembic records it."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def migrate(url: str) -> str:
    """Create or upgrade the schema to the newest revision; returns it."""
    from alembic import command

    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    try:
        with _connect(engine, url) as connection:
            revision = _revision_of(connection, url)
            if revision is not None and revision not in known_revisions():
                raise UserError(t("store.newer", store=redacted(url), revision=revision))
            command.upgrade(_alembic_config(connection), "head")
            connection.commit()
            return current_revision(connection) or ""
    finally:
        engine.dispose()


def _reason(exc: DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)


def _revision_of(connection: sa.Connection, url: str) -> str | None:
    """The store's revision; a file that is not a database (or a damaged one) is a message."""
    try:
        return current_revision(connection)
    except DBAPIError as exc:
        raise UserError(t("store.fault", store=redacted(url), reason=_reason(exc))) from None


@contextmanager
def _connect(engine: Engine, url: str) -> Iterator[sa.Connection]:
    try:
        connection = engine.connect()
    except OperationalError as exc:
        raise UserError(t("store.unreachable", store=redacted(url), reason=_reason(exc))) from None
    with connection:
        yield connection


def check_integrity(url: str) -> list[str]:
    """What is wrong with the store's data files: SQLite's `PRAGMA quick_check` (empty when
    sound); on PostgreSQL, which keeps its own files, that every table can be read."""
    store = Store(url)
    try:
        with store.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                rows = connection.exec_driver_sql("PRAGMA quick_check").scalars().all()
                return [] if rows == ["ok"] else [str(r) for r in rows]
            for table in sa.inspect(connection).get_table_names():
                connection.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar()
            return []
    except DBAPIError as exc:
        return [_reason(exc)]
    finally:
        store.dispose()


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
            revision = _revision_of(connection, url)
        head = head_revision()
        if revision is None:
            raise UserError(t("store.not_initialised", store=redacted(url)))
        if revision != head:
            key = "store.outdated" if revision in known_revisions() else "store.newer"
            raise UserError(t(key, store=redacted(url), revision=revision))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: committed on success, rolled back on any error."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except (OperationalError, DBAPIError) as exc:
                session.rollback()
                if isinstance(exc, IntegrityError):
                    raise
                # The environment, not the input: a full disk, a read-only or damaged
                # store, a lost connection. One message; the transaction is rolled back.
                reason = _reason(exc)
                raise UserError(t("store.fault", store=redacted(self.url), reason=reason)) from None
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def transaction(self) -> Iterator[sa.Connection]:
        """A short transaction on a connection (committed on success), with the same rule
        for faults of the environment as `session`: one message, everything rolled back."""
        try:
            with self.engine.begin() as connection:
                yield connection
        except IntegrityError:
            raise
        except DBAPIError as exc:
            reason = _reason(exc)
            raise UserError(t("store.fault", store=redacted(self.url), reason=reason)) from None

    def dispose(self) -> None:
        self.engine.dispose()

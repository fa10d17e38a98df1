"""Quick reads for the commands a person runs most (the lists): the store through its driver
(sqlite3, psycopg) with hand-written SELECTs, without SQLAlchemy, SQLModel or pydantic, so
that a list answers in a fraction of a second whatever the store's size.

The quick path is taken only when it can vouch for the result: a store URL of a form it
knows, a store at the newest revision, settings and config/calendar.toml that need no
checks. Anything else goes the usual way (`roadmap.store.engine.Store`, `Settings`,
`roadmap.config`), which reports a problem with the one message it always gave.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

from roadmap.calendar import RegionCalendar, parse_now, use_cache_dir
from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.store.revisions import head_revision


class StoreSettings(Protocol):
    """What a read needs of the settings (`Settings` or `roadmap.environment.QuickSettings`)."""

    @property
    def store_url(self) -> str: ...

    data_dir: Path
    config_dir: Path


@dataclass(frozen=True, slots=True)
class RegionRef:
    id: int
    code: str
    name: str
    timezone: str


class Reader:
    """A driver connection and its dialect; SQL is written with `?` placeholders."""

    def __init__(self, connection: Any, dialect: str):
        self.connection = connection
        self.dialect = dialect

    @classmethod
    def of_session(cls, session: Any) -> Reader:
        """The connection of an open ORM session (its changes flushed first)."""
        session.flush()
        connection = session.connection()
        return cls(connection.connection.driver_connection, connection.dialect.name)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        if self.dialect != "sqlite":
            sql = sql.replace("?", "%s")
        cursor = self.connection.cursor()
        cursor.execute(sql, tuple(params))
        return cursor

    def day(self, value: date) -> Any:
        """A date as a parameter: SQLite keeps dates as ISO text."""
        return value.isoformat() if self.dialect == "sqlite" else value

    def regions(self) -> list[RegionRef]:
        cursor = self.execute("SELECT id, code, name, timezone FROM region ORDER BY code")
        return [RegionRef(*row) for row in cursor.fetchall()]

    def region(self, code: str | None) -> RegionRef:
        return pick_region(self.regions(), code)

    def strategy_id(self, region: Any) -> int:
        """The region's current strategy (as `unit_of_work.current_strategy` picks it)."""
        row = self.execute(
            "SELECT id FROM strategy WHERE region_id = ? ORDER BY start_year DESC, id DESC LIMIT 1",
            (region.id,),
        ).fetchone()
        if row is None:
            raise UserError(t("strategy.none", region=region.code))
        return row[0]


def pick_region(regions: Sequence[Any], code: str | None) -> Any:
    """The region a command works on: --region CODE, or the only one in the store
    (`regions` in code order)."""
    if code is not None:
        for region in regions:
            if region.code == code:
                return region
        known = ", ".join(r.code for r in regions) or "—"
        raise UserError(t("region.unknown", code=code, known=known))
    if not regions:
        raise UserError(t("region.none"))
    if len(regions) > 1:
        raise UserError(t("region.ambiguous", known=", ".join(r.code for r in regions)))
    return regions[0]


def read_settings() -> Any:
    """The settings for a read: the environment as it is when it needs no checks, else the
    validated `Settings` (which reports a wrong one)."""
    from roadmap.environment import quick_settings

    settings = quick_settings()
    if settings is None:
        from roadmap.settings import get_settings

        settings = get_settings()
    return settings


@contextmanager
def open_reader(settings: StoreSettings) -> Iterator[Reader]:
    """A read-only look at the store (one snapshot), through its driver when the quick path
    can vouch for the store, else through `Store`, which reports what is wrong with it."""
    url = settings.store_url
    quick = _quick_connection(url)
    if quick is None:
        with _engine_reader(url) as reader:
            yield reader
        return
    reader = Reader(*quick)
    try:
        yield reader
    except _driver_errors() as exc:
        from roadmap.store.engine import redacted

        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(t("store.fault", store=redacted(url), reason=reason)) from None
    finally:
        try:
            reader.connection.rollback()
        finally:
            reader.connection.close()


def _driver_errors() -> tuple[type[BaseException], ...]:
    import sqlite3
    import sys

    errors: list[type[BaseException]] = [sqlite3.Error]
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None:
        errors.append(psycopg.Error)
    return tuple(errors)


@contextmanager
def _engine_reader(url: str) -> Iterator[Reader]:
    """The usual way: settings validated, the store opened and checked by `Store`."""
    from roadmap.settings import get_settings

    get_settings()  # a setting that needs its checks is reported here, as by every command
    from roadmap.store.engine import Store

    store = Store(url)
    try:
        with store.transaction() as connection:
            yield Reader(connection.connection.driver_connection, connection.dialect.name)
    finally:
        store.dispose()


def _quick_connection(url: str) -> tuple[Any, str] | None:
    """A driver connection to a store at the newest revision, or None when the quick path
    cannot vouch for it (a URL form it does not know, a missing or damaged file, another
    revision, no connection): `Store` then says what is wrong."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return None
    if scheme == "sqlite":
        connection = _sqlite(rest)
        dialect = "sqlite"
    elif scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        connection = _postgresql(rest)
        dialect = "postgresql"
    else:
        return None
    if connection is None:
        return None
    try:
        if dialect == "sqlite":
            connection.execute("BEGIN")  # one snapshot for every SELECT of the command
        cursor = connection.cursor()
        cursor.execute("SELECT version_num FROM alembic_version")
        revisions = [row[0] for row in cursor.fetchall()]
    except Exception:
        revisions = []
    if revisions != [head_revision()]:
        with suppress(Exception):
            connection.close()
        return None
    return connection, dialect


def _sqlite(rest: str) -> Any:
    # sqlite:///relative/path or sqlite:////absolute/path, no query options.
    if not rest.startswith("/") or any(c in rest for c in "?#%"):
        return None
    path = rest[1:]
    if path in ("", ":memory:") or not Path(path).is_file():
        return None  # opening would create an empty file; `Store` refuses instead
    import sqlite3

    try:
        return sqlite3.connect(path, timeout=30, isolation_level=None)
    except sqlite3.Error:
        return None


def _postgresql(rest: str) -> Any:
    """psycopg's connection from the URL, as SQLAlchemy's psycopg dialect builds it
    (user, password, host, port, database, and the query as connection options)."""
    from urllib.parse import parse_qsl, unquote, urlsplit

    try:
        parts = urlsplit("//" + rest)
        port = parts.port
        query = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        return None
    if parts.fragment or len({k for k, _ in query}) != len(query) or "," in parts.netloc:
        return None
    options: dict[str, Any] = {}
    for key, value in (
        ("user", parts.username and unquote(parts.username)),
        ("password", parts.password and unquote(parts.password)),
        ("host", parts.hostname),
        ("port", port),
        ("dbname", unquote(parts.path.removeprefix("/")) or None),
    ):
        if value is not None and value != "":
            options[key] = value
    options.update(query)
    try:
        import psycopg

        return psycopg.connect(**options)
    except Exception:
        return None


# --- the region's calendar and moment ---------------------------------------------------------


def region_calendar(settings: StoreSettings, region: Any) -> RegionCalendar:
    """The region's calendar (as `unit_of_work.calendar_for`): its timezone, the production
    calendar (cached in the data directory) and the region's days from config/calendar.toml."""
    use_cache_dir(settings.data_dir / "cache")
    overrides = _quick_overrides(settings.config_dir, region.code)
    if overrides is None:
        from roadmap.config import calendar_overrides

        overrides = calendar_overrides(settings, region.code)  # type: ignore[arg-type]
    return RegionCalendar(region.timezone, *overrides)


def _quick_overrides(config_dir: Path, code: str) -> tuple[frozenset[date], frozenset[date]] | None:
    """config/calendar.toml read without pydantic when every entry is plainly right; None
    otherwise (`roadmap.config` then reads it, and reports a mistake)."""
    import tomllib

    try:
        data = tomllib.loads((config_dir / "calendar.toml").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return frozenset(), frozenset()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    regions = data.get("regions", {})
    if set(data) - {"regions"} or not isinstance(regions, dict):
        return None
    found: tuple[frozenset[date], frozenset[date]] = (frozenset(), frozenset())
    for region_code, days in regions.items():
        if not isinstance(days, dict) or set(days) - {"days_off", "working_days"}:
            return None
        lists = [days.get("days_off", []), days.get("working_days", [])]
        if not all(isinstance(v, list) and all(type(d) is date for d in v) for v in lists):
            return None
        days_off, working_days = frozenset(lists[0]), frozenset(lists[1])
        if days_off & working_days:
            return None
        if region_code == code:
            found = (days_off, working_days)
    return found


def parse_moment(value: str | None, option: str = "--now") -> datetime | None:
    """--now as given (checked before the store is opened); None for the wall clock."""
    return None if value is None else parse_now(value, option)


def moment_in_store(
    reader: Reader,
    moment: datetime | None,
    value: str | None,
    region_code: str | None,
    option: str = "--now",
) -> datetime:
    """The rule of `roadmap.store.clock.read_now`: an aware moment as it is, a bare one in
    the region's time (refused without --region when the store holds several regions)."""
    if moment is None:
        return datetime.now(UTC)
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    regions = reader.regions()
    if region_code is None and len(regions) > 1:
        known = ", ".join(r.code for r in regions)
        raise UserError(t("option.now_needs_region", option=option, value=value, known=known))
    region = pick_region(regions, region_code)
    return RegionCalendar(region.timezone).aware(moment).astimezone(UTC)

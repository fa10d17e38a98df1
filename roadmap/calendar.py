"""The region's working calendar: Russian production calendar in the region's timezone.

"Today" is always the region's local date; due dates are local dates.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from roadmap.errors import UserError
from roadmap.i18n import t

if TYPE_CHECKING:
    import holidays


@lru_cache(maxsize=8)
def _production_calendar() -> holidays.HolidayBase:
    # holidays.RU knows the yearly decrees with their day transfers and working Saturdays.
    # Imported here: a process whose years are all in the cache (below) never loads it.
    import holidays

    return holidays.RU()


# The production calendar's working days, a year at a time: b"\x01" for a working day, one
# byte per day of the year. Computed from holidays.RU, kept for the process and, once a
# directory is given (`use_cache_dir`), in a small file there for the next processes: a
# command then starts without importing `holidays` or walking its rules (0.2-0.4 s).
_YEARS: dict[int, bytes] = {}
_cache_dir: Path | None = None
_CACHE_FILE = "production-calendar-ru.json"


def use_cache_dir(path: Path | None) -> None:
    """Keep the production calendar's years in a file in `path` (None: in the process only).
    The file names the `holidays` package it was computed with; another one recomputes it."""
    global _cache_dir
    _cache_dir = path


def _holidays_stamp() -> str | None:
    """Which `holidays` package is installed (its files' sizes and times), without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("holidays")
    if spec is None or spec.origin is None:
        return None
    package = Path(spec.origin).parent
    stamps = []
    for name in ("__init__.py", "countries/russia.py", "holiday_base.py"):
        try:
            stat = (package / name).stat()
        except OSError:
            return None
        stamps.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return ";".join(stamps)


def _read_cached_years(path: Path, stamp: str) -> dict[int, bytes]:
    try:
        data = json.loads(path.read_text("utf-8"))
        if data.get("holidays") != stamp:
            return {}
        years = {}
        for year, flags in data["years"].items():
            year = int(year)
            if len(flags) == date(year, 12, 31).timetuple().tm_yday and set(flags) <= {"0", "1"}:
                years[year] = flags.translate(_TO_BYTES).encode("latin-1")
        return years
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # no file, another package's or damaged: computed anew


_TO_BYTES = str.maketrans("01", "\x00\x01")
_TO_TEXT = str.maketrans("\x00\x01", "01")


def _write_cached_years(path: Path, stamp: str) -> None:
    years = {str(y): f.decode("latin-1").translate(_TO_TEXT) for y, f in sorted(_YEARS.items())}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps({"holidays": stamp, "years": years}), "utf-8")
        os.replace(temporary, path)  # whole or not at all for a concurrent reader
    except OSError:
        pass  # a read-only data directory: the next process computes the years again


def _production_years(first_year: int, last_year: int) -> dict[int, bytes]:
    """The production calendar's flags for each year of the span."""
    wanted = range(first_year, last_year + 1)
    if all(year in _YEARS for year in wanted):
        return _YEARS
    stamp = _holidays_stamp() if _cache_dir is not None else None
    path = _cache_dir / _CACHE_FILE if _cache_dir is not None else None
    if path is not None and stamp is not None:
        for year, flags in _read_cached_years(path, stamp).items():
            _YEARS.setdefault(year, flags)
    missing = [year for year in wanted if year not in _YEARS]
    if missing:
        production = _production_calendar()
        for year in missing:
            first = date(year, 1, 1).toordinal()
            last = date(year, 12, 31).toordinal()
            _YEARS[year] = bytes(
                production.is_working_day(date.fromordinal(day)) for day in range(first, last + 1)
            )
        if path is not None and stamp is not None:
            _write_cached_years(path, stamp)
    return _YEARS


class WorkingDayTable:
    """Working days numbered over a span of whole years, so that "is a working day",
    "working days between" and "add N working days" are lookups, not walks.

    For the day with index i (days since the span's first day): `flags[i]` is 1 on a
    working day; `counts[i]` is how many working days the span has up to and including it;
    `ordinals[k]` is the date ordinal of the span's (k+1)-th working day. Built from the
    production calendar and the overrides, for the years asked about; the span grows (is
    rebuilt) when a date outside it comes, a few years at a time.
    """

    def __init__(self, days_off: frozenset[date], working_days: frozenset[date]):
        self.days_off = days_off
        self.working_days = working_days
        # (first ordinal, first year, last year, flags, counts, ordinals): replaced whole.
        self._span: tuple[int, int, int, bytes, list[int], list[int]] | None = None

    def _build(self, first_year: int, last_year: int) -> None:
        years = _production_years(first_year, last_year)
        start = date(first_year, 1, 1).toordinal()
        flags = bytearray(b"".join(years[year] for year in range(first_year, last_year + 1)))
        # The region's own days over the production calendar: a working day wins.
        for day in self.days_off:
            if 0 <= day.toordinal() - start < len(flags):
                flags[day.toordinal() - start] = 0
        for day in self.working_days:
            if 0 <= day.toordinal() - start < len(flags):
                flags[day.toordinal() - start] = 1
        counts = [0] * len(flags)
        ordinals: list[int] = []
        total = 0
        for i, working in enumerate(flags):
            if working:
                total += 1
                ordinals.append(start + i)
            counts[i] = total
        self._span = (start, first_year, last_year, bytes(flags), counts, ordinals)

    def span(self, *days: date) -> tuple[int, bytes, list[int], list[int]]:
        """The table, grown to cover every one of `days` (with a year's margin)."""
        low = min(d.year for d in days)
        high = max(d.year for d in days)
        if self._span is None:
            self._build(max(MIN_YEAR, low - 1), min(MAX_YEAR, high + 2))
        else:
            _, first, last, *_ = self._span
            if low < first or high > last:
                self._build(max(MIN_YEAR, min(first, low - 2)), min(MAX_YEAR, max(last, high + 5)))
        start, _, _, flags, counts, ordinals = self._span  # type: ignore[misc]
        return start, flags, counts, ordinals

    def is_working_day(self, day: date) -> bool:
        start, flags, _, _ = self.span(day)
        return bool(flags[day.toordinal() - start])

    def between(self, start_day: date, end_day: date) -> int:
        """Working days after `start_day` up to and including `end_day` (negative if
        `end_day` is earlier: the working days after `end_day` up to `start_day`)."""
        start, _, counts, _ = self.span(start_day, end_day)
        return counts[end_day.toordinal() - start] - counts[start_day.toordinal() - start]

    def add(self, day: date, count: int) -> date:
        """The date `count` working days after `day` (`day` not counted; back if < 0)."""
        # A year has at least 240 working days: the span needed is known before the lookup.
        years = abs(count) // 240 + 1
        reach = date(
            max(MIN_YEAR, min(MAX_YEAR, day.year + (years if count >= 0 else -years))), 1, 1
        )
        start, flags, counts, ordinals = self.span(day, reach)
        i = day.toordinal() - start
        if count >= 0:
            k = counts[i] + count - 1  # 0-based number of the target working day
            return day if count == 0 else date.fromordinal(ordinals[k])
        before = counts[i] - flags[i]  # working days strictly before `day`
        return date.fromordinal(ordinals[before + count])

    def next_working_day(self, day: date) -> date:
        start, flags, counts, ordinals = self.span(day, date(min(MAX_YEAR, day.year + 1), 12, 31))
        i = day.toordinal() - start
        return day if flags[i] else date.fromordinal(ordinals[counts[i]])


# The years a table may span: dates a user gives are limited to 2000–2100
# (`_check_known_year`); arithmetic from them may reach a little past.
MIN_YEAR, MAX_YEAR = 1990, 2110

_TABLES: dict[tuple[frozenset[date], frozenset[date]], WorkingDayTable] = {}


def working_day_table(
    days_off: frozenset[date] = frozenset(), working_days: frozenset[date] = frozenset()
) -> WorkingDayTable:
    """One table per set of overrides, built once per process and shared by every
    calendar with those overrides (every region without any shares one)."""
    key = (days_off, working_days)
    table = _TABLES.get(key)
    if table is None:
        table = _TABLES[key] = WorkingDayTable(days_off, working_days)
    return table


@cache
def _zone(timezone: str) -> ZoneInfo:
    # zoneinfo keeps only 8 zones strongly: a federal sweep's eleven would be read from
    # disk again for every region.
    return ZoneInfo(timezone)


class RegionCalendar:
    def __init__(
        self,
        timezone: str,
        days_off: frozenset[date] = frozenset(),
        working_days: frozenset[date] = frozenset(),
    ):
        self.timezone = timezone
        self.zone = _zone(timezone)
        self.days_off = days_off
        self.working_days = working_days
        self.table = working_day_table(days_off, working_days)

    def local_date(self, now: datetime) -> date:
        return self.local_time(now).date()

    def local_time(self, now: datetime) -> datetime:
        return self.aware(now).astimezone(self.zone)

    def aware(self, moment: datetime) -> datetime:
        """A moment given without an offset is read in the region's own timezone."""
        return moment.replace(tzinfo=self.zone) if moment.tzinfo is None else moment

    def is_working_day(self, day: date) -> bool:
        return self.table.is_working_day(day)

    def add_working_days(self, start: date, count: int) -> date:
        """The date `count` working days after `start` (start itself not counted)."""
        return self.table.add(start, count)

    def next_working_day(self, day: date) -> date:
        """`day` itself if it is a working day, else the first working day after it."""
        return self.table.next_working_day(day)

    def working_due(self, day: date, *, strict: bool, where: str) -> tuple[date, str | None]:
        """A due date as a person gave it: a working day stays; a day off moves to the next
        working day with a warning (returned), or is refused when `strict`. `where` names
        the place for the message (a file line, an option). The production calendar is
        known for 2000–2100 only: a date outside is refused."""
        if not 2000 <= day.year <= 2100:
            raise UserError(t("option.year_range", option=where, value=day))
        if self.is_working_day(day):
            return day, None
        moved = self.next_working_day(day)
        if strict:
            raise UserError(t("due.day_off", where=where, day=day))
        return moved, t("due.moved", where=where, day=day, moved=moved)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`; negative if end < start."""
        return self.table.between(start, end)


def parse_now(value: str | None, option: str = "--now") -> datetime:
    """An ISO 8601 moment (or date) from the command line, as given: a value without an
    offset stays naive here. `roadmap.store.clock.read_now` is the rule that reads it
    (in the region's local time) into an aware UTC moment."""
    if value is None:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise UserError(t("option.bad_datetime", option=option, value=value)) from None
    _check_known_year(parsed.year, option, value)
    return parsed


def parse_day(value: str, option: str) -> date:
    import re

    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise UserError(t("option.bad_date", option=option, value=value))
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise UserError(t("option.bad_date", option=option, value=value)) from None
    _check_known_year(day.year, option, value)
    return day


def _check_known_year(year: int, option: str, value: str) -> None:
    # The production calendar is known for these years only; far dates would overflow.
    if not 2000 <= year <= 2100:
        raise UserError(t("option.year_range", option=option, value=value))

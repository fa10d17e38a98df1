"""The region's working calendar: Russian production calendar in the region's timezone.

"Today" is always the region's local date; due dates are local dates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from roadmap.errors import UserError
from roadmap.i18n import t


@lru_cache(maxsize=8)
def _production_calendar() -> holidays.HolidayBase:
    # holidays.RU knows the yearly decrees with their day transfers and working Saturdays.
    return holidays.RU()


class RegionCalendar:
    def __init__(
        self,
        timezone: str,
        days_off: frozenset[date] = frozenset(),
        working_days: frozenset[date] = frozenset(),
    ):
        self.timezone = timezone
        self.zone = ZoneInfo(timezone)
        self.days_off = days_off
        self.working_days = working_days

    def local_date(self, now: datetime) -> date:
        return self.local_time(now).date()

    def local_time(self, now: datetime) -> datetime:
        return self.aware(now).astimezone(self.zone)

    def aware(self, moment: datetime) -> datetime:
        """A moment given without an offset is read in the region's own timezone."""
        return moment.replace(tzinfo=self.zone) if moment.tzinfo is None else moment

    def is_working_day(self, day: date) -> bool:
        if day in self.working_days:
            return True
        if day in self.days_off:
            return False
        return _production_calendar().is_working_day(day)

    def add_working_days(self, start: date, count: int) -> date:
        """The date `count` working days after `start` (start itself not counted)."""
        day, step = start, (1 if count >= 0 else -1)
        remaining = abs(count)
        while remaining:
            day += timedelta(days=step)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def next_working_day(self, day: date) -> date:
        """`day` itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def working_due(self, day: date, *, strict: bool, where: str) -> tuple[date, str | None]:
        """A due date as a person gave it: a working day stays; a day off moves to the next
        working day with a warning (returned), or is refused when `strict`. `where` names
        the place for the message (a file line, an option)."""
        if self.is_working_day(day):
            return day, None
        moved = self.next_working_day(day)
        if strict:
            raise UserError(t("due.day_off", where=where, day=day))
        return moved, t("due.moved", where=where, day=day, moved=moved)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`; negative if end < start."""
        if end == start:
            return 0
        sign = 1 if end > start else -1
        low, high = (start, end) if sign > 0 else (end, start)
        count, day = 0, low
        while day < high:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return sign * count


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

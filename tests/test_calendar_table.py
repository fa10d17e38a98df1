"""The working-day table (lookups) agrees with walking the calendar day by day, over
2020–2035, in every Russian timezone, with and without a region's overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from roadmap.calendar import RegionCalendar

FIRST, LAST = date(2020, 1, 1), date(2035, 12, 31)
RUSSIAN_ZONES = [
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Omsk",
    "Asia/Krasnoyarsk",
    "Asia/Irkutsk",
    "Asia/Yakutsk",
    "Asia/Vladivostok",
    "Asia/Magadan",
    "Asia/Kamchatka",
]
# A region's own days: a regional holiday on a Friday, the Saturday after made a working
# day, a working day on a Sunday and a day off in the middle of a week.
OVERRIDES = {
    "none": (frozenset(), frozenset()),
    "regional": (
        frozenset({date(2027, 6, 25), date(2031, 3, 12), date(2020, 1, 13)}),
        frozenset({date(2027, 6, 26), date(2033, 5, 8), date(2026, 12, 31)}),
    ),
}


class DayByDay:
    """The reference: the production calendar and the overrides, walked a day at a time."""

    def __init__(self, days_off: frozenset[date], working_days: frozenset[date]):
        production = holidays.RU(years=range(FIRST.year - 2, LAST.year + 3))
        day, self.flags = FIRST - timedelta(days=800), {}
        while day <= LAST + timedelta(days=800):
            self.flags[day] = day in working_days or (
                day not in days_off and production.is_working_day(day)
            )
            day += timedelta(days=1)

    def add(self, start: date, count: int) -> date:
        day, step, remaining = start, (1 if count >= 0 else -1), abs(count)
        while remaining:
            day += timedelta(days=step)
            remaining -= self.flags[day]
        return day

    def between(self, start: date, end: date) -> int:
        sign, (low, high) = (1, (start, end)) if end >= start else (-1, (end, start))
        return sign * sum(
            self.flags[low + timedelta(days=i)] for i in range(1, (high - low).days + 1)
        )

    def next_working(self, day: date) -> date:
        while not self.flags[day]:
            day += timedelta(days=1)
        return day


@pytest.mark.parametrize("overrides", list(OVERRIDES))
def test_the_table_agrees_with_the_day_by_day_walk(overrides: str) -> None:
    days_off, working_days = OVERRIDES[overrides]
    calendar = RegionCalendar("Asia/Vladivostok", days_off, working_days)
    walk = DayByDay(days_off, working_days)
    day = FIRST
    while day <= LAST:
        assert calendar.is_working_day(day) == walk.flags[day], day
        assert calendar.next_working_day(day) == walk.next_working(day), day
        for count in (-23, -7, -3, -1, 0, 1, 2, 3, 7, 15, 20):
            assert calendar.add_working_days(day, count) == walk.add(day, count), (day, count)
        for span in (-45, -8, -1, 0, 1, 3, 9, 31):
            end = day + timedelta(days=span)
            assert calendar.working_days_between(day, end) == walk.between(day, end), (day, end)
        day += timedelta(days=1)
    # Long reaches: a stage of 400 working days, and whole years.
    for start in (FIRST, date(2026, 12, 28), date(2031, 7, 1)):
        for count in (240, 400, -400):
            assert calendar.add_working_days(start, count) == walk.add(start, count)
        assert calendar.working_days_between(start, LAST) == walk.between(start, LAST)


def test_overrides_change_exactly_their_days() -> None:
    days_off, working_days = OVERRIDES["regional"]
    plain, own = (
        RegionCalendar("Europe/Moscow"),
        RegionCalendar("Europe/Moscow", days_off, working_days),
    )
    assert own.is_working_day(date(2027, 6, 26)) and not plain.is_working_day(date(2027, 6, 26))
    assert not own.is_working_day(date(2027, 6, 25)) and plain.is_working_day(date(2027, 6, 25))
    # 25 June off, 26 June (a Saturday) working: the Thursday's next working day is the 26th.
    assert own.add_working_days(date(2027, 6, 24), 1) == date(2027, 6, 26)
    assert plain.add_working_days(date(2027, 6, 24), 1) == date(2027, 6, 25)
    # Calendars with other overrides do not share a table; the same ones do.
    assert own.table is not plain.table
    assert RegionCalendar("Asia/Omsk").table is plain.table


WALK = DayByDay(frozenset(), frozenset())


@pytest.mark.parametrize("zone", RUSSIAN_ZONES)
def test_working_days_left_from_the_regions_own_date_in_every_zone(zone: str) -> None:
    """The region's today is its local date: a moment late in the UTC evening is already
    tomorrow in the east. Working days left to a due date agree with the walk from there."""
    calendar = RegionCalendar(zone)
    walk = WALK
    moment = datetime(2020, 1, 1, 0, 30, tzinfo=UTC)
    while moment.date() <= LAST:
        today = moment.astimezone(ZoneInfo(zone)).date()
        assert calendar.local_date(moment) == today
        due = moment.date() + timedelta(days=moment.day)  # 1–31 days from the UTC date
        assert calendar.working_days_between(calendar.local_date(moment), due) == walk.between(
            today, due
        )
        moment += timedelta(hours=37)

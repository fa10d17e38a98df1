"""Working days on the Russian production calendar, in the region's timezone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roadmap.calendar import RegionCalendar

PRIMORYE = RegionCalendar("Asia/Vladivostok")


def test_five_working_days_across_new_year() -> None:
    # 31 Dec 2026 is a day off (moved from 3 Jan), then the January holidays to the 11th.
    assert PRIMORYE.add_working_days(date(2026, 12, 28), 5) == date(2027, 1, 13)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 12, 31), False),  # transferred day off
        (date(2026, 1, 9), False),
        (date(2027, 2, 20), True),  # a working Saturday
        (date(2027, 2, 22), False),
        (date(2026, 11, 23), True),
    ],
)
def test_transfers(day: date, working: bool) -> None:
    assert PRIMORYE.is_working_day(day) is working


def test_today_is_the_regions_local_date() -> None:
    moment = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 01:00 on 2 Dec in Vladivostok
    assert PRIMORYE.local_date(moment) == date(2026, 12, 2)
    assert RegionCalendar("Europe/Kaliningrad").local_date(moment) == date(2026, 12, 1)


def test_region_days_off_override_the_calendar() -> None:
    local = RegionCalendar("Asia/Vladivostok", days_off=frozenset({date(2026, 12, 1)}))
    assert not local.is_working_day(date(2026, 12, 1))
    assert local.add_working_days(date(2026, 11, 30), 1) == date(2026, 12, 2)


@given(
    start=st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 6, 30)),
    count=st.integers(min_value=0, max_value=60),
)
def test_adding_and_counting_working_days_agree(start: date, count: int) -> None:
    end = PRIMORYE.add_working_days(start, count)
    assert PRIMORYE.working_days_between(start, end) == count
    assert PRIMORYE.working_days_between(end, start) == -count
    if count:
        assert PRIMORYE.is_working_day(end)


@pytest.mark.parametrize("day", [date(2216, 1, 1), date(1999, 12, 31)])
def test_a_due_date_outside_the_known_years_is_the_users_mistake(day: date) -> None:
    # A return through the API or `task return --due 2216-01-01` once failed with an
    # IndexError deep in the working-day table.
    from roadmap.errors import UserError

    with pytest.raises(UserError, match="2000"):
        RegionCalendar("Asia/Vladivostok").working_due(day, strict=False, where="--due")

"""The deadline rules on their own: properties over many tasks and moments."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roadmap.alerts.rules import Ladder, Level, TaskDeadline, due_rungs, in_window
from roadmap.calendar import RegionCalendar

VLADIVOSTOK = RegionCalendar("Asia/Vladivostok")
LADDER = Ladder()

moments = st.datetimes(
    min_value=datetime(2026, 11, 1), max_value=datetime(2027, 6, 30), timezones=st.just(UTC)
)
due_dates = st.dates(min_value=date(2026, 11, 1), max_value=date(2027, 6, 30))


def at(day: date, hour: int = 10) -> datetime:
    """A moment at `hour` o'clock in Vladivostok."""
    return datetime.combine(day, time(hour), tzinfo=VLADIVOSTOK.zone).astimezone(UTC)


@given(now=moments, due=due_dates)
def test_nothing_on_a_day_off_or_outside_the_window(now: datetime, due: date) -> None:
    rungs = due_rungs(TaskDeadline(due, open=True), VLADIVOSTOK, LADDER, now)
    if rungs:
        local = VLADIVOSTOK.local_time(now)
        assert VLADIVOSTOK.is_working_day(local.date())
        assert time(9) <= local.time() < time(18)


@given(now=moments, due=due_dates)
def test_nothing_once_submitted(now: datetime, due: date) -> None:
    assert due_rungs(TaskDeadline(due, open=False), VLADIVOSTOK, LADDER, now) == []


@settings(max_examples=60)
@given(due=due_dates, hour=st.integers(min_value=0, max_value=23), skip=st.sets(st.integers(0, 80)))
def test_each_rung_once_and_escalation_only_after_its_threshold(
    due: date, hour: int, skip: set[int]
) -> None:
    """Daily sweeps (some days missed: the server was down) from 10 days before the due
    date to 30 after: no rung twice, escalations only past their overdue working days."""
    planned: set[str] = set()
    day = VLADIVOSTOK.add_working_days(due, -10) - timedelta(days=3)
    for n in range(80):
        day += timedelta(days=1)
        if n in skip:
            continue
        now = at(day, hour)
        rungs = due_rungs(
            TaskDeadline(due, open=True), VLADIVOSTOK, LADDER, now, frozenset(planned)
        )
        for rung in rungs:
            assert rung.key not in planned
            planned.add(rung.key)
            overdue = -VLADIVOSTOK.working_days_between(VLADIVOSTOK.local_date(now), due)
            if rung.level == Level.responsible:
                assert overdue >= LADDER.escalate_responsible_after
            if rung.level == Level.coordinator:
                assert overdue >= LADDER.escalate_coordinator_after


def test_the_default_ladder_day_by_day() -> None:
    due = date(2026, 12, 15)  # a Tuesday
    planned: set[str] = set()
    seen = {}
    day = date(2026, 12, 1)
    while day <= date(2027, 1, 20):
        for rung in due_rungs(
            TaskDeadline(due, True), VLADIVOSTOK, LADDER, at(day), frozenset(planned)
        ):
            planned.add(rung.key)
            seen.setdefault(day, []).append((rung.kind, rung.level.name, rung.working_days))
        day += timedelta(days=1)
    assert seen[date(2026, 12, 4)] == [("reminder", "emissary", 7)]
    assert seen[date(2026, 12, 10)] == [("reminder", "emissary", 3)]
    assert seen[date(2026, 12, 14)] == [("reminder", "emissary", 1)]
    assert seen[date(2026, 12, 15)] == [("due", "emissary", 0)]
    assert seen[date(2026, 12, 16)] == [("overdue", "emissary", -1)]
    assert date(2026, 12, 17) not in seen
    assert seen[date(2026, 12, 18)] == [
        ("overdue", "emissary", -3),
        ("escalation", "responsible", -3),
    ]
    # 7 working days overdue: 24 December; the coordinator hears of it then.
    assert ("escalation", "coordinator", -7) in seen[date(2026, 12, 24)]
    # Nothing on the New Year holidays (31 Dec – 11 Jan).
    assert not [d for d in seen if date(2026, 12, 31) <= d <= date(2027, 1, 11)]


def test_acknowledgement_stops_escalation_at_that_level() -> None:
    due = date(2026, 12, 15)
    acknowledged = TaskDeadline(due, True, frozenset({Level.responsible}))
    planned = frozenset({f"escalation-1@{due}#3"})
    rungs = due_rungs(acknowledged, VLADIVOSTOK, LADDER, at(date(2026, 12, 22)), planned)
    assert [r.level for r in rungs if r.kind == "escalation"] == []  # 5 overdue: no repeat
    rungs = due_rungs(acknowledged, VLADIVOSTOK, LADDER, at(date(2026, 12, 24)), planned)
    assert [r.level for r in rungs if r.kind == "escalation"] == [Level.coordinator]


def test_a_late_sweep_escalates_now_and_skips_stale_reminders() -> None:
    due = date(2026, 12, 15)
    # The first sweep in weeks: 10 working days overdue, nothing planned before.
    rungs = due_rungs(TaskDeadline(due, True), VLADIVOSTOK, LADDER, at(date(2026, 12, 29)))
    assert {(r.kind, r.level) for r in rungs} == {
        ("escalation", Level.responsible),
        ("escalation", Level.coordinator),
    }
    # Two working days before the due date: the 3-day reminder's day has passed.
    assert due_rungs(TaskDeadline(due, True), VLADIVOSTOK, LADDER, at(date(2026, 12, 11))) == []


def test_window_is_local_time() -> None:
    monday = date(2026, 12, 7)
    assert in_window(VLADIVOSTOK, LADDER, at(monday, 9))
    assert not in_window(VLADIVOSTOK, LADDER, at(monday, 3))  # 3 a.m. in Vladivostok
    assert not in_window(VLADIVOSTOK, LADDER, at(monday, 18))


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"reminders": (7, 1.5)}, "whole numbers"),
        ({"overdue_every": True}, "whole numbers"),
        ({"escalate_responsible_after": 2.0}, "whole numbers"),
        ({"escalate_coordinator_after": "7"}, "whole numbers"),
        ({"reminders": (251,)}, "above 250"),
        ({"overdue_every": 251}, "above 250"),
        ({"escalate_coordinator_after": 251}, "above 250"),
        ({"reminders": (3, 0)}, "1 or more"),
        ({"overdue_every": 0}, "1 or more"),
        ({"escalate_responsible_after": 0}, "responsible <= coordinator"),
        ({"escalate_responsible_after": 8}, "responsible <= coordinator"),
        ({"window_start": time(18, 0)}, "start before it ends"),
        ({"window_start": time(19, 0)}, "start before it ends"),
    ],
)
def test_a_ladder_that_could_not_work_is_refused_with_its_reason(
    values: dict, problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        Ladder(**values)


@pytest.mark.parametrize(
    "values",
    [
        {"reminders": (250, 1), "overdue_every": 1},
        {"reminders": (), "overdue_every": 250},
        {"escalate_responsible_after": 1, "escalate_coordinator_after": 1},
        {"escalate_responsible_after": 250, "escalate_coordinator_after": 250},
        {"window_start": time(0, 0), "window_end": time(0, 1)},
    ],
)
def test_the_edges_of_a_working_ladder_are_accepted(values: dict) -> None:
    ladder = Ladder(**values)
    assert all(getattr(ladder, key) == value for key, value in values.items())


def test_overdue_notices_and_escalations_follow_the_cadence_of_the_ladder() -> None:
    """Every 3rd working day overdue: notices on days 1, 4, 7, 10; the official from day 2
    and then 5, 8; the coordinator from day 4 and then 7, 10."""
    ladder = Ladder(overdue_every=3, escalate_responsible_after=2, escalate_coordinator_after=4)
    due = date(2026, 12, 15)  # a Tuesday; 16 Dec is 1 working day overdue, 29 Dec is 10
    planned: set[str] = set()
    seen: dict[int, list[tuple[str, str]]] = {}
    day = date(2026, 12, 16)
    while day <= date(2026, 12, 29):
        for rung in due_rungs(
            TaskDeadline(due, True), VLADIVOSTOK, ladder, at(day), frozenset(planned)
        ):
            planned.add(rung.key)
            seen.setdefault(-rung.working_days, []).append((rung.kind, rung.level.name))
        day += timedelta(days=1)
    assert seen == {
        1: [("overdue", "emissary")],
        2: [("escalation", "responsible")],
        4: [("overdue", "emissary"), ("escalation", "coordinator")],
        5: [("escalation", "responsible")],
        7: [("overdue", "emissary"), ("escalation", "coordinator")],
        8: [("escalation", "responsible")],
        10: [("overdue", "emissary"), ("escalation", "coordinator")],
    }


def test_a_new_due_date_starts_its_own_reminders() -> None:
    """Rungs planned for the old due date do not stand in for the new one's."""
    first = date(2026, 12, 15)
    planned = frozenset(
        rung.key
        for rung in due_rungs(
            TaskDeadline(first, True), VLADIVOSTOK, LADDER, at(date(2026, 12, 10))
        )
    )
    assert planned  # the 3-day reminder for 15 December
    moved = date(2026, 12, 22)  # 3 working days after 17 December
    rungs = due_rungs(
        TaskDeadline(moved, True), VLADIVOSTOK, LADDER, at(date(2026, 12, 17)), planned
    )
    assert [(r.kind, r.working_days) for r in rungs] == [("reminder", 3)]

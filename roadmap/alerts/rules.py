"""The alert ladder as pure rules: which rungs are due for a task at a moment. No I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import IntEnum

from roadmap.calendar import RegionCalendar
from roadmap.store.models import AlertKind


class Level(IntEnum):
    emissary = 0
    responsible = 1
    coordinator = 2


@dataclass(frozen=True)
class Ladder:
    reminders: tuple[int, ...] = (7, 3, 1)
    on_due_date: bool = True
    overdue_every: int = 2
    escalate_responsible_after: int = 3
    escalate_coordinator_after: int = 7
    window_start: time = time(9, 0)
    window_end: time = time(18, 0)

    def __post_init__(self) -> None:
        numbers = (
            *self.reminders,
            self.overdue_every,
            self.escalate_responsible_after,
            self.escalate_coordinator_after,
        )
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
            raise ValueError("reminders, overdue_every and the escalations are whole numbers")
        if any(n > 250 for n in numbers):
            raise ValueError("working-day counts above 250 are not a ladder")
        if any(n < 1 for n in self.reminders) or self.overdue_every < 1:
            raise ValueError("reminders and overdue_every count working days, 1 or more")
        if not 1 <= self.escalate_responsible_after <= self.escalate_coordinator_after:
            raise ValueError("escalation thresholds: 1 <= responsible <= coordinator")
        if self.window_start >= self.window_end:
            raise ValueError("the alert window must start before it ends")

    def threshold(self, level: Level) -> int:
        return (
            self.escalate_responsible_after
            if level == Level.responsible
            else self.escalate_coordinator_after
        )


@dataclass(frozen=True)
class TaskDeadline:
    """What the rules need to know of a task."""

    due_on: date
    open: bool  # still waiting for the agency (not submitted, accepted or cancelled)
    acknowledged: frozenset[Level] = frozenset()  # levels that acknowledged the escalation


@dataclass(frozen=True)
class Rung:
    """One due alert. `key` names the rung for this due date; it is the same on every
    sweep that finds it due, so a store can refuse to plan it twice."""

    key: str
    kind: AlertKind  # reminder | due | overdue | escalation
    level: Level
    working_days: int  # left before the due date (> 0), 0 on it, overdue (< 0)


def in_window(calendar: RegionCalendar, ladder: Ladder, now: datetime) -> bool:
    """Alerts go out only on the region's working days, inside its local window."""
    local = calendar.local_time(now)
    return calendar.is_working_day(local.date()) and (
        ladder.window_start <= local.time() < ladder.window_end
    )


def next_window_start(calendar: RegionCalendar, ladder: Ladder, now: datetime) -> datetime:
    """The next moment (aware) alerts may go out in the region: now if inside the window."""
    if in_window(calendar, ladder, now):
        return now
    local = calendar.local_time(now)
    day = local.date()
    if not (calendar.is_working_day(day) and local.time() < ladder.window_start):
        day = calendar.add_working_days(day, 1)
    return datetime.combine(day, ladder.window_start, tzinfo=calendar.zone)


def still_due(due_on: date | None, level: int, task: TaskDeadline) -> bool:
    """Whether a planned rung still stands when its turn to be sent comes: the task is
    still open, its due date is the one the rung was planned for (`due_on`), and nobody
    at the rung's level has acknowledged the escalation since."""
    if not task.open or due_on != task.due_on:
        return False
    return Level(level) not in task.acknowledged


def due_rungs(
    task: TaskDeadline,
    calendar: RegionCalendar,
    ladder: Ladder,
    now: datetime,
    planned: frozenset[str] = frozenset(),
) -> list[Rung]:
    """The rungs due for `task` at `now`; `planned` holds the keys already planned for it."""
    if not task.open or not in_window(calendar, ladder, now):
        return []
    day = DayRungs.of(calendar, ladder, calendar.local_date(now), task.due_on)
    return day.for_task(planned, task.acknowledged)


@dataclass(frozen=True, slots=True)
class Escalation:
    """An escalation a task due on the day may get today: always on the cadence, else only
    if none was planned at its level for this due date yet (`prefix`)."""

    level: Level
    prefix: str
    on_cadence: bool
    rung: Rung


@dataclass(frozen=True, slots=True)
class DayRungs:
    """What the ladder says today of every open task due on one date: the rungs all such
    tasks get (`fixed`) and the escalations that depend on what was planned and
    acknowledged. The same for every task with that due date, so a sweep works it out once
    per date, not once per task."""

    fixed: tuple[Rung, ...]
    escalations: tuple[Escalation, ...]
    fresh: tuple[Rung, ...]  # what a task with nothing planned or acknowledged gets

    @classmethod
    def of(cls, calendar: RegionCalendar, ladder: Ladder, today: date, due_on: date) -> DayRungs:
        left = calendar.working_days_between(today, due_on)
        due = due_on.isoformat()
        fixed: list[Rung] = []
        escalations: list[Escalation] = []
        if left > 0:
            if left in ladder.reminders:
                fixed.append(
                    Rung(f"reminder-{left}@{due}", AlertKind.reminder, Level.emissary, left)
                )
        elif left == 0:
            # The due date, or the last working day before a due date that is a day off.
            if ladder.on_due_date:
                fixed.append(Rung(f"due@{due}", AlertKind.due, Level.emissary, 0))
        else:
            overdue = -left
            if (overdue - 1) % ladder.overdue_every == 0:
                fixed.append(
                    Rung(f"overdue-{overdue}@{due}", AlertKind.overdue, Level.emissary, left)
                )
            for level in (Level.responsible, Level.coordinator):
                threshold = ladder.threshold(level)
                if overdue < threshold:
                    continue
                prefix = f"escalation-{level.value}@{due}#"
                # The first escalation goes out as soon as the threshold is passed (a late
                # sweep catches up); later ones follow the overdue cadence.
                on_cadence = (overdue - threshold) % ladder.overdue_every == 0
                rung = Rung(f"{prefix}{overdue}", AlertKind.escalation, level, left)
                escalations.append(Escalation(level, prefix, on_cadence, rung))
        fresh = (*fixed, *(escalation.rung for escalation in escalations))
        return cls(tuple(fixed), tuple(escalations), fresh)

    @property
    def by_schedule(self) -> bool:
        """Whether a task due on the day gets a rung today whatever was planned before
        (a reminder, the due notice, an overdue notice or an escalation on its cadence)."""
        return bool(self.fixed) or any(e.on_cadence for e in self.escalations)

    def for_task(
        self, planned: frozenset[str] | set[str], acknowledged: frozenset[Level] | set[Level]
    ) -> list[Rung]:
        """The rungs due for one open task due on the day, given the keys already planned
        for it and the levels that acknowledged its escalation."""
        if not planned and not acknowledged:
            return list(self.fresh)
        rungs = list(self.fixed)
        for escalation in self.escalations:
            if escalation.level in acknowledged:
                continue
            first = not any(key.startswith(escalation.prefix) for key in planned)
            if first or escalation.on_cadence:
                rungs.append(escalation.rung)
        if not planned:
            return rungs
        return [rung for rung in rungs if rung.key not in planned]

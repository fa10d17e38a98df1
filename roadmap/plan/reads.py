"""The coordinators' lists in hand-written SQL over a driver connection (`roadmap.store.reader`):
regions, agencies and tasks. One implementation for the quick CLI path and for
`roadmap.plan.queries` (which hands its session's connection in). Rows come as plain tuples
in the order of the row classes' fields and are fetched a batch at a time, so a list of a
million tasks streams."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from typing import Any

from roadmap.calendar import RegionCalendar
from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.store.enums import OPEN_TASK_STATUSES, AgencyKind, TaskStatus
from roadmap.store.reader import Reader

BATCH = 2000
_OPEN = tuple(status.value for status in OPEN_TASK_STATUSES)
_OPEN_SQL = ", ".join(f"'{status}'" for status in _OPEN)


@dataclass(frozen=True, slots=True)
class AgencyRow:
    code: str
    name: str
    kind: AgencyKind
    emissary: str | None
    emissary_code: str | None
    responsible: str | None
    responsible_code: str | None
    initiatives: int
    open_tasks: int


@dataclass(frozen=True, slots=True)
class TaskRow:
    code: str
    title: str
    agency: str
    assignee: str | None
    stage: str | None
    due: date
    status: TaskStatus
    overdue: bool
    working_days_left: int | None  # positive before the due date, negative after; open only
    submitted_at: str | None  # ISO 8601, UTC


TASK_FIELDS = tuple(f.name for f in fields(TaskRow))


def regions(reader: Reader) -> list[dict[str, str]]:
    return [{"code": r.code, "name": r.name, "timezone": r.timezone} for r in reader.regions()]


def agencies(reader: Reader, region: Any, strategy_id: int) -> list[AgencyRow]:
    """The region's agencies with their emissary, responsible official, initiatives and
    open tasks (counted in SQL: a million tasks are never loaded)."""
    open_tasks = dict(
        reader.execute(
            "SELECT agency_id, count(*) FROM task WHERE strategy_id = ?"
            f" AND status IN ({_OPEN_SQL}) GROUP BY agency_id",
            (strategy_id,),
        ).fetchall()
    )
    initiatives = dict(
        reader.execute(
            "SELECT agency_id, count(*) FROM initiative WHERE strategy_id = ? GROUP BY agency_id",
            (strategy_id,),
        ).fetchall()
    )
    cursor = reader.execute(
        "SELECT a.id, a.code, a.name, a.kind, e.name, e.code, r.name, r.code FROM agency a"
        " LEFT JOIN person e ON e.id = a.emissary_id AND e.region_id = a.region_id"
        " LEFT JOIN person r ON r.id = a.responsible_id AND r.region_id = a.region_id"
        " WHERE a.region_id = ? ORDER BY a.code",
        (region.id,),
    )
    return [
        AgencyRow(
            code=code,
            name=name,
            kind=AgencyKind(kind),
            emissary=emissary,
            emissary_code=emissary_code,
            responsible=responsible,
            responsible_code=responsible_code,
            initiatives=initiatives.get(agency_id, 0),
            open_tasks=open_tasks.get(agency_id, 0),
        )
        for (
            agency_id,
            code,
            name,
            kind,
            emissary,
            emissary_code,
            responsible,
            responsible_code,
        ) in cursor.fetchall()
    ]


def agency_id(
    reader: Reader, region: Any, code: str | None, option: str = "--agency"
) -> int | None:
    """The id of the region's agency `code` (None for no filter); an unknown code is a user
    error naming the known ones."""
    if code is None:
        return None
    known = dict(
        reader.execute("SELECT code, id FROM agency WHERE region_id = ?", (region.id,)).fetchall()
    )
    if code not in known:
        raise UserError(
            t("option.unknown_code", option=option, value=code, known=", ".join(sorted(known)))
        )
    return known[code]


@dataclass
class TaskQuery:
    """The tasks a list shows: `count()` of them, and `rows()` as tuples in TaskRow's field
    order (due and status as text, the due date in ISO 8601), in due-date order, fetched a
    batch at a time."""

    reader: Reader
    where: str
    params: tuple[Any, ...]
    calendar: RegionCalendar
    today: date

    def count(self) -> int:
        return self.reader.execute(
            f"SELECT count(*) FROM task t WHERE {self.where}", self.params
        ).fetchone()[0]

    def rows(self, limit: int | None = None, offset: int = 0) -> Iterator[tuple[Any, ...]]:
        """`limit` rows at most, after skipping `offset` of them (a page of a list)."""
        sql = (
            "SELECT t.code, t.title, a.code, p.name, t.stage, t.due_on, t.status, t.submitted_at"
            " FROM task t JOIN agency a ON a.id = t.agency_id"
            " LEFT JOIN person p ON p.id = t.assignee_id"
            f" WHERE {self.where} ORDER BY t.due_on, t.code"
        )
        params = self.params
        if limit is not None:
            sql, params = f"{sql} LIMIT ?", (*params, limit)
            if offset:
                sql, params = f"{sql} OFFSET ?", (*params, offset)
        cursor = self.reader.execute(sql, params)
        today, between = self.today, self.calendar.working_days_between
        # Per due date (a list has few): its ISO text, and for open tasks (overdue, days left).
        days: dict[Any, tuple[str, bool, int]] = {}
        while batch := cursor.fetchmany(BATCH):
            for code, title, agency, assignee, stage, due_on, status, submitted_at in batch:
                known = days.get(due_on)
                if known is None:
                    due = due_on if isinstance(due_on, date) else date.fromisoformat(due_on)
                    known = days[due_on] = (due.isoformat(), due < today, between(today, due))
                if status in _OPEN:
                    overdue, left = known[1], known[2]
                else:
                    overdue, left = False, None
                yield (
                    code,
                    title,
                    agency,
                    assignee,
                    stage,
                    known[0],
                    status,
                    overdue,
                    left,
                    None if submitted_at is None else _utc_text(submitted_at),
                )


def _utc_text(value: Any) -> str:
    """A stored UTC moment as ISO 8601 with its offset (SQLite keeps it as naive text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC).isoformat()
    return value.astimezone(UTC).isoformat()


def tasks(
    reader: Reader,
    region: Any,
    strategy_id: int,
    calendar: RegionCalendar,
    *,
    now: datetime | None = None,
    agency: str | None = None,
    status: str | None = None,
    overdue: bool = False,
    code: str | None = None,
    within: Collection[int] | None = None,
) -> TaskQuery:
    """The region's tasks of its current strategy by the filters; unknown codes are refused
    here, before anything is shown. Overdue: open and due before the region's today
    (through the (status, due_on) index). `within`: only the tasks of these organisations
    (by agency id; a portal viewer's own)."""
    today = calendar.local_date(now or datetime.now(UTC))
    where, params = ["t.strategy_id = ?"], [strategy_id]
    found = agency_id(reader, region, agency)
    if found is not None:
        where.append("t.agency_id = ?")
        params.append(found)
    if status is not None:
        where.append("t.status = ?")
        params.append(status)
    if overdue:
        where.append(f"t.status IN ({_OPEN_SQL}) AND t.due_on < ?")
        params.append(reader.day(today))
    if code is not None:
        where.append("t.code = ?")
        params.append(code)
    if within is not None:
        ids = sorted(within)
        where.append(f"t.agency_id IN ({', '.join('?' * len(ids))})" if ids else "1 = 0")
        params.extend(ids)
    return TaskQuery(reader, " AND ".join(where), tuple(params), calendar, today)


def task_row(values: tuple[Any, ...]) -> TaskRow:
    """A row of `TaskQuery.rows` as a TaskRow (status as its enum)."""
    return TaskRow(*values[:5], date.fromisoformat(values[5]), TaskStatus(values[6]), *values[7:])

"""Recording an indicator's actual value for a period (`roadmap indicator record`).

A record is one `IndicatorRecord` per indicator and period, written again when the period is
recorded again (who and when are the last recording's). The year's actual in
`indicator_value` follows the records: the yearly record when there is one, else the latest
recorded quarter of that year. Recording a period accepts its open report task
(roadmap.plan.indicator_tasks) through the task lifecycle: submitted with the value as the
note, then accepted, both by the one who recorded it.

Many values at once come from a CSV file (`code;period;value`): every line is checked
first and the file is taken whole or not at all, every bad line named `file:line`.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import select

from roadmap.errors import UserError
from roadmap.i18n import current_locale, t
from roadmap.plan.indicator_periods import Period, check_period, parse_period
from roadmap.plan.indicator_tasks import report_task_code
from roadmap.plan.lifecycle import apply_transition, default_actor
from roadmap.settings import Settings
from roadmap.store.models import (
    Indicator,
    IndicatorRecord,
    IndicatorValue,
    Task,
    TaskAction,
    TaskStatus,
    ValueKind,
)
from roadmap.store.unit_of_work import Scope, unit_of_work

COLUMNS = ("code", "period", "value")
_NUMBER_RE = re.compile(r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)$")
_MAX_BY = 120  # the store's length of `recorded_by`


@dataclass(frozen=True, slots=True)
class RecordLine:
    """One value to record as a person gave it; `place` is `file.csv:3`, or "" for the
    command line."""

    code: str
    period: str
    value: str
    place: str = ""


@dataclass(frozen=True, slots=True)
class IndicatorRecorded:
    code: str
    period: str
    value: float
    previous: float | None  # the period's value before, when it had been recorded
    year: int
    year_actual: float  # the year's actual after this record
    task: str | None  # the period's report task, if it has one
    task_status: TaskStatus | None


def parse_value(text: str) -> float:
    """A measured value: digits with a decimal point or comma, spaces between thousands
    allowed (`1 234,5`); anything else (text, NaN, infinity) is a UserError."""
    plain = re.sub(r"[\s\u00a0\u202f]", "", text)
    if "," in plain and "." not in plain and plain.count(",") == 1:
        plain = plain.replace(",", ".")
    if not _NUMBER_RE.match(plain) or not math.isfinite(value := float(plain)):
        raise UserError(t("indicator.bad_value", value=text))
    return value


def number_text(value: float) -> str:
    """A value as a person wrote it: 64, 64.5 (64,5 in Russian)."""
    text = str(int(value)) if float(value).is_integer() else repr(float(value))
    return text.replace(".", ",") if current_locale() == "ru" else text


def read_record_file(path: Path) -> tuple[list[RecordLine], list[str]]:
    """The lines of a CSV file of values and the problems of its form (each `file:line`):
    a header naming `code`, `period` and `value` (any order, any case), `;` or `,` between
    cells, UTF-8 with or without a BOM; empty lines are skipped."""
    from roadmap.roadmap_file.readers import _check_regular

    _check_regular(path)
    name = path.name
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UserError(t("indicator.file_not_utf8", place=f"{name}:{line}")) from None
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in header_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise UserError(f"{name}:1: {exc}") from None
    columns = [cell.strip().lower() for cell in header or []]
    if sorted(columns) != sorted(COLUMNS):
        raise UserError(
            t(
                "indicator.file_header",
                place=f"{name}:1",
                found=delimiter.join(columns) or "—",
                expected=";".join(COLUMNS),
            )
        )
    where = {column: columns.index(column) for column in COLUMNS}
    lines: list[RecordLine] = []
    problems: list[str] = []
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(f"{name}:{reader.line_num}: {exc}")
            break
        place = f"{name}:{reader.line_num}"
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(columns):
            problems.append(
                f"{place}: {t('indicator.file_cells', count=len(cells), expected=len(columns))}"
            )
            continue
        values = {column: cells[i].strip() for column, i in where.items()}
        missing = [column for column in COLUMNS if not values[column]]
        if missing:
            problems.append(f"{place}: {t('indicator.file_empty', columns=', '.join(missing))}")
            continue
        lines.append(RecordLine(values["code"], values["period"], values["value"], place))
    if not lines and not problems:
        problems.append(t("indicator.file_no_lines", place=f"{name}:1"))
    return lines, problems


def record_indicator_values(
    settings: Settings,
    lines: list[RecordLine],
    *,
    problems: list[str] | None = None,
    by: str | None = None,
    region_code: str | None = None,
    now: datetime | None = None,
) -> list[IndicatorRecorded]:
    """Record every line, all or nothing: an unknown indicator, a bad period (a quarter of
    a yearly indicator, a year outside the strategy's horizon, a period not begun yet), a
    value that is not a number or a period given twice is reported with its place, together
    with `problems` already found in the file, and nothing is written."""
    by = by or default_actor(settings)
    if by is not None and len(by) > _MAX_BY:
        raise UserError(t("indicator.by_too_long", max=_MAX_BY))
    with unit_of_work(settings, region_code, now) as scope:
        strategy = scope.strategy
        codes = sorted({line.code for line in lines})
        indicators = {
            row.code: row
            for row in scope.session.exec(
                select(Indicator).where(
                    Indicator.strategy_id == strategy.id, Indicator.code.in_(codes)
                )
            )
        }
        found = list(problems or [])
        checked: list[tuple[Indicator, Period, float]] = []
        first: dict[tuple[int, Period], str] = {}
        for line in lines:
            try:
                indicator, period, value = _checked(scope, indicators, line)
            except UserError as exc:
                found.append(_placed(line.place, str(exc)))
                continue
            key = (indicator.id, period)
            if key in first:
                message = t("indicator.twice", code=line.code, period=period, first=first[key])
                found.append(_placed(line.place, message))
                continue
            first[key] = line.place or "—"
            checked.append((indicator, period, value))
        if found:  # every problem, in the file's order; the unit of work writes nothing
            raise UserError("\n".join(sorted(found, key=_line_of)))
        return [
            _record(scope, indicator, period, value, by) for indicator, period, value in checked
        ]


def _checked(
    scope: Scope, indicators: dict[str, Indicator], line: RecordLine
) -> tuple[Indicator, Period, float]:
    indicator = indicators.get(line.code)
    if indicator is None:
        raise UserError(t("indicator.unknown", code=line.code, region=scope.region.code))
    period = parse_period(line.period)
    strategy = scope.strategy
    check_period(
        period, indicator.frequency, indicator.code, (strategy.start_year, strategy.end_year)
    )
    if period.start > scope.today:
        raise UserError(t("indicator.not_begun", period=period, today=scope.today))
    return indicator, period, parse_value(line.value)


def _line_of(problem: str) -> int:
    """The line a problem names (`file.csv:3: …`); 0 for one without a place."""
    match = re.match(r"^[^\n]*?:(\d+): ", problem)
    return int(match[1]) if match else 0


def _placed(place: str, text: str) -> str:
    return f"{place}: {text}" if place else text


def _record(
    scope: Scope, indicator: Indicator, period: Period, value: float, by: str | None
) -> IndicatorRecorded:
    session = scope.session
    record = session.exec(
        select(IndicatorRecord).where(
            IndicatorRecord.indicator_id == indicator.id, IndicatorRecord.period == period.label
        )
    ).first()
    previous = None if record is None else record.value
    if record is None:
        record = IndicatorRecord(
            indicator_id=indicator.id,
            period=period.label,
            year=period.year,
            quarter=period.quarter,
            value=value,
        )
    record.value = value
    record.recorded_by = by
    record.recorded_at = scope.now
    session.add(record)
    session.flush()
    year_actual = sync_year_actual(scope, indicator, period.year)
    task = close_report_task(scope, indicator, period, value, by)
    return IndicatorRecorded(
        code=indicator.code,
        period=period.label,
        value=value,
        previous=previous,
        year=period.year,
        year_actual=year_actual,
        task=None if task is None else task.code,
        task_status=None if task is None else TaskStatus(task.status),
    )


def sync_year_actual(scope: Scope, indicator: Indicator, year: int) -> float:
    """Set the year's actual from its records: the yearly one, else the latest quarter."""
    session = scope.session
    records = session.exec(
        select(IndicatorRecord).where(
            IndicatorRecord.indicator_id == indicator.id, IndicatorRecord.year == year
        )
    ).all()
    yearly = [r for r in records if r.quarter is None]
    source = yearly[0] if yearly else max(records, key=lambda r: r.quarter or 0)
    actual = session.exec(
        select(IndicatorValue).where(
            IndicatorValue.indicator_id == indicator.id,
            IndicatorValue.year == year,
            IndicatorValue.kind == ValueKind.actual.value,
        )
    ).first()
    if actual is None:
        actual = IndicatorValue(
            indicator_id=indicator.id, year=year, kind=ValueKind.actual.value, value=source.value
        )
    actual.value = source.value
    session.add(actual)
    return source.value


def close_report_task(
    scope: Scope, indicator: Indicator, period: Period, value: float, by: str | None
) -> Task | None:
    """Accept the period's report task, if it has one still waiting: an open or returned
    task is handed in with the value, then accepted; a submitted one is accepted. An
    accepted or cancelled task stays as it is."""
    code = report_task_code(indicator.code, period)
    task = scope.session.exec(
        select(Task).where(Task.strategy_id == scope.strategy.id, Task.code == code)
    ).first()
    if task is None:
        return None
    note = t("indicator.recorded_note", value=number_text(value), period=period.label)
    if task.status in (TaskStatus.open, TaskStatus.returned):
        apply_transition(scope, task, TaskAction.submit, by=by, note=note)
    if task.status == TaskStatus.submitted:
        apply_transition(scope, task, TaskAction.accept, by=by, note=note)
    return task

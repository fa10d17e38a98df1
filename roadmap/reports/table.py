"""What every report is: one table of typed columns with an optional totals row, notes and
charts, computed by a report module and written by roadmap.reports.output in any format
(terminal, JSON, CSV, XLSX, HTML). A report module never formats; a writer never computes.

Values in rows are raw: money in kopecks (int), shares as fractions (0.915), dates as
`date`, counts as int; None is "no data". Titles are already in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

#: How a column's values are written: money is kopecks shown as roubles; percent is a
#: fraction shown as a percentage; number is a float as it was measured; year is an int
#: written as it is (2025, never "2 025").
ColumnKind = Literal["text", "int", "year", "money", "percent", "number", "date"]


@dataclass(frozen=True, slots=True)
class Column:
    """`labels` names a text column's codes for people ("federal" → "Федеральный"): the
    terminal, CSV, XLSX and HTML show the label, JSON keeps the code. `below`: a long text
    (an explanation) the terminal prints under the table, a line per row, not in a column."""

    key: str
    title: str
    kind: ColumnKind = "text"
    labels: dict[str, str] | None = None
    below: bool = False


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: list[float | None]


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart of the report: categories along x, one or more series. `kind`: "bar"
    (grouped), "stack" (stacked bars), "line", "hbar" (horizontal bars, e.g. a rating) or
    "hstack" (horizontal stacked bars: long category names).
    `unit` names what y measures ("млн ₽", "%"); values are already in that unit."""

    title: str
    categories: list[str]
    series: list[Series]
    kind: Literal["bar", "stack", "line", "hbar", "hstack"] = "bar"
    unit: str = ""


@dataclass(slots=True)
class Report:
    """One report, ready to write. `name` is the report's key ("budget"); `filters` are the
    options it was asked with (shown in every format); `meta` is what it was computed on."""

    name: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    totals: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    filters: dict[str, Any] = field(default_factory=dict)
    region: str = ""
    strategy: str = ""
    generated_at: datetime | None = None
    today: date | None = None

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


def share(part: int | float | None, whole: int | float | None) -> float | None:
    """part / whole as a fraction, None when there is nothing to divide by."""
    if part is None or not whole:
        return None
    return part / whole

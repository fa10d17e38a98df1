"""The region's local date of a stored moment, computed by the database: a report groups
many rows by "the day it happened there" without reading each moment into Python.

PostgreSQL converts with the zone's own rules (`timezone(zone, moment)`). SQLite keeps
moments as UTC text and knows no zones, so the zone's offsets over the years asked about
are written into the query: one `date(moment, '+N seconds')` per span between the zone's
offset changes (Russian zones changed theirs in 2011, 2014, 2016 and 2020).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from roadmap.store.models import UTCDateTime


def _offset(zone: ZoneInfo, moment: datetime) -> int:
    return int(moment.astimezone(zone).utcoffset().total_seconds())  # type: ignore[union-attr]


def offset_spans(zone: ZoneInfo, first_year: int, last_year: int) -> list[tuple[datetime, int]]:
    """The zone's UTC offset (seconds) from the start of `first_year` to the end of
    `last_year`: [(from this UTC moment on, offset)], the first entry at the span's start.
    Changes are found day by day, then to the second by halving the day."""
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    spans = [(start, _offset(zone, start))]
    day = start
    while day < end:
        following = day + timedelta(days=1)
        if _offset(zone, following) != spans[-1][1]:
            # In whole seconds: the offset is the old one at `low`, the new one at `high`.
            low, high = int(day.timestamp()), int(following.timestamp())
            while high - low > 1:
                middle = (low + high) // 2
                if _offset(zone, datetime.fromtimestamp(middle, UTC)) == spans[-1][1]:
                    low = middle
                else:
                    high = middle
            changed = datetime.fromtimestamp(high, UTC)
            spans.append((changed, _offset(zone, changed)))
        day = following
    return spans


def local_day_sql(moment: Any, timezone: str, dialect: str, years: tuple[int, int]) -> Any:
    """An SQL expression for the local date in `timezone` of the UTC moment `moment` (a
    column or expression stored as roadmap's UTCDateTime). `years` bounds the SQLite
    spans; a moment outside them takes the offset of the nearest end. Not for GROUP BY
    directly (its parameters differ between clauses on PostgreSQL): select it in a
    subquery and group the subquery."""
    if dialect == "postgresql":
        return sa.cast(sa.func.timezone(timezone, moment), sa.Date)
    typed = sa.type_coerce(moment, UTCDateTime())
    spans = offset_spans(ZoneInfo(timezone), *years)

    def shifted(offset: int) -> Any:
        return sa.func.date(typed, f"{offset:+d} seconds")

    if len(spans) == 1:
        return shifted(spans[0][1])
    whens = [(typed < spans[i + 1][0], shifted(offset)) for i, (_, offset) in enumerate(spans[:-1])]
    return sa.case(*whens, else_=shifted(spans[-1][1]))


def as_date(value: Any) -> date | None:
    """A date from the database: PostgreSQL gives a date, SQLite its ISO text."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))

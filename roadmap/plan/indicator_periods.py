"""Reporting periods of an indicator: a year ("2026") or a quarter ("2026-Q1").

An indicator reported yearly takes only years; one reported quarterly takes quarters and,
for a final or corrected figure, the whole year. A period's value is reported on the 8th
day of the month after it ends, moved to the next working day of the region's calendar
(2026-Q4 and 2026 are both due on 8 January 2027, a holiday in Russia: on 11 January).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from roadmap.calendar import RegionCalendar
from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.store.enums import IndicatorFrequency

_PERIOD_RE = re.compile(r"^(\d{4})(?:-[Qq]([1-4]))?$")

#: The day of the month after a period ends on which its value is due.
REPORT_DAY = 8


@dataclass(frozen=True, slots=True, order=True)
class Period:
    year: int
    quarter: int | None = None  # None: the whole year

    @property
    def label(self) -> str:
        return str(self.year) if self.quarter is None else f"{self.year}-Q{self.quarter}"

    @property
    def start(self) -> date:
        return date(self.year, 1 if self.quarter is None else 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        """The period's last day."""
        return _month_after(self) - timedelta(days=1)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def due_on(self, calendar: RegionCalendar) -> date:
        """When the period's value is due: the 8th of the month after it, or the next
        working day."""
        first = _month_after(self)
        return calendar.next_working_day(first.replace(day=REPORT_DAY))

    def __str__(self) -> str:
        return self.label


def _month_after(period: Period) -> date:
    last_month = 12 if period.quarter is None else 3 * period.quarter
    if last_month == 12:
        return date(period.year + 1, 1, 1)
    return date(period.year, last_month + 1, 1)


def parse_period(text: str) -> Period:
    """ "2026" or "2026-Q1" (q in any case); anything else is a UserError."""
    match = _PERIOD_RE.match(text.strip())
    if match is None:
        raise UserError(t("indicator.bad_period", value=text))
    year, quarter = int(match[1]), match[2]
    return Period(year, None if quarter is None else int(quarter))


def check_period(period: Period, frequency: str, code: str, horizon: tuple[int, int]) -> None:
    """A period the indicator takes: a quarter only when it is reported quarterly, a year
    within the strategy's horizon."""
    if period.quarter is not None and frequency != IndicatorFrequency.quarterly:
        raise UserError(t("indicator.yearly_only", code=code, period=period.label))
    first, last = horizon
    if not first <= period.year <= last:
        raise UserError(t("indicator.outside_horizon", period=period.label, first=first, last=last))


def reporting_periods(frequency: str, first_year: int, last_year: int) -> list[Period]:
    """Every period the indicator is reported for in these years, in order."""
    if frequency == IndicatorFrequency.quarterly:
        return [Period(y, q) for y in range(first_year, last_year + 1) for q in range(1, 5)]
    return [Period(y) for y in range(first_year, last_year + 1)]

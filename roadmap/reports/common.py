"""What every report is computed on: the region, its current strategy, the moment and the
region's local date and calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from roadmap.calendar import RegionCalendar
from roadmap.store.clock import utc_moment
from roadmap.store.models import Region, Strategy
from roadmap.store.unit_of_work import calendar_for, current_strategy


@dataclass(frozen=True, slots=True)
class ReportContext:
    region: Region
    strategy: Strategy
    now: datetime  # aware, UTC
    today: date  # the region's local date at `now`
    calendar: RegionCalendar

    @property
    def region_label(self) -> str:
        return f"{self.region.name} ({self.region.code})"

    @property
    def strategy_label(self) -> str:
        s = self.strategy
        return f"{s.title}, {s.start_year}–{s.end_year}, v{s.version}"


def report_context(session: Session, region: Region, now: datetime | None) -> ReportContext:
    moment = utc_moment(now)
    calendar = calendar_for(region)
    return ReportContext(
        region=region,
        strategy=current_strategy(session, region),
        now=moment,
        today=calendar.local_date(moment),
        calendar=calendar,
    )


def source_labels() -> dict[str, str]:
    """Funding sources as people name them, in the reader's language."""
    from roadmap.i18n import t
    from roadmap.store.enums import FundingSource

    return {source.value: t(f"report.source.{source.value}") for source in FundingSource}


def kind_labels() -> dict[str, str]:
    """Kinds of organisation: executive body (ОИВ) or municipality (МО)."""
    from roadmap.i18n import t
    from roadmap.store.enums import AgencyKind

    return {kind.value: t(f"report.kind.{kind.value}") for kind in AgencyKind}


def grouping_option(value: str | None, known: tuple[str, ...], default: tuple[str, ...]):
    """`--by a,b`: known names, each once, in the order given (rows are grouped and sorted
    that way); none given (`--by ""`, `--by ,`) is `default`."""
    from roadmap.errors import UserError
    from roadmap.i18n import t

    names = [part.strip() for part in (value or "").split(",") if part.strip()]
    if not names:
        return default
    unknown = [name for name in names if name not in known]
    if unknown:
        raise UserError(t("report.bad_by", value=", ".join(unknown), known=", ".join(known)))
    return tuple(dict.fromkeys(names))

"""The one rule for "now": the user's `--now` (or the wall clock) as an aware UTC moment.

- no value: the wall clock, in UTC;
- a date-time with an offset (`2026-12-04T10:00+10:00`, `…Z`): that moment;
- a bare date or date-time (`2026-12-04`, `2026-12-04T10:00`): the region's local time,
  the region being `--region` or the only one in the store. With several regions in the
  store and no `--region`, a bare value is refused (a user error, exit code 2): it could
  mean several different moments.

Every command and flow that takes a moment reads it here; the services below only ever
receive aware moments.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from roadmap.calendar import RegionCalendar, parse_now
from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.settings import Settings
from roadmap.store.models import Region
from roadmap.store.unit_of_work import open_store, resolve_region


def utc_moment(moment: datetime | None) -> datetime:
    """An aware moment in UTC (the wall clock for None); a naive one is a programming
    error here: read it with `read_now` first."""
    if moment is None:
        return datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError(f"{moment.isoformat()}: a moment without an offset; use read_now")
    return moment.astimezone(UTC)


def moment_in_session(
    session: Session,
    value: str | datetime | None,
    region_code: str | None = None,
    option: str = "--now",
) -> datetime:
    """`read_now` inside an open session."""
    moment = _parsed(value, option)
    if moment is None or moment.tzinfo is not None:
        return utc_moment(moment)
    if region_code is None:
        regions = session.exec(select(Region.code).order_by(Region.code)).all()
        if len(regions) > 1:
            raise UserError(
                t("option.now_needs_region", option=option, value=value, known=", ".join(regions))
            )
    region = resolve_region(session, region_code)
    return RegionCalendar(region.timezone).aware(moment).astimezone(UTC)


def read_now(
    settings: Settings,
    value: str | datetime | None,
    region_code: str | None = None,
    option: str = "--now",
) -> datetime:
    """The moment `value` names, in UTC, by the rule above; the store is opened only when a
    bare value needs the region's timezone."""
    moment = _parsed(value, option)
    if moment is None or moment.tzinfo is not None:
        return utc_moment(moment)
    store = open_store(settings)
    try:
        with store.session() as session:
            return moment_in_session(session, moment, region_code, option)
    finally:
        store.dispose()


def _parsed(value: str | datetime | None, option: str) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return parse_now(value, option)

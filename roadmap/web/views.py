"""What the portal's pages share: rendering a template with the page's helpers, the unit of
work around the request's session, dates and working days as people read them, the short
message a page shows after an action, and the coordinator's form check."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlmodel import Session

from roadmap.i18n import current_locale, t
from roadmap.settings import Settings
from roadmap.store.models import Region
from roadmap.store.unit_of_work import Scope, calendar_for, current_strategy
from roadmap.web.auth import Viewer, check_csrf, coordinator_only, page_viewer, templates

PageViewer = Annotated[Viewer, Depends(page_viewer)]
# A code as the store keeps it: shown back in a message only when it looks like one.
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


async def _coordinator_form(
    request: Request, viewer: Annotated[Viewer, Depends(coordinator_only)]
) -> Viewer:
    """A coordinator's form: 403 for anyone else (before the form is read), then the CSRF
    check."""
    await check_csrf(request, viewer)
    return viewer


async def _member_form(request: Request, viewer: PageViewer) -> Viewer:
    await check_csrf(request, viewer)
    return viewer


CoordinatorForm = Annotated[Viewer, Depends(_coordinator_form)]
MemberForm = Annotated[Viewer, Depends(_member_form)]
Coordinator = Annotated[Viewer, Depends(coordinator_only)]


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def scope_of(session: Session, region: Region, settings: Settings, now: datetime) -> Scope:
    """The unit of work's scope around the request's own session (the same rules as
    `unit_of_work`: the region's current strategy and calendar, at `now`)."""
    strategy = current_strategy(session, region)
    return Scope(session, region, strategy, calendar_for(region, settings), now)


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return templates().TemplateResponse(request, name, context, status_code=status_code)


def see_other(url: str) -> RedirectResponse:
    """After a form: the page again (303), so reloading it does not post twice."""
    return RedirectResponse(url, status_code=303)


def code_or_none(value: str | None) -> str | None:
    return value if value and _CODE.match(value) else None


def problems(exc: ValidationError, labels: dict[str, str]) -> str:
    """A form's validation errors in the file format's words, each naming its field."""
    from roadmap.roadmap_file.places import Source, _pydantic_problem

    source = Source("form", {}, {}, "")
    found = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        text = _pydantic_problem(source, (), dict(error, loc=tuple(error["loc"]))).message
        found.append(f"{labels.get(field, field)}: {text}")
    return "; ".join(found)


# --- how dates and days read ----------------------------------------------------------------


def day_text(value: date | str | None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.strftime("%d.%m.%Y") if current_locale() == "ru" else value.isoformat()


def moment_text(value: datetime | str | None, calendar: Any = None) -> str:
    """A stored moment in the region's time (when its calendar is given), to the minute."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if calendar is not None:
        value = calendar.local_time(value)
    day = day_text(value.date())
    return f"{day} {value:%H:%M}"


def days_left_text(left: int | None) -> str:
    """Working days left before a due date, as a person reads them."""
    if left is None:
        return ""
    if left > 0:
        return t("pages.days.left", days=left)
    if left == 0:
        return t("pages.days.today")
    return t("pages.days.overdue", days=-left)


def size_text(size: int) -> str:
    if size < 1024:
        return t("pages.size.bytes", size=size)
    if size < 1024 * 1024:
        return t("pages.size.kb", size=round(size / 1024))
    return t("pages.size.mb", size=f"{size / 1024 / 1024:.1f}")


def _register() -> None:
    env = templates().env
    env.filters["day"] = day_text
    env.filters["moment"] = moment_text
    env.filters["days_left"] = days_left_text
    env.filters["size"] = size_text
    env.globals["status_label"] = lambda status: t(f"status.{status}")


_register()

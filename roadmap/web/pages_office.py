"""The project office's pages: the alert log (the outbox's rows and the deliveries, their
errors as the dispatcher recorded them — redacted, never a target's secret) and the yearly
review (the open cycle, its proposals, accepting and rejecting them with `roadmap review`'s
own service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import select

from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.store.models import Alert, AlertDelivery, AlertStatus, Person, Task
from roadmap.store.unit_of_work import calendar_for
from roadmap.web.auth import Viewer
from roadmap.web.deps import DB, Now
from roadmap.web.views import Coordinator, CoordinatorForm, render, see_other, settings_of

router = APIRouter(include_in_schema=False)

#: The latest alerts and deliveries the log shows (the outbox keeps every one).
ALERT_ROWS = 200
DELIVERY_ROWS = 100


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(
    request: Request, viewer: Coordinator, database: DB, status: str | None = None
) -> HTMLResponse:
    """The latest alerts of the region, newest first (by status if asked), and the latest
    deliveries: who, which task, which rung, how many attempts, the last error."""
    session, region = database
    calendar = calendar_for(region, settings_of(request))
    statuses = [s.value for s in AlertStatus]
    chosen = status if status in statuses else None
    query = (
        select(Alert, Person.code, Person.name, Task.code)
        .join(Person, Person.id == Alert.person_id)
        .join(Task, Task.id == Alert.task_id, isouter=True)
        .where(Person.region_id == region.id)
        .order_by(Alert.id.desc())
        .limit(ALERT_ROWS)
    )
    if chosen is not None:
        query = query.where(Alert.status == chosen)
    alerts = list(session.exec(query))
    deliveries = list(
        session.exec(
            select(AlertDelivery, Person.code, Person.name)
            .join(Person, Person.id == AlertDelivery.person_id)
            .where(Person.region_id == region.id)
            .order_by(AlertDelivery.id.desc())
            .limit(DELIVERY_ROWS)
        )
    )
    return render(
        request,
        "alerts.html",
        alerts=alerts,
        deliveries=deliveries,
        statuses=statuses,
        status=chosen,
        calendar=calendar,
        alert_rows=ALERT_ROWS,
        delivery_rows=DELIVERY_ROWS,
    )


# --- the yearly review ----------------------------------------------------------------------


def _review(request: Request, viewer: Viewer, status_code: int = 200, **extra) -> HTMLResponse:
    from roadmap.review.cycle import review_status

    try:
        state = review_status(settings_of(request), region_code=viewer.region_code)
    except UserError:
        state = None  # no review has been opened yet
    return render(request, "review.html", status_code=status_code, state=state, **extra)


@router.get("/review", response_class=HTMLResponse)
def review_page(
    request: Request, viewer: Coordinator, done: str | None = None, numbers: str | None = None
) -> HTMLResponse:
    """The latest review cycle: open or closed, its versions, the proposals with their
    status and the conflicts among those still in play."""
    message = None
    if done in ("accepted", "rejected") and numbers and numbers.replace(",", "").isdigit():
        message = t(f"pages.review.{done}", numbers=numbers.replace(",", ", "))
    return _review(request, viewer, message=message)


@router.post("/review/decide", response_class=HTMLResponse)
def decide(
    request: Request,
    viewer: CoordinatorForm,
    now: Now,
    number: Annotated[int, Form()],
    decision: Annotated[str, Form()],
) -> Response:
    """Accept or reject a proposal of the open cycle (`roadmap review accept|reject`)."""
    from roadmap.review.cycle import decide as decide_proposals

    if decision not in ("accept", "reject"):
        return _review(request, viewer, 400, error=t("pages.review.bad_decision"))
    try:
        decide_proposals(
            settings_of(request),
            [number],
            decision == "accept",
            by=viewer.code,
            region_code=viewer.region_code,
            now=now,
        )
    except UserError as exc:
        return _review(request, viewer, 400, error=str(exc))
    done = "accepted" if decision == "accept" else "rejected"
    return see_other(f"/review?done={done}&numbers={number}")

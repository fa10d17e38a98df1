"""The coordinator's stages page: the stage runs of the current cycle with their status,
dates and progress, what each open stage's gate still misses (the same check `roadmap stage
close` runs and the Prefect stage run shows in its gate artifact), and the buttons to start
and to close a stage. A close the gate refuses is recorded as the command line records it
(status gate_failed, what was missing) and shown with its reasons; a closed stage signals
the Prefect run carrying it, as `roadmap stage close` does."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from roadmap.errors import UserError
from roadmap.i18n import localized, t
from roadmap.store.models import StageStatus
from roadmap.store.unit_of_work import shared_store
from roadmap.web.auth import Viewer
from roadmap.web.deps import Now
from roadmap.web.views import Coordinator, CoordinatorForm, render, see_other, settings_of

router = APIRouter(include_in_schema=False)

_OPEN = (StageStatus.active, StageStatus.gate_failed)


def _context(request: Request, viewer: Viewer, now: datetime) -> dict:
    from roadmap.stages.runs import region_today, stage_gate, stage_overview

    settings = settings_of(request)
    with shared_store(settings):
        rows = stage_overview(settings, region_code=viewer.region_code, now=now)
        gates = {
            row.key: stage_gate(settings, row.key, region_code=viewer.region_code, now=now)
            for row in rows
            if row.status in _OPEN
        }
        today = region_today(settings, region_code=viewer.region_code, now=now)
    # A stage may start once the one before it is closed (the service checks it again).
    startable, previous_closed = set(), True
    for row in rows:
        if row.status == StageStatus.pending and previous_closed:
            startable.add(row.key)
        previous_closed = row.status == StageStatus.closed
    return {
        "rows": rows,
        "titles": {row.key: localized(row.title_ru, row.title_en) for row in rows},
        "gates": gates,
        "startable": startable,
        "closable": {row.key for row in rows if row.status in _OPEN},
        "today": today,
        "cycle": rows[0].cycle if rows else None,
    }


def _page(
    request: Request, viewer: Viewer, now: datetime, status_code: int = 200, **extra
) -> HTMLResponse:
    context = _context(request, viewer, now)
    return render(request, "stages.html", status_code=status_code, **context, **extra)


@router.get("/stages", response_class=HTMLResponse)
def stages_page(
    request: Request,
    viewer: Coordinator,
    now: Now,
    done: str | None = None,
    stage: str | None = None,
    signal: str | None = None,
) -> HTMLResponse:
    context = _context(request, viewer, now)
    message = None
    if done in ("started", "closed") and stage in context["titles"]:
        message = t(f"pages.stages.{done}", stage=context["titles"][stage])
    warning = t("pages.signal_failed") if signal == "failed" else None
    return render(request, "stages.html", message=message, warning=warning, **context)


@router.post("/stages/{key}/start", response_class=HTMLResponse)
def start(
    request: Request,
    key: str,
    viewer: CoordinatorForm,
    now: Now,
    on: Annotated[str | None, Form()] = None,
) -> Response:
    """Start the stage (one task per organisation's emissary), today or on a given date."""
    from roadmap.calendar import parse_day
    from roadmap.stages.runs import start_stage

    try:
        day = parse_day(on.strip(), t("pages.stages.start_on")) if on and on.strip() else None
        start_stage(settings_of(request), key, on=day, region_code=viewer.region_code, now=now)
    except UserError as exc:
        return _page(request, viewer, now, 400, error=str(exc))
    return see_other(f"/stages?done=started&stage={quote(key)}")


@router.post("/stages/{key}/close", response_class=HTMLResponse)
def close(request: Request, key: str, viewer: CoordinatorForm, now: Now) -> Response:
    """Run the stage's gate: the stage closes, or the page says what is missing (the
    command line's exit code 3) and the run records it."""
    from flows.events import signal_stage_runs
    from roadmap.stages.runs import close_stage

    settings = settings_of(request)
    try:
        result = close_stage(settings, key, region_code=viewer.region_code, now=now)
    except UserError as exc:
        return _page(request, viewer, now, 400, error=str(exc))
    if result.missing:
        context = _context(request, viewer, now)
        refusal = t(
            "stage.gate_failed", key=context["titles"].get(key, key), count=len(result.missing)
        )
        return render(
            request,
            "stages.html",
            status_code=409,
            refusal=refusal,
            reasons=result.missing,
            **context,
        )
    warning = signal_stage_runs(settings, "stage.close", region_code=viewer.region_code, stage=key)
    return see_other(
        f"/stages?done=closed&stage={quote(key)}" + ("&signal=failed" if warning else "")
    )

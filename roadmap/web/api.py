"""The JSON API under /api: the portal's actions for the region's other systems.

Authentication: a personal token (`Authorization: Bearer <token>`, as `roadmap person token
issue` gives it) or the portal's session cookie. A state-changing request (POST) made with
the session cookie must also carry the session's CSRF token in the `X-CSRF-Token` header;
a request with a Bearer token needs none (no browser sends it on its own).

Who sees what: an emissary or a responsible official sees and acts on the tasks of their own
organisations only; the coordinator on every organisation's. A task of another organisation
is refused with 403, and so is a code that names no task at all (as the pages do): guessing
codes tells nothing, not even whether a code is in use. Only the coordinator, who sees
every organisation, gets 404 for a code no task has. Accepting, returning, the
stages, the reports and the alert log are the coordinator's (403 for anyone else).

Every action goes through the same domain services as the command line, and a change a
stage's gate looks at signals the Prefect run that carries the stage, as the CLI does.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyCookie, HTTPBearer
from sqlmodel import Session, select

from roadmap.errors import UserError
from roadmap.i18n import localized, t
from roadmap.plan import reads
from roadmap.plan.lifecycle import RECORDS, change_tasks, check_transition, task_history
from roadmap.plan.queries import list_tasks
from roadmap.plan.tasks import find_task
from roadmap.settings import Settings
from roadmap.store.enums import AlertStatus, SessionKind, TaskAction, TaskStatus
from roadmap.store.models import Agency, Region, Task
from roadmap.store.reader import Reader
from roadmap.store.unit_of_work import Scope, calendar_for, current_strategy
from roadmap.web.api_errors import (
    CONFLICT,
    ERRORS,
    GATE_REFUSED,
    NOT_FOUND,
    ApiRoute,
    refuse,
)
from roadmap.web.api_models import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    AcceptIn,
    AcknowledgedOut,
    AlertOut,
    AlertPageOut,
    GateRefusedOut,
    MeOut,
    OrganisationOut,
    ReportOut,
    ReturnIn,
    StageClosedOut,
    StageOut,
    StageStartIn,
    StageStartOut,
    SubmitIn,
    TaskCardOut,
    TaskChangedOut,
    TaskEventOut,
    TaskOut,
    TaskPageOut,
)
from roadmap.web.auth import Viewer, api_coordinator_only, api_viewer, check_csrf
from roadmap.web.deps import DB, Now, get_store
from roadmap.web.security import SESSION_COOKIE

# Documented in the OpenAPI schema (either one authenticates); `api_viewer` checks them.
_BEARER = HTTPBearer(auto_error=False, description="A personal token: Authorization: Bearer …")
_COOKIE = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    description="The portal's session; a POST then needs the X-CSRF-Token header.",
)

router = APIRouter(
    prefix="/api",
    route_class=ApiRoute,
    responses=ERRORS,
    dependencies=[Security(_BEARER), Security(_COOKIE)],
)

# A task code or an organisation code as the roadmap file allows it; anything else names
# nothing (and never reaches the store).
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
_CODE = re.compile(CODE_PATTERN)
CODE_LENGTH = 40


# --- who asks -------------------------------------------------------------------------------


Asker = Annotated[Viewer, Depends(api_viewer)]


async def changing(
    request: Request,
    found: Asker,
    x_csrf_token: Annotated[
        str | None,
        Header(
            description="With the session cookie: the session's CSRF token. Not needed with a"
            " Bearer token."
        ),
    ] = None,
) -> Viewer:
    """A state-changing request: with a session cookie, the X-CSRF-Token header must be the
    session's CSRF token (a page of another site cannot read it); a Bearer token needs none.
    A token is ASCII: any other header value is refused here, before it is compared."""
    if found.session_id is not None and x_csrf_token is not None and not x_csrf_token.isascii():
        raise refuse(403, t("web.auth.csrf"))
    await check_csrf(request, found)
    return found


Actor = Annotated[Viewer, Depends(changing)]
Coordinator = Annotated[Viewer, Depends(api_coordinator_only)]


async def coordinator_acting(found: Actor) -> Viewer:
    """A coordinator's action (accept, return, start or close a stage), CSRF-checked."""
    if not found.is_coordinator:
        raise refuse(403, t("web.auth.coordinator_only"))
    return found


CoordinatorActing = Annotated[Viewer, Depends(coordinator_acting)]


def _settings(request: Request) -> Settings:
    return request.app.state.settings


# --- the viewer -----------------------------------------------------------------------------


@router.get("/me", response_model=MeOut, tags=["viewer"], summary="Who is asking")
def me(found: Asker, unit: DB) -> MeOut:
    """The viewer: person, role, language and the organisations they act for."""
    session, _ = unit
    agencies = session.exec(
        select(Agency).where(Agency.id.in_(sorted(found.agency_ids))).order_by(Agency.code)
    ).all()
    return MeOut(
        code=found.code,
        name=found.name,
        role=found.role,
        locale=found.locale,
        region=found.region_code,
        organisations=[OrganisationOut.model_validate(a) for a in agencies],
    )


# --- tasks ----------------------------------------------------------------------------------

TaskCode = Annotated[str, Path(description="The task's code, e.g. T-001.")]


@dataclass(frozen=True, slots=True)
class _Reached:
    """A task the viewer may act on: what the checks before an action need."""

    code: str
    agency_id: int
    responsible_id: int | None


def _find_own_task(session: Session, region: Region, found: Viewer, code: str) -> Task:
    """The task `code` of the region's current strategy, if it is the viewer's: 403 when it
    is another organisation's or no task has that code (404 for the coordinator only)."""
    if len(code) > CODE_LENGTH or not _CODE.match(code):
        raise _unknown_task(region, found, code)
    try:
        task = find_task(session, region, current_strategy(session, region), code)
    except UserError:
        raise _unknown_task(region, found, code) from None
    if task.agency_id not in found.agency_ids:
        raise refuse(403, t("web.api.task_elsewhere", code=code))
    return task


def _unknown_task(region: Region, found: Viewer, code: str) -> Exception:
    if found.is_coordinator:
        return refuse(404, t("task.unknown", code=code, region=region.code))
    return refuse(403, t("web.api.task_elsewhere", code=code))


def _reach_task(
    request: Request, found: Viewer, code: str, action: TaskAction | None = None
) -> _Reached:
    """Check, in a short read of its own (the action's service then opens its unit of
    work), that the viewer may act on the task and that `action` is possible from its
    status (409 with the allowed statuses otherwise)."""
    with get_store(request).session() as session:
        region = session.get(Region, found.region_id)
        task = _find_own_task(session, region, found, code)
        if action is not None:
            try:
                check_transition(task, action)
            except UserError as exc:
                raise refuse(409, str(exc)) from None
        agency = session.get(Agency, task.agency_id)
        return _Reached(task.code, task.agency_id, agency.responsible_id)


def _signal(settings: Settings, found: Viewer, reason: str, **about: Any) -> list[str]:
    """Tell the Prefect runs that carry the stages concerned (nothing without
    PREFECT_API_URL); a server that does not answer is a warning, the change is saved."""
    from flows.events import signal_stage_runs

    warning = signal_stage_runs(settings, reason, region_code=found.region_code, **about)
    return [warning] if warning else []


@router.get(
    "/tasks",
    response_model=TaskPageOut,
    tags=["tasks"],
    summary="The viewer's tasks",
)
def tasks(
    found: Asker,
    unit: DB,
    now: Now,
    request: Request,
    status: Annotated[TaskStatus | None, Query(description="Only tasks in this status.")] = None,
    agency: Annotated[
        str | None,
        Query(
            description="Only this organisation's tasks (its code; one of the viewer's).",
            pattern=CODE_PATTERN,
            max_length=CODE_LENGTH,
        ),
    ] = None,
    overdue: Annotated[bool, Query(description="Only open tasks past their due date.")] = False,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> TaskPageOut:
    """The tasks of the viewer's organisations (every organisation's for the coordinator),
    by due date, with working days left; a page of `limit` after `offset`."""
    session, region = unit
    reader = Reader.of_session(session)
    query = reads.tasks(
        reader,
        region,
        current_strategy(session, region).id,
        calendar_for(region, _settings(request)),
        now=now,
        agency=agency,
        status=status.value if status else None,
        overdue=overdue,
        within=None if found.is_coordinator else found.agency_ids,
    )
    mine = found.is_coordinator or agency is None
    if not mine and reads.agency_id(reader, region, agency) not in found.agency_ids:
        raise refuse(403, t("web.api.agency_elsewhere", code=agency))
    items = [TaskOut.model_validate(reads.task_row(row)) for row in query.rows(limit, offset)]
    total = query.count() if items or offset else 0
    return TaskPageOut(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/tasks/{code}",
    response_model=TaskCardOut,
    responses=NOT_FOUND,
    tags=["tasks"],
    summary="A task and its history",
)
def task(code: TaskCode, found: Asker, unit: DB, now: Now, request: Request) -> TaskCardOut:
    """The task's card and every change of its status (who, when, why, the result)."""
    session, region = unit
    own = _find_own_task(session, region, found, code)
    strategy = current_strategy(session, region)
    scope = Scope(session, region, strategy, calendar_for(region, _settings(request)), now)
    row = list_tasks(session, region, code=own.code, now=now)[0]
    return TaskCardOut(
        task=TaskOut.model_validate(row),
        history=[TaskEventOut.model_validate(e) for e in task_history(scope, own)],
    )


def _change(
    request: Request,
    found: Viewer,
    code: str,
    action: TaskAction,
    fields: dict[str, Any],
    now: datetime,
) -> TaskChangedOut:
    """One task along `action` by the lifecycle's service (all its rules), recorded in the
    task's history as done by the viewer, then the stage run told."""
    _reach_task(request, found, code, action)
    settings = _settings(request)
    strict = bool(fields.pop("strict", False))
    record = RECORDS[action].model_validate(
        {"code": code, **{k: v for k, v in fields.items() if v is not None}}
    )
    result = change_tasks(
        settings,
        action,
        [(record, "")],
        by=found.code,
        strict=strict,
        region_code=found.region_code,
        now=now,
    )
    changed = result.tasks[0]
    warnings = [*result.warnings, *_signal(settings, found, f"task.{action}", task_codes=[code])]
    return TaskChangedOut(
        code=changed.code,
        from_status=changed.from_status,
        to_status=changed.to_status,
        due=changed.due,
        at=changed.at,
        warnings=warnings,
    )


_ACTION = {"responses": {**NOT_FOUND, **CONFLICT}, "tags": ["tasks"]}


@router.post(
    "/tasks/{code}/submit",
    response_model=TaskChangedOut,
    summary="Hand in a result",
    **_ACTION,
)
def submit(
    code: TaskCode,
    found: Actor,
    now: Now,
    request: Request,
    body: Annotated[SubmitIn | None, Body()] = None,
) -> TaskChangedOut:
    """open / returned → submitted, with a note and a link to the result. The emissary, the
    responsible official of the task's organisation, or the coordinator."""
    body = body or SubmitIn()
    return _change(request, found, code, TaskAction.submit, body.model_dump(), now)


@router.post(
    "/tasks/{code}/accept",
    response_model=TaskChangedOut,
    summary="Accept a result (coordinator)",
    **_ACTION,
)
def accept(
    code: TaskCode,
    found: CoordinatorActing,
    now: Now,
    request: Request,
    body: Annotated[AcceptIn | None, Body()] = None,
) -> TaskChangedOut:
    """submitted → accepted."""
    body = body or AcceptIn()
    return _change(request, found, code, TaskAction.accept, body.model_dump(), now)


@router.post(
    "/tasks/{code}/return",
    response_model=TaskChangedOut,
    summary="Return for rework with a new due date (coordinator)",
    **_ACTION,
)
def return_task(
    code: TaskCode, body: ReturnIn, found: CoordinatorActing, now: Now, request: Request
) -> TaskChangedOut:
    """submitted / accepted → returned: the reason and a new due date (a working day, today
    or later); the alert ladder starts again for the task."""
    return _change(request, found, code, TaskAction.return_, body.model_dump(), now)


@router.post(
    "/tasks/{code}/acknowledge",
    response_model=AcknowledgedOut,
    summary="Take an escalation",
    **_ACTION,
)
def acknowledge(code: TaskCode, found: Actor, now: Now, request: Request) -> AcknowledgedOut:
    """The responsible official of the task's organisation (level 1) or the coordinator
    (level 2) takes the escalation about the task's current due date: further escalation
    notices at that level stop (the same as `roadmap task ack`). 409 when there is no
    escalation to them to take."""
    from roadmap.alerts.acknowledgements import acknowledge as take

    reached = _reach_task(request, found, code)
    if not found.is_coordinator and reached.responsible_id != found.person_id:
        raise refuse(403, t("task.ack_not_allowed", person=found.code, code=code))
    try:
        result = take(_settings(request), code, found.code, region_code=found.region_code, now=now)
    except UserError as exc:
        raise refuse(409, str(exc)) from None
    return AcknowledgedOut(code=result.code, person=result.person, level=result.level)


# --- stages ---------------------------------------------------------------------------------

StageKey = Annotated[str, Path(description="The stage's key, e.g. initiatives.")]


def _known_stage(settings: Settings, key: str) -> str:
    from roadmap.config import load_stage_config

    config = load_stage_config(settings)
    if not any(stage.key == key for stage in config.stage):
        raise refuse(404, t("stage.unknown", key=key, known=", ".join(s.key for s in config.stage)))
    return key


@router.get(
    "/stages",
    response_model=list[StageOut],
    tags=["stages"],
    summary="The stages of the current cycle (coordinator)",
)
def stages(found: Coordinator, now: Now, request: Request) -> list[StageOut]:
    """Every stage of the current cycle in order: its run's status, dates, tasks handed in
    and what its gate missed last."""
    from roadmap.stages.runs import stage_overview

    rows = stage_overview(_settings(request), region_code=found.region_code, now=now)
    return [
        StageOut.model_validate(
            {name: getattr(row, name) for name in StageOut.model_fields if name != "title"}
            | {"title": localized(row.title_ru, row.title_en)}
        )
        for row in rows
    ]


@router.post(
    "/stages/{stage}/start",
    response_model=StageStartOut,
    responses={**NOT_FOUND, **CONFLICT},
    tags=["stages"],
    summary="Start a stage (coordinator)",
)
def start_stage(
    stage: StageKey,
    found: CoordinatorActing,
    now: Now,
    request: Request,
    body: Annotated[StageStartIn | None, Body()] = None,
) -> StageStartOut:
    """Open the stage's run: a task per organisation's emissary, due after the stage's
    working days. Starting a started stage again creates nothing. 409 when the previous
    stage has not closed."""
    from roadmap.stages.runs import start_stage as start

    settings = _settings(request)
    key = _known_stage(settings, stage)
    try:
        result = start(
            settings,
            key,
            on=body.on if body else None,
            region_code=found.region_code,
            now=now,
        )
    except UserError as exc:
        raise refuse(409, str(exc)) from None
    return StageStartOut.model_validate(result)


@router.post(
    "/stages/{stage}/close",
    response_model=StageClosedOut,
    responses={**NOT_FOUND, **GATE_REFUSED},
    tags=["stages"],
    summary="Close a stage if its gate holds (coordinator)",
)
def close_stage(stage: StageKey, found: CoordinatorActing, now: Now, request: Request) -> Any:
    """Run the stage's gate: close the stage, or 409 with what it misses (recorded on the
    run, as the CLI does). 409 too when the stage has not started."""
    from roadmap.stages.runs import close_stage as close

    settings = _settings(request)
    key = _known_stage(settings, stage)
    try:
        result = close(settings, key, region_code=found.region_code, now=now)
    except UserError as exc:
        return JSONResponse(
            status_code=409,
            content=GateRefusedOut(detail=str(exc), stage=key, missing=[]).model_dump(),
        )
    if result.missing:
        detail = t("stage.gate_failed", key=key, count=len(result.missing)).rstrip(":")
        return JSONResponse(
            status_code=409,
            content=GateRefusedOut(detail=detail, stage=key, missing=result.missing).model_dump(),
        )
    warnings = _signal(settings, found, "stage.close", stage=key)
    return StageClosedOut(stage=key, status=result.status, warnings=warnings)


# --- reports --------------------------------------------------------------------------------

Year = Annotated[int | None, Query(ge=2000, le=2100, description="The report's year.")]
OrganisationKind = Annotated[
    str | None,
    Query(
        pattern=r"^(body|executive_body|municipality)$",
        description="Only executive bodies (body) or only municipalities (municipality).",
    ),
]
Grouping = Annotated[
    str | None,
    Query(max_length=200, description="Grouping, comma-separated, in the order given."),
]


def _report(unit: tuple[Session, Region], now: datetime, compute: Callable[..., Any]) -> Any:
    """The report computed in one read of the region, as `roadmap report … --json` writes it."""
    from roadmap.reports import output

    session, region = unit
    report = compute(session, region, now)
    out = io.StringIO()
    output.write_json(report, out)
    return json.loads(out.getvalue())


_REPORT = {"response_model": ReportOut, "tags": ["reports"]}


@router.get("/reports/budget", summary="Budget: planned, actual, execution", **_REPORT)
def budget_report(
    found: Coordinator, unit: DB, now: Now, by: Grouping = None, year: Year = None
) -> Any:
    """`by`: sector, source, year, agency, initiative (default sector)."""
    from roadmap.reports.budget import budget_report as compute
    from roadmap.reports.budget import parse_grouping

    grouping = parse_grouping(by)
    # JSON carries no charts: their query is left out, as for `roadmap report budget --json`.
    return _report(
        unit, now, lambda s, r, m: compute(s, r, grouping=grouping, year=year, now=m, charts=False)
    )


@router.get("/reports/indicators", summary="Indicators: target, actual, status", **_REPORT)
def indicators_report(found: Coordinator, unit: DB, now: Now, year: Year = None) -> Any:
    from roadmap.reports.indicators import indicators_report as compute

    return _report(unit, now, lambda s, r, m: compute(s, r, year=year, now=m))


@router.get("/reports/progress", summary="Tasks by stage and organisation", **_REPORT)
def progress_report(
    found: Coordinator,
    unit: DB,
    now: Now,
    request: Request,
    year: Year = None,
    kind: OrganisationKind = None,
) -> Any:
    """`year`: tasks due in that year."""
    from roadmap.reports.organisations import parse_kind
    from roadmap.reports.progress import progress_report as compute

    kind_value, settings = parse_kind(kind), _settings(request)
    return _report(
        unit,
        now,
        lambda s, r, m: compute(s, r, year=year, kind=kind_value, now=m, settings=settings),
    )


@router.get("/reports/rating", summary="Organisations ranked by pace", **_REPORT)
def rating_report(
    found: Coordinator,
    unit: DB,
    now: Now,
    request: Request,
    year: Year = None,
    previous_year: Annotated[
        int | None, Query(ge=2000, le=2100, description="The year to compare with.")
    ] = None,
    kind: OrganisationKind = None,
) -> Any:
    """Weights in config/rating.toml."""
    from roadmap.reports.organisations import parse_kind
    from roadmap.reports.rating import rating_report as compute
    from roadmap.reports.rating_config import load_rating_config

    kind_value = parse_kind(kind)
    config = load_rating_config(_settings(request))
    return _report(
        unit,
        now,
        lambda s, r, m: compute(
            s, r, config=config, year=year, previous_year=previous_year, kind=kind_value, now=m
        ),
    )


@router.get("/reports/sessions", summary="Strategy sessions and their proposals", **_REPORT)
def sessions_report(
    found: Coordinator,
    unit: DB,
    now: Now,
    year: Year = None,
    kind: Annotated[SessionKind | None, Query(description="Sectoral or territorial.")] = None,
) -> Any:
    from roadmap.reports.sessions import sessions_report as compute

    value = kind.value if kind else None
    return _report(unit, now, lambda s, r, m: compute(s, r, year=year, kind=value, now=m))


@router.get("/reports/services", summary="Public services online", **_REPORT)
def services_report(
    found: Coordinator,
    unit: DB,
    now: Now,
    year: Year = None,
    target: Annotated[
        float | None, Query(gt=0, le=1, description="Target share online (default 0.95).")
    ] = None,
    by: Grouping = None,
) -> Any:
    """`by`: agency (default), sector, or both in the order given."""
    from roadmap.reports.services import DEFAULT_TARGET, parse_grouping
    from roadmap.reports.services import services_report as compute

    grouping = parse_grouping(by)
    share = DEFAULT_TARGET if target is None else target
    return _report(
        unit,
        now,
        lambda s, r, m: compute(s, r, year=year, target=share, grouping=grouping, now=m),
    )


# --- alerts ---------------------------------------------------------------------------------


@router.get(
    "/alerts",
    response_model=AlertPageOut,
    tags=["alerts"],
    summary="The alert log (coordinator)",
)
def alerts(
    found: Coordinator,
    unit: DB,
    status: Annotated[AlertStatus | None, Query(description="Only alerts in this status.")] = None,
    person: Annotated[
        str | None,
        Query(
            description="Only alerts to this person (code).",
            pattern=CODE_PATTERN,
            max_length=CODE_LENGTH,
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> AlertPageOut:
    """The region's alerts in the order they were planned: to whom, about which task, the
    rung, the delivery status and attempts (no addresses, no secrets)."""
    from roadmap.alerts.outbox import alert_log, count_alerts

    session, region = unit
    value = status.value if status else None
    rows = alert_log(session, region, status=value, person=person, limit=limit, offset=offset)
    return AlertPageOut(
        items=[AlertOut.model_validate(row) for row in rows],
        total=count_alerts(session, region, status=value, person=person),
        limit=limit,
        offset=offset,
    )

"""The pages of tasks: "my tasks" (an emissary's and an official's organisations, every
organisation for the coordinator), one task's card with its history, handing in a result
(with a file), accepting and returning it, taking an escalation, downloading a file.

Every action goes through the domain's own services, as the command line does: the
lifecycle's transitions (`roadmap.plan.lifecycle`), `acknowledge` for an escalation; after a
change a stage's gate looks at, the Prefect runs carrying the stage are signalled
(flows/events.py: nothing without PREFECT_API_URL). A task of an organisation the viewer
does not act for is 403 whether or not its code exists; only the coordinator, who sees every
organisation, is told that a code is unknown (404).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Annotated
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, select

from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.plan import reads
from roadmap.plan.lifecycle import AcceptIn, ReturnIn, SubmitIn, apply_transition, task_history
from roadmap.store.models import (
    OPEN_TASK_STATUSES,
    Acknowledgement,
    Agency,
    Alert,
    AlertKind,
    Attachment,
    Region,
    Task,
    TaskAction,
    TaskEvent,
    TaskStatus,
)
from roadmap.store.reader import Reader
from roadmap.store.unit_of_work import calendar_for, current_strategy
from roadmap.web import uploads
from roadmap.web.auth import Viewer, check_csrf, require_agency, same_token
from roadmap.web.deps import DB, Now
from roadmap.web.state import get_store
from roadmap.web.views import (
    CoordinatorForm,
    MemberForm,
    PageViewer,
    code_or_none,
    problems,
    render,
    scope_of,
    see_other,
    settings_of,
)

router = APIRouter(include_in_schema=False)

#: Rows a list shows; the rest are counted (a region may have a million tasks).
LIST_ROWS = 200
#: "In work": what is still waiting for the organisation or for the coordinator.
ACTIVE = (TaskStatus.open, TaskStatus.returned, TaskStatus.submitted)
#: The messages a page shows after an action (?done=…), each with the task's code.
DONE = {"submit", "accept", "return", "ack"}


# --- my tasks --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Escalation:
    """An escalation addressed to the viewer that nobody at their level has taken yet."""

    code: str
    title: str
    agency: str
    due: date
    level: int
    overdue_days: int


def escalations_for(
    session: Session, region: Region, viewer: Viewer, today: date, calendar, code: str | None = None
) -> list[Escalation]:
    """Escalations the viewer may take (the rule of `acknowledge`): level 1 of the
    organisations whose responsible official they are, level 2 if they are the strategy's
    coordinator; for the task's current due date, still open, not acknowledged at that level."""
    strategy = current_strategy(session, region)
    levels = [sa.and_(Alert.level == 1, Agency.responsible_id == viewer.person_id)]
    if strategy.coordinator_id == viewer.person_id:
        levels.append(Alert.level == 2)
    taken = (
        select(Acknowledgement.id)
        .where(
            Acknowledgement.task_id == Task.id,
            Acknowledgement.level == Alert.level,
            Acknowledgement.due_on == Task.due_on,
        )
        .exists()
    )
    query = (
        select(Task.code, Task.title, Agency.name, Task.due_on, Alert.level)
        .join(Alert, Alert.task_id == Task.id)
        .join(Agency, Agency.id == Task.agency_id)
        .where(
            Task.strategy_id == strategy.id,
            Task.status.in_([s.value for s in OPEN_TASK_STATUSES]),
            Alert.kind == AlertKind.escalation.value,
            Alert.due_on == Task.due_on,
            sa.or_(*levels),
            ~taken,
        )
        .distinct()
        .order_by(Task.due_on, Task.code, Alert.level)
    )
    if code is not None:
        query = query.where(Task.code == code)
    return [
        Escalation(
            code=task_code,
            title=title,
            agency=agency,
            due=due,
            level=level,
            overdue_days=max(0, -calendar.working_days_between(today, due)),
        )
        for task_code, title, agency, due, level in session.exec(query)
    ]


@router.get("/", response_class=HTMLResponse)
def my_tasks(
    request: Request,
    viewer: PageViewer,
    database: DB,
    now: Now,
    agency: str | None = None,
    status: str | None = None,
    done: str | None = None,
    code: str | None = None,
) -> HTMLResponse:
    """The viewer's tasks by due date with the working days left (overdue first in red):
    their organisations' tasks in work; the coordinator's, every organisation's, filtered by
    organisation and status. Escalations waiting for the viewer come first."""
    session, region = database
    settings = settings_of(request)
    calendar = calendar_for(region, settings)
    today = calendar.local_date(now)
    strategy = current_strategy(session, region)
    agencies = {
        a.code: a
        for a in session.exec(
            select(Agency).where(Agency.region_id == region.id).order_by(Agency.code)
        )
        if viewer.is_coordinator or a.id in viewer.agency_ids
    }
    statuses = [s.value for s in TaskStatus]
    chosen_status = status if status in (*statuses, "all") else "active"
    chosen_agency = agency if agency in agencies else None
    rows, total = _task_rows(
        session, region, strategy.id, calendar, now, viewer, chosen_agency, chosen_status
    )
    message = None
    if done == "ack" and code_or_none(code):
        message = t("pages.done.ack", code=code)
    return render(
        request,
        "my_tasks.html",
        rows=rows,
        total=total,
        names={a.code: a.name for a in agencies.values()},
        agencies=list(agencies.values()),
        agency=chosen_agency,
        status=chosen_status,
        statuses=statuses,
        today=today,
        escalations=escalations_for(session, region, viewer, today, calendar),
        message=message,
        calendar=calendar,
    )


def _task_rows(session, region, strategy_id, calendar, now, viewer, agency, status):
    """The list's rows (at most LIST_ROWS) and how many there are: the plan's one task
    query (`roadmap.plan.reads.tasks`: due-date order, working days left, overdue),
    narrowed to the viewer's organisations and the statuses in work."""
    if not viewer.is_coordinator and not viewer.agency_ids:
        return [], 0
    reader = Reader.of_session(session)
    single = status if status not in ("active", "all") else None
    within = None if viewer.is_coordinator else viewer.agency_ids
    query = reads.tasks(
        reader, region, strategy_id, calendar, now=now, agency=agency, status=single, within=within
    )
    where, params = [query.where], list(query.params)
    if status == "active":
        where.append(f"t.status IN ({', '.join('?' for _ in ACTIVE)})")
        params += [s.value for s in ACTIVE]
    query = replace(query, where=" AND ".join(where), params=tuple(params))
    rows = [reads.task_row(values) for values in query.rows(LIST_ROWS)]
    total = query.count() if len(rows) == LIST_ROWS else len(rows)
    return rows, total


# --- one task ---------------------------------------------------------------------------------


def find_visible_task(session: Session, region: Region, viewer: Viewer, code: str) -> Task:
    """The task `code` of the region's current strategy if the viewer may see it: 403 for
    another organisation's task and, for anyone but the coordinator, for an unknown code
    too (so codes cannot be probed); 404 for the coordinator."""
    strategy = current_strategy(session, region)
    task = session.exec(
        select(Task).where(Task.strategy_id == strategy.id, Task.code == code)
    ).first()
    if task is None:
        if viewer.is_coordinator:
            raise HTTPException(404, t("task.unknown", code=code, region=region.code))
        require_agency(viewer, None)
    require_agency(viewer, task.agency_id)
    return task


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: str
    action: str
    from_status: str
    to_status: str
    by: str | None
    why: str | None
    note: str | None
    link: str | None
    link_is_web: bool
    due: date | None
    files: list[Attachment]


def _card(request: Request, session: Session, region: Region, viewer: Viewer, code: str, now):
    """Everything the task's card shows and which of its forms the viewer may use."""
    settings = settings_of(request)
    task = find_visible_task(session, region, viewer, code)
    scope = scope_of(session, region, settings, now)
    row = next(
        reads.task_row(values)
        for values in reads.tasks(
            Reader.of_session(session),
            region,
            scope.strategy.id,
            scope.calendar,
            now=now,
            code=code,
        ).rows()
    )
    agency = session.get(Agency, task.agency_id)
    events = task_history(scope, task)
    ids = list(
        session.exec(
            select(TaskEvent.id)
            .where(TaskEvent.task_id == task.id)
            .order_by(TaskEvent.at, TaskEvent.id)
        )
    )
    files: dict[int, list[Attachment]] = {}
    for attachment in session.exec(
        select(Attachment).where(Attachment.task_event_id.in_(ids)).order_by(Attachment.id)
    ):
        files.setdefault(attachment.task_event_id, []).append(attachment)
    history = [
        HistoryEntry(
            at=event.at,
            action=event.action.value,
            from_status=event.from_status.value,
            to_status=event.to_status.value,
            by=event.by,
            why=event.why,
            note=event.note,
            link=event.link,
            link_is_web=bool(event.link and event.link.lower().startswith(("https://", "http://"))),
            due=event.due,
            files=files.get(event_id, []),
        )
        for event, event_id in zip(events, ids, strict=True)
    ]
    status = TaskStatus(task.status)
    stage_title = None
    if task.stage:
        from roadmap.config import load_stage_config
        from roadmap.i18n import localized

        known = {s.key: s for s in load_stage_config(settings).stage}
        stage = known.get(task.stage)
        stage_title = localized(stage.title_ru, stage.title_en) if stage else task.stage
    return {
        "task": task,
        "row": row,
        "agency": agency,
        "stage_title": stage_title,
        "history": list(reversed(history)),  # the latest first
        "can_hand_in": status in OPEN_TASK_STATUSES,
        "can_accept": viewer.is_coordinator and status == TaskStatus.submitted,
        "can_return": viewer.is_coordinator
        and status in (TaskStatus.submitted, TaskStatus.accepted),
        "escalations": escalations_for(session, region, viewer, scope.today, scope.calendar, code),
        "today": scope.today,
        "limit_mb": uploads.max_bytes(settings) // uploads.MB,
        "allowed": uploads.ALLOWED,
        "accept_types": ",".join(uploads.EXTENSIONS),
    }


@router.get("/tasks/{code}", response_class=HTMLResponse)
def task_page(
    request: Request,
    code: str,
    viewer: PageViewer,
    database: DB,
    now: Now,
    done: str | None = None,
    signal: str | None = None,
) -> HTMLResponse:
    """The task's card: its organisation, due date and working days left, status; the
    forms the viewer may use; its history with notes, links and files, the latest first."""
    session, region = database
    context = _card(request, session, region, viewer, code, now)
    message = t(f"pages.done.{done}", code=code) if done in DONE else None
    warning = t("pages.signal_failed") if signal == "failed" else None
    return render(request, "task.html", message=message, warning=warning, **context)


def _task_page_with(
    request: Request, viewer: Viewer, code: str, now: datetime, error: str, status: int, **form
) -> HTMLResponse:
    """The card again after a refused action: the reason on top, the form as it was sent."""
    with get_store(request).session() as session:
        region = session.get(Region, viewer.region_id)
        context = _card(request, session, region, viewer, code, now)
    return render(request, "task.html", status_code=status, error=error, form=form, **context)


def _signal(request: Request, viewer: Viewer, reason: str, codes: list[str]) -> str | None:
    """After a change the stage's gate looks at: tell the Prefect runs carrying it (as the
    command line does; nothing without PREFECT_API_URL). A warning if it did not answer."""
    from flows.events import signal_stage_runs

    return signal_stage_runs(
        settings_of(request), reason, region_code=viewer.region_code, task_codes=codes
    )


def _after(code: str, done: str, warning: str | None) -> Response:
    return see_other(f"/tasks/{quote(code)}?done={done}" + ("&signal=failed" if warning else ""))


# --- handing in ---------------------------------------------------------------------------------

_HAND_IN_LABELS = {"note": "pages.hand_in.note", "link": "pages.hand_in.link"}


@router.post("/tasks/{code}/submit", response_class=HTMLResponse)
async def hand_in(request: Request, code: str, viewer: PageViewer, now: Now) -> Response:
    """Hand in a result: a note, a link, and a file of an allowed type within the size
    limit. The access check comes before the body is read, the form's token before the
    file's first byte; the submission and its file are one transaction, and a file whose
    submission is refused is removed."""
    await run_in_threadpool(_check_visible, request, viewer, code)
    settings = settings_of(request)
    seen: list[str] = []

    def on_field(name: str, value: str | None) -> None:
        if name == "csrf_token":
            _check_token(viewer, value)
            seen.append(name)
        elif not seen:  # the token comes first: nothing is read before it is checked
            _check_token(viewer, None)

    try:
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            form = await uploads.read_hand_in(request, settings, on_field=on_field)
        else:  # a form without a file (no multipart): the usual check and form
            await check_csrf(request, viewer)
            seen.append("csrf_token")
            sent = await request.form()
            form = uploads.HandInForm(
                {k: v for k, v in sent.items() if k in ("note", "link") and isinstance(v, str)}
            )
    except uploads.UploadRefused as exc:
        return await run_in_threadpool(
            _task_page_with, request, viewer, code, now, str(exc), exc.status
        )
    if not seen:
        if form.file is not None:
            form.file.discard()
        _check_token(viewer, None)
    note = (form.fields.get("note") or "").strip() or None
    link = (form.fields.get("link") or "").strip() or None
    try:
        SubmitIn.model_validate({"code": code, "note": note, "link": link})
        await run_in_threadpool(_record_hand_in, request, viewer, code, note, link, form.file, now)
    except (UserError, ValidationError) as exc:
        if form.file is not None:
            form.file.discard()
        error = (
            problems(exc, _labels(_HAND_IN_LABELS))
            if isinstance(exc, ValidationError)
            else str(exc)
        )
        return await run_in_threadpool(
            _task_page_with, request, viewer, code, now, error, 400, note=note, link=link
        )
    except BaseException:
        if form.file is not None:
            form.file.discard()
        raise
    warning = await run_in_threadpool(_signal, request, viewer, "task.submit", [code])
    return _after(code, "submit", warning)


def _labels(keys: dict[str, str]) -> dict[str, str]:
    return {field: t(key) for field, key in keys.items()}


def _check_token(viewer: Viewer, sent: str | None) -> None:
    """The form's token, as `check_csrf` checks it (the upload is read here, not by it)."""
    if not same_token(sent, viewer.csrf_token):
        raise HTTPException(status_code=403, detail=t("web.auth.csrf"))


def _check_visible(request: Request, viewer: Viewer, code: str) -> None:
    with get_store(request).session() as session:
        find_visible_task(session, session.get(Region, viewer.region_id), viewer, code)


def _record_hand_in(
    request: Request,
    viewer: Viewer,
    code: str,
    note: str | None,
    link: str | None,
    received: uploads.Received | None,
    now: datetime,
) -> None:
    """The lifecycle's submission (open/returned → submitted, one history entry) and its
    file, in one unit of work."""
    settings = settings_of(request)
    with get_store(request).session() as session:
        region = session.get(Region, viewer.region_id)
        task = find_visible_task(session, region, viewer, code)
        scope = scope_of(session, region, settings, now)
        event = apply_transition(
            scope, task, TaskAction.submit, by=viewer.code, note=note, link=link
        )
        session.flush()
        if received is not None:
            session.add(
                Attachment(
                    task_event_id=event.id,
                    stored_name=received.stored_name,
                    original_name=received.original_name,
                    content_type=received.content_type,
                    size=received.size,
                    sha256=received.sha256,
                    created_at=scope.now,
                )
            )


# --- the coordinator: accept, return ------------------------------------------------------------


def _change(request: Request, viewer: Viewer, action: TaskAction, record, now: datetime):
    """The command line's own service for accepting and returning (all or nothing; a due
    date on a day off moves to the next working day)."""
    from roadmap.plan.lifecycle import change_tasks

    return change_tasks(
        settings_of(request),
        action,
        [(record, "")],
        by=viewer.code,
        region_code=viewer.region_code,
        now=now,
    )


@router.post("/tasks/{code}/accept", response_class=HTMLResponse)
def accept(
    request: Request,
    code: str,
    viewer: CoordinatorForm,
    now: Now,
    note: Annotated[str | None, Form()] = None,
) -> Response:
    """The coordinator accepts a handed-in result: submitted → accepted."""
    note = (note or "").strip() or None
    try:
        record = AcceptIn.model_validate({"code": code, "note": note})
        _check_visible(request, viewer, code)
        _change(request, viewer, TaskAction.accept, record, now)
    except ValidationError as exc:
        error = problems(exc, _labels({"note": "pages.accept.note"}))
        return _task_page_with(request, viewer, code, now, error, 400)
    except UserError as exc:
        return _task_page_with(request, viewer, code, now, str(exc), 400)
    return _after(code, "accept", _signal(request, viewer, "task.accept", [code]))


@router.post("/tasks/{code}/return", response_class=HTMLResponse)
def return_task(
    request: Request,
    code: str,
    viewer: CoordinatorForm,
    now: Now,
    due: Annotated[str | None, Form()] = None,
    why: Annotated[str | None, Form()] = None,
) -> Response:
    """The coordinator returns a result with a reason and a new due date: the alert ladder
    starts again for it."""
    values = {"code": code, "due": (due or "").strip() or None, "why": (why or "").strip() or None}
    try:
        record = ReturnIn.model_validate(values)
        _check_visible(request, viewer, code)
        _change(request, viewer, TaskAction.return_, record, now)
    except ValidationError as exc:
        labels = _labels({"due": "pages.return.due", "why": "pages.return.why"})
        return _task_page_with(
            request, viewer, code, now, problems(exc, labels), 400, due=due, why=why
        )
    except UserError as exc:
        return _task_page_with(request, viewer, code, now, str(exc), 400, due=due, why=why)
    return _after(code, "return", _signal(request, viewer, "task.return", [code]))


# --- taking an escalation -------------------------------------------------------------------------


@router.post("/tasks/{code}/ack", response_class=HTMLResponse)
def take_escalation(request: Request, code: str, viewer: MemberForm, now: Now) -> Response:
    """The responsible official (or the coordinator) takes the escalation: the same service
    as `roadmap task ack`; further escalation notices at their level stop."""
    from roadmap.alerts.acknowledgements import acknowledge

    try:
        _check_visible(request, viewer, code)
        acknowledge(
            settings_of(request), code, viewer.code, region_code=viewer.region_code, now=now
        )
    except UserError as exc:
        return _task_page_with(request, viewer, code, now, str(exc), 400)
    return see_other(f"/?done=ack&code={quote(code)}")


# --- files --------------------------------------------------------------------------------------


@router.get("/attachments/{attachment_id}")
def download(
    request: Request, attachment_id: int, viewer: PageViewer, database: DB
) -> FileResponse:
    """A file handed in with a result, for those who may see its task: always as a
    download (never shown in the portal's origin), with the type its content was checked
    to be. Another organisation's file, or an unknown id, is 403 alike."""
    session, region = database
    found = session.exec(
        select(Attachment, Task.agency_id)
        .join(TaskEvent, TaskEvent.id == Attachment.task_event_id)
        .join(Task, Task.id == TaskEvent.task_id)
        .join(Agency, Agency.id == Task.agency_id)
        .where(Attachment.id == attachment_id, Agency.region_id == region.id)
    ).first()
    if found is None:
        require_agency(viewer, None)
    attachment, agency_id = found
    require_agency(viewer, agency_id)
    path = uploads.uploads_dir(settings_of(request)) / attachment.stored_name
    if not path.is_file():
        raise HTTPException(404, t("pages.file.gone", name=attachment.original_name))
    return FileResponse(
        path,
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": _disposition(attachment.original_name),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


def _disposition(name: str) -> str:
    """`attachment` with the name in ASCII and in UTF-8 (RFC 6266)."""
    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"

"""Who is asking: the signed-in person (`Viewer`) and the checks every route uses.

A browser is signed in by a server-side session (`WebSession`): the cookie holds a random id,
the store its SHA-256, the token it was opened with and the form token against CSRF. The API
also takes the personal token itself ("Authorization: Bearer <token>"). A session ends when
it expires (ROADMAP_WEB_SESSION_HOURS after sign-in, never after its token), when its token
is revoked or expires, or on sign-out.

Routes depend on `page_viewer` (no session: 303 to /sign-in) or `api_viewer` (401), narrow
with `coordinator_only` / `api_coordinator_only` and `require_agency`, and check every form
with `check_csrf` (or depend on `csrf_page_viewer` / `csrf_api_viewer`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.templating import Jinja2Templates
from sqlmodel import Session, col, select

from roadmap.i18n import current_locale, t, use_locale
from roadmap.plan.tokens import token_hash, valid_token
from roadmap.store.enums import PersonRole
from roadmap.store.models import Agency, Person, PersonToken, Region, WebSession
from roadmap.web.security import SESSION_COOKIE
from roadmap.web.state import clock, get_store

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
# A bearer token's last use is written at most this often (not on every API call).
LAST_USED_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class Viewer:
    """The signed-in person as the portal sees them."""

    person_id: int
    code: str
    name: str
    role: str  # PersonRole value: emissary | responsible | coordinator
    region_id: int
    region_code: str
    locale: str  # "ru" | "en": the page language (?lang= switches, else the person's)
    agency_ids: frozenset[int]  # the organisations the person acts for
    session_id: int | None  # None when authenticated by an API bearer token
    csrf_token: str | None

    @property
    def is_coordinator(self) -> bool:
        return self.role == PersonRole.coordinator


class SignInRequired(Exception):
    """A page needs a signed-in person; the application answers 303 to /sign-in."""


class TooManyAttempts(Exception):
    """Too many failed sign-ins from one address; the application answers 429."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def agencies_of(session: Session, person: Person) -> frozenset[int]:
    """The organisations a person acts for: an emissary's, a responsible official's, or
    every organisation of the region for a coordinator."""
    query = select(Agency.id).where(Agency.region_id == person.region_id)
    if person.role == PersonRole.emissary:
        query = query.where(Agency.emissary_id == person.id)
    elif person.role == PersonRole.responsible:
        query = query.where(Agency.responsible_id == person.id)
    return frozenset(session.exec(query))


def viewer_of(
    session: Session,
    person: Person,
    web_session: WebSession | None,
    language: str | None,
) -> Viewer:
    region = session.get(Region, person.region_id)
    return Viewer(
        person_id=person.id,
        code=person.code,
        name=person.name,
        role=person.role,
        region_id=person.region_id,
        region_code=region.code,
        locale=language or (person.locale if person.locale in ("ru", "en") else "ru"),
        agency_ids=agencies_of(session, person),
        session_id=web_session.id if web_session else None,
        csrf_token=web_session.csrf_token if web_session else None,
    )


def live_session(session: Session, cookie: str, now: datetime) -> WebSession | None:
    """The browser session this cookie id names, if it has not ended: not expired, and its
    token (when it came from one) neither revoked nor expired."""
    if not cookie or len(cookie) > 100:
        return None
    found = session.exec(
        select(WebSession, PersonToken)
        .join(PersonToken, col(PersonToken.id) == WebSession.token_id, isouter=True)
        .where(WebSession.session_hash == token_hash(cookie))
    ).first()
    if found is None:
        return None
    web_session, token = found
    if web_session.expires_at <= now:
        return None
    if web_session.token_id is not None and (
        token is None or token.revoked_at is not None or token.expires_at <= now
    ):
        return None
    return web_session


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _load_viewer(request: Request, bearer_allowed: bool) -> Viewer | None:
    now = clock(request)
    language = request.state.lang if "lang" in request.state._state else None
    with get_store(request).session() as session:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            web_session = live_session(session, cookie, now)
            if web_session is not None:
                person = session.get(Person, web_session.person_id)
                return viewer_of(session, person, web_session, language)
        secret = bearer_token(request) if bearer_allowed else None
        if secret is None:
            return None
        limiter = request.app.state.sign_in_limiter
        wait = limiter.retry_after(client_address(request))
        if wait is not None:
            raise TooManyAttempts(wait)
        token = valid_token(session, secret, now)
        if token is None:
            limiter.fail(client_address(request))
            return None
        if token.last_used_at is None or token.last_used_at <= now - LAST_USED_EVERY:
            token.last_used_at = now
            session.add(token)
        person = session.get(Person, token.person_id)
        return viewer_of(session, person, None, language)


async def current_viewer(request: Request) -> Viewer | None:
    """The signed-in person, or None. Computed once per request; the API also accepts a
    bearer token. Sets the request's language to the person's unless ?lang= chose one."""
    if "viewer" in request.state._state:
        return request.state.viewer
    bearer_allowed = request.url.path.startswith("/api")
    viewer = await run_in_threadpool(_load_viewer, request, bearer_allowed)
    request.state.viewer = viewer
    if viewer is not None:
        use_locale(viewer.locale)  # this request's context (the middleware resets it)
    return viewer


async def page_viewer(request: Request) -> Viewer:
    """For pages: the signed-in person; without a live session, 303 to /sign-in."""
    viewer = await current_viewer(request)
    if viewer is None or viewer.session_id is None:
        raise SignInRequired()
    return viewer


async def api_viewer(request: Request) -> Viewer:
    """For /api: the person of the session cookie or of the bearer token; else 401."""
    viewer = await current_viewer(request)
    if viewer is None:
        raise HTTPException(
            status_code=401,
            detail=t("web.auth.required"),
            headers={"WWW-Authenticate": "Bearer"},
        )
    return viewer


def coordinator_only(viewer: Annotated[Viewer, Depends(page_viewer)]) -> Viewer:
    """A page only a coordinator may use: 403 for anyone else."""
    if not viewer.is_coordinator:
        raise HTTPException(status_code=403, detail=t("web.auth.coordinator_only"))
    return viewer


def api_coordinator_only(viewer: Annotated[Viewer, Depends(api_viewer)]) -> Viewer:
    """An API action only a coordinator may take: 403 for anyone else."""
    if not viewer.is_coordinator:
        raise HTTPException(status_code=403, detail=t("web.auth.coordinator_only"))
    return viewer


def require_agency(viewer: Viewer, agency_id: int | None) -> None:
    """403 unless the organisation is one the viewer acts for (a coordinator: any of the
    region's). Answer the same for an id that does not exist, so ids cannot be probed."""
    if agency_id is None or agency_id not in viewer.agency_ids:
        raise HTTPException(status_code=403, detail=t("web.auth.not_yours"))


async def check_csrf(request: Request, viewer: Viewer) -> None:
    """A state-changing request from a browser session must carry the session's form token:
    the form field "csrf_token" or the header "X-CSRF-Token"; else 403. A request
    authenticated by a bearer token carries no ambient credential and needs none."""
    if viewer.session_id is None:
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get("csrf_token")
            sent = value if isinstance(value, str) else None
    if not same_token(sent, viewer.csrf_token):
        raise HTTPException(status_code=403, detail=t("web.auth.csrf"))


def same_token(sent: str | None, expected: str | None) -> bool:
    """A form's or header's CSRF token against the session's, in constant time; any text
    (not only ASCII) is compared as its UTF-8 bytes, never a crash."""
    if not sent or not expected:
        return False
    return secrets.compare_digest(sent.encode("utf-8"), expected.encode("utf-8"))


async def csrf_page_viewer(
    request: Request, viewer: Annotated[Viewer, Depends(page_viewer)]
) -> Viewer:
    """For a page's form handler: the signed-in person, after the CSRF check."""
    await check_csrf(request, viewer)
    return viewer


async def csrf_api_viewer(
    request: Request, viewer: Annotated[Viewer, Depends(api_viewer)]
) -> Viewer:
    """For an API action: the person, after the CSRF check (cookie sessions only)."""
    await check_csrf(request, viewer)
    return viewer


def _template_context(request: Request) -> dict:
    viewer = request.state.viewer if "viewer" in request.state._state else None
    return {
        "viewer": viewer,
        "csrf_token": viewer.csrf_token if viewer else None,
        "lang": current_locale(),
    }


@lru_cache(maxsize=1)
def templates() -> Jinja2Templates:
    """The portal's templates (roadmap/web/templates): base.html has the blocks `title` and
    `content`; every template sees `t` (messages in the request's language), `viewer`,
    `csrf_token` and `lang`."""
    found = Jinja2Templates(directory=TEMPLATES_DIR, context_processors=[_template_context])
    found.env.globals["t"] = t
    return found

"""Signing in by personal link and signing out.

GET /sign-in/{token} checks the token (by its hash: not expired, not revoked), opens a
browser session (a random id in an HttpOnly, SameSite=Lax cookie, Secure except plain http
to a loopback address) and sends the browser to "/". Failed attempts are counted per client
address: more than ROADMAP_WEB_SIGN_IN_LIMIT a minute answer 429 with Retry-After.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import delete

from roadmap.plan.tokens import new_secret, token_hash, valid_token
from roadmap.store.models import WebSession
from roadmap.web.auth import (
    TooManyAttempts,
    Viewer,
    client_address,
    csrf_page_viewer,
    current_viewer,
    live_session,
    templates,
)
from roadmap.web.security import SESSION_COOKIE, secure_cookie
from roadmap.web.state import clock, get_store

router = APIRouter(include_in_schema=False)

NO_STORE = {"Cache-Control": "no-store"}


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(
    request: Request, viewer: Annotated[Viewer | None, Depends(current_viewer)]
) -> Response:
    """How to sign in: by the personal link from an alert or from the coordinator (the
    frame shows who is signed in already, with the sign-out button)."""
    return templates().TemplateResponse(
        request, "sign_in.html", {"failed": False}, headers=NO_STORE
    )


@router.get("/sign-in/{token}")
def sign_in(request: Request, token: str) -> Response:
    limiter = request.app.state.sign_in_limiter
    address = client_address(request)
    wait = limiter.retry_after(address)
    if wait is not None:
        raise TooManyAttempts(wait)
    now = clock(request)
    settings = request.app.state.settings
    cookie_id = new_secret()
    with get_store(request).session() as session:
        found = valid_token(session, token, now)
        if found is not None:
            previous = request.cookies.get(SESSION_COOKIE)
            if previous:  # a new sign-in replaces this browser's old session
                old = live_session(session, previous, now)
                if old is not None:
                    session.exec(delete(WebSession).where(WebSession.id == old.id))
            # The person's sessions that have ended are of no use any more.
            session.exec(
                delete(WebSession).where(
                    WebSession.person_id == found.person_id, WebSession.expires_at <= now
                )
            )
            expires = min(now + timedelta(hours=settings.web_session_hours), found.expires_at)
            session.add(
                WebSession(
                    session_hash=token_hash(cookie_id),
                    person_id=found.person_id,
                    token_id=found.id,
                    csrf_token=secrets.token_urlsafe(32),
                    created_at=now,
                    expires_at=expires,
                )
            )
            found.last_used_at = now
            session.add(found)
    if found is None:
        limiter.fail(address)
        return templates().TemplateResponse(
            request, "sign_in.html", {"failed": True}, status_code=401, headers=NO_STORE
        )
    response = RedirectResponse("/", status_code=303, headers=NO_STORE)
    response.set_cookie(
        SESSION_COOKIE,
        cookie_id,
        max_age=int((expires - now).total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure_cookie(request.url.scheme, request.url.hostname),
    )
    return response


@router.post("/sign-out")
def sign_out(request: Request, viewer: Annotated[Viewer, Depends(csrf_page_viewer)]) -> Response:
    with get_store(request).session() as session:
        session.exec(delete(WebSession).where(WebSession.id == viewer.session_id))
    response = RedirectResponse("/sign-in", status_code=303, headers=NO_STORE)
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure_cookie(request.url.scheme, request.url.hostname),
    )
    return response

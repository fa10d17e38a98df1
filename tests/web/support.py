"""Helpers of the portal's tests: the portal on a test's store, signing a person in.

`portal(backend)` is the application on the backend's store with a fixed clock, served to a
TestClient at http://127.0.0.1 (plain http to loopback: the session cookie goes without the
Secure flag, so the client sends it back). Use it as a context manager: the app's store is
disposed when the block ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlmodel import select

from roadmap.plan.tokens import find_person, issue_token, token_hash
from roadmap.settings import Settings
from roadmap.store.models import WebSession
from roadmap.web.app import create_app
from roadmap.web.security import SESSION_COOKIE
from tests.support import Backend, in_region

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 19:00 in Vladivostok
BASE_URL = "http://127.0.0.1"


class Clock:
    """A clock the test moves: `clock.now = …`."""

    def __init__(self, now: datetime = NOW):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@contextmanager
def portal(
    backend: Backend, settings: Settings | None = None, clock: Clock | None = None
) -> Iterator[TestClient]:
    """A TestClient on the portal of `backend`'s store (the app is `client.app`)."""
    app = create_app(settings or backend.settings, clock=clock or Clock())
    with TestClient(app, base_url=BASE_URL) as client:
        yield client


def issue(backend: Backend, person: str, now: datetime = NOW, days: int = 90) -> str:
    """A personal token for the person with this code (the secret, as the link carries it)."""
    return in_region(
        backend,
        lambda session, region: (
            issue_token(session, find_person(session, region, person), now, days).token
        ),
    )


def sign_in(client: TestClient, backend: Backend, person: str, now: datetime = NOW) -> str:
    """Sign `person` in through their link; returns the session's CSRF form token."""
    token = issue(backend, person, now)
    response = client.get(f"/sign-in/{token}", follow_redirects=False)
    assert response.status_code == 303, response.text
    return csrf_token(client, backend)


def csrf_token(client: TestClient, backend: Backend) -> str:
    """The CSRF form token of the client's current session (as the pages embed it)."""
    cookie = client.cookies.get(SESSION_COOKIE)
    assert cookie, "the client is not signed in"
    return in_region(
        backend,
        lambda session, _region: session.exec(
            select(WebSession.csrf_token).where(WebSession.session_hash == token_hash(cookie))
        ).one(),
    )

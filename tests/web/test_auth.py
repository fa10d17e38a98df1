"""Signing in to the portal by personal link: sessions, their cookie, CSRF, the brake on
guessing, revocation and expiry, the tokens' CLI, and the link every alert carries."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import pytest
import sqlalchemy as sa
from fastapi import Depends
from fastapi.testclient import TestClient
from sqlmodel import select
from typer.testing import CliRunner

from notifications.dispatcher import dispatch
from notifications.templates import AlertItem, render_digest
from roadmap.alerts.sweep import sweep
from roadmap.cli.app import app as cli_app
from roadmap.plan.tokens import find_person, revoke_tokens, token_hash
from roadmap.settings import get_settings
from roadmap.store.models import Agency, PersonToken, WebSession
from roadmap.web.auth import (
    Viewer,
    api_viewer,
    coordinator_only,
    csrf_api_viewer,
    page_viewer,
    require_agency,
)
from roadmap.web.deps import DB
from roadmap.web.security import SESSION_COOKIE, FailureLimiter, HideTokens
from tests.support import Backend, HttpSink, alert_settings, in_region
from tests.web.support import NOW, Clock, issue, portal, sign_in

PRIMORYE_AGENCIES = 11  # examples/primorye.yaml: 10 executive bodies and Vladivostok


def _probes(client: TestClient) -> None:
    """Routes that show what the auth layer decided, independent of the portal's pages."""
    app = client.app

    def who(viewer: Viewer, db) -> dict:
        session, region = db
        codes = session.exec(
            select(Agency.code).where(Agency.id.in_(sorted(viewer.agency_ids)))
        ).all()
        return {
            "code": viewer.code,
            "role": viewer.role,
            "region": region.code,
            "agencies": sorted(codes),
            "locale": viewer.locale,
            "bearer": viewer.session_id is None,
        }

    @app.get("/probe")
    def page_probe(viewer: Annotated[Viewer, Depends(page_viewer)], db: DB) -> dict:
        return who(viewer, db)

    @app.get("/api/probe")
    def api_probe(viewer: Annotated[Viewer, Depends(api_viewer)], db: DB) -> dict:
        return who(viewer, db)

    @app.post("/api/probe")
    def api_change(viewer: Annotated[Viewer, Depends(csrf_api_viewer)]) -> dict:
        return {"changed_by": viewer.code}

    @app.get("/probe/coordinator")
    def coordinator_probe(viewer: Annotated[Viewer, Depends(coordinator_only)]) -> dict:
        return {"code": viewer.code}

    @app.get("/probe/agency/{agency_id}")
    def agency_probe(agency_id: int, viewer: Annotated[Viewer, Depends(page_viewer)]) -> dict:
        require_agency(viewer, agency_id)
        return {"agency": agency_id}


def _dump(backend: Backend) -> str:
    """Every row of every table, as text."""
    engine = sa.create_engine(backend.url)
    try:
        with engine.connect() as connection:
            return "\n".join(
                f"{table}: {[tuple(row) for row in connection.execute(sa.text(f'SELECT * FROM {table}'))]}"
                for table in sa.inspect(connection).get_table_names()
            )
    finally:
        engine.dispose()


def _agency_id(backend: Backend, code: str) -> int:
    return in_region(
        backend,
        lambda session, region: session.exec(
            select(Agency.id).where(Agency.region_id == region.id, Agency.code == code)
        ).one(),
    )


def test_without_a_session_a_page_sends_to_sign_in_and_the_api_answers_401(
    loaded: Backend,
) -> None:
    with portal(loaded) as client:
        _probes(client)
        page = client.get("/probe", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/sign-in"
        api = client.get("/api/probe")
        assert api.status_code == 401 and api.headers["www-authenticate"] == "Bearer"
        # A made-up cookie is no session either.
        client.cookies.set(SESSION_COOKIE, "made-up")
        assert client.get("/probe", follow_redirects=False).status_code == 303
        assert client.get("/api/probe").status_code == 401
        # The sign-in page explains the personal link, with the security headers.
        shown = client.get("/sign-in")
        assert shown.status_code == 200 and "личной ссылке" in shown.text
        headers = shown.headers
        assert "script-src 'self';" in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY"
        english = client.get("/sign-in?lang=en")
        assert (
            "personal link" in english.text and "roadmap_lang=en" in english.headers["set-cookie"]
        )
        assert "personal link" in client.get("/sign-in").text  # the choice is remembered


def test_a_personal_link_signs_in_with_a_safe_cookie(loaded: Backend) -> None:
    with portal(loaded) as client:
        _probes(client)
        token = issue(loaded, "e-minzdrav")
        signed = client.get(f"/sign-in/{token}", follow_redirects=False)
        assert signed.status_code == 303 and signed.headers["location"] == "/"
        cookie = signed.headers["set-cookie"]
        assert cookie.startswith(f"{SESSION_COOKIE}=")
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
        assert "Max-Age=43200" in cookie  # 12 hours
        assert "Secure" not in cookie  # plain http to the loopback address only
        assert signed.headers["referrer-policy"] == "no-referrer"
        shown = client.get("/probe")
        assert shown.headers["cache-control"] == "no-store"  # a person's data: never cached
        me = shown.json()
        assert me == {
            "code": "e-minzdrav",
            "role": "emissary",
            "region": "PRI",
            "agencies": ["minzdrav"],
            "locale": "ru",
            "bearer": False,
        }
        last_used = in_region(
            loaded,
            lambda session, _: session.exec(
                select(PersonToken.last_used_at).where(PersonToken.token_hash == token_hash(token))
            ).one(),
        )
        assert last_used == NOW
        # An emissary: not the coordinator's page, not another organisation's.
        assert client.get("/probe/coordinator").status_code == 403
        assert client.get(f"/probe/agency/{_agency_id(loaded, 'minzdrav')}").status_code == 200
        refused = client.get(f"/probe/agency/{_agency_id(loaded, 'minobr')}")
        assert refused.status_code == 403 and "не ваша организация" in refused.text
        assert client.get("/probe/agency/999999").status_code == 403  # guessing says nothing
        # The store keeps the hashes of the token and of the cookie's id, never them.
        dump = _dump(loaded)
        cookie_id = signed.cookies[SESSION_COOKIE]
        assert token not in dump and cookie_id not in dump
        assert token_hash(token) in dump and token_hash(cookie_id) in dump

        # A coordinator acts for every organisation; ?lang=en switches the language.
        sign_in(client, loaded, "coord")
        me = client.get("/probe?lang=en").json()
        assert me["role"] == "coordinator" and len(me["agencies"]) == PRIMORYE_AGENCIES
        assert me["locale"] == "en"
        assert client.get("/probe/coordinator").json() == {"code": "coord"}

    # The access log of `roadmap web` shows the sign-in path without its token.
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d', None, None
    )
    record.args = ("127.0.0.1:5000", "GET", f"/sign-in/{token}", "1.1", 303)
    HideTokens().filter(record)
    assert token not in record.getMessage() and "/sign-in/…" in record.getMessage()

    for base in ("https://127.0.0.1", "http://portal.example.org"):
        app_client = TestClient(client.app, base_url=base)
        with app_client:
            secure = app_client.get(f"/sign-in/{token}", follow_redirects=False)
            assert "Secure" in secure.headers["set-cookie"], base


def test_expired_and_revoked_tokens_fail_and_revoking_ends_the_session(
    loaded: Backend,
) -> None:
    clock = Clock()
    with portal(loaded, clock=clock) as client:
        _probes(client)
        # Issued 3 days ago for 2 days: expired a day ago.
        old = issue(loaded, "e-minobr", now=NOW - timedelta(days=3), days=2)
        refused = client.get(f"/sign-in/{old}", follow_redirects=False)
        assert refused.status_code == 401 and "недействительна" in refused.text
        assert SESSION_COOKIE not in client.cookies

        sign_in(client, loaded, "e-minobr")
        assert client.get("/probe").json()["code"] == "e-minobr"
        in_region(
            loaded,
            lambda session, region: revoke_tokens(
                session, find_person(session, region, "e-minobr"), NOW
            ),
        )
        assert client.get("/probe", follow_redirects=False).status_code == 303
        sessions = in_region(loaded, lambda session, _: session.exec(select(WebSession)).all())
        assert sessions == []

        # A session lasts 12 hours, then the link must be opened again.
        sign_in(client, loaded, "e-minobr")
        clock.now = NOW + timedelta(hours=11, minutes=59)
        assert client.get("/probe").status_code == 200
        clock.now = NOW + timedelta(hours=12)
        assert client.get("/probe", follow_redirects=False).status_code == 303
        # Signing in again clears the person's ended sessions from the store.
        sign_in(client, loaded, "e-minobr", now=clock.now)
        left = in_region(loaded, lambda session, _: session.exec(select(WebSession.id)).all())
        assert len(left) == 1
        # ... and never outlives its token: issued for one day, 23 hours ago.
        clock.now = NOW
        short = issue(loaded, "e-minobr", now=NOW - timedelta(hours=23), days=1)
        signed = client.get(f"/sign-in/{short}", follow_redirects=False)
        assert "Max-Age=3600" in signed.headers["set-cookie"]
        clock.now = NOW + timedelta(hours=1)
        assert client.get("/probe", follow_redirects=False).status_code == 303

        # A token marked revoked in the store by any means ends its sessions at once.
        clock.now = NOW
        sign_in(client, loaded, "e-minobr")

        def mark_revoked(session, _region) -> None:
            for token in session.exec(select(PersonToken).where(PersonToken.revoked_at == None)):  # noqa: E711
                token.revoked_at = NOW
                session.add(token)

        in_region(loaded, mark_revoked)
        assert client.get("/probe", follow_redirects=False).status_code == 303


def test_the_api_takes_the_personal_token_as_a_bearer(loaded: Backend) -> None:
    with portal(loaded) as client:
        _probes(client)
        token = issue(loaded, "r-minsoc")
        auth = {"Authorization": f"Bearer {token}"}
        me = client.get("/api/probe", headers=auth).json()
        assert me["code"] == "r-minsoc" and me["agencies"] == ["minsoc"] and me["bearer"]
        # A bearer request carries no ambient credential: no CSRF token needed.
        assert client.post("/api/probe", headers=auth).json() == {"changed_by": "r-minsoc"}
        # Pages want a browser session, not a bearer.
        assert client.get("/probe", headers=auth, follow_redirects=False).status_code == 303
        in_region(
            loaded,
            lambda session, region: revoke_tokens(
                session, find_person(session, region, "r-minsoc"), NOW
            ),
        )
        assert client.get("/api/probe", headers=auth).status_code == 401


def test_every_form_needs_the_sessions_csrf_token(loaded: Backend) -> None:
    with portal(loaded) as client:
        _probes(client)
        csrf = sign_in(client, loaded, "e-minsoc")
        assert client.post("/sign-out", follow_redirects=False).status_code == 403
        wrong = client.post("/sign-out", data={"csrf_token": "x" * 43}, follow_redirects=False)
        assert wrong.status_code == 403 and "Форма устарела" in wrong.text
        # A token that is not ASCII is just as wrong: refused, not a server error.
        cyrillic = client.post("/sign-out", data={"csrf_token": "ж" * 43}, follow_redirects=False)
        assert cyrillic.status_code == 403
        # The API with a cookie session: the header, else 403.
        assert client.post("/api/probe").status_code == 403
        assert client.post("/api/probe", headers={"X-CSRF-Token": csrf}).status_code == 200
        # Still signed in; the right token signs out and ends the session in the store.
        assert client.get("/probe").status_code == 200
        page = client.get("/sign-in")  # the frame's sign-out form carries the token
        assert f'name="csrf_token" value="{csrf}"' in page.text
        out = client.post("/sign-out", data={"csrf_token": csrf}, follow_redirects=False)
        assert out.status_code == 303 and out.headers["location"] == "/sign-in"
        assert client.get("/probe", follow_redirects=False).status_code == 303
        assert in_region(loaded, lambda session, _: session.exec(select(WebSession)).all()) == []


def test_failed_sign_ins_are_limited_per_address(loaded: Backend) -> None:
    settings = loaded.settings.model_copy(update={"web_sign_in_limit": 3})
    with portal(loaded, settings=settings) as client:
        _probes(client)
        moment = [1000.0]
        client.app.state.sign_in_limiter.clock = lambda: moment[0]
        token = issue(loaded, "e-mintour")
        for attempt in range(3):
            moment[0] += 1
            guess = client.get(f"/sign-in/guess{attempt}", follow_redirects=False)
            assert guess.status_code == 401
        moment[0] += 1
        limited = client.get("/sign-in/guess3", follow_redirects=False)
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "57"  # the first failure was 3 s earlier
        # Even the right link waits, and so does a guessed bearer token.
        assert client.get(f"/sign-in/{token}", follow_redirects=False).status_code == 429
        bearer = client.get("/api/probe", headers={"Authorization": "Bearer guess"})
        assert bearer.status_code == 429 and bearer.headers["retry-after"] == "57"
        # A minute after the first failure, one more try is allowed.
        moment[0] = 1001.0 + 60
        assert client.get(f"/sign-in/{token}", follow_redirects=False).status_code == 303


def test_the_limiter_slides_its_window() -> None:
    now = [0.0]
    limiter = FailureLimiter(2, window=60, clock=lambda: now[0])
    limiter.fail("a")
    now[0] = 30
    limiter.fail("a")
    assert limiter.retry_after("a") == 30 and limiter.retry_after("b") is None
    now[0] = 60  # the first failure leaves the window
    assert limiter.retry_after("a") is None
    limiter.fail("a")
    assert limiter.retry_after("a") == 30


def test_token_cli_issue_list_revoke(loaded: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    before = loaded.fingerprint()
    unknown = runner.invoke(cli_app, ["person", "token", "issue", "nobody"])
    assert unknown.exit_code == 2 and "nobody" in unknown.stderr and "e-minzdrav" in unknown.stderr
    bad_days = runner.invoke(cli_app, ["person", "token", "issue", "coord", "--days", "0"])
    assert bad_days.exit_code == 2 and "--days" in bad_days.stderr
    both = runner.invoke(cli_app, ["person", "token", "revoke", "coord"])
    assert both.exit_code == 2 and "--all" in both.stderr
    assert loaded.fingerprint() == before  # nothing written

    monkeypatch.setenv("ROADMAP_WEB_URL", "https://roadmap.example.org/")
    get_settings.cache_clear()
    now = ["--now", "2026-03-02T19:00"]
    issued = runner.invoke(cli_app, ["person", "token", "issue", "e-minfin", "--days", "7", *now])
    assert issued.exit_code == 0, issued.output
    assert "2026-03-09 09:00 UTC" in issued.stdout  # 7 days from 19:00 in Vladivostok
    link = re.search(r"https://roadmap\.example\.org/sign-in/([\w-]+)", issued.stdout)
    assert link and len(link.group(1)) == 43  # 32 bytes, URL-safe base64
    issue(loaded, "e-minfin")

    listed = runner.invoke(cli_app, ["person", "token", "list", "e-minfin", "--json"])
    rows = json.loads(listed.stdout)
    assert [(r["id"] > 0, r["revoked_at"]) for r in rows] == [(True, None), (True, None)]
    assert link.group(1) not in listed.stdout
    first_id = rows[0]["id"]
    wrong_id = runner.invoke(cli_app, ["person", "token", "revoke", "e-minfin", "--id", "999"])
    assert wrong_id.exit_code == 2 and "999" in wrong_id.stderr
    later = ["--now", "2026-03-03T19:00"]
    one = runner.invoke(
        cli_app, ["person", "token", "revoke", "e-minfin", "--id", str(first_id), *later]
    )
    assert one.exit_code == 0 and ": 1;" in one.stdout
    rest = runner.invoke(cli_app, ["person", "token", "revoke", "e-minfin", "--all", *later])
    assert rest.exit_code == 0 and ": 1;" in rest.stdout  # the first was revoked already
    table = runner.invoke(cli_app, ["person", "token", "list", "e-minfin"])
    assert table.exit_code == 0 and "2026-03-09 09:00 UTC" in table.stdout
    assert table.stdout.count("2026-03-03 09:00 UTC") == 2  # both revoked

    port = runner.invoke(cli_app, ["web", "--port", "70000"])
    assert port.exit_code == 2 and "--port" in port.stderr
    region = runner.invoke(cli_app, ["web", "--region", "XXX"])
    assert region.exit_code == 2 and "XXX" in region.stderr


class _QuotingSender:
    """A target whose server refuses the message and quotes it back in its error."""

    def __init__(self) -> None:
        from notifications.sender import Target

        self.target = Target(id="t1", label="json://hooks.example.org #t1", plugin=None, secrets=())
        self.bodies: list[str] = []

    def targets(self, person_code: str, email: str | None) -> list:
        return [self.target] if person_code == "e-minobr" else []

    def send(self, target, subject: str, body: str) -> str | None:
        self.bodies.append(body)
        return f"rejected: {body}"


# 10:00 in Vladivostok on Friday 4 Dec 2026: T-002 (minobr) is due today.
DUE_DAY = NOW.fromisoformat("2026-12-04T10:00:00+10:00")


def test_an_alert_carries_a_working_personal_link(
    loaded: Backend, tmp_path: Path, http_sink: HttpSink
) -> None:
    hook = f"json://127.0.0.1:{http_sink.port}/hook/e-minobr"
    settings = alert_settings(loaded.settings, tmp_path, {"e-minobr": [hook]})
    settings = settings.model_copy(update={"web_url": "https://portal.example.org"})
    sweep(settings, now=DUE_DAY)
    # First the server refuses the digest and quotes it back: the error is kept without
    # the token. The retry is rendered again, with a link of its own.
    quoting = _QuotingSender()
    assert dispatch(settings, now=DUE_DAY, sender=quoting).failed == 1
    quoted = re.search(r"/sign-in/([\w-]+)", quoting.bodies[0]).group(1)
    dump = _dump(loaded)
    assert "rejected: Здравствуйте" in dump and "/sign-in/****" in dump
    assert quoted not in dump
    assert dispatch(settings, now=DUE_DAY).sent == 1
    digest = json.loads(http_sink.bodies("/hook/e-minobr")[0])["message"]
    link = re.search(
        r"Открыть мои поручения: https://portal\.example\.org(/sign-in/[\w-]+)", digest
    )
    assert link, digest
    assert "roadmap task submit" not in digest and "сдайте результат на портале" in digest
    token = link.group(1).removeprefix("/sign-in/")
    assert token != quoted
    dump = _dump(loaded)
    assert token not in dump and token_hash(token) in dump  # not in the outbox or its log

    with portal(loaded, settings=settings, clock=Clock(DUE_DAY)) as client:
        _probes(client)
        assert client.get(link.group(1), follow_redirects=False).status_code == 303
        assert client.get("/probe").json()["code"] == "e-minobr"
        # The coordinator revokes the person's links: the one in the e-mail stops working.
        in_region(
            loaded,
            lambda session, region: revoke_tokens(
                session, find_person(session, region, "e-minobr"), DUE_DAY
            ),
        )
        assert client.get("/probe", follow_redirects=False).status_code == 303
        assert client.get(link.group(1), follow_redirects=False).status_code == 401
    expires = in_region(
        loaded,
        lambda session, _: session.exec(
            select(PersonToken.expires_at).where(PersonToken.token_hash == token_hash(token))
        ).one(),
    )
    assert expires == DUE_DAY + timedelta(days=30)  # ROADMAP_WEB_LINK_DAYS


def test_a_digest_names_the_cli_command_without_the_portal_and_the_link_with_it() -> None:
    item = AlertItem(
        kind="escalation", level=1, task="T-014", title="Паспорт", agency="Минобр",
        stage=None, due_on="15.12.2026", working_days=-4, chain=(),
    )  # fmt: skip
    _, cli = render_digest("Петров П. П.", [item], "ru")
    assert "roadmap task ack T-014" in cli and "Открыть" not in cli
    _, web = render_digest("P. Petrov", [item], "en", link="https://p.example.org/sign-in/x")
    assert "roadmap task" not in web and "take the escalation on the portal" in web
    assert web.endswith("\n\nOpen my tasks: https://p.example.org/sign-in/x")


def test_web_messages_have_the_same_placeholders_in_both_languages() -> None:
    from roadmap.i18n import alerts, web

    for key, texts in (web.MESSAGES | alerts.MESSAGES).items():
        names = {lang: set(re.findall(r"{(\w+)}", text)) for lang, text in texts.items()}
        assert names["ru"] == names["en"], key

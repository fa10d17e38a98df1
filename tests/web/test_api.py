"""The JSON API under /api: who may see and change what, and that every action is the
domain's own (the task's history, the acknowledgement, the stage's gate).

The Primorye example: minzdrav's tasks are T-001 (submitted) and T-010, minobr's T-002 and
T-011; T-006 (minfin) is submitted too. e-* are emissaries, r-* responsible officials,
coord the coordinator; e-mincifra reads English. The clock is Monday 2 March 2026.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import select

from roadmap.plan.tokens import find_person, revoke_tokens
from roadmap.store.models import Acknowledgement, Alert, StageRun, Task
from tests.support import in_region
from tests.web.support import NOW, Clock, issue, portal, sign_in


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def task_status(backend, code: str) -> str:
    return in_region(
        backend,
        lambda session, _r: session.exec(select(Task.status).where(Task.code == code)).one(),
    )


def test_no_or_dead_credentials_are_401(loaded):
    clock = Clock()
    with portal(loaded, clock=clock) as client:
        for method, path in [
            ("get", "/api/me"),
            ("get", "/api/tasks"),
            ("get", "/api/tasks/T-001"),
            ("post", "/api/tasks/T-001/submit"),
            ("get", "/api/reports/budget"),
        ]:
            response = client.request(method, path)
            assert response.status_code == 401, path
            assert response.headers["www-authenticate"] == "Bearer"
        assert client.get("/api/me", headers=bearer("not-a-token")).status_code == 401

        token = issue(loaded, "e-minzdrav", days=1)
        assert client.get("/api/me", headers=bearer(token)).json()["code"] == "e-minzdrav"
        clock.now = NOW + timedelta(days=1)  # the token's last moment has passed
        assert client.get("/api/me", headers=bearer(token)).status_code == 401

        clock.now = NOW
        other = issue(loaded, "e-minobr")
        assert client.get("/api/tasks", headers=bearer(other)).status_code == 200
        in_region(
            loaded,
            lambda session, region: revoke_tokens(
                session, find_person(session, region, "e-minobr"), NOW
            ),
        )
        response = client.post("/api/tasks/T-002/submit", headers=bearer(other))
        assert response.status_code == 401
    assert task_status(loaded, "T-002") == "open"


def test_an_emissary_sees_and_changes_only_their_organisations_tasks(loaded):
    with portal(loaded) as client:
        me = bearer(issue(loaded, "e-minzdrav"))
        listed = client.get("/api/tasks", headers=me).json()
        # (The indicator report tasks the import makes depend on its date: left out.)
        codes = [t["code"] for t in listed["items"] if t["code"].startswith("T-")]
        assert codes == ["T-001", "T-010"]
        assert {t["agency"] for t in listed["items"]} == {"minzdrav"}
        assert listed["total"] == len(listed["items"])
        assert client.get("/api/me", headers=me).json()["organisations"] == [
            {
                "code": "minzdrav",
                "name": "Министерство здравоохранения Приморского края",
                "kind": "executive_body",
            }
        ]
        assert client.get("/api/tasks/T-010", headers=me).status_code == 200

        # Another organisation's task, by a code that exists: refused, never shown.
        for method, path in [
            ("get", "/api/tasks/T-002"),
            ("post", "/api/tasks/T-002/submit"),
            ("post", "/api/tasks/T-002/acknowledge"),
        ]:
            response = client.request(method, path, headers=me)
            assert response.status_code == 403, path
            assert "T-002" in response.json()["detail"]
            assert "Гончаренко" not in response.text
        assert client.get("/api/tasks?agency=minobr", headers=me).status_code == 403
        # A code no task has: the same 403, so guessing tells nothing.
        assert client.get("/api/tasks/T-999", headers=me).status_code == 403
        assert client.post("/api/tasks/T-999/submit", headers=me).status_code == 403
        # A path that is no task's address at all is no route: 404, the same for everyone.
        assert client.get("/api/tasks/..%2F", headers=me).status_code == 404
    assert task_status(loaded, "T-002") == "open"


def test_coordinator_only_endpoints_refuse_an_emissary(loaded):
    with portal(loaded) as client:
        emissary = bearer(issue(loaded, "e-minzdrav"))
        official = bearer(issue(loaded, "r-minzdrav"))
        coordinator = bearer(issue(loaded, "coord"))
        refused = [
            ("get", "/api/stages", None),
            ("post", "/api/stages/initiatives/start", None),
            ("post", "/api/stages/initiatives/close", None),
            ("post", "/api/tasks/T-001/accept", None),
            ("post", "/api/tasks/T-001/return", {"why": "нет паспортов", "due": "2026-04-01"}),
            ("get", "/api/reports/progress", None),
            ("get", "/api/alerts", None),
        ]
        for method, path, body in refused:
            for who in (emissary, official):
                response = client.request(method, path, headers=who, json=body)
                assert response.status_code == 403, (path, response.text)
        assert task_status(loaded, "T-001") == "submitted"
        # The coordinator sees every organisation's tasks and may read the rest.
        submitted = client.get("/api/tasks?status=submitted", headers=coordinator).json()
        assert [t["code"] for t in submitted["items"]] == ["T-001", "T-006"]
        page = client.get(
            "/api/tasks?agency=minobr&status=open&limit=1&offset=1", headers=coordinator
        ).json()
        assert (page["total"], [t["code"] for t in page["items"]]) == (2, ["T-011"])
        assert client.get("/api/tasks/T-002", headers=coordinator).status_code == 200
        assert client.get("/api/stages", headers=coordinator).status_code == 200


def test_a_submission_through_the_api_is_in_the_history_and_the_coordinator_decides(loaded):
    with portal(loaded) as client:
        emissary = bearer(issue(loaded, "e-minzdrav"))
        coordinator = bearer(issue(loaded, "coord"))
        handed = client.post(
            "/api/tasks/T-010/submit",
            headers=emissary,
            json={"note": "Предложения в приложении", "link": "https://docs.example.org/t010"},
        )
        assert handed.status_code == 200, handed.text
        assert handed.json()["to_status"] == "submitted"
        card = client.get("/api/tasks/T-010", headers=emissary).json()
        assert card["task"]["status"] == "submitted"
        [event] = card["history"]
        assert event["action"] == "submit"
        assert event["by"] == "e-minzdrav"
        assert event["note"] == "Предложения в приложении"
        assert event["link"] == "https://docs.example.org/t010"
        assert event["at"] == "2026-03-02T19:00+10:00"  # Vladivostok time

        # Handing in twice is refused by the lifecycle: 409, the status named.
        again = client.post("/api/tasks/T-010/submit", headers=emissary)
        assert again.status_code == 409
        assert "submitted" in again.json()["detail"]

        accepted = client.post("/api/tasks/T-010/accept", headers=coordinator)
        assert accepted.json()["to_status"] == "accepted"
        # 4 April 2026 is a Saturday: the new due date moves to Monday with a warning.
        returned = client.post(
            "/api/tasks/T-001/return",
            headers=coordinator,
            json={"why": "Нет паспортов проектов", "due": "2026-04-04"},
        )
        assert returned.status_code == 200, returned.text
        assert returned.json()["to_status"] == "returned"
        assert returned.json()["due"] == "2026-04-06"
        assert len(returned.json()["warnings"]) == 1
        history = client.get("/api/tasks/T-001", headers=emissary).json()["history"]
        assert [(e["action"], e["by"], e["why"], e["due"]) for e in history] == [
            ("return", "coord", "Нет паспортов проектов", "2026-04-06")
        ]
        # Returned again is not a transition of the lifecycle: 409.
        again = client.post(
            "/api/tasks/T-001/return", headers=coordinator, json={"why": "ещё", "due": "2026-04-06"}
        )
        assert again.status_code == 409
        # A due date before the region's today (Friday 27 February) is the user's mistake.
        past = client.post(
            "/api/tasks/T-006/return", headers=coordinator, json={"why": "ещё", "due": "2026-02-27"}
        )
        assert past.status_code == 422
        assert "2026-02-27" in past.json()["detail"]
    assert task_status(loaded, "T-006") == "submitted"
    assert task_status(loaded, "T-010") == "accepted"


def test_a_session_cookie_needs_the_csrf_header_a_bearer_token_does_not(loaded):
    with portal(loaded) as client:
        csrf = sign_in(client, loaded, "e-minobr")
        refused = client.post("/api/tasks/T-002/submit", json={"note": "готово"})
        assert refused.status_code == 403
        assert task_status(loaded, "T-002") == "open"
        for wrong in ("x" + csrf, "é".encode("latin-1")):
            response = client.post("/api/tasks/T-002/submit", headers={"X-CSRF-Token": wrong})
            assert response.status_code == 403
        done = client.post(
            "/api/tasks/T-002/submit", json={"note": "готово"}, headers={"X-CSRF-Token": csrf}
        )
        assert done.status_code == 200, done.text
        # Reading needs no CSRF token.
        assert client.get("/api/tasks/T-002").json()["task"]["status"] == "submitted"
    assert task_status(loaded, "T-002") == "submitted"


def _escalate(backend, code: str, level: int) -> None:
    """An escalation of the task's current due date to `level`, as the sweep plans it."""

    def add(session, region):
        task = session.exec(select(Task).where(Task.code == code)).one()
        person = find_person(session, region, "r-minobr" if level == 1 else "coord")
        session.add(
            Alert(
                dedupe_key=f"test:{code}:{level}",
                task_id=task.id,
                person_id=person.id,
                rung=f"escalation-{level}",
                kind="escalation",
                due_on=task.due_on,
                level=level,
                local_date=date(2026, 3, 2),
            )
        )

    in_region(backend, add)


def _carried_by(flow_run_id: str):
    def carry(session, _region):
        run = session.exec(select(StageRun).where(StageRun.stage == "initiatives")).one()
        run.flow_run_id = flow_run_id
        session.add(run)

    return carry


def test_the_responsible_official_takes_an_escalation(loaded):
    _escalate(loaded, "T-002", 1)
    with portal(loaded) as client:
        official = bearer(issue(loaded, "r-minobr"))
        # Only the responsible official or the coordinator: not the emissary, not another
        # organisation's official.
        assert (
            client.post("/api/tasks/T-002/acknowledge", headers=bearer(issue(loaded, "e-minobr")))
        ).status_code == 403
        assert (
            client.post("/api/tasks/T-002/acknowledge", headers=bearer(issue(loaded, "r-minzdrav")))
        ).status_code == 403
        # Nothing escalated to the official about T-011: nothing to take.
        assert client.post("/api/tasks/T-011/acknowledge", headers=official).status_code == 409
        taken = client.post("/api/tasks/T-002/acknowledge", headers=official)
        assert taken.status_code == 200, taken.text
        assert taken.json() == {"code": "T-002", "person": "r-minobr", "level": 1}
    levels = in_region(
        loaded,
        lambda session, _r: session.exec(
            select(Acknowledgement.level, Acknowledgement.due_on)
            .join(Task, Task.id == Acknowledgement.task_id)
            .where(Task.code == "T-002")
        ).all(),
    )
    assert levels == [(1, date(2026, 12, 4))]


def test_stages_reports_and_the_alert_log_for_the_coordinator(loaded, http_sink, monkeypatch):
    _escalate(loaded, "T-002", 1)
    _escalate(loaded, "T-011", 1)
    with portal(loaded) as client:
        coordinator = bearer(issue(loaded, "coord"))
        started = client.post("/api/stages/initiatives/start", headers=coordinator)
        assert started.status_code == 200, started.text
        # A Prefect flow run carries the stage: a task of it handed in through the API
        # signals that run (the same event the CLI sends), so the run checks its gate again.
        in_region(loaded, _carried_by("flow-run-1"))
        monkeypatch.setenv("PREFECT_API_URL", f"http://127.0.0.1:{http_sink.port}/api")
        stage_task = client.get("/api/tasks?status=open", headers=bearer(issue(loaded, "e-minfin")))
        [code] = [t["code"] for t in stage_task.json()["items"] if t["stage"] == "initiatives"]
        handed = client.post(f"/api/tasks/{code}/submit", headers=bearer(issue(loaded, "e-minfin")))
        assert handed.status_code == 200, handed.text
        [(path, body)] = http_sink.requests
        assert path == "/api/events"
        [event] = json.loads(body)
        assert event["event"] == "roadmap.stage.changed"
        assert event["resource"]["roadmap.stage"] == "initiatives"
        assert event["related"][0]["prefect.resource.id"] == "prefect.flow-run.flow-run-1"
        monkeypatch.delenv("PREFECT_API_URL")
        # One task per organisation's emissary: 11 organisations.
        assert started.json()["tasks_created"] == 11
        closing = client.post("/api/stages/initiatives/close", headers=coordinator)
        assert closing.status_code == 409
        # 10 of the 11 are not handed in yet (the example has initiatives proposed already).
        assert len(closing.json()["missing"]) == 10
        assert not any(code in line for line in closing.json()["missing"])
        stage = client.get("/api/stages", headers=coordinator).json()[0]
        assert (stage["key"], stage["status"]) == ("initiatives", "gate_failed")
        assert client.post("/api/stages/nope/close", headers=coordinator).status_code == 404
        # The coordinator sees every organisation: a code no task has is simply unknown.
        assert client.get("/api/tasks/T-999", headers=coordinator).status_code == 404
        # The next stage cannot start before this one closes.
        assert client.post("/api/stages/interviews/start", headers=coordinator).status_code == 409

        report = client.get("/api/reports/progress?year=2027", headers=coordinator).json()
        assert report["report"] == "progress"
        assert report["filters"]["year"] == 2027
        bad = client.get("/api/reports/budget?by=colour", headers=coordinator)
        assert bad.status_code == 422
        assert "colour" in bad.json()["detail"]

        log = client.get("/api/alerts?limit=1&offset=1", headers=coordinator).json()
        assert log["total"] == 2
        assert [(a["task"], a["person"]) for a in log["items"]] == [("T-011", "r-minobr")]


def test_messages_are_in_the_viewers_language(loaded):
    with portal(loaded) as client:
        english = bearer(issue(loaded, "e-mincifra"))
        russian = bearer(issue(loaded, "e-minzdrav"))
        assert "another organisation" in client.get("/api/tasks/T-002", headers=english).text
        assert "другой организации" in client.get("/api/tasks/T-002", headers=russian).text
        invalid = client.get("/api/tasks?limit=501", headers=russian).json()["detail"]
        assert invalid == [
            {
                "loc": ["query", "limit"],
                "msg": "должно быть не больше 500, получено '501'",
                "type": "less_than_equal",
            }
        ]
        problem = client.post(
            "/api/tasks/T-005/submit", headers=english, json={"note": "", "colour": 1}
        ).json()["detail"]
        assert {(tuple(p["loc"]), p["msg"]) for p in problem} == {
            (("body", "note"), "cannot be empty"),
            (("body", "colour"), "unknown field"),
        }
        # The region's calendar knows 2000–2100: a due date past it is refused, not a 500.
        coordinator = bearer(issue(loaded, "coord"))
        far = client.post(
            "/api/tasks/T-001/return", headers=coordinator, json={"why": "x", "due": "2216-01-01"}
        )
        assert far.status_code == 422
        assert far.json()["detail"][0]["loc"] == ["body", "due"]
        # A body that is not UTF-8: 422 like any body that is not JSON.
        unreadable = client.post(
            "/api/tasks/T-010/submit",
            headers=russian | {"Content-Type": "application/json"},
            content=b"\xff\xfe",
        )
        assert unreadable.status_code == 422
    assert task_status(loaded, "T-001") == "submitted"
    assert task_status(loaded, "T-010") == "open"


def test_the_api_messages_exist_in_both_languages_with_the_same_placeholders():
    from roadmap.i18n import MESSAGES
    from roadmap.i18n.web_api import MESSAGES as API

    for key, texts in API.items():
        names = {lang: set(re.findall(r"{(\w+)", text)) for lang, text in texts.items()}
        assert names["ru"] == names["en"], key
    web = Path(__file__).resolve().parents[2] / "roadmap" / "web"
    used = {
        key
        for path in web.glob("api*.py")
        for key in re.findall(r'\("((?:web|format|task|stage)\.[\w.]*\w)"', path.read_text())
    }
    assert sorted(key for key in used if key not in MESSAGES) == []
    assert sorted(key for key in API if key not in used) == []

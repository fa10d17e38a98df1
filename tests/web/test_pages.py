"""The portal's pages on both stores: who sees which tasks, handing in with a file, the
upload's limits and types, the coordinator's decisions, and the refusals (another
organisation's task, a coordinator's action, a form without its token) — each leaving the
store as it was.

The Primorye example at 10:00 on Thursday 10 Dec 2026 in Vladivostok: T-002 (minobr,
emissary e-minobr) was due on Friday 4 Dec, so it is 4 working days overdue (7, 8, 9, 10
Dec); T-001 (minzdrav) and T-006 (minfin) are handed in.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import stat
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from roadmap.store.models import Agency, Attachment, Task, TaskEvent
from roadmap.web.uploads import sniff
from tests.support import Backend, HttpSink, in_region
from tests.web.support import Clock, portal, sign_in

NOW = datetime.fromisoformat("2026-12-10T10:00:00+10:00")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def _task(backend: Backend, code: str) -> tuple[str, date, int]:
    """(status, due date, history entries) of a task, read from the store."""

    def read(session, region):
        task = session.exec(select(Task).where(Task.code == code)).one()
        events = session.exec(select(TaskEvent).where(TaskEvent.task_id == task.id)).all()
        return task.status, task.due_on, len(events)

    return in_region(backend, read)


def _stored(backend: Backend) -> list[Path]:
    folder = Path(backend.settings.data_dir) / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


def _attachments(backend: Backend) -> list[Attachment]:
    return in_region(backend, lambda session, region: session.exec(select(Attachment)).all())


def _hand_in(client, token: str | None, code: str = "T-002", file=None, **fields):
    data = ({"csrf_token": token} if token is not None else {}) | fields
    files = {"file": file} if file is not None else None
    return client.post(f"/tasks/{code}/submit", data=data, files=files, follow_redirects=False)


def test_an_emissary_sees_and_opens_only_the_own_organisations_tasks(loaded: Backend) -> None:
    with portal(loaded, clock=Clock(NOW)) as client:
        sign_in(client, loaded, "e-minobr", NOW)
        page = client.get("/").text
        codes = set(re.findall(r'href="/tasks/(T-\d+)"', page))
        assert codes == {"T-002", "T-011"}  # minobr's; not minzdrav's T-001 nor the rest
        row = re.search(r'<tr class="overdue">.*?</tr>', page, re.S).group(0)
        assert "T-002" in row and "просрочено на 4 раб. дн." in row
        # Asking for another organisation's list shows nothing of it.
        assert "T-001" not in client.get("/?agency=minzdrav&status=all").text

        assert client.get("/tasks/T-002").status_code == 200
        assert client.get("/tasks/T-001").status_code == 403  # minzdrav's
        assert client.get("/tasks/T-999").status_code == 403  # no such task: the same answer
        assert client.get("/stages").status_code == 403  # the coordinator's page
        english = client.get("/?lang=en").text
        assert "My tasks" in english and "4 working days overdue" in english

    with portal(loaded, clock=Clock(NOW)) as client:
        sign_in(client, loaded, "coord", NOW)
        codes = set(re.findall(r'href="/tasks/(T-\d+)"', client.get("/").text))
        # In work: every organisation's open, returned and submitted tasks.
        assert codes == {f"T-{n:03d}" for n in range(1, 12)}
        assert client.get("/tasks/T-999").status_code == 404


def test_handing_in_with_a_file_shows_in_the_history(loaded: Backend) -> None:
    with portal(loaded, clock=Clock(NOW)) as client:
        token = sign_in(client, loaded, "e-minobr", NOW)
        response = _hand_in(
            client,
            token,
            note="Перечень инициатив и паспорта",
            link="https://docs.example.org/minobr/2027",
            file=("паспорт проекта.pdf", PDF, "application/pdf"),
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/tasks/T-002?done=submit"
        status, _, events = _task(loaded, "T-002")
        assert (status, events) == ("submitted", 1)

        page = client.get("/tasks/T-002?done=submit").text
        assert "Поручение T-002 сдано" in page
        assert "Перечень инициатив и паспорта" in page
        assert 'href="https://docs.example.org/minobr/2027"' in page
        assert "паспорт проекта.pdf" in page and "e-minobr" in page

        [attachment] = _attachments(loaded)
        assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
        assert (attachment.size, attachment.content_type) == (len(PDF), "application/pdf")
        [path] = _stored(loaded)
        assert path.name == attachment.stored_name and re.fullmatch(r"[0-9a-f]{32}", path.name)
        assert stat.S_IMODE(path.stat().st_mode) == 0o640

        download = client.get(f"/attachments/{attachment.id}")
        assert download.status_code == 200 and download.content == PDF
        assert download.headers["content-disposition"].startswith("attachment;")
        assert download.headers["x-content-type-options"] == "nosniff"

        # Handing in twice is refused by the lifecycle: nothing more is written or kept.
        again = _hand_in(client, token, file=("second.pdf", PDF, "application/pdf"))
        assert again.status_code == 400 and "submitted" in again.text
        assert len(_stored(loaded)) == 1 and _task(loaded, "T-002")[2] == 1

    with portal(loaded, clock=Clock(NOW)) as client:
        sign_in(client, loaded, "e-minzdrav", NOW)  # another organisation
        assert client.get(f"/attachments/{attachment.id}").status_code == 403
        assert client.get("/attachments/999999").status_code == 403


def test_an_upload_over_the_limit_is_refused_and_nothing_is_stored(loaded: Backend) -> None:
    settings = loaded.settings.model_copy(update={"web_upload_max_mb": 1})
    with portal(loaded, settings, clock=Clock(NOW)) as client:
        token = sign_in(client, loaded, "e-minobr", NOW)
        big = PDF + b"0" * (1024 * 1024 + 1 - len(PDF))  # 1 MB and one byte
        response = _hand_in(client, token, note="итог", file=("big.pdf", big, "application/pdf"))
        assert response.status_code == 413
        assert "больше 1 МБ" in response.text
        assert _stored(loaded) == [] and _attachments(loaded) == []
        assert _task(loaded, "T-002") == ("open", date(2026, 12, 4), 0)
        # A body declared far beyond the limit (4 MB and more here) is refused unread.
        huge = PDF + b"0" * (4 * 1024 * 1024 + 200 * 1024)
        refused = _hand_in(client, token, file=("huge.pdf", huge, "application/pdf"))
        assert refused.status_code == 413
        assert _stored(loaded) == [] and _attachments(loaded) == []
        # Exactly at the limit is taken.
        at_limit = big[:-1]
        assert (
            _hand_in(client, token, file=("ok.pdf", at_limit, "application/pdf")).status_code == 303
        )
        assert len(_stored(loaded)) == 1


FORBIDDEN = [
    ("result.html", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),
    ("chart.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>'),
]


def test_a_forbidden_type_is_refused_whatever_its_name(loaded: Backend) -> None:
    """An HTML page, an executable renamed .pdf, an SVG renamed .png: 415, nothing kept."""
    with portal(loaded, clock=Clock(NOW)) as client:
        token = sign_in(client, loaded, "e-minobr", NOW)
        for name, content in FORBIDDEN:
            response = _hand_in(client, token, file=(name, content, "application/pdf"))
            assert response.status_code == 415 and name in response.text, name
        assert _stored(loaded) == [] and _attachments(loaded) == []
        assert _task(loaded, "T-002")[0] == "open"


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("a.pdf", PDF, "application/pdf"),
        ("a.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, "image/png"),
        ("a.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 16, "image/jpeg"),
        ("a.docx", _zip(DOCX), "application/vnd.openxmlformats-officedocument."),
        ("a.xlsx", _zip({"[Content_Types].xml": b"<T/>", "xl/workbook.xml": b"<w/>"}), "sheet"),
        ("a.odt", _zip({"mimetype": b"application/vnd.oasis.opendocument.text"}), "text"),
        ("a.csv", "код;значение\nT-1;5\n".encode(), "text/csv"),
        ("notes", "Итоги: всё сдано.\n".encode(), "text/plain"),
        ("a.docm", _zip(DOCX | {"word/vbaProject.bin": b"x"}), None),
        ("a.zip", _zip({"readme.txt": b"hi"}), None),
        ("a.txt", b"see <script>alert(1)</script>", None),
        ("run.sh", b"#!/bin/sh\nrm -rf /\n", None),
        ("a.bin", b"\x7fELF\x02\x01\x01\x00", None),
        ("a.txt", "текст в cp1251".encode("cp1251"), None),
    ],
)
def test_what_the_content_sniffing_allows(
    tmp_path: Path, name: str, content: bytes, kind: str | None
) -> None:
    path = tmp_path / "upload"
    path.write_bytes(content)
    found = sniff(path, name)
    if kind is None:
        assert found is None
    else:
        assert found is not None and kind in found.content_type


def test_the_coordinator_accepts_and_returns(loaded: Backend) -> None:
    with portal(loaded, clock=Clock(NOW)) as client:
        token = sign_in(client, loaded, "coord", NOW)
        card = client.get("/tasks/T-001").text
        assert 'action="/tasks/T-001/accept"' in card and 'action="/tasks/T-001/return"' in card

        accepted = client.post(
            "/tasks/T-001/accept",
            data={"csrf_token": token, "note": "Принято без замечаний"},
            follow_redirects=False,
        )
        assert accepted.status_code == 303
        assert _task(loaded, "T-001")[0] == "accepted"
        assert "Принято без замечаний" in client.get("/tasks/T-001").text

        # A return needs a reason: refused, nothing changes.
        refused = client.post(
            "/tasks/T-006/return",
            data={"csrf_token": token, "due": "2026-12-19"},
            follow_redirects=False,
        )
        assert refused.status_code == 400 and "Причина" in refused.text
        assert _task(loaded, "T-006") == ("submitted", date(2026, 12, 22), 0)

        # Saturday 19 Dec moves to Monday 21 Dec, as `roadmap task return` moves it.
        returned = client.post(
            "/tasks/T-006/return",
            data={"csrf_token": token, "due": "2026-12-19", "why": "Нет сверки по 2028 году"},
            follow_redirects=False,
        )
        assert returned.status_code == 303
        assert _task(loaded, "T-006") == ("returned", date(2026, 12, 21), 1)
        page = client.get("/tasks/T-006").text
        assert "Нет сверки по 2028 году" in page and "21.12.2026" in page


def test_an_emissary_cannot_use_the_coordinators_actions(loaded: Backend) -> None:
    before = loaded.fingerprint()
    with portal(loaded, clock=Clock(NOW)) as client:
        token = sign_in(client, loaded, "e-minzdrav", NOW)
        before = loaded.fingerprint()  # after the sign-in's own rows
        for url, data in [
            ("/tasks/T-001/accept", {}),
            ("/tasks/T-001/return", {"due": "2026-12-21", "why": "x"}),
            ("/stages/initiatives/start", {}),
            ("/stages/initiatives/close", {}),
            ("/review/decide", {"number": "1", "decision": "accept"}),
        ]:
            response = client.post(url, data={"csrf_token": token} | data, follow_redirects=False)
            assert response.status_code == 403, url
        for page in ("/stages", "/reports", "/reports/budget", "/alerts", "/review"):
            assert client.get(page).status_code == 403, page
    assert loaded.fingerprint() == before


def test_a_form_without_its_token_is_refused(loaded: Backend) -> None:
    with portal(loaded, clock=Clock(NOW)) as client:
        sign_in(client, loaded, "e-minobr", NOW)
        assert _hand_in(client, None, note="x").status_code == 403
        forged = _hand_in(client, "0" * 43, file=("a.pdf", PDF, "application/pdf"))
        assert forged.status_code == 403
        assert _stored(loaded) == [] and _task(loaded, "T-002")[0] == "open"
        assert client.post("/tasks/T-002/ack", follow_redirects=False).status_code == 403
    with portal(loaded, clock=Clock(NOW)) as client:
        sign_in(client, loaded, "coord", NOW)
        response = client.post("/tasks/T-001/accept", data={}, follow_redirects=False)
        assert response.status_code == 403
        assert _task(loaded, "T-001")[0] == "submitted"


def test_the_coordinators_pages(loaded: Backend) -> None:
    with portal(loaded, clock=Clock(NOW)) as client:
        token = sign_in(client, loaded, "coord", NOW)
        stages = client.get("/stages")
        assert stages.status_code == 200
        assert 'action="/stages/initiatives/start"' in stages.text
        # Only the first stage can start; closing one not started says why.
        assert 'action="/stages/interviews/start"' not in stages.text
        refused = client.post("/stages/interviews/close", data={"csrf_token": token})
        assert refused.status_code == 400 and "interviews" in refused.text

        report = client.get("/reports/budget")
        assert report.status_code == 200 and "Plotly" in report.text
        assert "'unsafe-inline'" in report.headers["content-security-policy"]
        assert 'href="/reports/budget.csv"' in report.text
        csv = client.get("/reports/budget.csv")
        assert csv.content.startswith("\ufeff".encode()) and b";" in csv.content
        xlsx = client.get("/reports/progress.xlsx?year=2026")
        assert xlsx.content.startswith(b"PK")
        assert client.get("/reports/budget?year=1999").status_code == 400
        assert client.get("/reports/nothing").status_code == 404

        assert client.get("/alerts").status_code == 200
        review = client.get("/review")
        assert review.status_code == 200 and "roadmap review start" in review.text


def test_a_hand_in_signals_the_prefect_run_carrying_its_stage(
    loaded: Backend, http_sink: HttpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As `roadmap task submit` does: the flow run following the task's stage is told
    (roadmap.stage.changed) so that it checks its gate again; a task of no followed stage
    run tells nobody."""
    from roadmap.stages.runs import start_stage

    flow_run = "0b6c2a52-5d1e-4f0e-9a51-1f0f3c0a8e11"
    start_stage(loaded.settings, "initiatives", now=NOW, flow_run_id=flow_run)
    [code] = in_region(
        loaded,
        lambda session, region: session.exec(
            select(Task.code)
            .join(Agency, Agency.id == Task.agency_id)
            .where(Task.stage_run_id.is_not(None), Agency.code == "minobr")
        ).all(),
    )
    monkeypatch.setenv("PREFECT_API_URL", f"http://127.0.0.1:{http_sink.port}/api")
    with portal(loaded, clock=Clock(NOW)) as client:
        token = sign_in(client, loaded, "e-minobr", NOW)
        assert _hand_in(client, token, "T-011", note="отчёт").status_code == 303
        assert http_sink.bodies("/api/events") == []
        assert _hand_in(client, token, code, note="предложения").status_code == 303
    [body] = http_sink.bodies("/api/events")
    [event] = json.loads(body)
    assert event["event"] == "roadmap.stage.changed"
    assert event["payload"] == {"reason": "task.submit"}
    assert event["related"][0]["prefect.resource.id"] == f"prefect.flow-run.{flow_run}"


def test_every_page_message_exists_in_both_languages() -> None:
    """Each key the pages name is in the catalogue, with the same placeholders in Russian
    and English; the keys built from a value (an action, an alert's kind and status, a
    proposal's status, a report's name) exist for every value."""
    from roadmap.i18n import MESSAGES
    from roadmap.i18n.web_pages import MESSAGES as PAGES
    from roadmap.store.enums import AlertKind, AlertStatus, ProposalStatus, TaskAction
    from roadmap.web.pages_reports import REPORTS

    for key, texts in PAGES.items():
        names = {lang: set(re.findall(r"{(\w+)}", text)) for lang, text in texts.items()}
        assert names["ru"] == names["en"], key
    web = Path(__file__).resolve().parents[2] / "roadmap" / "web"
    sources = [*web.glob("pages*.py"), web / "views.py", web / "uploads.py"]
    sources += web.glob("templates/*.html")
    named = {
        key for path in sources for key in re.findall(r't\("(pages\.[\w.]*\w)"', path.read_text())
    }
    built = [f"pages.action.{a.value}" for a in TaskAction]
    built += [f"pages.alert_kind.{k.value}" for k in AlertKind]
    built += [f"pages.alert_status.{s.value}" for s in AlertStatus]
    built += [f"pages.review.status.{s.value}" for s in ProposalStatus]
    built += [f"pages.reports.{name}" for name in REPORTS]
    missing = sorted(key for key in {*named, *built} if key not in MESSAGES)
    assert not missing and len(named) > 100

"""The portal end to end in headless Chromium (Debian's package, driven by Playwright):
an emissary opens the link of a delivered alert and hands the task in, after which the
next sweep plans no more reminders for it; a responsible official takes an escalation, and
the next sweep does not escalate to them again; a coordinator closes a stage from the
stages page once its gate holds.

The portal runs under uvicorn on a free loopback port with the test's store and a fixed
clock; alerts are delivered to a loopback HTTP sink. With ROADMAP_SCREENSHOTS=1 the main
pages are saved to docs/images/web-*.png (for the documentation; otherwise nothing is
written outside the test's folder). SQLite only: the stores' differences are covered by
test_pages.py.

Dates (Primorye, Asia/Vladivostok): T-002 (minobr) and T-003 (minsoc) are due on Friday
4 Dec 2026. On Monday 7 Dec they are 1 working day overdue: the first overdue notice is
due (then one every 2 working days). On 10 Dec, 4 days overdue: past the 3 days after which
the responsible official hears. On 15 Dec, 7 days overdue (7-11, 14, 15 Dec): the
coordinator hears, and the official would hear again.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from roadmap.store.models import Acknowledgement, Person, StageRun, Task
from tests.support import Backend, HttpSink, alert_settings, in_region
from tests.web.support import Clock, issue

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = os.environ.get("ROADMAP_SCREENSHOTS") == "1"
IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"

DUE_DAY = datetime.fromisoformat("2026-12-04T10:00:00+10:00")
ONE_OVERDUE = datetime.fromisoformat("2026-12-07T10:00:00+10:00")
FOUR_OVERDUE = datetime.fromisoformat("2026-12-10T10:00:00+10:00")
SEVEN_OVERDUE = datetime.fromisoformat("2026-12-15T10:00:00+10:00")

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium (/usr/bin/chromium) is not installed"
    ),
    pytest.mark.parametrize("backend", ["sqlite"], indirect=True),
]


def off_thread(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a service away from Playwright's event loop (the sync API owns this thread's)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


@contextmanager
def serving(backend: Backend, clock: Clock) -> Iterator[str]:
    """The portal on the backend's store under uvicorn at a free loopback port: its URL."""
    import uvicorn

    from roadmap.web.app import create_app

    app = create_app(backend.settings, clock=clock)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the portal did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        found = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"], headless=True
        )
        yield found
        found.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 800}, locale="ru-RU")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def shot(page: Any, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(IMAGES / f"web-{name}.png"), full_page=True)


def delivered_link(sink: HttpSink, hook: str) -> str:
    """The personal link in the digest delivered to `hook`."""
    [body] = sink.bodies(hook)
    message = json.loads(body)["message"]
    return re.search(r"(http://127\.0\.0\.1:\d+/sign-in/[\w-]+)", message).group(1)


def planned(settings: Any, now: datetime) -> set[tuple[str, str, int]]:
    from roadmap.alerts.sweep import sweep

    report = off_thread(sweep, settings, now=now)
    return {(row.task, row.kind.value, row.level) for row in report.planned}


def test_an_emissary_hands_in_from_the_alerts_link(
    loaded: Backend, tmp_path: Path, http_sink: HttpSink, page: Any
) -> None:
    from notifications.dispatcher import dispatch

    clock = Clock(DUE_DAY)
    with serving(loaded, clock) as url:
        hook = f"json://127.0.0.1:{http_sink.port}/hook/e-minobr"
        settings = alert_settings(loaded.settings, tmp_path, {"e-minobr": [hook]})
        settings = settings.model_copy(update={"web_url": url})
        assert ("T-002", "due", 0) in planned(settings, DUE_DAY)
        off_thread(dispatch, settings, now=DUE_DAY)
        link = delivered_link(http_sink, "/hook/e-minobr")

        page.goto(link)
        assert page.url == f"{url}/"
        assert page.get_by_role("heading", name="Мои поручения").is_visible()
        codes = set(re.findall(r'href="/tasks/(T-\d+)"', page.content()))
        assert codes == {"T-002", "T-011"}
        shot(page, "my-tasks")
        page.set_viewport_size({"width": 390, "height": 760})
        shot(page, "my-tasks-phone")
        page.set_viewport_size({"width": 1100, "height": 800})

        page.get_by_role("link", name="T-002").click()
        page.fill("#note", "Перечень инициатив на 2027 год с паспортами проектов")
        page.fill("#link", "https://docs.example.org/minobr/initiatives-2027")
        page.set_input_files(
            "#file", files=[{"name": "паспорта.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        shot(page, "hand-in")
        page.get_by_role("button", name="Сдать", exact=True).click()
        page.wait_for_url(f"{url}/tasks/T-002?done=submit")
        assert "Поручение T-002 сдано" in page.content()
        assert page.get_by_role("link", name="паспорта.pdf").is_visible()
        shot(page, "task")

    status = in_region(
        loaded, lambda s, r: s.exec(select(Task.status).where(Task.code == "T-002")).one()
    )
    assert status == "submitted"
    # A working day overdue: T-003, due the same day and not handed in, gets its overdue
    # notice; T-002 gets nothing any more.
    later = planned(settings, ONE_OVERDUE)
    assert ("T-003", "overdue", 0) in later
    assert not [row for row in later if row[0] == "T-002"]


def test_an_official_takes_an_escalation(
    loaded: Backend, tmp_path: Path, http_sink: HttpSink, page: Any
) -> None:
    from notifications.dispatcher import dispatch

    clock = Clock(FOUR_OVERDUE)
    with serving(loaded, clock) as url:
        hook = f"json://127.0.0.1:{http_sink.port}/hook/r-minsoc"
        settings = alert_settings(loaded.settings, tmp_path, {"r-minsoc": [hook]})
        settings = settings.model_copy(update={"web_url": url})
        assert ("T-003", "escalation", 1) in planned(settings, FOUR_OVERDUE)
        off_thread(dispatch, settings, now=FOUR_OVERDUE)

        page.goto(delivered_link(http_sink, "/hook/r-minsoc"))
        assert page.get_by_role("heading", name="Эскалации, которые ждут вас").is_visible()
        shot(page, "escalation")
        page.get_by_role("button", name="Принять эскалацию").click()
        page.wait_for_url(f"{url}/?done=ack&code=T-003")
        assert "Эскалация по поручению T-003 принята" in page.content()
        assert page.get_by_role("button", name="Принять эскалацию").count() == 0

    def acknowledged(session, region):
        return session.exec(
            select(Task.code, Acknowledgement.level, Person.code, Acknowledgement.due_on)
            .join(Task, Task.id == Acknowledgement.task_id)
            .join(Person, Person.id == Acknowledgement.person_id)
        ).all()

    assert [tuple(map(str, row)) for row in in_region(loaded, acknowledged)] == [
        ("T-003", "1", "r-minsoc", "2026-12-04")
    ]
    # Seven days overdue: the coordinator hears of both; the official hears again of
    # T-002, not of T-003, whose escalation they took.
    later = planned(settings, SEVEN_OVERDUE)
    assert {("T-002", "escalation", 1), ("T-002", "escalation", 2)} <= later
    assert ("T-003", "escalation", 2) in later
    assert ("T-003", "escalation", 1) not in later


def test_a_coordinator_closes_a_stage(loaded: Backend, page: Any) -> None:
    from roadmap.plan.tasks import submit_tasks
    from roadmap.stages.runs import start_stage

    clock = Clock(FOUR_OVERDUE)
    started = off_thread(start_stage, loaded.settings, "initiatives", now=FOUR_OVERDUE)
    assert started.tasks_created == 11  # one per organisation of the example
    with serving(loaded, clock) as url:
        page.goto(f"{url}/sign-in/{issue(loaded, 'coord', FOUR_OVERDUE)}")
        page.get_by_role("link", name="Этапы").click()
        stage = page.locator("#stage-initiatives")
        assert "Чего не хватает для закрытия сейчас (11)" in stage.inner_text()
        shot(page, "stages")

        stage.get_by_role("button", name="Закрыть этап").click()
        assert "нельзя закрыть, не хватает (11)" in page.content()

        off_thread(submit_tasks, loaded.settings, stage="initiatives", now=FOUR_OVERDUE)
        page.goto(f"{url}/stages")
        stage = page.locator("#stage-initiatives")
        assert "Условия перехода выполнены" in stage.inner_text()
        stage.get_by_role("button", name="Закрыть этап").click()
        page.wait_for_url(f"{url}/stages?done=closed&stage=initiatives")
        assert "закрыт." in page.content()

        if SCREENSHOTS:
            page.goto(f"{url}/reports/budget")
            page.wait_for_selector(".js-plotly-plot .main-svg")
            shot(page, "report")

    run = in_region(
        loaded, lambda s, r: s.exec(select(StageRun).where(StageRun.stage == "initiatives")).one()
    )
    assert run.status == "closed" and run.gate_missing is None

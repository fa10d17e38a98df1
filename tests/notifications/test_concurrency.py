"""Concurrent sweeps never send an alert twice; a killed dispatcher loses nothing.
Real processes against the same store, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

from roadmap.alerts.outbox import list_alerts
from roadmap.alerts.sweep import sweep
from roadmap.plan.tasks import submit_tasks
from roadmap.stages.runs import start_stage
from tests.support import Backend, HttpSink, alert_settings

EMISSARIES = [
    "e-mincifra",
    "e-minfin",
    "e-mingkh",
    "e-minobr",
    "e-minprirody",
    "e-minselhoz",
    "e-minsoc",
    "e-mintour",
    "e-mintrans",
    "e-minzdrav",
    "e-vladivostok",
]


def _env(backend: Backend, settings) -> dict[str, str]:
    return {
        **os.environ,
        "ROADMAP_DATABASE_URL": backend.url,
        "ROADMAP_CONFIG_DIR": str(settings.config_dir),
        "ROADMAP_APPRISE_CONFIG": str(settings.apprise_config),
    }


def _stage_due(backend: Backend) -> str:
    """Open a stage: eleven tasks, one per agency, due on the same day (the example's own
    tasks are handed in first, so they raise no alerts)."""
    submit_tasks(backend.settings)
    started = start_stage(backend.settings, "initiatives", on=date(2027, 3, 1))
    return started.due_on.isoformat()


def _delivered_per_alert(settings, sink: HttpSink) -> tuple[list, Counter]:
    rows = list_alerts(settings)
    seen: Counter = Counter()
    for body in sink.bodies("/"):
        message = json.loads(body)["message"]
        for row in rows:
            if f"roadmap task submit {row.task}" in message or f"{row.task} «" in message:
                seen[(row.task, row.person)] += 1
    return rows, seen


def test_four_parallel_sweeps_deliver_each_alert_once(
    loaded: Backend, tmp_path: Path, http_sink: HttpSink
) -> None:
    web = f"127.0.0.1:{http_sink.port}"
    settings = alert_settings(
        loaded.settings, tmp_path, {e: [f"json://{web}/hook/{e}"] for e in EMISSARIES}
    )
    due = _stage_due(loaded)
    command = [sys.executable, "-m", "roadmap", "sweep", "--now", f"{due}T10:00", "--json"]
    processes = [
        subprocess.Popen(
            command,
            env=_env(loaded, settings),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0, 0], [err for _, err in results]

    rows, seen = _delivered_per_alert(settings, http_sink)
    due_alerts = [r for r in rows if r.kind == "due"]
    assert len(due_alerts) == len(EMISSARIES)
    assert all(r.status == "sent" for r in rows), rows
    assert all(seen[(r.task, r.person)] == 1 for r in rows), seen
    # Each person got exactly one digest, whichever process sent it.
    assert sorted(http_sink.paths()) == sorted({f"/hook/{r.person}" for r in rows})


def test_a_killed_dispatcher_loses_nothing(
    loaded: Backend, tmp_path: Path, http_sink: HttpSink
) -> None:
    web = f"127.0.0.1:{http_sink.port}"
    settings = alert_settings(
        loaded.settings, tmp_path, {e: [f"json://{web}/delay/{e}"] for e in EMISSARIES}
    )
    due = _stage_due(loaded)
    sweep(settings, now=_moment(due))
    env = _env(loaded, settings)
    now = _moment(due).isoformat()
    dispatcher = subprocess.Popen(
        [sys.executable, "-m", "roadmap", "dispatch", "--now", now],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not http_sink.paths() and time.monotonic() < deadline:
        time.sleep(0.02)
    dispatcher.send_signal(signal.SIGKILL)  # mid-delivery of the first digest
    dispatcher.wait()
    assert len(http_sink.paths()) == 1
    stuck = list_alerts(settings, status="sending")
    assert len(stuck) >= len(EMISSARIES)  # claimed, not finished

    finish = subprocess.run(
        [sys.executable, "-m", "roadmap", "dispatch", "--now", now, "--reclaim", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finish.returncode == 0, finish.stderr
    rows, seen = _delivered_per_alert(settings, http_sink)
    assert all(r.status == "sent" for r in rows)
    interrupted = http_sink.paths()[0].removeprefix("/delay/")
    for row in rows:
        # The digest in flight when the process died may go out again (at least once);
        # every other one exactly once.
        expected = {1, 2} if row.person == interrupted else {1}
        assert seen[(row.task, row.person)] in expected


def _moment(day: str):
    from datetime import datetime

    return datetime.fromisoformat(f"{day}T10:00:00+10:00")


class _HeldSender:
    """The real sender, whose first delivery waits until the test lets it go: a dispatcher
    stuck on a slow server past its lease."""

    def __init__(self, inner, started, release):
        self.inner, self.started, self.release = inner, started, release
        self.calls = 0

    def targets(self, person_code, email):
        return self.inner.targets(person_code, email)

    def send(self, target, subject, body):
        self.calls += 1
        if self.calls == 1:
            self.started.set()
            assert self.release.wait(60)
        return self.inner.send(target, subject, body)


def test_a_dispatcher_past_its_lease_does_not_send_what_another_took_back(
    loaded: Backend, tmp_path: Path, http_sink: HttpSink
) -> None:
    import threading

    from notifications.dispatcher import dispatch
    from notifications.job import make_sender
    from roadmap.store.clock import utc_moment

    web = f"127.0.0.1:{http_sink.port}"
    settings = alert_settings(
        loaded.settings, tmp_path, {e: [f"json://{web}/hook/{e}"] for e in EMISSARIES}
    )
    due = _stage_due(loaded)
    now = utc_moment(_moment(due))
    sweep(settings, now=now)
    started, release = threading.Event(), threading.Event()
    slow = _HeldSender(make_sender(settings), started, release)
    first = threading.Thread(target=dispatch, args=(settings,), kwargs={"now": now, "sender": slow})
    first.start()
    assert started.wait(60)  # the first dispatcher holds every row and waits on one digest
    # A second one takes the rows back (the lease ran out) and delivers them all.
    second = dispatch(settings, now=now, reclaim_now=True)
    assert second.sent == len(EMISSARIES)
    release.set()
    first.join(60)
    rows, seen = _delivered_per_alert(settings, http_sink)
    assert all(r.status == "sent" for r in rows if r.person in EMISSARIES)
    in_flight = http_sink.paths()[0].removeprefix("/hook/")
    for row in rows:
        # Only the digest that was already being sent may go out twice.
        expected = {1, 2} if row.person == in_flight else {1}
        assert seen[(row.task, row.person)] in expected, row
    assert slow.calls == 1  # the first dispatcher sent nothing after it woke


def test_no_store_lock_is_held_while_a_digest_is_being_sent(
    loaded: Backend, tmp_path: Path, http_sink: HttpSink
) -> None:
    """SQLite: while the dispatcher waits on a server, another process can write at once
    (no busy wait): the dispatcher holds no transaction across the network call."""
    import sqlite3
    import threading

    from notifications.dispatcher import dispatch
    from notifications.job import make_sender
    from roadmap.store.clock import utc_moment
    from roadmap.store.engine import sqlite_path

    path = sqlite_path(loaded.url)
    if path is None:
        import pytest

        pytest.skip("PostgreSQL locks rows, not the database")
    web = f"127.0.0.1:{http_sink.port}"
    settings = alert_settings(
        loaded.settings, tmp_path, {e: [f"json://{web}/hook/{e}"] for e in EMISSARIES}
    )
    now = utc_moment(_moment(_stage_due(loaded)))
    sweep(settings, now=now)
    started, release = threading.Event(), threading.Event()
    held = _HeldSender(make_sender(settings), started, release)
    worker = threading.Thread(
        target=dispatch, args=(settings,), kwargs={"now": now, "sender": held}
    )
    worker.start()
    try:
        assert started.wait(60)
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails at once if the dispatcher held the lock
            other.execute("UPDATE region SET name = name")
            other.execute("COMMIT")
        finally:
            other.close()
    finally:
        release.set()
        worker.join(60)
    assert {r.status for r in list_alerts(settings) if r.person in EMISSARIES} == {"sent"}

"""Concurrent sweeps never send an alert twice; a killed dispatcher loses nothing.
Real processes against the same store, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

from roadmap.alerts.outbox import list_alerts
from roadmap.alerts.sweep import sweep
from roadmap.plan.indicator_tasks import ensure_region_indicator_tasks
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


def _concurrency(settings, threads: int):
    """The same settings with `concurrency = threads` in their alerts.toml."""
    path = settings.config_dir / "alerts.toml"
    text = path.read_text("utf-8")
    assert "concurrency = 8" in text
    path.write_text(text.replace("concurrency = 8", f"concurrency = {threads}"), "utf-8")
    return settings


def _env(backend: Backend, settings) -> dict[str, str]:
    return {
        **os.environ,
        "ROADMAP_DATABASE_URL": backend.url,
        "ROADMAP_CONFIG_DIR": str(settings.config_dir),
        "ROADMAP_APPRISE_CONFIG": str(settings.apprise_config),
    }


def _stage_due(backend: Backend) -> str:
    """Open a stage: eleven tasks, one per agency, due on the same day (the example's own
    tasks and its indicators' report tasks up to 2027 are handed in first, so they raise no
    alerts)."""
    ensure_region_indicator_tasks(backend.settings, now=datetime(2027, 3, 1, 1, 0, tzinfo=UTC))
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
        loaded.settings, tmp_path, {e: [f"json://{web}/slow/{e}"] for e in EMISSARIES}
    )
    threads = 3
    _concurrency(settings, threads)
    alerts_toml = settings.config_dir / "alerts.toml"  # the sink answers /slow in 2.5 s
    text = alerts_toml.read_text("utf-8")
    assert "timeout_seconds = 1 " in text
    alerts_toml.write_text(text.replace("timeout_seconds = 1 ", "timeout_seconds = 10 "), "utf-8")
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
    dispatcher.send_signal(signal.SIGKILL)  # mid-delivery of the first digests
    dispatcher.wait()
    at_kill = list_alerts(settings)
    finished = {r.person for r in at_kill if r.status == "sent"}  # none, unless very slow
    assert {r.status for r in at_kill} <= {"sending", "sent"}  # claimed, none lost
    assert len(finished) < len(EMISSARIES)

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
    assert {r.person for r in rows} == set(EMISSARIES)
    # The digests in flight when the process died (one per thread at most) may go out
    # again (at least once); every other one exactly once.
    assert all(seen[(r.task, r.person)] in {1, 2} for r in rows), seen
    twice = {r.person for r in rows if seen[(r.task, r.person)] == 2}
    assert len(twice) <= threads and not twice & finished, twice
    assert len(http_sink.paths()) == len(EMISSARIES) + len(twice)


def _moment(day: str):
    from datetime import datetime

    return datetime.fromisoformat(f"{day}T10:00:00+10:00")


class _HeldSender:
    """The real sender, whose deliveries (every one, or only the first) wait until the test
    lets them go: a dispatcher stuck on a slow server past its lease. Called from the
    dispatcher's threads."""

    def __init__(self, inner, started, release, *, hold_all: bool = False):
        self.inner, self.started, self.release = inner, started, release
        self.hold_all = hold_all
        self.calls = 0
        self.lock = threading.Lock()

    def targets(self, person_code, email):
        return self.inner.targets(person_code, email)

    def send(self, target, subject, body):
        with self.lock:
            self.calls += 1
            held = self.hold_all or self.calls == 1
        if held:
            self.started.set()
            assert self.release.wait(60)
        return self.inner.send(target, subject, body)


def test_a_dispatcher_past_its_lease_does_not_send_what_another_took_back(
    loaded: Backend, tmp_path: Path, http_sink: HttpSink
) -> None:
    from notifications.dispatcher import dispatch
    from notifications.job import make_sender
    from roadmap.store.clock import utc_moment

    web = f"127.0.0.1:{http_sink.port}"
    settings = alert_settings(
        loaded.settings, tmp_path, {e: [f"json://{web}/hook/{e}"] for e in EMISSARIES}
    )
    threads = 3
    _concurrency(settings, threads)
    due = _stage_due(loaded)
    now = utc_moment(_moment(due))
    sweep(settings, now=now)
    started, release = threading.Event(), threading.Event()
    slow = _HeldSender(make_sender(settings), started, release, hold_all=True)
    first = threading.Thread(target=dispatch, args=(settings,), kwargs={"now": now, "sender": slow})
    first.start()
    assert started.wait(60)  # the first dispatcher holds every row; its threads wait
    # A second one takes the rows back (the lease ran out) and delivers them all.
    second = dispatch(settings, now=now, reclaim_now=True)
    assert second.sent == len(EMISSARIES)
    release.set()
    first.join(60)
    assert not first.is_alive()
    rows, seen = _delivered_per_alert(settings, http_sink)
    assert all(r.status == "sent" for r in rows if r.person in EMISSARIES)
    # Only the digests already being sent (one per thread at most) may go out twice; the
    # first dispatcher sent nothing else after it woke.
    assert 1 <= slow.calls <= threads
    twice = [r for r in rows if seen[(r.task, r.person)] == 2]
    assert len(twice) == slow.calls, seen
    assert all(seen[(r.task, r.person)] in {1, 2} for r in rows), seen
    assert len(http_sink.paths()) == len(EMISSARIES) + slow.calls


def test_no_store_lock_is_held_while_a_digest_is_being_sent(
    loaded: Backend, tmp_path: Path, http_sink: HttpSink
) -> None:
    """SQLite: while the dispatcher waits on a server, another process can write at once
    (no busy wait): the dispatcher holds no transaction across the network call."""
    import sqlite3

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
    _concurrency(settings, 3)
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
        # The other digests go out on the other threads and are recorded; then the
        # dispatcher only waits for the held one.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            statuses = Counter(r.status for r in list_alerts(settings))
            if statuses["sent"] == len(EMISSARIES) - 1:
                break
            time.sleep(0.05)
        assert statuses["sent"] == len(EMISSARIES) - 1, statuses
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


def test_two_dispatchers_with_threads_deliver_once_and_retry_a_failing_person(
    loaded: Backend, tmp_path: Path, http_sink: HttpSink
) -> None:
    """Two `roadmap dispatch` processes at once, each sending on four threads, round after
    round until the failing person's alert is dead: every other person gets one digest
    with each of their alerts once, the failing target is tried once per round, and the
    coordinator hears of the dead alert once."""
    web = f"127.0.0.1:{http_sink.port}"
    failing = "e-minsoc"
    # Slow answers (0.5 s) keep the first dispatcher busy while the second one claims.
    targets = {e: [f"json://{web}/delay/{e}"] for e in EMISSARIES if e != failing}
    targets[failing] = [f"json://{web}/fail/{failing}"]
    targets["coord"] = [f"json://{web}/hook/coord"]
    settings = _concurrency(alert_settings(loaded.settings, tmp_path, targets), 4)
    due = _stage_due(loaded)
    sweep(settings, now=_moment(due))
    env = _env(loaded, settings)
    for minute in range(4):  # max_attempts = 3 (no backoff), then the dead letter's round
        now = _moment(due).replace(minute=minute).isoformat()
        command = [sys.executable, "-m", "roadmap", "dispatch", "--now", now, "--json"]
        processes = [
            subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)
        ]
        results = [p.communicate(timeout=120) for p in processes]
        assert [p.returncode for p in processes] == [0, 0], [err for _, err in results]

    rows, seen = _delivered_per_alert(settings, http_sink)
    by_person = {r.person: r for r in rows if r.kind == "due"}
    assert set(by_person) == set(EMISSARIES)
    assert by_person[failing].status == "dead" and by_person[failing].attempts == 3
    for person in set(EMISSARIES) - {failing}:
        assert by_person[person].status == "sent"
        assert http_sink.paths().count(f"/delay/{person}") == 1
        assert seen[(by_person[person].task, person)] == 1
    assert http_sink.paths().count(f"/fail/{failing}") == 3  # once per round, never twice
    letters = [r for r in rows if r.kind == "dead_letter"]
    assert [(r.person, r.status) for r in letters] == [("coord", "sent")]
    assert http_sink.paths().count("/hook/coord") == 1
    assert by_person[failing].task in http_sink.bodies("/hook/coord")[0]

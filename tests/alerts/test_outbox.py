"""The outbox on a real store: one alert per task, rung, person and *local* day, however
the sweeps that plan it interleave (the planning read and the insert are apart in time)."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from notifications.dispatcher import dispatch
from roadmap.alerts.outbox import insert_planned, list_alerts
from roadmap.alerts.sweep import sweep
from roadmap.errors import UserError
from tests.support import PRIMORYE, Backend, HttpSink, alert_settings, in_region

# Friday 4 Dec 2026 in Vladivostok (UTC+10): T-002 and T-003 are due, T-005 is 7 working
# days away (examples/primorye.yaml). Both moments are that local day, inside the window,
# but on either side of midnight UTC: 3 Dec 23:30 UTC and 4 Dec 00:30 UTC.
BEFORE_UTC_MIDNIGHT = datetime.fromisoformat("2026-12-03T23:30:00+00:00")  # 09:30 local
AFTER_UTC_MIDNIGHT = datetime.fromisoformat("2026-12-04T00:30:00+00:00")  # 10:30 local
PEOPLE = {"T-002": "e-minobr", "T-003": "e-minsoc", "T-005": "e-mincifra"}


def _settings(loaded: Backend, tmp_path: Path, sink: HttpSink):
    web = f"127.0.0.1:{sink.port}"
    return alert_settings(
        loaded.settings, tmp_path, {p: [f"json://{web}/hook/{p}"] for p in PEOPLE.values()}
    )


def _each_alert_planned_and_delivered_once(settings, sink: HttpSink) -> None:
    rows = list_alerts(settings)
    assert sorted((r.task, r.person, r.kind) for r in rows) == [
        ("T-002", "e-minobr", "due"),
        ("T-003", "e-minsoc", "due"),
        ("T-005", "e-mincifra", "reminder"),
    ]
    assert {r.local_date for r in rows} == {"2026-12-04"}
    counts = dispatch(settings, now=AFTER_UTC_MIDNIGHT)
    assert (counts.sent, counts.digests) == (3, 3)
    assert dispatch(settings, now=AFTER_UTC_MIDNIGHT).digests == 0
    for task, person in PEOPLE.items():
        digests = [json.loads(body)["message"] for body in sink.bodies(f"/hook/{person}")]
        assert len(digests) == 1, (person, digests)
        assert task in digests[0]


def test_sweeps_either_side_of_utc_midnight_plan_the_local_day_once(
    loaded: Backend, tmp_path: Path, http_sink: HttpSink
) -> None:
    """A sweep read the open tasks at 09:30 local (still 3 Dec in UTC) and wrote late, after
    a second sweep at 10:30 local (4 Dec in UTC) had planned the same rungs: one local
    day, so the late rows are the same alerts and are skipped, not planned twice."""
    settings = _settings(loaded, tmp_path, http_sink)
    early = sweep(settings, now=BEFORE_UTC_MIDNIGHT, dry_run=True)
    assert early.regions[0].local_time == "2026-12-04T09:30+10:00"
    assert len(early.planned) == 3
    assert list_alerts(settings) == []  # the dry run wrote nothing

    assert len(sweep(settings, now=AFTER_UTC_MIDNIGHT).planned) == 3
    in_region(loaded, lambda session, region: insert_planned(session, early.planned))

    _each_alert_planned_and_delivered_once(settings, http_sink)


def test_the_same_rows_inserted_twice_are_planned_once(
    loaded: Backend, tmp_path: Path, http_sink: HttpSink
) -> None:
    """Two sweeps that planned from the same read both write: no error, no duplicate."""
    settings = _settings(loaded, tmp_path, http_sink)
    planned = sweep(settings, now=AFTER_UTC_MIDNIGHT, dry_run=True).planned
    for _ in range(2):
        in_region(loaded, lambda session, region: insert_planned(session, planned))
    _each_alert_planned_and_delivered_once(settings, http_sink)


def test_two_concurrent_sweeps_that_both_read_first(
    loaded: Backend, tmp_path: Path, http_sink: HttpSink
) -> None:
    """Two sweeps in threads, held at a barrier right before their insert so both have
    read the same open tasks: the loser's insert waits for the winner's commit and skips.
    (SQLite serialises sweeps under BEGIN IMMEDIATE, so this race exists on PostgreSQL.)"""
    if loaded.name != "postgres":
        pytest.skip("SQLite runs sweeps one after another (BEGIN IMMEDIATE)")
    settings = _settings(loaded, tmp_path, http_sink)
    barrier = threading.Barrier(2, timeout=60)
    held: set[int] = set()
    workers: set[int] = set()

    def hold_before_insert(connection, cursor, statement, parameters, context, executemany):
        me = threading.get_ident()
        inserting = statement.lstrip().upper().startswith("INSERT INTO ALERT")
        if inserting and me in workers and me not in held:
            held.add(me)
            barrier.wait()

    results: dict[int, object] = {}

    def run(n: int) -> None:
        workers.add(threading.get_ident())
        try:
            results[n] = len(sweep(settings, now=AFTER_UTC_MIDNIGHT).planned)
        except Exception as exc:  # reported below, with the other thread's outcome
            results[n] = exc
            barrier.abort()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", hold_before_insert)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", hold_before_insert)
    assert results == {0: 3, 1: 3}  # both read and planned the same three, neither failed
    _each_alert_planned_and_delivered_once(settings, http_sink)


def test_the_alert_log_shows_each_regions_own_alerts_as_they_went(
    loaded: Backend, tmp_path: Path, http_sink: HttpSink
) -> None:
    """`roadmap alerts list`: one region's alerts in the order they were planned, each
    with its rung, local day, status, attempts and when it went; filters by status and
    person; a second region with the same codes keeps its own log."""
    from roadmap.plan.importer import import_roadmap

    text = PRIMORYE.read_text("utf-8").replace("code: PRI", "code: KAM", 1)
    (tmp_path / "kam.yaml").write_text(text, "utf-8")
    import_roadmap(loaded.settings, tmp_path / "kam.yaml")
    web = f"127.0.0.1:{http_sink.port}"
    settings = alert_settings(
        loaded.settings,
        tmp_path,
        {
            "e-minobr": [f"json://{web}/hook/e-minobr"],
            "e-minsoc": [f"json://{web}/fail/e-minsoc"],
            "coord": [f"json://{web}/hook/coord"],
        },
    )
    sweep(settings, now=AFTER_UTC_MIDNIGHT, region_code="PRI")
    for _ in range(4):  # three tries for e-minsoc (backoff 0), then its dead letter
        dispatch(settings, now=AFTER_UTC_MIDNIGHT)

    rows = list_alerts(settings, region_code="PRI")
    assert [r.id for r in rows] == sorted(r.id for r in rows)
    seen = [
        (r.task, r.person, r.kind, r.local_date, r.status, r.attempts, r.sent_at is not None)
        for r in rows
    ]
    assert seen == [
        ("T-002", "e-minobr", "due", "2026-12-04", "sent", 0, True),  # attempts: failed tries
        ("T-003", "e-minsoc", "due", "2026-12-04", "dead", 3, False),
        ("T-005", "e-mincifra", "reminder", "2026-12-04", "undeliverable", 0, False),
        ("T-003", "coord", "dead_letter", "2026-12-04", "sent", 0, True),
    ]
    due = next(r for r in rows if r.task == "T-002")
    assert due.rung.startswith("due") and "reminder" in rows[2].rung
    assert rows[3].rung == f"dead-letter:{rows[1].id}"
    assert [r.person for r in list_alerts(settings, status="dead", region_code="PRI")] == [
        "e-minsoc"
    ]
    assert [r.task for r in list_alerts(settings, person="e-minobr", region_code="PRI")] == [
        "T-002"
    ]
    # Kamchatka was not swept: its log is empty, though its people have the same codes.
    assert list_alerts(settings, region_code="KAM") == []
    with pytest.raises(UserError, match="--region"):
        list_alerts(settings)


def test_two_tasks_of_one_person_due_the_same_day_are_two_alerts_in_one_digest(
    loaded: Backend, tmp_path: Path, http_sink: HttpSink
) -> None:
    """The dedupe key names the task and the person: a second task due the same day for
    the same emissary is its own alert, not a repeat of the first."""
    from roadmap.plan.importer import import_roadmap

    extra = tmp_path / "tasks.csv"
    extra.write_text("code;agency;title;due\nT-902;minobr;Второе поручение;2026-12-04\n", "utf-8")
    import_roadmap(loaded.settings, extra)
    settings = _settings(loaded, tmp_path, http_sink)
    report = sweep(settings, now=AFTER_UTC_MIDNIGHT)
    assert [(r.region, r.local_time, r.status, r.planned) for r in report.regions] == [
        ("PRI", "2026-12-04T10:30+10:00", "swept", 4)
    ]
    assert report.regions[0].moment.startswith("2026-12-04T00:30")
    keys = {p.dedupe_key for p in report.planned}
    assert len(keys) == 4
    minobr = sorted(r.task for r in list_alerts(settings, person="e-minobr"))
    assert minobr == ["T-002", "T-902"]
    dispatch(settings, now=AFTER_UTC_MIDNIGHT)
    digests = [json.loads(b)["message"] for b in http_sink.bodies("/hook/e-minobr")]
    assert len(digests) == 1 and "T-002" in digests[0] and "T-902" in digests[0]

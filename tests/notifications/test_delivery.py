"""Deadline alerts delivered to real loopback servers: digests, retries, dead letters,
and no secret anywhere."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from notifications.dispatcher import dispatch
from roadmap.alerts.outbox import list_alerts
from roadmap.alerts.sweep import sweep
from roadmap.cli.app import app
from tests.support import Backend, HttpSink, SmtpSink, alert_settings

PASSWORD = "S3cretPass"
TOKEN = "AbCdEfGhIjKlMnO12345"
# 10:00 in Vladivostok on Friday 4 Dec 2026: T-002 and T-003 are due today, T-005 is 7
# working days away (see examples/primorye.yaml).
NOW = datetime.fromisoformat("2026-12-04T10:00:00+10:00")


def _dump(backend: Backend) -> str:
    engine = sa.create_engine(backend.url)
    try:
        with engine.connect() as connection:
            return "\n".join(
                f"{table}: {[tuple(row) for row in connection.execute(sa.text(f'SELECT * FROM {table}'))]}"
                for table in sa.inspect(connection).get_table_names()
            )
    finally:
        engine.dispose()


def test_digests_retries_dead_letters_and_secrets(
    loaded: Backend, tmp_path: Path, http_sink: HttpSink, smtp_sink: SmtpSink, caplog, monkeypatch
) -> None:
    web = f"127.0.0.1:{http_sink.port}"
    settings = alert_settings(
        loaded.settings,
        tmp_path,
        {
            "e-minobr": [f"json://bob:{PASSWORD}@{web}/hook/e-minobr", f"gotify://{web}/{TOKEN}"],
            "e-minsoc": [f"json://{web}/fail/e-minsoc"],
            "e-mincifra": [
                f"mailto://127.0.0.1:{smtp_sink.port}?to=mincifra@example.org"
                "&from=roadmap@example.org&mode=insecure",
                f"json://{web}/slow/e-mincifra",
            ],
            "coord": [f"json://{web}/hook/coord"],
        },
    )
    caplog.set_level(logging.DEBUG)

    report = sweep(settings, now=NOW)
    planned = {(row.task, row.kind) for row in report.planned}
    assert planned == {("T-002", "due"), ("T-003", "due"), ("T-005", "reminder")}
    assert sweep(settings, now=NOW).planned == []  # nothing twice

    first = dispatch(settings, now=NOW)
    assert first.sent == 1 and first.failed == 2
    for _ in range(3):  # retries (backoff 0 here) until the last try
        dispatch(settings, now=NOW)

    # e-minobr: one digest to each of its two targets, exactly once.
    assert len(http_sink.bodies("/hook/e-minobr")) == 1
    assert len(http_sink.bodies("/message")) == 1  # gotify
    digest = json.loads(http_sink.bodies("/hook/e-minobr")[0])
    assert digest["title"] == "Поручение T-002: срок сегодня"
    assert "roadmap task submit T-002" in digest["message"]
    # The failing and the hanging targets were tried max_attempts times, no more.
    assert len(http_sink.bodies("/fail/e-minsoc")) == 3
    assert len(http_sink.bodies("/slow/e-mincifra")) == 3
    # The mail target of the same person got its digest once, not on every retry.
    assert len(smtp_sink.messages) == 1
    assert smtp_sink.messages[0].rcpt_tos == ["mincifra@example.org"]

    rows = {(a.task, a.person): a for a in list_alerts(settings)}
    assert rows[("T-002", "e-minobr")].status == "sent"
    assert rows[("T-003", "e-minsoc")].status == "dead"
    assert "500" in rows[("T-003", "e-minsoc")].last_error
    assert rows[("T-005", "e-mincifra")].status == "dead"
    # The coordinator was told about both dead alerts, in one digest.
    assert rows[("T-003", "coord")].kind == "dead_letter"
    assert rows[("T-003", "coord")].status == "sent"
    assert len(http_sink.bodies("/hook/coord")) == 1
    dead_letters = json.loads(http_sink.bodies("/hook/coord")[0])
    assert dead_letters["title"] == "Сроки поручений: 2"
    assert "T-005" in dead_letters["message"] and "T-003" in dead_letters["message"]

    # No secret in the store, the logs or the CLI output.
    monkeypatch.setenv("ROADMAP_APPRISE_CONFIG", str(settings.apprise_config))
    monkeypatch.setenv("ROADMAP_CONFIG_DIR", str(settings.config_dir))
    from roadmap.settings import get_settings

    get_settings.cache_clear()
    output = CliRunner().invoke(app, ["alerts", "list", "--json"]).output
    output += CliRunner().invoke(app, ["sweep", "--now", NOW.isoformat()]).output
    for text in (_dump(loaded), caplog.text, output):
        assert PASSWORD not in text
        assert TOKEN not in text
    # The log names a target by scheme, server and id: no user, path or query.
    assert f"json://{web} #" in _dump(loaded) and "bob" not in _dump(loaded)


def test_person_without_target_is_undeliverable_with_a_reason(
    loaded: Backend, tmp_path: Path, http_sink: HttpSink
) -> None:
    settings = alert_settings(
        loaded.settings, tmp_path, {"coord": [f"json://127.0.0.1:{http_sink.port}/hook"]}
    )
    sweep(settings, now=NOW)
    counts = dispatch(settings, now=NOW)
    assert counts.undeliverable == 3
    rows = list_alerts(settings, status="undeliverable")
    assert {r.person for r in rows} == {"e-minobr", "e-minsoc", "e-mincifra"}
    assert all("ROADMAP_SMTP_URL" in r.last_error for r in rows)
    assert http_sink.requests == []


def test_smtp_fallback_for_a_person_with_only_an_email(
    loaded: Backend, tmp_path: Path, smtp_sink: SmtpSink
) -> None:
    settings = alert_settings(loaded.settings, tmp_path, {})
    settings = settings.model_copy(
        update={
            "smtp_url": f"mailto://127.0.0.1:{smtp_sink.port}?from=roadmap@example.org&mode=insecure"
        }
    )
    sweep(settings, now=NOW)
    assert dispatch(settings, now=NOW).sent == 3
    recipients = sorted(m.rcpt_tos[0] for m in smtp_sink.messages)
    assert recipients == ["e-mincifra@example.org", "e-minobr@example.org", "e-minsoc@example.org"]
    assert [row.status for row in list_alerts(settings)].count("sent") == 3


def test_alerts_no_longer_due_are_cancelled_and_night_ones_wait(
    loaded: Backend, tmp_path: Path, http_sink: HttpSink
) -> None:
    web = f"127.0.0.1:{http_sink.port}"
    settings = alert_settings(
        loaded.settings,
        tmp_path,
        {e: [f"json://{web}/hook/{e}"] for e in ("e-minobr", "e-minsoc", "e-mincifra")},
    )
    sweep(settings, now=NOW)
    # T-002 is handed in before the dispatcher's turn: its alert is not sent.
    from roadmap.plan.tasks import submit_tasks

    submit_tasks(settings, ["T-002"], now=NOW)
    # The dispatcher first runs at 23:00 local: nothing goes out at night.
    night = datetime.fromisoformat("2026-12-04T23:00:00+10:00")
    assert dispatch(settings, now=night).postponed == 3
    assert http_sink.requests == []
    # Friday night → the window opens on Monday 09:00.
    monday = datetime.fromisoformat("2026-12-07T09:00:00+10:00")
    counts = dispatch(settings, now=monday)
    assert (counts.cancelled, counts.sent) == (1, 2)
    assert sorted(http_sink.paths()) == ["/hook/e-mincifra", "/hook/e-minsoc"]
    assert {r.task: r.status for r in list_alerts(settings)}["T-002"] == "cancelled"


def test_a_broken_apprise_config_stops_the_sweep_before_it_writes(
    loaded: Backend, tmp_path: Path, monkeypatch
) -> None:
    from roadmap.settings import get_settings

    broken = tmp_path / "apprise.yml"
    broken.write_text("urls: [unclosed\n", "utf-8")
    monkeypatch.setenv("ROADMAP_APPRISE_CONFIG", str(broken))
    get_settings.cache_clear()
    before = loaded.fingerprint()
    result = CliRunner().invoke(app, ["sweep", "--now", NOW.isoformat()])
    assert result.exit_code == 2 and "ROADMAP_APPRISE_CONFIG" in result.stderr
    assert loaded.fingerprint() == before


NTFY_TOKEN = "tk_AbCdEfGhIjKlMnO12345"


def test_a_server_quoting_the_secret_back_leaves_no_trace_of_it(
    loaded: Backend, tmp_path: Path, http_sink: HttpSink, caplog, monkeypatch
) -> None:
    """The target refuses the credential and quotes it in its error (sink path /echo): the
    failure is recorded, retried, dead-lettered to the coordinator, and the secret shows
    nowhere: not in the store (last error, delivery log), the coordinator's digest, the CLI
    output, nor any log line, Apprise's own debug lines included."""
    import base64

    web = f"127.0.0.1:{http_sink.port}"
    settings = alert_settings(
        loaded.settings,
        tmp_path,
        {
            "e-minsoc": [
                f"ntfy://{NTFY_TOKEN}@{web}/echo?auth=token",
                f"ntfy://bob:{PASSWORD}@{web}/echo",
            ],
            "coord": [f"json://{web}/hook/coord"],
        },
    )
    basic = base64.b64encode(f"bob:{PASSWORD}".encode()).decode()
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("ROADMAP_APPRISE_CONFIG", str(settings.apprise_config))
    monkeypatch.setenv("ROADMAP_CONFIG_DIR", str(settings.config_dir))
    from roadmap.settings import get_settings

    get_settings.cache_clear()
    sweep(settings, now=NOW)
    runner = CliRunner()
    output = ""
    for _ in range(3):  # max_attempts in these settings, backoff 0
        result = runner.invoke(app, ["dispatch", "--now", NOW.isoformat()])
        assert result.exit_code == 0, result.output
        output += result.output
    refused = [body for body in http_sink.bodies("/") if '"topic": "echo"' in body]
    assert len(refused) == 6  # two targets, three tries
    dead = list_alerts(settings, person="e-minsoc")
    assert [r.status for r in dead] == ["dead"]
    error = dead[0].last_error
    assert "rejected: Bearer ****" in error and "rejected: Basic ****" in error
    assert "401" in error

    told = runner.invoke(app, ["dispatch", "--now", NOW.isoformat()])  # the dead letter
    output += told.output
    output += runner.invoke(app, ["alerts", "list", "--json"]).output
    output += runner.invoke(app, ["alerts", "list"]).output
    coordinator = " ".join(http_sink.bodies("/hook/coord"))
    assert "T-003" in coordinator  # the coordinator heard of the dead alert
    for text in (_dump(loaded), coordinator, output, caplog.text):
        for secret in (NTFY_TOKEN, PASSWORD, basic):
            assert secret not in text


def test_sweep_refuses_to_run_with_no_channel_at_all(loaded: Backend) -> None:
    before = loaded.fingerprint()
    result = CliRunner().invoke(app, ["sweep", "--now", "2026-12-04T10:00:00"])
    assert result.exit_code == 2
    assert "ROADMAP_APPRISE_CONFIG" in result.stderr and "ROADMAP_SMTP_URL" in result.stderr
    assert loaded.fingerprint() == before  # nothing planned, so nothing can be lost
    dry = CliRunner().invoke(app, ["sweep", "--dry-run", "--now", "2026-12-04T10:00:00"])
    assert dry.exit_code == 0, dry.output  # looking ahead needs no channel


def test_an_undeliverable_alert_goes_out_once_its_person_gets_a_target(
    loaded: Backend, tmp_path: Path, http_sink: HttpSink
) -> None:
    from notifications.job import run_deadline_job

    web = f"127.0.0.1:{http_sink.port}"
    others = {"e-minsoc": [f"json://{web}/hook/e-minsoc"]}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    without = alert_settings(loaded.settings, tmp_path / "a", others)
    first = run_deadline_job(without, NOW)
    assert first.dispatch.undeliverable >= 1
    lost = [r for r in list_alerts(without) if r.status == "undeliverable"]
    assert {r.person for r in lost} >= {"e-minobr"}
    assert http_sink.bodies("/hook/e-minobr") == []

    later = NOW.replace(hour=15)  # the same day: the sweep plans nothing new for it
    with_target = alert_settings(
        loaded.settings, tmp_path / "b", {**others, "e-minobr": [f"json://{web}/hook/e-minobr"]}
    )
    second = run_deadline_job(with_target, later)
    assert second.planned == []
    assert len(http_sink.bodies("/hook/e-minobr")) == 1
    assert "T-002" in http_sink.bodies("/hook/e-minobr")[0]
    statuses = {r.status for r in list_alerts(with_target) if r.person == "e-minobr"}
    assert statuses == {"sent"}
    run_deadline_job(with_target, later.replace(hour=16))
    assert len(http_sink.bodies("/hook/e-minobr")) == 1  # once, not again


def test_no_url_shape_leaks_its_credential(
    loaded: Backend, tmp_path: Path, http_sink: HttpSink, caplog, monkeypatch
) -> None:
    """Path, header and query tokens, a Basic password and an SMTP password, each through
    a failing delivery: none is in the store, the logs or any output."""
    web = f"127.0.0.1:{http_sink.port}"
    secrets = {
        "path": "PaThToKeN0192837465",
        "header": "HeAdErToKeN5647382910",
        "query": "QuErYkEy1029384756",
        "basic": "BaSiCpAsS5566",
        "smtp": "SmTpPaSs7788",
    }
    closed = "127.0.0.1:9"  # nothing listens: the SMTP delivery fails
    settings = alert_settings(
        loaded.settings,
        tmp_path,
        {
            "e-minobr": [
                f"json://{web}/fail/{secrets['path']}"
                f"?+X-Api-Token={secrets['header']}&-apikey={secrets['query']}"
            ],
            "e-minsoc": [f"json://robot:{secrets['basic']}@{web}/fail/x"],
            "e-mincifra": [
                f"mailto://roadmap:{secrets['smtp']}@{closed}"
                "?to=it@example.org&from=roadmap@example.org&mode=insecure"
            ],
        },
    )
    caplog.set_level(logging.DEBUG)
    sweep(settings, now=NOW)
    for attempt in range(3):  # until each is dead (max_attempts = 3, no backoff)
        dispatch(settings, now=NOW.replace(minute=attempt))
    mine = [r for r in list_alerts(settings) if r.person in ("e-minobr", "e-minsoc", "e-mincifra")]
    assert {r.person for r in mine} == {"e-minobr", "e-minsoc", "e-mincifra"}
    assert {r.status for r in mine} == {"dead"}
    monkeypatch.setenv("ROADMAP_APPRISE_CONFIG", str(settings.apprise_config))
    monkeypatch.setenv("ROADMAP_CONFIG_DIR", str(settings.config_dir))
    from roadmap.settings import get_settings

    get_settings.cache_clear()
    output = CliRunner().invoke(app, ["alerts", "list", "--json"]).output
    output += CliRunner().invoke(app, ["alerts", "list"]).output
    for where, text in (("store", _dump(loaded)), ("logs", caplog.text), ("output", output)):
        for kind, secret in secrets.items():
            assert secret not in text, f"the {kind} secret is in the {where}"
    assert f"json://{web} #" in output and "mailto://" in _dump(loaded)

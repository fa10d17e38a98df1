"""The stage flows end to end through Prefect, and the served deployments.

Prefect runs against the package's temporary server (tests/flows/conftest.py), on both
backends. The stage logic itself is tested in tests/stages through roadmap.stages directly.
"""

from __future__ import annotations

import itertools

import pytest

from tests.support import Backend


# One end-to-end run a backend: the stage services themselves are tested in tests/stages.
def test_all_stages_run_through_prefect(prefect_server: None, loaded: Backend) -> None:
    from flows.stages import run_roadmap_flow, start_stage_flow
    from roadmap.config import stage_keys_in_order
    from roadmap.errors import UserError
    from roadmap.stages.runs import stage_overview

    keys = stage_keys_in_order(loaded.settings)
    assert len(keys) == 8

    state = run_roadmap_flow(start_on="2026-02-02", return_state=True)
    assert state.is_completed(), state.message
    results = state.result()
    assert [r["stage"] for r in results] == keys
    assert all(r["started"]["tasks_created"] > 0 for r in results)

    overview = stage_overview(loaded.settings)
    assert [(row.key, row.status) for row in overview] == [(k, "closed") for k in keys]
    assert all(row.tasks > 0 and row.tasks_done == row.tasks for row in overview)
    # Each stage starts when the previous one closed.
    for before, after in itertools.pairwise(overview):
        assert after.started_on == before.closed_on == before.due_on

    # Starting a closed stage again creates nothing.
    again = start_stage_flow(keys[0])
    assert again["status"] == "closed"
    assert again["tasks_created"] == 0
    assert stage_overview(loaded.settings) == overview

    # A user error fails the flow run with its message, and the caller gets the error.
    failed = start_stage_flow("no_such_stage", return_state=True)
    assert failed.is_failed()
    assert "no_such_stage" in (failed.message or "")
    with pytest.raises(UserError, match="no_such_stage"):
        start_stage_flow("no_such_stage")


def test_serve_builds_its_deployments_without_serving(prefect_env: None) -> None:
    from flows.serve import deployments

    built = {
        (d.flow_name, d.name): d
        for d in deployments(timezones=["Asia/Vladivostok", "Europe/Kaliningrad"])
    }
    assert set(built) == {
        ("start-stage", "manual"),
        ("close-stage", "manual"),
        ("deadline-sweep", "daily-asia-vladivostok"),
        ("deadline-sweep", "daily-europe-kaliningrad"),
        ("dispatch-alerts", "every-15-minutes"),
        ("annual-review", "yearly-asia-vladivostok"),
        ("annual-review", "yearly-europe-kaliningrad"),
    }
    for (flow_name, _), deployment in built.items():
        # Importable from any working directory: the flows package is installed.
        assert deployment.entrypoint.startswith("flows.")
        assert "roadmap" in deployment.tags
        if flow_name.endswith("-stage"):
            assert not deployment.schedules  # started by coordinators, by hand
    sweep = built[("deadline-sweep", "daily-asia-vladivostok")].schedules[0].schedule
    # 09:00 in the region's own time, not UTC.
    assert (sweep.cron, sweep.timezone) == ("0 9 * * *", "Asia/Vladivostok")
    yearly = built[("annual-review", "yearly-europe-kaliningrad")].schedules[0].schedule
    assert (yearly.cron, yearly.timezone) == ("0 9 15 1 *", "Europe/Kaliningrad")


def test_stage_flow_parameters_are_what_coordinators_fill_in(prefect_env: None) -> None:
    from prefect.utilities.callables import parameter_schema

    from flows.stages import close_stage_flow, start_stage_flow

    start = parameter_schema(start_stage_flow)
    assert (start.required, list(start.properties)) == (["key"], ["key", "on", "region"])
    close = parameter_schema(close_stage_flow)
    assert (close.required, list(close.properties)) == (["key"], ["key", "region"])


def test_deadline_sweep_runs_through_prefect(
    prefect_server: None, loaded: Backend, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scheduled flow plans and delivers, and a second run sends nothing again."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    from flows.alerts import deadline_sweep_flow
    from roadmap.settings import get_settings
    from tests.support import alert_settings

    received: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Thread(target=server.serve_forever, daemon=True).start()
    web = f"127.0.0.1:{server.server_address[1]}"
    settings = alert_settings(
        loaded.settings,
        tmp_path,
        {e: [f"json://{web}/{e}"] for e in ("e-minobr", "e-minsoc", "e-mincifra")},
    )
    monkeypatch.setenv("ROADMAP_CONFIG_DIR", str(settings.config_dir))
    monkeypatch.setenv("ROADMAP_APPRISE_CONFIG", str(settings.apprise_config))
    get_settings.cache_clear()
    try:
        first = deadline_sweep_flow(now="2026-12-04T10:00")
        second = deadline_sweep_flow(now="2026-12-04T11:00")
    finally:
        server.shutdown()
        get_settings.cache_clear()
    assert first.regions[0].planned == 3 and first.dispatch.sent == 3
    assert second.regions[0].planned == 0 and second.dispatch.sent == 0
    assert sorted(received) == ["/e-mincifra", "/e-minobr", "/e-minsoc"]


@pytest.mark.parametrize("problem", ["missing", "empty"])
def test_deadline_sweep_flow_refuses_a_broken_apprise_config_before_writing(
    loaded: Backend, tmp_path, monkeypatch: pytest.MonkeyPatch, problem: str
) -> None:
    """The flow runs the same job as `roadmap sweep`: the delivery config is checked first."""
    from flows.alerts import deadline_sweep_flow
    from roadmap.errors import UserError
    from roadmap.settings import get_settings

    config = tmp_path / "apprise.yml"
    if problem == "empty":
        config.write_text("", "utf-8")
    monkeypatch.setenv("ROADMAP_APPRISE_CONFIG", str(config))
    get_settings.cache_clear()
    before = loaded.fingerprint()
    with pytest.raises(UserError, match="ROADMAP_APPRISE_CONFIG"):
        deadline_sweep_flow.fn(now="2026-12-04T10:00+10:00")
    assert loaded.fingerprint() == before

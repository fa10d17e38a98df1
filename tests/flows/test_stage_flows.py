"""The stage flows end to end through Prefect, and the served deployments.

Prefect runs against the package's temporary server (tests/flows/conftest.py), on both
backends. The stage logic itself is tested in tests/stages through roadmap.stages directly.
"""

from __future__ import annotations

import json

import pytest

from tests.support import Backend


def test_a_stage_run_outside_a_deployment_names_what_its_gate_misses(
    prefect_server: None, loaded: Backend
) -> None:
    """Run in-process (no deployment, so it cannot wait suspended): the tasks are issued as
    one task run per organisation, and the unmet gate is a named state with the missing
    items as its message, not a crash. A second run takes over from the ended one and
    issues nothing twice."""
    from flows.stages import stage_flow
    from roadmap.stages.runs import stage_detail

    state = stage_flow("initiatives", on="2026-12-01", return_state=True)
    assert state.is_failed()
    assert state.name == "Условия этапа не выполнены"
    tasks = stage_detail(loaded.settings, "initiatives").tasks_by_agency
    assert len(tasks) == 11
    assert state.message.startswith("Ожидает: ") and all(t.code in state.message for t in tasks)
    assert "Traceback" not in state.message

    again = stage_flow("initiatives", return_state=True)
    assert again.name == "Условия этапа не выполнены"
    assert len(stage_detail(loaded.settings, "initiatives").tasks_by_agency) == 11

    # An unknown stage is refused by the parameter's choice before anything runs.
    with pytest.raises(Exception, match=r"Input should be .initiatives., .interviews."):
        stage_flow("no_such_stage")


def _task_run_names(flow_run_id, at_least: int) -> list[str]:
    """The names of a flow run's completed task runs, once the server has recorded at least
    `at_least` of them (task runs reach its database through events, shortly after)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter

    from tests.flows.servers import wait_for

    def names() -> list[str]:
        with get_client(sync_client=True) as client:
            runs = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id={"any_": [flow_run_id]}), limit=200
            )
        return sorted(r.name for r in runs if r.state and r.state.is_completed())

    wait_for(lambda: len(names()) >= at_least, f"{at_least} task runs of {flow_run_id}")
    return names()


def test_a_stage_run_has_a_task_run_per_organisation_and_a_rerun_only_for_those_new(
    prefect_server: None, loaded: Backend, tmp_path
) -> None:
    """Each organisation's tasks show as a task run named by it and its emissary; a later
    run of the stage (a resume, a takeover) adds task runs only for organisations that
    joined since, and issues them their tasks."""
    from flows.stages import stage_flow
    from roadmap.stages.runs import stage_detail, stage_participants
    from tests.stages.test_stage_runs_for_flows import add_organisation

    first = stage_flow("initiatives", on="2026-12-01", return_state=True)
    expected = sorted(f"{p.agency} — {p.emissary}" for p in stage_participants(loaded.settings))
    assert _task_run_names(first.state_details.flow_run_id, 11) == expected

    add_organisation(loaded, tmp_path)
    again = stage_flow("initiatives", return_state=True)
    assert again.name == "Условия этапа не выполнены"
    assert _task_run_names(again.state_details.flow_run_id, 1) == ["mo-artem — Ким Д. В."]
    tasks = stage_detail(loaded.settings, "initiatives").tasks_by_agency
    assert len(tasks) == 12 and "mo-artem" in {t.agency for t in tasks}
    assert all(t.code in again.message for t in tasks)


def test_serve_builds_its_deployments_without_serving(prefect_env: None) -> None:
    from flows.serve import deployments
    from flows.stages import stage_title
    from roadmap.config import stage_keys_in_order
    from roadmap.settings import get_settings

    keys = stage_keys_in_order(get_settings())
    built = {
        (d.flow_name, d.name): d
        for d in deployments(timezones=["Asia/Vladivostok", "Europe/Kaliningrad"])
    }
    stages = {("roadmap-stage", stage_title(key)) for key in keys}
    assert ("roadmap-stage", "Этап 1. Формирование перечня основных инициатив") in stages
    assert set(built) == stages | {
        ("deadline-sweep", "daily-asia-vladivostok"),
        ("deadline-sweep", "daily-europe-kaliningrad"),
        ("dispatch-alerts", "retries"),
        ("deadline-rehearsal", "rehearsal"),
        ("annual-review", "yearly-asia-vladivostok"),
        ("annual-review", "yearly-europe-kaliningrad"),
    }
    for (flow_name, _), deployment in built.items():
        # Importable from any working directory: the flows package is installed.
        assert deployment.entrypoint.startswith("flows.")
        assert "roadmap" in deployment.tags
        # Only the sweep and the yearly update run on a schedule; retries schedule
        # themselves, stages and rehearsals are started by people.
        assert bool(deployment.schedules) == (flow_name in ("deadline-sweep", "annual-review"))
        schema = deployment._parameter_openapi_schema.properties
        # No production schedule takes a moment: a test run cannot use up a day's alerts.
        if deployment.schedules:
            assert "now" not in schema
        for name in schema:
            assert schema[name]["title"] != name, f"{deployment.name}: {name} has no title"
    for key in keys:
        deployment = built[("roadmap-stage", stage_title(key))]
        assert deployment.parameters == {"key": key}
        assert deployment._parameter_openapi_schema.properties["key"]["enum"] == [key]
        assert deployment.concurrency_limit == 1
        assert f"stage:{key}" in deployment.tags
    sweep = built[("deadline-sweep", "daily-asia-vladivostok")].schedules[0].schedule
    # 09:00 in the region's own time, not UTC.
    assert (sweep.cron, sweep.timezone) == ("0 9 * * *", "Asia/Vladivostok")
    yearly = built[("annual-review", "yearly-europe-kaliningrad")].schedules[0].schedule
    assert (yearly.cron, yearly.timezone) == ("0 9 15 1 *", "Europe/Kaliningrad")


def test_stage_flow_parameters_are_what_coordinators_fill_in(prefect_env: None) -> None:
    from prefect.utilities.callables import parameter_schema

    from flows.alerts import deadline_sweep_flow
    from flows.stages import stage_flow
    from roadmap.config import stage_keys_in_order
    from roadmap.settings import get_settings

    schema = parameter_schema(stage_flow)
    assert (schema.required, list(schema.properties)) == (["key"], ["key", "region", "on"])
    # The stage is a choice of the configured stages, not free text.
    assert schema.properties["key"]["enum"] == stage_keys_in_order(get_settings())
    assert list(parameter_schema(deadline_sweep_flow).properties) == ["region"]


def test_a_rehearsal_shows_what_a_sweep_would_send_and_writes_nothing(
    prefect_server: None, loaded: Backend, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At a chosen moment: the planned alerts in its result and its artifact; no outbox row,
    no dedupe key used up, nothing sent."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter

    from flows.alerts import deadline_rehearsal_flow
    from roadmap.settings import get_settings
    from tests.support import alert_settings

    settings = alert_settings(loaded.settings, tmp_path, {"e-minobr": ["json://127.0.0.1:9/x"]})
    monkeypatch.setenv("ROADMAP_APPRISE_CONFIG", str(settings.apprise_config))
    get_settings.cache_clear()
    before = loaded.fingerprint()
    state = deadline_rehearsal_flow(now="2026-12-04T10:00", return_state=True)
    get_settings.cache_clear()
    assert state.is_completed(), state.message
    result = state.result()
    assert result.dispatch is None and len(result.planned) == 3
    assert loaded.fingerprint() == before
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
        assert run.name == "Репетиция обхода · все регионы · на 2026-12-04T10:00"
        [artifact] = client.read_artifacts(flow_run_filter=FlowRunFilter(id={"any_": [run.id]}))
    assert len(json.loads(artifact.data)) == 3 and "ничего не записано" in artifact.description


def test_a_sweep_that_reaches_nobody_fails_visibly() -> None:
    from flows.alerts import sweep_outcome
    from notifications.dispatcher import DispatchCounts
    from notifications.job import DeadlineJobResult

    def outcome(**counts: int):
        return sweep_outcome(DeadlineJobResult([], [], DispatchCounts(**counts)))

    nobody = outcome(digests=3, undeliverable=5)
    assert nobody.is_failed() and nobody.name == "Никому не доставлено"
    assert "5" in nobody.message
    assert outcome(digests=2, failed=2).is_failed()
    partly = outcome(digests=3, sent=2, undeliverable=1)
    assert partly.is_completed() and partly.name == "Доставлено не всем"
    assert outcome(digests=3, sent=3).name == "Completed"
    assert outcome().is_completed()  # nothing was due


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
        deadline_sweep_flow.fn()
    assert loaded.fingerprint() == before

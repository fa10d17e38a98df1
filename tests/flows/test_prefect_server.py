"""Stages and schedules against a real `prefect server start` and a real `roadmap serve`.

What only a server shows: a stage run that suspends after issuing its tasks, is resumed by
the event a submission emits (through the automation `roadmap serve` sets up), suspends
again while its gate misses something, and closes the stage when nothing is missing; two
starts at once that make one stage run; schedules that survive a restart of the served
process. The store is the test's own (SQLite, and PostgreSQL when configured).
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.flows.servers import VENV_BIN, PrefectServer, start_roadmap_serve, wait_for
from tests.support import Backend


@pytest.fixture(scope="module")
def prefect_api(
    prefect_env: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PrefectServer]:
    server = PrefectServer(tmp_path_factory.mktemp("prefect-server")).start()
    yield server
    server.stop()


@contextmanager
def api_client(server: PrefectServer) -> Iterator[Any]:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with (
        temporary_settings(updates={PREFECT_API_URL: server.api_url}),
        get_client(sync_client=True) as client,
    ):
        yield client


def _deployment(client: Any, name: str) -> Any:
    from prefect.exceptions import ObjectNotFound

    try:
        return client.read_deployment_by_name(name)
    except ObjectNotFound:
        return None


def _state(client: Any, run_id: Any) -> Any:
    return client.read_flow_run(run_id).state


def _history(client: Any, run_id: Any) -> list[tuple[str, str, str]]:
    """The run's states, oldest first, for a failure's message."""
    states = client.read_flow_run_states(run_id)
    return [(s.timestamp.isoformat(), s.name, (s.message or "")[:80]) for s in states]


def _latest_artifact(client: Any, run_id: Any, key: str) -> Any:
    from prefect.client.schemas.filters import ArtifactFilter, FlowRunFilter
    from prefect.client.schemas.sorting import ArtifactSort

    found = client.read_artifacts(
        artifact_filter=ArtifactFilter(key={"any_": [key]}),
        flow_run_filter=FlowRunFilter(id={"any_": [run_id]}),
        sort=ArtifactSort.CREATED_DESC,
        limit=1,
    )
    return found[0] if found else None


def _submit(server: PrefectServer, backend: Backend, codes: list[str], tmp_path: Path) -> None:
    """`roadmap task submit --file` as an emissary would run it, with PREFECT_API_URL set."""
    file = tmp_path / f"submit-{codes[0]}.yaml"
    file.write_text(
        "tasks:\n" + "".join(f"  - code: {c}\n    note: готово\n" for c in codes), "utf-8"
    )
    env = server.env() | {"ROADMAP_DATABASE_URL": backend.url, "ROADMAP_LOCALE": "ru"}
    done = subprocess.run(
        [str(VENV_BIN / "roadmap"), "task", "submit", "--file", str(file), "--by", "e-test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "сервер Prefect не получил" not in done.stderr


def _stage_tasks(backend: Backend) -> list[Any]:
    """The tasks of the stage run (the example file has tasks of its own besides)."""
    from roadmap.stages.runs import stage_detail

    return stage_detail(backend.settings, "initiatives").tasks_by_agency


def test_a_stage_run_waits_for_the_emissaries_and_closes_the_stage(
    prefect_api: PrefectServer, loaded: Backend, tmp_path: Path
) -> None:
    from prefect.client.schemas.filters import FlowRunFilter

    from roadmap.stages.runs import stage_history

    # This region's coordinators let the closing of stage 1 start stage 2.
    config = tmp_path / "config"
    shutil.copytree(loaded.settings.config_dir, config)
    stages = (config / "stages.toml").read_text("utf-8")
    first = 'key = "initiatives"\n'
    (config / "stages.toml").write_text(
        stages.replace(first, first + "start_next_on_close = true\n", 1), "utf-8"
    )
    serve = start_roadmap_serve(prefect_api, loaded.url, tmp_path, ROADMAP_CONFIG_DIR=str(config))
    try:
        with api_client(prefect_api) as client:
            name = "roadmap-stage/Этап 1. Формирование перечня основных инициатив"
            deployment = wait_for(lambda: _deployment(client, name), f"deployment {name}")
            assert deployment.parameter_openapi_schema["properties"]["key"]["title"] == "Этап"
            assert deployment.global_concurrency_limit.limit == 1

            # Two coordinators press Run at once: one run carries the stage, the other
            # reports it and does nothing.
            runs = [client.create_flow_run_from_deployment(deployment.id) for _ in range(2)]
            since = runs[0].created
            ids = [run.id for run in runs]

            def settled() -> list[Any] | None:
                states = [_state(client, i) for i in ids]
                done = sum(s.is_paused() for s in states), sum(s.is_completed() for s in states)
                return states if done == (1, 1) else None

            states = wait_for(settled, f"one suspended and one completed run\n{serve.output()}")
            carrier = ids[0] if states[0].is_paused() else ids[1]
            other = ids[1] if carrier == ids[0] else ids[0]
            reported = _state(client, other)
            assert reported.name == "Этап уже ведётся"
            assert str(carrier) in reported.message

            history = [r for r in stage_history(loaded.settings) if r.key == "initiatives"]
            assert len(history) == 1 and history[0].tasks == 11
            tasks = _stage_tasks(loaded)
            assert len(tasks) == 11
            waiting = _state(client, carrier)
            assert waiting.message.startswith("Ожидает: ")
            assert all(t.code in waiting.message for t in tasks)

            # A task run per organisation, named by it and its emissary.
            # (Task runs reach the server's database through events: shortly after.)
            def issued_runs() -> list[Any] | None:
                found = client.read_task_runs(flow_run_filter=FlowRunFilter(id={"any_": [carrier]}))
                issued = [r for r in found if r.name.split(" — ")[0] in {t.agency for t in tasks}]
                return (
                    issued
                    if len(issued) == 11 and all(r.state.is_completed() for r in issued)
                    else None
                )

            issued = wait_for(issued_runs, "a completed task run per organisation")
            assert {r.name.split(" — ")[0] for r in issued} == {t.agency for t in tasks}
            table = _latest_artifact(client, carrier, "pri-initiatives-tasks")
            rows = table.data if isinstance(table.data, list) else json.loads(table.data)
            assert len(rows) == 11
            assert {row["Статус"] for row in rows} == {"открыто"}
            gate = _latest_artifact(client, carrier, "pri-initiatives-gate")
            assert "Не выполнено (11)" in gate.data

            # Ten of eleven hand in: the run is resumed, checks again, and waits for one.
            codes = sorted(t.code for t in tasks)
            first_wait = waiting.timestamp
            _submit(prefect_api, loaded, codes[:-1], tmp_path)

            def waiting_again() -> Any:
                state = _state(client, carrier)
                return state if state.is_paused() and state.timestamp > first_wait else None

            again = wait_for(
                waiting_again,
                lambda: f"the run suspended again: {_history(client, carrier)}\n{serve.output()}",
            )
            assert again.message == f"Ожидает: minzdrav: поручение {codes[-1]} не сдано" or (
                codes[-1] in again.message and codes[0] not in again.message
            )
            gate = _latest_artifact(client, carrier, "pri-initiatives-gate")
            assert "Не выполнено (1)" in gate.data and codes[-1] in gate.data
            assert [r.status for r in stage_history(loaded.settings) if r.key == "initiatives"] == [
                "active"
            ]

            # The last one hands in: the run closes the stage and completes.
            _submit(prefect_api, loaded, codes[-1:], tmp_path)
            final = wait_for(
                lambda: (s := _state(client, carrier)).is_final() and s,
                f"the stage run to end\n{serve.output()}",
            )
            assert final.is_completed(), final.message
            assert final.name == "Этап закрыт"
            closed = [r for r in stage_history(loaded.settings) if r.key == "initiatives"]
            assert [r.status for r in closed] == ["closed"]
            gate = _latest_artifact(client, carrier, "pri-initiatives-gate")
            assert "Все условия этапа выполнены." in gate.data
            # The resumes issued nothing twice.
            assert len(_stage_tasks(loaded)) == 11

            # Closing stage 1 started stage 2's run, which issued its tasks and waits.
            second = wait_for(
                lambda: _deployment(
                    client, "roadmap-stage/Этап 2. Интервью с жителями для подтверждения гипотез"
                ),
                "stage 2's deployment",
            )
            next_run = wait_for(
                lambda: [
                    r
                    for r in client.read_flow_runs(
                        flow_run_filter=FlowRunFilter(deployment_id={"any_": [second.id]})
                    )
                    # (Runs of earlier tests, on other stores, are on the same server.)
                    if r.state.is_paused() and r.created > since
                ],
                lambda: f"stage 2's run to wait\n{serve.output()}",
            )
            assert len(next_run) == 1
            statuses = {r.key: r.status for r in stage_history(loaded.settings)}
            assert statuses["interviews"] == "active"
    finally:
        serve.stop()


def test_schedules_survive_a_restart_of_roadmap_serve(
    prefect_api: PrefectServer, loaded: Backend, tmp_path: Path
) -> None:
    """A clean stop leaves the schedules on and a run that came due meanwhile is run when the
    process is back; the automations are there. (Prefect's side only: once, on SQLite.)"""
    if loaded.name != "sqlite":
        pytest.skip("the served process's restart does not depend on the store")
    from prefect.client.schemas.filters import FlowRunFilter
    from prefect.states import Scheduled

    from flows.operations import CRASHED_AUTOMATION, RESUME_AUTOMATION

    serve = start_roadmap_serve(prefect_api, loaded.url, tmp_path)
    with api_client(prefect_api) as client:
        sweep = wait_for(
            lambda: _deployment(client, "deadline-sweep/daily-asia-vladivostok"), "the sweep"
        )
        rehearsal = wait_for(
            lambda: _deployment(client, "deadline-rehearsal/rehearsal"), "the rehearsal"
        )
        assert "now" not in sweep.parameter_openapi_schema["properties"]
        for automation in (RESUME_AUTOMATION, CRASHED_AUTOMATION):
            assert len(client.read_automations_by_name(automation)) == 1
        serve.stop(signal.SIGTERM)

        assert not client.read_deployment(sweep.id).paused
        assert all(s.active for s in client.read_deployment(sweep.id).schedules)
        # A run that came due while the process was down.
        missed = client.create_flow_run_from_deployment(
            rehearsal.id,
            parameters={"now": "2026-12-04T10:00"},
            state=Scheduled(scheduled_time=datetime.now(UTC) - timedelta(minutes=5)),
        )
        serve = start_roadmap_serve(prefect_api, loaded.url, tmp_path)
        try:
            final = wait_for(
                lambda: (s := _state(client, missed.id)).is_final() and s,
                f"the missed run to run\n{serve.output()}",
            )
            assert final.is_completed(), final.message
            name = client.read_flow_runs(flow_run_filter=FlowRunFilter(id={"any_": [missed.id]}))[
                0
            ].name
            assert name.startswith("Репетиция обхода")
        finally:
            serve.stop()

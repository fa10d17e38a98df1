"""The yearly review flow and the demo end to end through Prefect (the package's server).

Every moment is fixed (`now`, `start_on`), so nothing depends on today's date. The review
rules themselves are tested in tests/review; the demo's stages in tests/stages.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.support import Backend

NOW = "2027-01-15T10:00"


def test_annual_review_flow_opens_the_cycle_once(prefect_server: None, loaded: Backend) -> None:
    from flows.review import annual_review_flow, demo_review_flow
    from roadmap.errors import UserError
    from roadmap.plan.queries import list_tasks
    from roadmap.review.cycle import review_status
    from tests.support import in_region

    # Started by hand without a year: refused, nothing written (no cycle guessed from the date).
    before = loaded.fingerprint()
    refused = annual_review_flow(return_state=True)
    assert refused.is_failed() and "Укажите год" in (refused.message or "")
    assert loaded.fingerprint() == before

    opened = demo_review_flow(year=2027, now=NOW)
    assert (opened.year, opened.status, opened.baseline_version, opened.tasks_created) == (
        2027,
        "open",
        1,
        11,
    )
    # The production flow with the same year: nothing new.
    state = annual_review_flow(year=2027, return_state=True)
    assert state.is_completed(), state.message
    assert state.result().tasks_created == 0

    status = review_status(loaded.settings, year=2027)
    assert (status.year, status.status, list(status.proposals)) == (2027, "open", [])
    tasks = [
        t for t in in_region(loaded, lambda s, r: list_tasks(s, r)) if t.stage == "annual_update"
    ]
    assert len(tasks) == 11
    # Due 20 working days (the annual_update stage) after 15 January 2027, not after today.
    assert {t.due for t in tasks} == {date(2027, 2, 12)}

    # A user error fails the run with its message (Russian by default).
    before = loaded.fingerprint()
    failed = annual_review_flow(year=1999, return_state=True)
    assert failed.is_failed()
    assert "1999" in (failed.message or "") and "год должен быть" in (failed.message or "")
    with pytest.raises(UserError, match="1999"):
        annual_review_flow(year=1999)
    assert loaded.fingerprint() == before


def test_a_scheduled_review_takes_the_year_of_its_date_in_the_region(loaded: Backend) -> None:
    """The year of the scheduled moment in the region's timezone, not in UTC; a run by hand
    must name its year."""
    from uuid import uuid4

    from prefect.client.schemas.objects import FlowRun

    from flows.review import review_year
    from roadmap.errors import UserError

    def run(auto: bool, at: datetime) -> FlowRun:
        return FlowRun(flow_id=uuid4(), auto_scheduled=auto, expected_start_time=at)

    january = datetime(2027, 1, 14, 23, 0, tzinfo=UTC)  # 09:00 on the 15th in Vladivostok
    assert review_year(None, run(True, january), None) == 2027
    # 1 January 06:00 in Vladivostok is still 31 December in UTC.
    assert review_year(None, run(True, datetime(2026, 12, 31, 20, tzinfo=UTC)), None) == 2027
    assert review_year(None, run(True, datetime(2026, 12, 31, 12, tzinfo=UTC)), None) == 2026
    assert review_year(2030, run(False, january), None) == 2030
    with pytest.raises(UserError, match="Укажите год"):
        review_year(None, run(False, january), None)
    with pytest.raises(UserError, match="Укажите год"):
        review_year(None, None, None)


def test_demo_runs_and_reports_the_outcome(
    prefect_server: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`make demo` on a store of its own: all eight stages, then the 2027 review as version 2."""
    from flows.runtime import local_prefect_env
    from flows.stages import stage_title
    from roadmap.cli.demo import run_demo
    from roadmap.config import stage_keys_in_order
    from roadmap.review.snapshots import versions
    from roadmap.settings import get_settings

    store = tmp_path / "demo" / "roadmap.db"
    # run_demo points the environment at its own store and Prefect home: restored afterwards.
    monkeypatch.setenv("ROADMAP_DATABASE_URL", "unset")
    for key, value in local_prefect_env(store.parent / "prefect").items():
        monkeypatch.setenv(key, value)
    progress = logging.getLogger("prefect.flow_runs")
    saved = (progress.level, list(progress.handlers), progress.propagate)
    try:
        run_demo(store, start_on="2026-02-02", review_now=NOW)
    finally:
        progress.setLevel(saved[0])
        progress.handlers[:] = saved[1]
        progress.propagate = saved[2]
        get_settings.cache_clear()
    out = capsys.readouterr().out
    keys = stage_keys_in_order(get_settings())

    assert f"1. Демонстрационное хранилище: {store.resolve()}" in out
    assert "2. Загружен examples/primorye.yaml: region +1" in out
    assert "3. Этапы через Prefect:" in out
    assert "4. Ежегодная актуализация 2027 через Prefect:" in out
    assert "предложений: 6; противоречий: 1" in out
    assert "Актуализация 2027: версия 2, применено изменений: 5." in out
    assert "принято 0, отменено 11. Начат цикл этапов 2." in out
    assert "Добавлены: H-05" in out and "Исключены: TR-02" in out

    # The stage table: all eight closed with every task done, the first from 2 February.
    assert out.count("│ closed │ 11/11") == 8
    assert "(initiatives)" in out and "│ 2026-02-02 │ 2026-02-24 │ 2026-02-24 │" in out
    assert "Пройдено этапов: 8 из 8." in out

    assert "PREFECT_HOME=" in out and "http://127.0.0.1:4200/runs" in out

    # The Prefect database: a parent run with a completed run per stage under it, each with
    # a task run per organisation and the tasks table and gate artifacts.
    runs = demo_prefect_runs()
    parent = [r for r in runs if r["flow"] == "run-roadmap"]
    stages = [r for r in runs if r["flow"] == "roadmap-stage-demo"]
    assert [r["state"] for r in parent] == ["COMPLETED"]
    assert sorted(r["name"] for r in stages) == sorted(stage_title(k) for k in keys)
    for run in stages:
        assert run["state"] == "COMPLETED" and run["parent"] == parent[0]["id"], run["name"]
        assert run["task_runs"] == 11, run["name"]
        key = next(k for k in keys if stage_title(k) == run["name"]).replace("_", "-")
        assert run["artifacts"] == {f"pri-{key}-tasks", f"pri-{key}-gate"}, run["name"]
        assert "Все условия этапа выполнены." in run["gate"]

    settings = get_settings().model_copy(update={"database_url": f"sqlite:///{store}"})
    history = versions(settings)
    assert [v.version for v in history] == [1, 2]
    assert history[1].reasons == {"federal_task": 1, "national_project": 2, "regional_policy": 2}


def demo_prefect_runs() -> list[dict]:
    """Every flow run in the Prefect database the demo used: its flow, name, state, parent,
    how many organisation task runs it has, its artifact keys and its latest gate page."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter

    with get_client(sync_client=True) as client:
        flows = {f.id: f.name for f in client.read_flows()}
        found = []
        for run in client.read_flow_runs(limit=200):
            only = FlowRunFilter(id={"any_": [run.id]})
            task_runs = client.read_task_runs(flow_run_filter=only, limit=200)
            artifacts = [a for a in client.read_artifacts(flow_run_filter=only) if a.key]
            gates = sorted(
                (a for a in artifacts if a.key.endswith("-gate")), key=lambda a: a.created
            )
            parent = None
            if run.parent_task_run_id:
                parent = client.read_task_run(run.parent_task_run_id).flow_run_id
            found.append(
                {
                    "id": run.id,
                    "flow": flows[run.flow_id],
                    "name": run.name,
                    "state": run.state.type.value,
                    "parent": parent,
                    "task_runs": sum(" — " in r.name and r.state.is_completed() for r in task_runs),
                    "artifacts": {a.key for a in artifacts},
                    "gate": gates[-1].data if gates else "",
                }
            )
    return found

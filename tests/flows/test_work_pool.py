"""A federal deployment's shape on one machine: a Prefect server on PostgreSQL, the flows
deployed to a process work pool by `roadmap serve --pool`, a worker process that runs
them, the roadmap store on PostgreSQL. The deadline sweep runs through the worker and its
alerts reach a loopback sink exactly once.

The production sweep takes no moment (it runs at the clock's now), so the test makes its
own day deterministic instead: the region's calendar (config/calendar.toml) makes today
and tomorrow working days, the alert window is the whole day, and the one task left open
is due today, so the only alert due is its due-date notice to its emissary.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tests.flows.servers import VENV_BIN, PrefectServer, start_child, wait_for
from tests.flows.test_prefect_server import _deployment, api_client
from tests.support import POSTGRES_URL, Backend

POOL = "roadmap-test"


@pytest.fixture(scope="module")
def prefect_on_postgres(
    prefect_env: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PrefectServer]:
    if not POSTGRES_URL:
        pytest.skip("ROADMAP_TEST_POSTGRES_URL is not set")
    database = f"prefect_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{database}"'))
    url = sa.engine.make_url(POSTGRES_URL).set(drivername="postgresql+asyncpg", database=database)
    server = PrefectServer(tmp_path_factory.mktemp("prefect-pg"))
    server.start({"PREFECT_SERVER_DATABASE_CONNECTION_URL": url.render_as_string(False)})
    yield server
    server.stop()
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    admin.dispose()


def _one_task_due_today(backend: Backend) -> tuple[str, str]:
    """Every task of the store ended but one, due today in the region: (its code, its
    emissary's person code)."""
    today = datetime.now(ZoneInfo("Asia/Vladivostok")).date()
    engine = sa.create_engine(backend.url)
    with engine.begin() as connection:
        code, person = connection.execute(
            sa.text(
                "SELECT t.code, p.code FROM task t JOIN person p ON p.id = t.assignee_id"
                " ORDER BY t.code LIMIT 1"
            )
        ).one()
        connection.execute(
            sa.text("UPDATE task SET status = 'cancelled' WHERE code <> :code"), {"code": code}
        )
        connection.execute(
            sa.text("UPDATE task SET status = 'open', due_on = :due WHERE code = :code"),
            {"due": today, "code": code},
        )
    engine.dispose()
    return code, person


def test_the_sweep_runs_through_a_worker_and_delivers_once(
    prefect_on_postgres: PrefectServer, loaded: Backend, http_sink, tmp_path: Path
) -> None:
    if loaded.name != "postgres":
        pytest.skip("the federal set-up keeps the roadmap store on PostgreSQL")
    from prefect.client.schemas.filters import FlowRunFilter

    server = prefect_on_postgres
    code, person = _one_task_due_today(loaded)
    today = datetime.now(ZoneInfo("Asia/Vladivostok")).date()
    config = tmp_path / "config"
    shutil.copytree(loaded.settings.config_dir, config)
    (config / "calendar.toml").write_text(
        f"[regions.PRI]\nworking_days = [{today}, {today + timedelta(days=1)}]\n", "utf-8"
    )
    alerts = (config / "alerts.toml").read_text("utf-8")
    (config / "alerts.toml").write_text(
        alerts.replace('window_start = "09:00"', 'window_start = "00:00"').replace(
            'window_end = "18:00"', 'window_end = "23:59"'
        ),
        "utf-8",
    )
    apprise = tmp_path / "apprise.yml"
    apprise.write_text(
        f'urls:\n  - "json://127.0.0.1:{http_sink.port}/{person}":\n      - tag: {person}\n',
        "utf-8",
    )
    env = server.env() | {
        "ROADMAP_DATABASE_URL": loaded.url,
        "ROADMAP_CONFIG_DIR": str(config),
        "ROADMAP_APPRISE_CONFIG": str(apprise),
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_WORKER_PREFETCH_SECONDS": "5",
    }

    deployed = subprocess.run(
        [str(VENV_BIN / "roadmap"), "serve", "--pool", POOL],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert deployed.returncode == 0, deployed.stderr
    assert f"prefect worker start --pool {POOL}" in deployed.stdout

    worker = start_child(
        "worker", [str(VENV_BIN / "prefect"), "worker", "start", "--pool", POOL], env, tmp_path
    )
    try:
        with api_client(server) as client:
            sweep = _deployment(client, "deadline-sweep/daily-asia-vladivostok")
            assert sweep.work_pool_name == POOL
            # The server owns the schedule: 09:00 in the region, every day.
            assert sweep.schedules and sweep.schedules[0].active

            finals = []
            for _ in range(2):
                run = client.create_flow_run_from_deployment(sweep.id)
                finals.append(
                    wait_for(
                        lambda run=run: (s := client.read_flow_run(run.id).state).is_final() and s,
                        lambda: f"the sweep through the worker\n{worker.output()}",
                    )
                )
            assert all(state.is_completed() for state in finals), [s.message for s in finals]
            runs = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(deployment_id={"any_": [sweep.id]})
            )
            assert all(r.work_pool_name == POOL for r in runs)
    finally:
        worker.stop()
    # Exactly once: the second sweep of the day planned nothing new.
    assert http_sink.paths() == [f"/{person}"], code

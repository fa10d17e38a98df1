"""A stage start through Prefect against the direct service call, for `make bench`.

Stage 1 (`initiatives`) for a region of 50 organisations (the Primorye example with
municipalities added, each with its emissary): the stage flow (a task run per
organisation, both artifacts, the gate) against `start_stage` called directly, both in one
process after Prefect's temporary server has started (its start is excluded). Rows are in
the shape of benchmarks/federal.py's `table()`, with two more: the flow against Prefect's
own floor for the same shape (empty task runs and the two artifacts), and the overhead per
organisation in milliseconds, each with its target. Run alone:
`.venv/bin/python benchmarks/stage_start.py [ORGANISATIONS] [postgres]`.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TODAY = date(2026, 12, 4)

# Targets. Before (one transaction, store opening and persisted result per task run):
# about 60-90 ms per organisation over the direct call. Prefect's own floor for a task
# run is several ms on the development machine (its state events, result record, run
# context), so a task run per organisation can cost no less than that.
PER_ORGANISATION_MS = 25.0  # overhead per organisation over the direct call, at most
FLOOR_TARGET = 1.5  # the stage flow against Prefect's floor for the same shape, at most


def store_with_agencies(url: str, count: int) -> str:
    """The example at `url` (an empty store) with `count` organisations in all (more added
    with their emissaries); returns the URL."""
    import sqlalchemy as sa

    from benchmarks.federal import add_municipalities
    from roadmap.plan.importer import import_roadmap
    from roadmap.settings import Settings
    from roadmap.store.unit_of_work import init_store

    settings = Settings(database_url=url)
    init_store(settings)
    import_roadmap(settings, ROOT / "examples" / "primorye.yaml")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        add_municipalities(connection, total=count)
    engine.dispose()
    return url


def _use_store(url: str) -> None:
    from roadmap.settings import get_settings

    os.environ["ROADMAP_DATABASE_URL"] = url
    get_settings.cache_clear()


def _settle(flow_run_id, task_runs: int, limit: float = 60.0) -> None:
    """Wait until the temporary server has recorded the run's task runs (they reach its
    database through events, after the run): a timed run that starts while the server is
    still writing them waits for its SQLite database (a 503 and a retry 2 s later)."""
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter

    deadline = time.monotonic() + limit
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            runs = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id={"any_": [flow_run_id]}), limit=task_runs + 10
            )
            if len(runs) >= task_runs and all(r.state and r.state.is_final() for r in runs):
                break
            time.sleep(0.2)
    time.sleep(0.5)


def _prefect_floor() -> Any:
    """Prefect's own cost of the same shape, as a flow: one empty task run per organisation
    (named and configured as the stage flow's) and two artifacts of the same sizes."""
    from prefect import flow, task
    from prefect.artifacts import create_markdown_artifact, create_table_artifact
    from prefect.cache_policies import NO_CACHE

    @task(
        name="empty",
        task_run_name="{agency} — {emissary}",
        persist_result=False,
        cache_policy=NO_CACHE,
    )
    def empty(agency: str, emissary: str, codes: list[str]) -> list[str]:
        return codes

    @flow(name="prefect-floor", persist_result=True)
    def floor(agencies: int) -> None:
        for n in range(agencies):
            empty(f"mo-{n}", f"Эмиссар {n}", [f"T-{n:03d}"])
        rows = [{"agency": f"mo-{n}", "task": f"T-{n:03d}"} for n in range(agencies)]
        create_table_artifact(key="floor-tasks", table=rows)
        create_markdown_artifact(key="floor-gate", markdown="\n".join(f"- {r}" for r in rows))

    return floor


def stage_start_overhead(
    work: Path,
    agencies: int = 50,
    repeat: int = 3,
    store_url: Callable[[str], str] | None = None,
    backend: str = "SQLite",
) -> list[dict]:
    """Starting stage 1 for a region of `agencies` organisations, each measured `repeat`
    times in one process after Prefect's temporary server has started (its start is
    excluded), each on a fresh store: the stage flow (a task run per organisation, the
    artifacts, the gate), the direct service call, and Prefect's own floor for the same
    shape (`_prefect_floor`). Between runs the temporary server is let finish recording
    the previous one (`_settle`). `store_url(name)` gives an empty store's URL (default: a
    SQLite file in `work`); `backend` names it in the rows."""
    from flows.runtime import configure_local_prefect, heartbeats_off

    configure_local_prefect(work / "prefect")
    from flows.stages import stage_flow
    from roadmap.settings import get_settings
    from roadmap.stages.runs import start_stage

    def fresh(name: str) -> str:
        url = store_url(name) if store_url else f"sqlite:///{work / (name + '.db')}"
        return store_with_agencies(url, agencies)

    floor_flow = _prefect_floor()
    _use_store(fresh("warm"))
    with heartbeats_off():
        warmed = stage_flow("initiatives", on="2026-12-01", return_state=True)  # the server
        _settle(warmed.state_details.flow_run_id, agencies)
        direct, flowed, floor = [], [], []
        for n in range(repeat):
            _use_store(fresh(f"direct-{n}"))
            start = time.perf_counter()
            start_stage(get_settings(), "initiatives", on=TODAY)
            direct.append(time.perf_counter() - start)

            start = time.perf_counter()
            state = floor_flow(agencies, return_state=True)
            floor.append(time.perf_counter() - start)
            _settle(state.state_details.flow_run_id, agencies)

            _use_store(fresh(f"flow-{n}"))
            start = time.perf_counter()
            state = stage_flow("initiatives", on="2026-12-04", return_state=True)
            flowed.append(time.perf_counter() - start)
            assert state.name == "Условия этапа не выполнены", state
            _settle(state.state_details.flow_run_id, agencies)
    value, base = statistics.median(flowed), statistics.median(direct)
    prefect = statistics.median(floor)
    return [
        {
            "what": f"stage start for {agencies} organisations through Prefect (a task run each, artifacts, gate), {backend}",
            "value": value,
            "baseline": "the direct service call",
            "base": base,
            "target": None,
        },
        {
            "what": f"stage start through Prefect, {agencies} organisations, against Prefect's own floor, {backend}",
            "value": value,
            "baseline": f"{agencies} empty task runs and two artifacts in a flow, plus the direct call",
            "base": prefect + base,
            "target": FLOOR_TARGET,
        },
        {
            "what": f"stage start through Prefect: overhead per organisation over the direct call, {agencies} organisations, {backend} (ms)",
            "value": (value - base) / agencies * 1000,
            "unit": "ms",
            "baseline": "target (ms)",
            "base": PER_ORGANISATION_MS,
            "target": 1.0,
        },
    ]


@contextmanager
def postgres_schemas(base_url: str) -> Iterator[Callable[[str], str]]:
    """Empty stores as schemas of their own in a PostgreSQL database, dropped at the end."""
    import sqlalchemy as sa

    made: list[str] = []

    def url(name: str) -> str:
        schema = f"bench_stage_{name.replace('-', '_')}_{os.getpid()}"
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        made.append(schema)
        return (
            sa.engine.make_url(base_url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )

    engine = sa.create_engine(base_url)
    try:
        yield url
    finally:
        with engine.begin() as connection:
            for schema in made:
                connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def main(argv: list[str]) -> None:
    """`[ORGANISATIONS] [postgres]`: PostgreSQL at ROADMAP_BENCH_POSTGRES_URL or
    ROADMAP_TEST_POSTGRES_URL (each store a schema of its own), else SQLite files."""
    from benchmarks.federal import table

    agencies = int(argv[0]) if argv and argv[0].isdigit() else 50
    with tempfile.TemporaryDirectory() as tmp:
        if "postgres" in argv:
            base = os.environ.get("ROADMAP_BENCH_POSTGRES_URL") or os.environ.get(
                "ROADMAP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
            )
            with postgres_schemas(base) as url:
                rows = stage_start_overhead(
                    Path(tmp), agencies, store_url=url, backend="PostgreSQL"
                )
        else:
            rows = stage_start_overhead(Path(tmp), agencies)
    print(table(rows))


if __name__ == "__main__":
    main(sys.argv[1:])

"""Federal-scale figures for `make bench`: the sweep, the overdue list and command start-up
over a store of many open tasks, each side by side with its baseline in the same run.

The store is the Primorye example with N open tasks added by a bulk insert (spread over its
eleven organisations: 2 % overdue by up to 60 days, 0.2 % due within a week, the rest due
in the next three years) and an alert history of N / 5 sent alerts. Run alone:
`.venv/bin/python benchmarks/federal.py [N ...]`.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
ROADMAP = [PYTHON, "-m", "roadmap"]
NOW = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)  # 11:00 in Vladivostok, a Friday
TODAY = date(2026, 12, 4)


def build_store(path: Path, open_tasks: int, due_share: int = 1) -> str:
    """A SQLite store with the example and `open_tasks` more open tasks (`due_share` times
    the usual share of overdue and soon-due ones); returns its URL."""
    import sqlalchemy as sa

    from roadmap.plan.importer import import_roadmap
    from roadmap.settings import Settings
    from roadmap.store.unit_of_work import init_store

    url = f"sqlite:///{path}"
    settings = Settings(database_url=url)
    init_store(settings)
    import_roadmap(settings, ROOT / "examples" / "primorye.yaml")
    engine = sa.create_engine(url)
    rng = random.Random(open_tasks)
    with engine.begin() as connection:
        strategy = connection.execute(sa.text("SELECT id FROM strategy")).scalar()
        agencies = connection.execute(sa.text("SELECT id, emissary_id FROM agency")).all()
        people = [p for (p,) in connection.execute(sa.text("SELECT id FROM person"))]
        connection.execute(sa.text("UPDATE task SET status = 'accepted'"))
        created = NOW.replace(tzinfo=None)
        batch = []
        for n in range(open_tasks):
            share = n % 1000
            if share < 20 * due_share:  # 2 % overdue
                due = TODAY - timedelta(days=1 + rng.randrange(60))
            elif share < 22 * due_share:  # 0.2 % due within a week
                due = TODAY + timedelta(days=rng.randrange(7))
            else:
                due = TODAY + timedelta(days=30 + rng.randrange(1000))
            agency, emissary = agencies[n % len(agencies)]
            batch.append(
                {
                    "s": strategy,
                    "c": f"F-{n:07d}",
                    "a": agency,
                    "p": emissary,
                    "d": due,
                    "at": created,
                }
            )
            if len(batch) == 50_000:
                _insert_tasks(connection, batch)
                batch = []
        if batch:
            _insert_tasks(connection, batch)
        task_ids = [i for (i,) in connection.execute(sa.text("SELECT id FROM task LIMIT 100000"))]
        alerts = [
            {
                "k": f"hist-{n}",
                "t": task_ids[n % len(task_ids)],
                "p": people[n % len(people)],
                "at": created - timedelta(days=1 + n % 300),
            }
            for n in range(open_tasks // 5)
        ]
        for start in range(0, len(alerts), 50_000):
            connection.execute(
                sa.text(
                    "INSERT INTO alert (dedupe_key, task_id, person_id, kind, level, rung,"
                    " local_date, working_days, status, attempts, next_attempt_at, created_at,"
                    " sent_at) VALUES (:k, :t, :p, 'reminder', 0, 'reminder-7@x',"
                    " :at, 7, 'sent', 1, :at, :at, :at)"
                ),
                alerts[start : start + 50_000],
            )
    engine.dispose()
    return url


def _insert_tasks(connection, batch: list[dict]) -> None:
    import sqlalchemy as sa

    connection.execute(
        sa.text(
            "INSERT INTO task (strategy_id, code, agency_id, assignee_id, title, due_on, status,"
            " created_at) VALUES (:s, :c, :a, :p, 'Поручение', :d, 'open', :at)"
        ),
        batch,
    )


def hand_written_due_rows(url: str) -> tuple[float, int]:
    """The floor: one SQL query for the rows the sweep needs (open tasks due within the
    reminder horizon or overdue, with the people to tell), fetched as tuples."""
    import sqlite3

    from roadmap.calendar import RegionCalendar

    horizon = RegionCalendar("Asia/Vladivostok").add_working_days(TODAY, 7)
    connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    samples, count = [], 0
    for _ in range(5):
        start = time.perf_counter()
        rows = connection.execute(
            "SELECT t.id, t.code, t.due_on, t.assignee_id, a.emissary_id, a.responsible_id,"
            " s.coordinator_id FROM task t JOIN agency a ON a.id = t.agency_id"
            " JOIN strategy s ON s.id = t.strategy_id"
            " WHERE t.status IN ('open', 'returned') AND t.due_on <= ?",
            (horizon.isoformat(),),
        ).fetchall()
        samples.append(time.perf_counter() - start)
        count = len(rows)
    connection.close()
    return statistics.median(samples), count


def sweep_planning(url: str) -> tuple[float, int]:
    from roadmap.alerts.sweep import sweep
    from roadmap.settings import Settings

    settings = Settings(database_url=url)
    samples, planned = [], 0
    for _ in range(3):
        start = time.perf_counter()
        planned = len(sweep(settings, now=NOW, dry_run=True).planned)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), planned


def wall(command: list[str], env: dict[str, str], repeat: int = 5) -> float:
    """Median wall time of a command (benchmarks/run.py's `timed`)."""
    from benchmarks.run import timed

    return timed(command, env, repeat)


def peak_memory_mb(command: list[str], env: dict[str, str]) -> float:
    """Peak resident memory of one run of `command` (a child process of its own)."""
    probe = (
        "import resource, subprocess, sys;"
        "subprocess.run(sys.argv[1:], check=True, capture_output=True);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run(
        [PYTHON, "-c", probe, *command], env=env, check=True, capture_output=True, text=True
    )
    return int(done.stdout.strip()) / 1024


def measure(sizes: list[int], work: Path) -> list[dict]:
    rows: list[dict] = []
    env_base = {**os.environ, "ROADMAP_LOCALE": "ru"}
    python_pass = wall([PYTHON, "-c", "pass"], env_base)
    results = {}
    for size in sizes:
        url = build_store(work / f"federal-{size}.db", size)
        env = {**env_base, "ROADMAP_DATABASE_URL": url}
        floor, due_rows = hand_written_due_rows(url)
        planning, planned = sweep_planning(url)
        results[size] = planning
        rows.append(
            {
                "what": f"sweep planning, {size:,} open tasks ({due_rows:,} due rows, {planned:,} alerts)",
                "value": planning,
                "baseline": "hand-written SQL of the due rows",
                "base": floor,
                "target": 3.0,
            }
        )
        overdue = wall(
            [*ROADMAP, "tasks", "list", "--overdue", "--json", "--now", "2026-12-04T11:00"], env, 3
        )
        rows.append(
            {
                "what": f"`roadmap tasks list --overdue --json`, {size:,} open tasks (s)",
                "value": overdue,
                "baseline": "python -c pass",
                "base": python_pass,
                "target_seconds": 0.5,
            }
        )
        for args in (["--help"], ["regions", "list"]):
            took = wall([*ROADMAP, *args], env)
            rows.append(
                {
                    "what": f"`roadmap {' '.join(args)}`, {size:,} open tasks (s)",
                    "value": took,
                    "baseline": "python -c pass",
                    "base": python_pass,
                    "target_seconds": 0.5,
                }
            )
        memory = peak_memory_mb(
            [*ROADMAP, "sweep", "--dry-run", "--json", "--now", "2026-12-04T11:00"], env
        )
        rows.append(
            {
                "what": f"peak memory of `roadmap sweep --dry-run --json`, {size:,} open tasks (MB)",
                "value": memory,
                "baseline": "target",
                "base": 250.0,
                "target": 1.0,
                "unit": "MB",
            }
        )
        cli = wall([*ROADMAP, "sweep", "--dry-run", "--json", "--now", "2026-12-04T11:00"], env, 1)
        rows.append(
            {
                "what": f"`roadmap sweep --dry-run --json` (planning and the whole report), {size:,} open tasks (s)",
                "value": cli,
                "baseline": "sweep planning in-process",
                "base": planning,
                "target": None,
            }
        )
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        # The same due count in a store a tenth (or so) the size: does the cost follow the
        # due work or the table?
        same = build_store(work / "federal-same-due.db", small, due_share=large // small)
        planning_same, _ = sweep_planning(same)
        rows.append(
            {
                "what": f"sweep planning at {large:,} vs {small:,} open tasks, same due rows",
                "value": results[large],
                "baseline": f"{small:,} open tasks with as many due",
                "base": planning_same,
                "target": 1.5,
            }
        )
        rows.append(
            {
                "what": f"sweep planning at {large:,} vs {small:,} open tasks, same due share",
                "value": results[large],
                "baseline": f"{small:,} open tasks",
                "base": results[small],
                "target": None,
            }
        )
    return rows


def store_with_agencies(path: Path, count: int) -> str:
    """The example with `count` organisations in all (more added with their emissaries)."""
    import sqlalchemy as sa

    from roadmap.plan.importer import import_roadmap
    from roadmap.settings import Settings
    from roadmap.store.unit_of_work import init_store

    url = f"sqlite:///{path}"
    settings = Settings(database_url=url)
    init_store(settings)
    import_roadmap(settings, ROOT / "examples" / "primorye.yaml")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        region = connection.execute(sa.text("SELECT id FROM region")).scalar()
        have = connection.execute(sa.text("SELECT count(*) FROM agency")).scalar()
        for n in range(have, count):
            person = connection.execute(
                sa.text(
                    "INSERT INTO person (region_id, code, name, role, locale)"
                    " VALUES (:r, :c, :n, 'emissary', 'ru') RETURNING id"
                ),
                {"r": region, "c": f"e-bench-{n}", "n": f"Эмиссар {n}"},
            ).scalar()
            connection.execute(
                sa.text(
                    "INSERT INTO agency (region_id, code, name, kind, emissary_id)"
                    " VALUES (:r, :c, :n, 'municipality', :p)"
                ),
                {"r": region, "c": f"mo-{n}", "n": f"Муниципальное образование {n}", "p": person},
            )
    engine.dispose()
    return url


def stage_start_overhead(work: Path, agencies: int = 50) -> list[dict]:
    """Starting stage 1 for a region of `agencies` organisations: the stage flow (a task
    run per organisation, the artifacts, the gate) against the direct service call, both in
    one process after Prefect's temporary server has started (its start is excluded)."""
    from flows.runtime import configure_local_prefect, heartbeats_off

    configure_local_prefect(work / "prefect")
    from flows.stages import stage_flow
    from roadmap.settings import get_settings
    from roadmap.stages.runs import start_stage

    warm = store_with_agencies(work / "warm.db", agencies)
    os.environ["ROADMAP_DATABASE_URL"] = warm
    get_settings.cache_clear()
    with heartbeats_off():
        stage_flow("initiatives", on="2026-12-01", return_state=True)  # starts the server
        direct, flowed = [], []
        for n in range(3):
            url = store_with_agencies(work / f"direct-{n}.db", agencies)
            os.environ["ROADMAP_DATABASE_URL"] = url
            get_settings.cache_clear()
            start = time.perf_counter()
            start_stage(get_settings(), "initiatives", on=TODAY)
            direct.append(time.perf_counter() - start)
            url = store_with_agencies(work / f"flow-{n}.db", agencies)
            os.environ["ROADMAP_DATABASE_URL"] = url
            get_settings.cache_clear()
            start = time.perf_counter()
            stage_flow("initiatives", on="2026-12-04", return_state=True)
            flowed.append(time.perf_counter() - start)
    return [
        {
            "what": f"stage start for {agencies} organisations through Prefect (a task run each, artifacts, gate)",
            "value": statistics.median(flowed),
            "baseline": "the direct service call",
            "base": statistics.median(direct),
            "target": None,
        }
    ]


def table(rows: list[dict]) -> str:
    lines = [
        "| what | measured | baseline | baseline value | ratio | target | met |",
        "|---|---:|---|---:|---:|---|---|",
    ]
    for row in rows:
        ratio = row["value"] / row["base"] if row["base"] else float("inf")
        if "target_seconds" in row:
            target, met = f"< {row['target_seconds']} s", row["value"] < row["target_seconds"]
        elif row.get("target") is None:
            target, met = "(see note)", None
        else:
            target, met = f"≤ {row['target']}×", ratio <= row["target"]
        unit = row.get("unit", "s")
        lines.append(
            f"| {row['what']} | {row['value']:.3f} {unit} | {row['baseline']} |"
            f" {row['base']:.3f} | {ratio:.1f}× | {target} |"
            f" {'' if met is None else ('yes' if met else '**no**')} |"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    import tempfile

    sizes = [int(a) for a in argv] or [100_000, 1_000_000]
    with tempfile.TemporaryDirectory() as tmp:
        rows = measure(sizes, Path(tmp))
        rows += stage_start_overhead(Path(tmp))
    print(table(rows))
    print(json.dumps({"sizes": sizes, "measured": datetime.now(UTC).isoformat()}))


if __name__ == "__main__":
    main(sys.argv[1:])

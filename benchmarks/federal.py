"""Federal-scale figures for `make bench`, each side by side with its baseline in the same
run, on SQLite and (when a server answers) PostgreSQL; the table goes into
docs/benchmarks.md with the machine and the date.

- The sweep over the synthetic federal dataset (benchmarks/dataset.py: 85 regions in their
  time zones, loaded through the product's import) at 100,000 and 1,000,000 open tasks,
  against a hand-written SQL query selecting the same rows; its peak memory; the largest
  size against the smallest with as many due rows.
- One region holding every task (the Primorye example with tasks added by a bulk insert):
  the sweep against the same rows by hand, and each command's start
  (benchmarks/cli_start.py) against `python -c pass`.
- A stage start through Prefect (benchmarks/stage_start.py), the import of 100,000 tasks
  from CSV (benchmarks/bulk_import.py) and the dispatch to a loopback HTTP sink
  (benchmarks/dispatch.py).

Run alone: `.venv/bin/python benchmarks/federal.py [N ...] [--sqlite-only]`.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
ROADMAP = [PYTHON, "-m", "roadmap"]
NOW = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)  # 11:00 in Vladivostok, a Friday
TODAY = date(2026, 12, 4)


def add_municipalities(
    connection: Any, *, extra: int = 0, total: int | None = None, responsible: bool = False
) -> None:
    """`extra` more organisations (municipalities) in the store's one region, or as many as
    make `total` in all, an emissary each; with `responsible`, the example's first
    responsible official answers for them too."""
    import sqlalchemy as sa

    region = connection.execute(sa.text("SELECT id FROM region")).scalar()
    have = connection.execute(sa.text("SELECT count(*) FROM agency")).scalar()
    official = (
        connection.execute(
            sa.text("SELECT responsible_id FROM agency WHERE responsible_id IS NOT NULL")
        ).scalar()
        if responsible
        else None
    )
    for n in range(have, total if total is not None else have + extra):
        person = connection.execute(
            sa.text(
                "INSERT INTO person (region_id, code, name, role, locale)"
                " VALUES (:r, :c, :n, 'emissary', 'ru') RETURNING id"
            ),
            {"r": region, "c": f"e-bench-{n}", "n": f"Эмиссар {n}"},
        ).scalar()
        connection.execute(
            sa.text(
                "INSERT INTO agency (region_id, code, name, kind, emissary_id, responsible_id)"
                " VALUES (:r, :c, :n, 'municipality', :p, :o)"
            ),
            {
                "r": region,
                "c": f"mo-{n}",
                "n": f"Муниципальное образование {n}",
                "p": person,
                "o": official,
            },
        )


def build_store(
    url: str,
    open_tasks: int,
    due_share: int = 1,
    *,
    extra_agencies: int = 0,
    history: bool = True,
) -> str:
    """A store at `url` with the example and `open_tasks` more open tasks (`due_share` times
    the usual share of overdue and soon-due ones), spread over the example's organisations
    and `extra_agencies` more (benchmarks/dispatch.py), and with `history`, N / 5 sent
    alerts; returns its URL."""
    import sqlalchemy as sa

    from roadmap.plan.importer import import_roadmap
    from roadmap.settings import Settings
    from roadmap.store.unit_of_work import init_store

    settings = Settings(database_url=url)
    init_store(settings)
    import_roadmap(settings, ROOT / "examples" / "primorye.yaml")
    engine = sa.create_engine(url)
    rng = random.Random(open_tasks)
    with engine.begin() as connection:
        add_municipalities(connection, extra=extra_agencies, responsible=True)
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
            for n in range(open_tasks // 5 if history else 0)
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


def hand_written_due_rows(url: str, now: datetime = NOW) -> tuple[float, int]:
    """The floor: for the regions the sweep covers at `now` (grouped as the sweep groups
    them: by local date, ladder and calendar), one hand-written SQL query per group
    selecting the same rows the sweep selects (open tasks due on a date a rung falls on
    today, or past an escalation threshold with none planned yet, with the people to tell),
    fetched as tuples through the driver. The dates come from the ladder's rules, worked
    out before the clock starts."""
    import sqlalchemy as sa

    from roadmap.alerts.config import ladder_for
    from roadmap.alerts.rules import DayRungs, in_window
    from roadmap.calendar import RegionCalendar
    from roadmap.config import calendar_overrides
    from roadmap.settings import Settings

    settings = Settings(database_url=url)
    engine = sa.create_engine(url)
    mark = "?" if engine.dialect.name == "sqlite" else "%s"
    queries = []
    with engine.connect() as connection:
        regions = connection.execute(sa.text("SELECT id, code, timezone FROM region")).all()
        oldest = connection.execute(
            sa.text("SELECT min(due_on) FROM task WHERE status IN ('open', 'returned')")
        ).scalar()
    if isinstance(oldest, str):
        oldest = date.fromisoformat(oldest)
    groups: dict[tuple, list[int]] = {}
    calendars = {}
    for region_id, code, timezone in regions:
        calendar = RegionCalendar(timezone, *calendar_overrides(settings, code))
        ladder = ladder_for(settings, code)
        if oldest is None or not in_window(calendar, ladder, now):
            continue
        # Regions with the same local date, ladder and calendar: one query (as the sweep).
        key = (calendar.days_off, calendar.working_days, calendar.local_date(now), ladder)
        groups.setdefault(key, []).append(region_id)
        calendars[key] = calendar
    for key, region_ids in groups.items():
        _, _, today, ladder = key
        calendar = calendars[key]
        horizon = calendar.add_working_days(today, max(ladder.reminders) + 1) - timedelta(1)
        days = {
            oldest + timedelta(n): DayRungs.of(calendar, ladder, today, oldest + timedelta(n))
            for n in range((horizon - oldest).days + 1)
        }
        scheduled = [d for d, rungs in days.items() if rungs.by_schedule]
        past = [
            max(
                (
                    d
                    for d, rungs in days.items()
                    if any(e.level == level for e in rungs.escalations)
                ),
                default=oldest - timedelta(1),
            )
            for level in (1, 2)
        ]
        sql = (
            "SELECT t.id, t.code, t.due_on, t.assignee_id, a.responsible_id, a.emissary_id,"
            " s.coordinator_id FROM task t JOIN strategy s ON s.id = t.strategy_id"
            " JOIN agency a ON a.id = t.agency_id"
            f" WHERE s.region_id IN ({', '.join([mark] * len(region_ids))})"
            " AND t.status IN ('open', 'returned')"
            f" AND t.due_on <= {mark} AND (t.due_on IN ({', '.join([mark] * len(scheduled))})"
            + "".join(
                f" OR (t.due_on <= {mark} AND NOT EXISTS (SELECT 1 FROM alert x"
                f" WHERE x.task_id = t.id AND x.rung LIKE 'escalation-{level}@'"
                " || CAST(t.due_on AS VARCHAR)"
                " || '#%%'))"
                for level in (1, 2)
            )
            + ")"
        )
        params = (*region_ids, horizon, *scheduled, *past)
        if mark == "?":
            sql = sql.replace("%%", "%")
            params = tuple(p.isoformat() if isinstance(p, date) else p for p in params)
        queries.append((sql, params))
    raw = engine.raw_connection()
    samples, count = [], 0
    try:
        for _ in range(5):
            cursor = raw.cursor()
            start = time.perf_counter()
            count = 0
            for sql, params in queries:
                cursor.execute(sql, params)
                count += len(cursor.fetchall())
            samples.append(time.perf_counter() - start)
            cursor.close()
    finally:
        raw.close()
        engine.dispose()
    return statistics.median(samples), count


def sweep_planning(url: str, now: datetime = NOW) -> tuple[float, int]:
    """The sweep's planning in-process (`sweep --dry-run`), after one untimed run."""
    from roadmap.alerts.sweep import sweep
    from roadmap.settings import Settings

    settings = Settings(database_url=url)
    sweep(settings, now=now, dry_run=True)
    samples, planned = [], 0
    for _ in range(5):
        start = time.perf_counter()
        planned = len(sweep(settings, now=now, dry_run=True).planned)
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
        "done = subprocess.run(sys.argv[1:], capture_output=True);"
        "sys.stderr.write(done.stderr.decode()[-4000:]);"
        "done.check_returncode();"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run([PYTHON, "-c", probe, *command], env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr}")
    return int(done.stdout.strip()) / 1024


class Stores:
    """Where the benchmark's stores live: SQLite files in the work folder, or schemas of
    their own in a PostgreSQL database (dropped at the end)."""

    def __init__(self, backend: str, work: Path, postgres_url: str | None = None):
        self.backend, self.work, self.postgres_url = backend, work, postgres_url
        self.schemas: list[str] = []

    def url(self, name: str) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.work / (name + '.db')}"
        import sqlalchemy as sa

        schema = f"bench_{name.replace('-', '_')}_{os.getpid()}"
        engine = sa.create_engine(self.postgres_url)
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        self.schemas.append(schema)
        url = sa.engine.make_url(self.postgres_url)
        return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )

    def close(self) -> None:
        if not self.schemas:
            return
        import sqlalchemy as sa

        engine = sa.create_engine(self.postgres_url)
        with engine.begin() as connection:
            for schema in self.schemas:
                connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def postgres_url() -> str | None:
    """PostgreSQL for the benchmarks: ROADMAP_BENCH_POSTGRES_URL, else the test server's
    URL, else the local server when it answers; None when there is none."""
    import socket

    url = os.environ.get("ROADMAP_BENCH_POSTGRES_URL") or os.environ.get(
        "ROADMAP_TEST_POSTGRES_URL"
    )
    if url:
        return url
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=2).close()
    except OSError:
        return None
    return "postgresql+psycopg://postgres@127.0.0.1:5432/test"


FEDERAL_NOW = datetime(2026, 12, 4, 7, 0, tzinfo=UTC)  # a Friday: 09:00 in Kaliningrad,
# 10:00 in Moscow, 17:00 in Vladivostok; Magadan and Kamchatka are past their window.


def settled(url: str, now: datetime = FEDERAL_NOW) -> str:
    """A store as a day of use leaves it: the indicators' report tasks of the current
    periods made (the previous day's sweep made them; a dry-run sweep measured on a store
    without them would make and roll them back every time), and on PostgreSQL
    `VACUUM ANALYZE` after the bulk load, as autovacuum does within a minute or so of one:
    the planner's statistics and the visibility map (index-only counts) of a store in use,
    not of one loaded a second ago."""
    import sqlalchemy as sa
    from sqlmodel import select

    from roadmap.plan.indicator_tasks import ensure_indicator_tasks_in_regions
    from roadmap.settings import Settings
    from roadmap.store.models import Region
    from roadmap.store.unit_of_work import open_store

    settings = Settings(database_url=url)
    store = open_store(settings)
    try:
        with store.session() as session:
            regions = list(session.exec(select(Region)))
            ensure_indicator_tasks_in_regions(session, settings, regions, now)
            session.commit()
    finally:
        store.dispose()
    if not url.startswith("postgresql"):
        return url
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text("VACUUM ANALYZE"))
    engine.dispose()
    return url


def federal_store(stores: Stores, name: str, open_tasks: int, due_share: int = 1) -> str:
    """The synthetic federal dataset (benchmarks/dataset.py): 85 regions in their time
    zones, loaded through the product's import, with `open_tasks` open tasks and an alert
    history of a fifth as many sent alerts."""
    from benchmarks.dataset import generate

    url = stores.url(name)
    built = generate(
        url, open_tasks=open_tasks, alerts=open_tasks // 5, now=FEDERAL_NOW, due_share=due_share
    )
    print(
        f"  {name}: {built.regions} regions, {built.open_tasks:,} open tasks"
        f" ({built.overdue_tasks:,} overdue), built in {built.seconds:.0f} s",
        flush=True,
    )
    return settled(url)


def measure_sweep(stores: Stores, sizes: list[int]) -> list[dict]:
    """The sweep over the federal dataset at each size: planning against the hand-written
    SQL of the same rows, its peak memory, and the cost at the largest size against the
    smallest with as many due rows."""
    backend = stores.backend
    rows: list[dict] = []
    planning_at: dict[int, float] = {}
    moment = FEDERAL_NOW.isoformat()
    for size in sizes:
        url = federal_store(stores, f"federal-{size}", size)
        floor, due_rows = hand_written_due_rows(url, FEDERAL_NOW)
        planning, planned = sweep_planning(url, FEDERAL_NOW)
        planning_at[size] = planning
        rows.append(
            {
                "what": f"{backend}: sweep planning, 85 regions, {size:,} open tasks"
                f" ({due_rows:,} due rows, {planned:,} alerts)",
                "value": planning,
                "baseline": "hand-written SQL of the same rows",
                "base": floor,
                "target": 3.0,
            }
        )
        env = {**os.environ, "ROADMAP_DATABASE_URL": url, "ROADMAP_LOCALE": "ru"}
        command = [*ROADMAP, "sweep", "--dry-run", "--json", "--now", moment]
        rows.append(
            {
                "what": f"{backend}: peak memory of `roadmap sweep --dry-run --json`,"
                f" {size:,} open tasks (MB)",
                "value": peak_memory_mb(command, env),
                "baseline": "target",
                "base": 250.0,
                "target": 1.0,
                "unit": "MB",
            }
        )
        rows.append(
            {
                "what": f"{backend}: `roadmap sweep --dry-run --json` (start, planning and"
                f" the whole report), {size:,} open tasks",
                "value": wall(command, env, 3),
                "baseline": "sweep planning in-process",
                "base": planning,
                "target": None,
            }
        )
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        # As many due rows in a store a tenth the size: does the cost follow the due work
        # or the table?
        same = federal_store(stores, "federal-same-due", small, due_share=large // small)
        planning_same, _ = sweep_planning(same, FEDERAL_NOW)
        rows.append(
            {
                "what": f"{backend}: sweep planning at {large:,} vs {small:,} open tasks,"
                " same due rows",
                "value": planning_at[large],
                "baseline": f"{small:,} open tasks with as many due",
                "base": planning_same,
                "target": 1.5,
            }
        )
    return rows


def measure_one_region(stores: Stores, size: int) -> list[dict]:
    """The worst case of a region's own commands: one region holding all `size` open
    tasks (the example with tasks added by a bulk insert): the sweep against the same
    rows by hand, and each command's start (benchmarks/cli_start.py)."""
    from benchmarks.cli_start import rows as command_rows

    backend = stores.backend
    url = settled(build_store(stores.url(f"one-region-{size}"), size))
    floor, due_rows = hand_written_due_rows(url, NOW)
    planning, planned = sweep_planning(url, NOW)
    rows = [
        {
            "what": f"{backend}: sweep planning, one region of {size:,} open tasks"
            f" ({due_rows:,} due rows, {planned:,} alerts)",
            "value": planning,
            "baseline": "hand-written SQL of the same rows",
            "base": floor,
            "target": 3.0,
        }
    ]
    for row in command_rows(url, f", one region of {size:,} open tasks"):
        rows.append(row | {"what": f"{backend}: {row['what']}"})
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| what | measured | baseline | baseline value | ratio | target | met |",
        "|---|---:|---|---:|---:|---|---|",
    ]
    for row in rows:
        ratio = row["value"] / row["base"] if row["base"] else float("inf")
        if "target_seconds" in row:
            target, met = f"< {row['target_seconds']} s", row["value"] < row["target_seconds"]
        elif row.get("target_min") is not None:  # higher is better (a throughput)
            target, met = f"≥ {row['target_min']}×", ratio >= row["target_min"]
        elif row.get("target") is None:
            target, met = "(see note)", None
        else:
            target, met = f"≤ {row['target']}×", ratio <= row["target"]
        unit = row.get("unit", "s")
        lines.append(
            f"| {row['what']} | {row['value']:.3f} {unit} | {row['baseline']} |"
            f" {row['base']:.3f} | {ratio:.2f}× | {target} |"
            f" {'' if met is None else ('yes' if met else '**no**')} |"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    """`make bench`'s federal part: every figure of the federal rollout on SQLite and (when
    a server answers) PostgreSQL, then the import, dispatch and stage-start figures; the
    table is printed and written into docs/benchmarks.md."""
    import platform
    import tempfile

    from benchmarks import bulk_import, dispatch, stage_start

    sizes = [int(a) for a in argv if a.isdigit()] or [100_000, 1_000_000]
    backends = ["sqlite"]
    postgres = postgres_url()
    if postgres and "--sqlite-only" not in argv:
        backends.append("postgresql")
    rows: list[dict] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for backend in backends:
            stores = Stores(backend, work, postgres)
            try:
                print(f"{backend}: the sweep over the federal dataset", flush=True)
                rows += measure_sweep(stores, sizes)
                print(f"{backend}: one region of {sizes[-1]:,} open tasks", flush=True)
                rows += measure_one_region(stores, sizes[-1])
                print(f"{backend}: a stage start through Prefect", flush=True)
                rows += stage_start.stage_start_overhead(
                    work / f"stage-{backend}", store_url=stores.url, backend=backend
                )
            finally:
                stores.close()
        print("import of 100,000 tasks from CSV", flush=True)
        rows += bulk_import.measure(100_000)
        print("dispatch to a loopback HTTP sink", flush=True)
        rows += dispatch.measure()
    text = table(rows)
    print(text)
    cores = os.cpu_count()
    heading = (
        f"## Federal scale: {datetime.now(UTC):%Y-%m-%d}, {cores} cores,"
        f" {platform.python_implementation()} {platform.python_version()},"
        f" {' and '.join(backends)} (`make bench`, {time.perf_counter() - started:.0f} s)"
    )
    write_docs(heading, text)


BEGIN, END = "<!-- federal: begin (make bench writes this) -->", "<!-- federal: end -->"


def write_docs(heading: str, text: str) -> None:
    """Replace the generated section of docs/benchmarks.md with this run."""
    path = ROOT / "docs" / "benchmarks.md"
    current = path.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{heading}\n\n{text}\n{END}"
    if BEGIN in current and END in current:
        head, rest = current.split(BEGIN, 1)
        current = head + block + rest.split(END, 1)[1]
    else:
        current = current.rstrip() + "\n\n" + block + "\n"
    path.write_text(current, encoding="utf-8")
    print(f"docs/benchmarks.md: {heading}")


if __name__ == "__main__":
    main(sys.argv[1:])

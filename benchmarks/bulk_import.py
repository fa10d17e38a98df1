"""Bulk task import for `make bench`: `roadmap import tasks.csv` of N tasks against a raw
bulk insert of the same rows, measured in the same run.

The store holds the Primorye example (examples/primorye.yaml). The file is a task list as
an office saves it (`;`, UTF-8 with a BOM; code, agency, title, due, stage, status), due
dates on working days spread over the next three years. Measured, each in a child process
of its own on a fresh copy of the store (median of `repeat` runs):

- `roadmap import tasks.csv`: wall time and peak resident memory of the process;
- the floor: a raw loader in a child process that reads the same file with `csv`, resolves
  the agency codes through one dict and inserts the rows with `sqlite3`'s `executemany`
  into the store's own `task` table (the same indexes and unique constraints), one commit;
- a re-import of the same file (nothing changes) against the same floor.

Run alone: `.venv/bin/python benchmarks/bulk_import.py [N]` (default 100,000).
"""

from __future__ import annotations

import csv
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
ROADMAP = [PYTHON, "-m", "roadmap"]
TODAY = date(2026, 12, 4)
TARGET = 3.0  # the import at most 3× the raw bulk insert
MEMORY_TARGET_MB = 250.0

TITLES = (
    "Представить перечень инициатив на {year} год с паспортами проектов",
    "Уточнить источники финансирования инициативы {code}",
    "Актуализировать план-график перевода информационных систем на ГосТех",
    "Подготовить отчёт о достижении показателя «{code}» за {year} год",
    "Согласовать техническое задание на модернизацию {code}",
    "Перевести услугу «{code}» в электронный вид на ЕПГУ",
    "Провести интервью с заявителями по гипотезе {code}",
    "Направить предложения в проект изменений стратегии на {year} год",
)
STAGES = ("", "", "initiatives", "analysis", "architecture_review", "drafting")


def example_store(path: Path) -> str:
    """A migrated SQLite store with the Primorye example; returns its URL."""
    from roadmap.plan.importer import import_roadmap
    from roadmap.settings import Settings
    from roadmap.store.unit_of_work import init_store

    url = f"sqlite:///{path}"
    settings = Settings(database_url=url)
    init_store(settings)
    import_roadmap(settings, ROOT / "examples" / "primorye.yaml")
    return url


def write_tasks_csv(
    path: Path,
    count: int,
    agencies: list[str],
    *,
    today: date = TODAY,
    seed: int = 0,
    prefix: str = "B",
    timezone: str = "Asia/Vladivostok",
) -> Path:
    """A task list of `count` rows as an office saves it (`;`, UTF-8 with a BOM): codes
    `{prefix}-0000001`…, agencies in turn, due dates on working days (2 % overdue, 0.2 %
    within a week, the rest in the next three years)."""
    from roadmap.calendar import RegionCalendar

    calendar = RegionCalendar(timezone)
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["code", "agency", "title", "due", "stage", "status"])
        for n in range(count):
            share = n % 1000
            if share < 20:
                due = today - timedelta(days=1 + rng.randrange(60))
            elif share < 22:
                due = today + timedelta(days=rng.randrange(7))
            else:
                due = today + timedelta(days=30 + rng.randrange(1000))
            due = calendar.next_working_day(due)
            title = TITLES[n % len(TITLES)].format(year=2027 + n % 4, code=f"X-{n % 97:02d}")
            code, agency, stage = f"{prefix}-{n:07d}", agencies[n % len(agencies)], STAGES[n % 6]
            writer.writerow([code, agency, title, due.isoformat(), stage, "open"])
    return path


# The floor: what a hand-written loader does with the same file and the same table.
RAW_LOADER = r"""
import csv, sqlite3, sys
from datetime import datetime, timezone
db, path = sys.argv[1], sys.argv[2]
connection = sqlite3.connect(db)
strategy = connection.execute("SELECT id FROM strategy").fetchone()[0]
agencies = {code: (id_, emissary) for id_, code, emissary in
            connection.execute("SELECT id, code, emissary_id FROM agency")}
now = datetime.now(timezone.utc).replace(tzinfo=None).isoformat(sep=" ")
with open(path, encoding="utf-8-sig", newline="") as handle:
    reader = csv.reader(handle, delimiter=";")
    next(reader)
    rows = []
    for code, agency, title, due, stage, status in reader:
        agency_id, emissary = agencies[agency]
        rows.append((strategy, code, agency_id, emissary, title, due, stage or None, status, now))
connection.executemany(
    "INSERT INTO task (strategy_id, code, agency_id, assignee_id, title, due_on, stage,"
    " status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    rows,
)
connection.commit()
print(connection.execute("SELECT count(*) FROM task").fetchone()[0])
"""

# Wall time and peak memory of one child process (a probe of its own, so that the peak
# is that child's alone).
PROBE = (
    "import resource, subprocess, sys, time;"
    "start = time.perf_counter();"
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
    "took = time.perf_counter() - start;"
    "sys.stderr.write(done.stderr[-2000:]);"
    "print(done.returncode, took, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def probe(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time (s) and peak resident memory (MB) of one run of `command`."""
    done = subprocess.run(
        [PYTHON, "-c", PROBE, *command], env=env, capture_output=True, text=True, check=True
    )
    code, took, rss = done.stdout.split()
    if code != "0":
        raise RuntimeError(f"{' '.join(command)} failed ({code}): {done.stderr}")
    return float(took), int(rss) / 1024


def measure(count: int = 100_000, repeat: int = 3, work: Path | None = None) -> list[dict]:
    """The rows for federal.py's `table()`: the import against the raw insert, its peak
    memory, and a re-import that changes nothing."""
    with tempfile.TemporaryDirectory() as tmp:
        return _measure(count, repeat, Path(work or tmp))


def _measure(count: int, repeat: int, work: Path) -> list[dict]:
    import sqlite3

    template = work / "template.db"
    example_store(template)
    with sqlite3.connect(template) as connection:
        agencies = [code for (code,) in connection.execute("SELECT code FROM agency ORDER BY id")]
    path = write_tasks_csv(work / "tasks.csv", count, agencies)
    env = {**os.environ, "ROADMAP_LOCALE": "ru"}
    imports, memories, floors, reimports, refloors = [], [], [], [], []
    for n in range(repeat):
        store = work / f"import-{n}.db"
        shutil.copy(template, store)
        env["ROADMAP_DATABASE_URL"] = f"sqlite:///{store}"
        took, memory = probe([*ROADMAP, "import", str(path)], env)
        imports.append(took)
        memories.append(memory)
        took, _ = probe([*ROADMAP, "import", str(path)], env)
        reimports.append(took)
        raw = work / f"raw-{n}.db"
        shutil.copy(template, raw)
        took, _ = probe([PYTHON, "-c", RAW_LOADER, str(raw), str(path)], env)
        floors.append(took)
        # The floor of a re-import: the same loader finds every row there (INSERT OR IGNORE).
        again = RAW_LOADER.replace("INSERT INTO", "INSERT OR IGNORE INTO")
        took, _ = probe([PYTHON, "-c", again, str(raw), str(path)], env)
        refloors.append(took)
        _check_imported(store, count)
    floor = statistics.median(floors)
    return [
        {
            "what": f"`roadmap import tasks.csv`, {count:,} tasks into the example store",
            "value": statistics.median(imports),
            "baseline": "raw loader: csv + sqlite3 executemany into the indexed task table",
            "base": floor,
            "target": TARGET,
        },
        {
            "what": f"re-import of the same {count:,} tasks (nothing changes)",
            "value": statistics.median(reimports),
            "baseline": "raw loader, every row already there (INSERT OR IGNORE)",
            "base": statistics.median(refloors),
            "target": TARGET,
        },
        {
            "what": f"peak memory of `roadmap import tasks.csv`, {count:,} tasks (MB)",
            "value": max(memories),
            "baseline": "target",
            "base": MEMORY_TARGET_MB,
            "target": 1.0,
            "unit": "MB",
        },
    ]


def _check_imported(store: Path, count: int) -> None:
    import sqlite3

    with sqlite3.connect(store) as connection:
        have = connection.execute("SELECT count(*) FROM task WHERE code LIKE 'B-%'").fetchone()[0]
    if have != count:
        raise RuntimeError(f"the import left {have} of {count} tasks")


def main(argv: list[str]) -> None:
    from benchmarks.federal import table

    count = int(argv[0]) if argv else 100_000
    print(table(measure(count)))


if __name__ == "__main__":
    main(sys.argv[1:])

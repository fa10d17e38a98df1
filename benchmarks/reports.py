"""The reports at scale for `make bench`: one region with 100,000 tasks and 10,000 budget
lines, on SQLite and (when a server answers, as for benchmarks/federal.py) PostgreSQL.

Each report is timed in-process on an open session, after one untimed run, against a
hand-written SQL GROUP BY of the same rows through the driver (the floor: the aggregation
alone, fetched as tuples). The report's figure includes everything it does besides: its
other queries (totals, the note on dropped initiatives, the charts' groupings), the region's
strategy and calendar, and building the rows. Target: at most 3× the floor.

- `budget_report` by sector, source and year over the 10,000 budget lines;
- `progress_report` (tasks by stage, organisation and status, overdue) over the 100,000
  tasks, where the installed version has it;
- one emissary's calendar feed (`roadmap calendar`: every open task of their organisation,
  serialised as iCalendar), against the SQL selecting the same rows: no target, the figure
  says what publishing a feed costs.

The store goes in through the product's paths: the roadmap (initiatives and budget) as a
generated roadmap file through the import, the tasks as a task list through the bulk
import; then a share of the tasks is moved to other statuses with one UPDATE (no product
path changes 70,000 statuses at once). The table goes into docs/benchmarks.md between its
own markers, beside the federal section.

Run alone: `.venv/bin/python benchmarks/reports.py [--sqlite-only] [--quick]`.
"""

from __future__ import annotations

import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.federal import Stores, postgres_url, settled, table  # noqa: E402

TASKS = 100_000
BUDGET_LINES = 10_000
REGION = ("PRI", "Приморский край", "Asia/Vladivostok")
NOW = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)  # 11:00 in Vladivostok
TODAY = date(2026, 12, 4)
EMISSARY = "e-minzdrav"
REPEAT = 7
BEGIN, END = "<!-- reports: begin (make bench writes this) -->", "<!-- reports: end -->"
EXCLUDED = ("dropped",)  # roadmap.plan.money.EXCLUDED_STATUSES, as the report reads them


def roadmap_document(rng: random.Random) -> dict[str, Any]:
    """The region's roadmap file with its initiatives copied (H-01, H-01-002, …) until the
    budget has BUDGET_LINES lines."""
    from benchmarks.dataset import region_roadmap

    document = region_roadmap(*REGION, rng)
    base_initiatives, base_budget = document["initiatives"], document["budget"]
    initiatives, budget = list(base_initiatives), list(base_budget)
    copy = 1
    while len(budget) < BUDGET_LINES:
        copy += 1
        for initiative in base_initiatives:
            code = f"{initiative['code']}-{copy:03d}"
            status = "dropped" if copy % 20 == 0 else initiative["status"]
            initiatives.append(initiative | {"code": code, "status": status})
            budget += [
                line | {"initiative": code}
                for line in base_budget
                if line["initiative"] == initiative["code"]
            ]
    budget = budget[:BUDGET_LINES]
    used = {line["initiative"] for line in budget}
    document["initiatives"] = [i for i in initiatives if i["code"] in used]
    document["budget"] = budget
    return document


def build(url: str) -> str:
    """The store: the generated roadmap and TASKS tasks through the product's imports,
    then 30 % of the tasks submitted, 30 % accepted, 5 % returned, 5 % cancelled."""
    import sqlalchemy as sa
    from ruamel.yaml import YAML

    from benchmarks.dataset import write_task_list
    from roadmap.calendar import RegionCalendar
    from roadmap.plan.importer import import_roadmap
    from roadmap.settings import Settings
    from roadmap.store.unit_of_work import init_store

    started = time.perf_counter()
    rng = random.Random(0)
    settings = Settings(database_url=url)
    init_store(settings)
    yaml = YAML(typ="safe")
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    document = roadmap_document(rng)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "region.yaml"
        with path.open("w", encoding="utf-8") as handle:
            yaml.dump(document, handle)
        report = import_roadmap(settings, path)
        assert report.changes["budget"].created == BUDGET_LINES, report.summary()
        tasks = Path(tmp) / "tasks.csv"
        write_task_list(
            tasks,
            0,
            TASKS,
            [a["code"] for a in document["agencies"]],
            calendar=RegionCalendar(REGION[2]),
            today=TODAY,
            rng=rng,
        )
        report = import_roadmap(settings, tasks, region_code=REGION[0])
        assert report.changes["tasks"].created == TASKS, report.summary()
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "UPDATE task SET status = CASE"
                " WHEN id % 20 < 6 THEN 'submitted' WHEN id % 20 < 12 THEN 'accepted'"
                " WHEN id % 20 = 12 THEN 'returned' WHEN id % 20 = 13 THEN 'cancelled'"
                " ELSE status END"
            )
        )
    engine.dispose()
    print(
        f"  {len(document['initiatives'])} initiatives, {BUDGET_LINES:,} budget lines,"
        f" {TASKS:,} tasks, built in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return settled(url)


def median_time(run: Callable[[], Any], repeat: int = REPEAT) -> tuple[float, Any]:
    """Median seconds of `run()` after one untimed call, and its last result."""
    result = run()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), result


def raw_sql(url: str, sql: str, params: tuple[Any, ...]) -> tuple[float, int]:
    """The floor: `sql` through the driver (placeholders `?`, `%s` on PostgreSQL), all rows
    fetched as tuples; median seconds and the row count."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    if engine.dialect.name != "sqlite":
        sql = sql.replace("?", "%s")
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()

        def run() -> int:
            cursor.execute(sql, params)
            return len(cursor.fetchall())

        return median_time(run)
    finally:
        raw.close()
        engine.dispose()


def ids(url: str) -> dict[str, int]:
    """The region's strategy and the emissary's person and organisation ids."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        strategy = connection.execute(sa.text("SELECT id FROM strategy")).scalar_one()
        person = connection.execute(
            sa.text("SELECT id FROM person WHERE code = :c"), {"c": EMISSARY}
        ).scalar_one()
    engine.dispose()
    return {"strategy": strategy, "person": person}


BUDGET_SQL = (
    "SELECT s.code, s.name, b.source, b.year, sum(b.planned_kopecks),"
    " sum(coalesce(b.actual_kopecks, 0)), count(DISTINCT b.initiative_id)"
    " FROM budget_line b JOIN initiative i ON i.id = b.initiative_id"
    " JOIN sector s ON s.id = i.sector_id"
    " WHERE i.strategy_id = ? AND i.status NOT IN (?)"
    " GROUP BY s.code, s.name, b.source, b.year ORDER BY s.code, s.name, b.source, b.year"
)
PROGRESS_SQL = (
    "SELECT stage, agency_id, status, count(*),"
    " sum(CASE WHEN status IN ('open', 'returned') AND due_on < ? THEN 1 ELSE 0 END)"
    " FROM task WHERE strategy_id = ? GROUP BY stage, agency_id, status"
)
FEED_SQL = (
    "SELECT t.code, t.title, t.due_on, t.status, t.stage, t.template, a.code, a.name, p.name,"
    " (SELECT count(*) FROM task_event e WHERE e.task_id = t.id)"
    " FROM task t JOIN agency a ON a.id = t.agency_id"
    " LEFT JOIN person p ON p.id = coalesce(t.assignee_id, a.emissary_id)"
    " WHERE t.strategy_id = ? AND t.status IN ('open', 'returned')"
    " AND (coalesce(t.assignee_id, a.emissary_id) = ? OR a.responsible_id = ?)"
    " ORDER BY t.due_on, t.code"
)


def in_session(url: str, body: Callable[[Any, Any], Any]) -> Any:
    from roadmap.settings import Settings
    from roadmap.store.unit_of_work import region_session

    with region_session(Settings(database_url=url), REGION[0]) as (session, region):
        return body(session, region)


def measure(stores: Stores) -> list[dict]:
    from roadmap.reports.budget import budget_report
    from roadmap.reports.calendar_feed import calendar_feed

    backend = stores.backend
    print(f"{backend}: reports over {TASKS:,} tasks and {BUDGET_LINES:,} budget lines", flush=True)
    url = build(stores.url("reports"))
    known = ids(url)
    day = TODAY if backend != "sqlite" else TODAY.isoformat()
    rows = []

    grouping = ("sector", "source", "year")
    floor, groups = raw_sql(url, BUDGET_SQL, (known["strategy"], *EXCLUDED))
    seconds, report = in_session(
        url,
        lambda session, region: median_time(
            # As the terminal, --json, --csv and --xlsx get it; --html adds its charts' query.
            lambda: budget_report(session, region, grouping=grouping, now=NOW, charts=False)
        ),
    )
    assert len(report.rows) == groups, (len(report.rows), groups)
    rows.append(
        {
            "what": f"{backend}: `report budget --by sector,source,year`, {BUDGET_LINES:,}"
            f" budget lines ({groups:,} rows)",
            "value": seconds,
            "baseline": "hand-written SQL GROUP BY of the same rows",
            "base": floor,
            "target": 3.0,
        }
    )

    try:
        from roadmap.reports.progress import progress_report
    except ImportError:
        progress_report = None
    if progress_report is not None:
        floor, groups = raw_sql(url, PROGRESS_SQL, (day, known["strategy"]))
        seconds, report = in_session(
            url,
            lambda session, region: median_time(lambda: progress_report(session, region, now=NOW)),
        )
        rows.append(
            {
                "what": f"{backend}: `report progress`, {TASKS:,} tasks ({groups:,} groups,"
                f" {len(report.rows):,} rows)",
                "value": seconds,
                "baseline": "hand-written SQL GROUP BY of the same rows",
                "base": floor,
                "target": 3.0,
            }
        )

    floor, events = raw_sql(url, FEED_SQL, (known["strategy"], known["person"], known["person"]))
    seconds, feed = in_session(
        url,
        lambda session, region: median_time(
            lambda: calendar_feed(session, region, EMISSARY, now=NOW).to_ical(), repeat=3
        ),
    )
    rows.append(
        {
            "what": f"{backend}: `calendar {EMISSARY}` (iCalendar of {events:,} open tasks),"
            f" {TASKS:,} tasks, {len(feed) // 1024:,} KiB",
            "value": seconds,
            "baseline": "hand-written SQL of the same rows",
            "base": floor,
            "target": None,
        }
    )
    return rows


def write_docs(heading: str, text: str) -> None:
    """Replace this benchmark's section of docs/benchmarks.md (between its markers, after
    the federal section when there is no such section yet)."""
    from benchmarks.federal import END as FEDERAL_END

    path = ROOT / "docs" / "benchmarks.md"
    current = path.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{heading}\n\n{text}\n{END}"
    if BEGIN in current and END in current:
        head, rest = current.split(BEGIN, 1)
        current = head + block + rest.split(END, 1)[1]
    elif FEDERAL_END in current:
        head, rest = current.split(FEDERAL_END, 1)
        current = head + FEDERAL_END + "\n\n" + block + rest
    else:
        current = current.rstrip() + "\n\n" + block + "\n"
    path.write_text(current, encoding="utf-8")
    print(f"docs/benchmarks.md: {heading}")


def main(argv: list[str]) -> None:
    """Every figure on SQLite and (when a server answers) PostgreSQL; the table is printed
    and written into docs/benchmarks.md. `--quick`: a fiftieth of the size, to try the
    script out; nothing written."""
    import os

    global TASKS, BUDGET_LINES
    quick = "--quick" in argv
    if quick:
        TASKS, BUDGET_LINES = TASKS // 50, BUDGET_LINES // 50
    backends = ["sqlite"]
    postgres = postgres_url()
    if postgres and "--sqlite-only" not in argv:
        backends.append("postgresql")
    rows: list[dict] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            stores = Stores(backend, Path(tmp), postgres)
            try:
                rows += measure(stores)
            finally:
                stores.close()
    text = table(rows)
    print(text)
    if quick:
        return
    heading = (
        f"## Reports: {datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} cores,"
        f" {platform.python_implementation()} {platform.python_version()},"
        f" {' and '.join(backends)} (`make bench`, {time.perf_counter() - started:.0f} s)"
    )
    write_docs(heading, text)


if __name__ == "__main__":
    main(sys.argv[1:])

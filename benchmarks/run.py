"""Benchmarks: `make bench`. Each figure is compared with a baseline measured in the same run.

Results are printed as a Markdown table; copy them into docs/benchmarks.md.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
ROADMAP = [PYTHON, "-m", "roadmap"]


def timed(command: list[str], env: dict[str, str], repeat: int = 7) -> float:
    """Median wall time of a command, in seconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def scaled_roadmap(path: Path, factor: int) -> Path:
    """The example with its initiatives, budget lines and tasks repeated `factor` times."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe")
    data = yaml.load((ROOT / "examples" / "primorye.yaml").read_text(encoding="utf-8"))
    initiatives, budget, tasks = [], [], []
    for n in range(factor):
        for item in data["initiatives"]:
            initiatives.append({**item, "code": f"{item['code']}-{n}"})
        for line in data["budget"]:
            budget.append({**line, "initiative": f"{line['initiative']}-{n}"})
        for task in data["tasks"]:
            tasks.append({**task, "code": f"{task['code']}-{n}"})
    data.update(initiatives=initiatives, budget=budget, tasks=tasks)
    data.pop("sessions", None)  # their proposals name the example's own initiative codes
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    return path


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ROADMAP_DATABASE_URL": f"sqlite:///{tmp}/bench.db"}
        baseline = timed([PYTHON, "-c", "pass"], env)
        help_time = timed([*ROADMAP, "--help"], env)
        rows.append(("`roadmap --help`", help_time, baseline, "python -c pass"))

        subprocess.run([*ROADMAP, "init"], env=env, check=True, capture_output=True)
        example = ROOT / "examples" / "primorye.yaml"
        first = timed([*ROADMAP, "import", str(example)], env, repeat=1)
        again = timed([*ROADMAP, "import", str(example)], env)
        summary = timed([*ROADMAP, "summary", "--json"], env)
        rows.append(("re-import of the example (no changes)", again, help_time, "--help"))
        rows.append(("first import of the example", first, help_time, "--help"))
        rows.append(("`roadmap summary --json`", summary, help_time, "--help"))

        big = scaled_roadmap(Path(tmp) / "big.yaml", 20)
        env_big = {**os.environ, "ROADMAP_DATABASE_URL": f"sqlite:///{tmp}/big.db"}
        subprocess.run([*ROADMAP, "init"], env=env_big, check=True, capture_output=True)
        big_first = timed([*ROADMAP, "import", str(big)], env_big, repeat=1)
        big_again = timed([*ROADMAP, "import", str(big)], env_big, repeat=3)
        rows.append(("first import, example ×20 (540 initiatives)", big_first, first, "example"))
        rows.append(("re-import, example ×20", big_again, again, "example re-import"))

        rows.extend(sweep_scaling(Path(tmp)))

    print("| what | median, s | baseline | baseline, s | ratio |")
    print("|---|---:|---|---:|---:|")
    for what, value, base, base_name in rows:
        print(f"| {what} | {value:.3f} | {base_name} | {base:.3f} | {value / base:.1f}× |")


def sweep_scaling(tmp: Path) -> list[tuple[str, float, float, str]]:
    """The deadline sweep's cost grows with the due tasks, not with all tasks: the same 20
    due tasks among 1,000 and among 50,000 open tasks due next year."""
    from datetime import UTC, date, datetime, timedelta

    import sqlalchemy as sa

    from roadmap.alerts.sweep import sweep
    from roadmap.plan.importer import import_roadmap
    from roadmap.settings import Settings
    from roadmap.store.unit_of_work import init_store

    now = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)  # 11:00 in Vladivostok, a Friday
    timings = {}
    for total in (1_000, 50_000):
        settings = Settings(database_url=f"sqlite:///{tmp}/sweep-{total}.db")
        init_store(settings)
        import_roadmap(settings, ROOT / "examples" / "primorye.yaml")
        engine = sa.create_engine(settings.store_url)
        with engine.begin() as connection:
            strategy, agency, person = connection.execute(
                sa.text("SELECT t.strategy_id, t.agency_id, t.assignee_id FROM task t LIMIT 1")
            ).one()
            connection.execute(sa.text("UPDATE task SET status = 'submitted'"))
            rows = [
                {
                    "s": strategy,
                    "c": f"B-{n}",
                    "a": agency,
                    "p": person,
                    "t": "bench",
                    "d": date(2026, 12, 4) if n < 20 else date(2027, 9, 1) + timedelta(days=n % 60),
                    "at": now.replace(tzinfo=None),
                }
                for n in range(total)
            ]
            connection.execute(
                sa.text(
                    "INSERT INTO task (strategy_id, code, agency_id, assignee_id, title, due_on,"
                    " status, created_at) VALUES (:s, :c, :a, :p, :t, :d, 'open', :at)"
                ),
                rows,
            )
        engine.dispose()
        samples = []
        for _ in range(5):
            start = time.perf_counter()
            planned = sweep(settings, now=now, dry_run=True).planned
            samples.append(time.perf_counter() - start)
        assert len(planned) == 20, len(planned)
        timings[total] = statistics.median(samples)
    return [
        (
            "sweep, 20 due among 50,000 open tasks",
            timings[50_000],
            timings[1_000],
            "20 due among 1,000",
        )
    ]


if __name__ == "__main__":
    main()

"""Command start-up for `make bench`: the wall time of the commands a person runs most, each
the median of several runs in a process of its own, next to `python -c pass` measured in
the same run (target: under 0.5 s each).

`rows(url)` returns the figures for one store in the shape of `benchmarks/federal.py`'s
`table()`. Each command runs once before it is timed: Python writes our modules' bytecode
(as it does on a user's machine; PYTHONDONTWRITEBYTECODE is dropped for these runs) and
the production calendar's years land in the data directory's cache.

Run alone: `.venv/bin/python benchmarks/cli_start.py [STORE_URL | --tasks N]` (default: a
store of 1,000,000 open tasks built as federal.py builds it).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
ROADMAP = [PYTHON, "-m", "roadmap"]
NOW = "2026-12-04T11:00"  # federal.py's moment: 11:00 in Vladivostok
TARGET_SECONDS = 0.5

COMMANDS = [
    ["--help"],
    ["regions", "list"],
    ["agencies", "list"],
    ["tasks", "list", "--overdue", "--json", "--now", NOW],
    ["tasks", "list", "--overdue", "--csv", "--now", NOW],
]


def wall(command: list[str], env: dict[str, str], repeat: int = 5) -> float:
    """Median wall time of `command` after one untimed run; its output is discarded."""
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def rows(url: str, label: str = "", repeat: int = 5) -> list[dict]:
    """Start-up of each command on the store at `url`; `label` is added to each row's name
    (e.g. ", 1,000,000 open tasks")."""
    env = {**os.environ, "ROADMAP_DATABASE_URL": url, "ROADMAP_LOCALE": "ru"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    python_pass = wall([PYTHON, "-c", "pass"], env, repeat)
    return [
        {
            "what": f"`roadmap {' '.join(args)}`{label} (s)",
            "value": wall([*ROADMAP, *args], env, repeat),
            "baseline": "python -c pass",
            "base": python_pass,
            "target_seconds": TARGET_SECONDS,
        }
        for args in COMMANDS
    ]


def main(argv: list[str]) -> None:
    import tempfile

    from benchmarks.federal import build_store, table

    if argv and not argv[0].startswith("--"):
        print(table(rows(argv[0])))
        return
    tasks = int(argv[1]) if argv[:1] == ["--tasks"] else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        url = build_store(f"sqlite:///{Path(tmp) / 'cli-start.db'}", tasks)
        print(table(rows(url, f", {tasks:,} open tasks")))


if __name__ == "__main__":
    main(sys.argv[1:])

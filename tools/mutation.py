"""Mutation score of the modules whose bugs would lose, duplicate or misroute an alert or
a plan change: the alert ladder's pure rules, the sweep, the outbox and the review's
change and conflict logic. `make mutation` runs this.

It runs mutmut (configured in pyproject's [tool.mutmut]) over those modules, prints the
killed/survived counts per module and the survivors, and fails when the score falls below
FAIL_UNDER. It runs the SQLite cases (set ROADMAP_TEST_POSTGRES_URL to add the PostgreSQL
ones; every mutant then costs about twice as much).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAIL_UNDER = 80.0  # percent of the mutants that a test kills
KILLED = {"killed", "timeout", "caught by type check"}


def _status_by_exit_code():
    from mutmut.stats import status_by_exit_code

    return status_by_exit_code


def _modules() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["mutmut"]
    return list(config["only_mutate"])


def _results(modules: list[str]) -> dict[str, Counter]:
    status_of = _status_by_exit_code()
    results: dict[str, Counter] = {}
    for module in modules:
        meta = ROOT / "mutants" / f"{module}.meta"
        counts: Counter = Counter()
        survivors = []
        if meta.exists():
            codes = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
            for name, code in sorted(codes.items()):
                status = status_of[code]
                counts["killed" if status in KILLED else status] += 1
                if status not in KILLED:
                    survivors.append(f"{status}: {name}")
        counts["_survivors"] = survivors  # type: ignore[assignment]
        results[module] = counts
    return results


def main() -> int:
    env = dict(os.environ)
    env.setdefault("ROADMAP_HYPOTHESIS_PROFILE", "dev")
    mutmut = Path(sys.executable).parent / "mutmut"
    children = str(max(1, (os.cpu_count() or 2)))
    run = subprocess.run([str(mutmut), "run", "--max-children", children], cwd=ROOT, env=env)
    if run.returncode not in (0, 1):
        print(f"mutmut stopped with exit code {run.returncode}", file=sys.stderr)
        return run.returncode
    modules = _modules()
    results = _results(modules)
    total_killed = total = 0
    print("\nmodule                                   killed / mutants   score")
    for module, counts in results.items():
        survivors = counts.pop("_survivors")
        mutants = sum(counts.values())
        total_killed += counts["killed"]
        total += mutants
        score = 100.0 * counts["killed"] / mutants if mutants else 0.0
        print(f"{module:40} {counts['killed']:6} / {mutants:<7}  {score:5.1f}%")
        for line in survivors:
            print(f"    {line}")
    score = 100.0 * total_killed / total if total else 0.0
    print(f"{'all':40} {total_killed:6} / {total:<7}  {score:5.1f}% (fail under {FAIL_UNDER}%)")
    return 0 if total and score >= FAIL_UNDER else 1


if __name__ == "__main__":
    sys.exit(main())

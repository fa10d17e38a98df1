"""A long task list through `roadmap import`: taken exactly, re-imported without change,
refused whole with the line of its one bad row; on SQLite and PostgreSQL alike."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from roadmap.calendar import RegionCalendar
from roadmap.cli.app import app
from roadmap.errors import InvalidFile
from roadmap.plan.importer import import_roadmap
from tests.support import Backend

COUNT = 5_000
AGENCIES = ("minzdrav", "minobr", "minsoc", "mingkh", "mintrans", "mintour")
STAGES = ("", "initiatives", "analysis", "", "drafting")
CALENDAR = RegionCalendar("Asia/Vladivostok")


def _task(n: int) -> dict[str, str]:
    due = CALENDAR.next_working_day(date(2027, 1, 11) + timedelta(days=n % 900))
    return {
        "code": f"B-{n:05d}",
        "agency": AGENCIES[n % len(AGENCIES)],
        "title": f"Поручение № {n}: сверить реестр услуг, приложить пояснительную записку",
        "due": due.isoformat(),
        "stage": STAGES[n % len(STAGES)],
        "status": "open" if n % 10 else "submitted",
    }


def _write(path: Path, tasks: list[dict[str, str]], delimiter: str = ";") -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(tasks[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(tasks)
    return path


def _stored(backend: Backend, prefix: str = "B-") -> dict[str, tuple]:
    """Every task whose code starts with `prefix`: agency, assignee, title, due, stage, status."""
    engine = sa.create_engine(backend.url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT t.code, a.code, p.code, t.title, t.due_on, t.stage, t.status"
                    " FROM task t JOIN agency a ON a.id = t.agency_id"
                    " LEFT JOIN person p ON p.id = t.assignee_id WHERE t.code LIKE :prefix"
                ),
                {"prefix": f"{prefix}%"},
            ).all()
    finally:
        engine.dispose()
    return {
        code: (agency, assignee, title, str(due), stage, status)
        for code, agency, assignee, title, due, stage, status in rows
    }


def _expected(tasks: list[dict[str, str]]) -> dict[str, tuple]:
    return {
        t["code"]: (
            t["agency"],
            f"e-{t['agency']}",  # the agency's emissary
            t["title"],
            t["due"],
            t["stage"] or None,
            t["status"],
        )
        for t in tasks
    }


def test_a_long_task_list_is_taken_exactly_and_a_reimport_changes_nothing(
    loaded: Backend, tmp_path: Path
) -> None:
    tasks = [_task(n) for n in range(COUNT)]
    path = _write(tmp_path / "Задачи.csv", tasks)
    report = import_roadmap(loaded.settings, path)
    assert vars(report.changes["tasks"]) == {
        "created": COUNT,
        "updated": 0,
        "deleted": 0,
        "unchanged": 0,
    }
    assert report.warnings == []
    assert _stored(loaded) == _expected(tasks)

    before = loaded.fingerprint()
    again = import_roadmap(loaded.settings, path)
    assert not again.changed and again.changes["tasks"].unchanged == COUNT
    assert loaded.fingerprint() == before


def test_a_changed_long_list_updates_only_the_rows_that_changed(
    loaded: Backend, tmp_path: Path
) -> None:
    tasks = [_task(n) for n in range(COUNT)]
    import_roadmap(loaded.settings, _write(tmp_path / "tasks.csv", tasks))
    tasks[17]["title"] = "Новое название поручения"
    tasks[2_500]["due"] = "2029-03-13"
    tasks[3_001]["status"] = "cancelled"
    tasks[4_999]["agency"] = "mintour"  # another agency: its emissary is the assignee now
    tasks[4_201]["stage"] = ""  # was initiatives
    tasks.append(_task(COUNT))  # one new
    report = import_roadmap(loaded.settings, _write(tmp_path / "tasks.csv", tasks, ","))
    assert vars(report.changes["tasks"]) == {
        "created": 1,
        "updated": 5,
        "deleted": 0,
        "unchanged": COUNT - 5,
    }
    assert _stored(loaded) == _expected(tasks)


def test_one_bad_row_deep_in_a_long_list_names_its_line_and_nothing_is_written(
    loaded: Backend, tmp_path: Path
) -> None:
    tasks = [_task(n) for n in range(COUNT)]
    tasks[4_319]["agency"] = "minzrav"  # the 4,320th task: on line 4,321 after the header
    path = _write(tmp_path / "tasks.csv", tasks)
    before = loaded.fingerprint()
    result = CliRunner().invoke(app, ["import", str(path)])
    assert result.exit_code == 2, result.output
    assert "tasks.csv:4321: tasks[4319].agency" in result.stderr
    assert "minzrav" in result.stderr
    assert loaded.fingerprint() == before

    # A problem in the structure of a row (a date that is none) the same way.
    tasks[4_319]["agency"] = "minzdrav"
    tasks[4_319]["due"] = "2027-02-30"
    with pytest.raises(InvalidFile) as refused:
        import_roadmap(loaded.settings, _write(tmp_path / "tasks.csv", tasks))
    assert [p.where for p in refused.value.problems] == ["tasks.csv:4321"]
    assert refused.value.problems[0].key == "tasks[4319].due"
    assert loaded.fingerprint() == before


def test_a_dry_run_of_a_long_list_counts_and_writes_nothing(
    loaded: Backend, tmp_path: Path
) -> None:
    path = _write(tmp_path / "tasks.csv", [_task(n) for n in range(COUNT)])
    before = loaded.fingerprint()
    result = CliRunner().invoke(app, ["import", str(path), "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["changes"]["tasks"]["created"] == COUNT
    assert loaded.fingerprint() == before


def test_prune_with_a_long_list_deletes_the_file_tasks_it_no_longer_has(
    loaded: Backend, tmp_path: Path
) -> None:
    examples = _stored(loaded, "T-")
    tasks = [_task(n) for n in range(COUNT)]
    import_roadmap(loaded.settings, _write(tmp_path / "tasks.csv", tasks))
    report = import_roadmap(
        loaded.settings, _write(tmp_path / "tasks.csv", tasks[:-100]), prune=True
    )
    assert report.changes["tasks"].deleted == 100 + len(examples)
    assert report.changes["tasks"].unchanged == COUNT - 100
    assert _stored(loaded) == _expected(tasks[:-100])
    assert _stored(loaded, "T-") == {}


def test_tasks_without_codes_in_a_long_list_get_the_next_codes_and_keep_them(
    loaded: Backend, tmp_path: Path
) -> None:
    highest = max(int(code[2:]) for code in _stored(loaded, "T-"))
    tasks = [_task(n) for n in range(COUNT)]
    for task in tasks[::50]:
        task["code"] = ""
    path = _write(tmp_path / "tasks.csv", tasks)
    report = import_roadmap(loaded.settings, path)
    assert report.changes["tasks"].created == COUNT
    given = sorted(code for code in _stored(loaded, "T-") if int(code[2:]) > highest)
    assert given == [f"T-{n:03d}" for n in range(highest + 1, highest + 1 + COUNT // 50)]
    # Matched by agency and title the next time: nothing new, nothing changed.
    before = loaded.fingerprint()
    assert not import_roadmap(loaded.settings, path).changed
    assert loaded.fingerprint() == before

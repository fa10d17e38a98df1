"""The `roadmap` command as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from roadmap.cli.app import app
from tests.support import PRIMORYE, Backend

runner = CliRunner()


def run(*args: str) -> object:
    return runner.invoke(app, list(args))


def test_help_does_not_import_prefect_or_the_orm() -> None:
    code = (
        "import sys\n"
        "from roadmap.cli.app import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('prefect', 'sqlalchemy', 'sqlmodel', 'apprise') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    ).stdout
    assert "HEAVY []" in out
    assert "import" in out and "tasks" in out


def test_module_entry_point_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "roadmap", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert "init" in result.stdout


def test_init_then_import_then_lists(store: Backend) -> None:
    result = run("import", str(PRIMORYE))
    assert result.exit_code == 0, result.output
    assert "PRI" in result.stdout

    agencies = json.loads(run("agencies", "list", "--json").stdout)
    minzdrav = next(a for a in agencies if a["code"] == "minzdrav")
    assert minzdrav["emissary_code"] == "e-minzdrav"
    assert minzdrav["initiatives"] > 0

    health = json.loads(run("initiatives", "list", "--sector", "health", "--json").stdout)
    assert health and {i["sector"] for i in health} == {"health"}
    by_agency = json.loads(run("initiatives", "list", "--agency", "minobr", "--json").stdout)
    assert by_agency and {i["agency"] for i in by_agency} == {"minobr"}

    table = run("initiatives", "list")
    assert table.exit_code == 0 and "H-01" in table.stdout


def test_overdue_tasks_depend_on_the_regions_today(loaded: Backend) -> None:
    tasks = json.loads(run("tasks", "list", "--json").stdout)
    open_tasks = [t for t in tasks if t["status"] == "open"]
    first_due = min(t["due"] for t in open_tasks)
    # 23:30 UTC on the due date is already the next day in Vladivostok (UTC+10).
    late = json.loads(
        run("tasks", "list", "--overdue", "--json", "--now", f"{first_due}T23:30:00+00:00").stdout
    )
    assert [t["due"] for t in late] and all(t["due"] <= first_due for t in late)
    assert all(t["overdue"] and t["working_days_left"] <= 0 for t in late)
    # The same wall-clock moment read in the region's own time: not yet overdue.
    on_time = json.loads(
        run("tasks", "list", "--overdue", "--json", "--now", f"{first_due}T23:30:00").stdout
    )
    assert first_due not in [t["due"] for t in on_time]


def test_task_submit_records_utc_and_stops_being_open(loaded: Backend) -> None:
    tasks = json.loads(run("tasks", "list", "--status", "open", "--json").stdout)
    code = tasks[0]["code"]
    result = run("task", "submit", code, "--now", "2026-12-01T10:00:00", "--json")
    assert result.exit_code == 0, result.output
    submitted = json.loads(result.stdout)
    assert submitted["tasks"][0]["at"] == "2026-12-01T10:00+10:00"
    rows = json.loads(run("tasks", "list", "--status", "submitted", "--json").stdout)
    row = [r for r in rows if r["code"] == code]
    assert row[0]["submitted_at"] == "2026-12-01T00:00:00+00:00"  # 10:00 in Vladivostok
    still_open = json.loads(run("tasks", "list", "--status", "open", "--json").stdout)
    assert code not in {t["code"] for t in still_open}
    again = run("task", "submit", code)
    assert again.exit_code == 2 and "submitted" in again.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["tasks", "list", "--now", "tomorrow"], "--now"),
        (["tasks", "list", "--status", "late"], "--status"),
        (["tasks", "list", "--agency", "minzrav"], "minzrav"),
        (["initiatives", "list", "--sector", "helth"], "helth"),
        (["task", "submit", "T-999"], "T-999"),
        (["agencies", "list", "--region", "XXX"], "XXX"),
        (["export", "roadmap.txt"], "roadmap.txt"),
        (["import", "no-such-file.yaml"], "no-such-file.yaml"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(
    loaded: Backend, args: list[str], expected: str
) -> None:
    before = loaded.fingerprint()
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert expected in result.stderr
    assert "Traceback" not in result.output
    assert loaded.fingerprint() == before


def test_uninitialised_store_asks_for_init(backend: Backend) -> None:
    result = run("agencies", "list")
    assert result.exit_code == 2
    assert "roadmap init" in result.stderr


def test_bad_database_url_is_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    from roadmap.settings import get_settings

    monkeypatch.setenv("ROADMAP_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    get_settings.cache_clear()
    result = run("init")
    assert result.exit_code == 2
    assert "ROADMAP_DATABASE_URL" in result.stderr
    monkeypatch.setenv("ROADMAP_DATABASE_URL", "not a url")
    get_settings.cache_clear()
    result = run("init")
    assert result.exit_code == 2
    assert "ROADMAP_DATABASE_URL" in result.stderr


def test_bad_setting_is_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    from roadmap.settings import get_settings

    monkeypatch.setenv("ROADMAP_LOCALE", "de")
    get_settings.cache_clear()
    result = run("init")
    assert result.exit_code == 2
    assert "ROADMAP_LOCALE" in result.stderr


def test_export_import_through_the_cli(loaded: Backend, tmp_path: Path) -> None:
    out = tmp_path / "out.yaml"
    assert run("export", str(out)).exit_code == 0
    dry = run("import", str(out), "--dry-run", "--json")
    assert dry.exit_code == 0
    assert json.loads(dry.stdout)["changed"] is False


def test_summary_shows_budget_and_indicators(loaded: Backend) -> None:
    data = json.loads(run("summary", "--json").stdout)
    assert data["region"]["code"] == "PRI"
    assert "federal" in data["budget"]
    assert any(i["code"] == "SRV-ONLINE" for i in data["indicators"])
    text = run("summary")
    assert text.exit_code == 0 and "SRV-ONLINE" in text.stdout


def test_a_long_task_list_shows_its_first_rows_and_counts_the_rest(
    loaded: Backend, monkeypatch
) -> None:
    import roadmap.cli.plan as plan

    monkeypatch.setattr(plan, "TABLE_ROWS", 5)
    every = json.loads(run("tasks", "list", "--json", "--now", "2026-12-04T10:00").stdout)
    assert len(every) > 5
    short = run("tasks", "list", "--now", "2026-12-04T10:00")
    assert short.exit_code == 0, short.output
    assert f"Поручения: {len(every)}" in short.stdout
    assert f"Показаны первые 5; ещё {len(every) - 5}" in short.stdout
    assert every[5]["code"] not in short.stdout and every[4]["code"] in short.stdout
    full = run("tasks", "list", "--all", "--now", "2026-12-04T10:00")
    assert "Показаны первые" not in full.stdout and every[-1]["code"] in full.stdout

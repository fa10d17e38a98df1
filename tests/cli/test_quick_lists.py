"""The lists a person runs most (`regions list`, `agencies list`, `tasks list`) as a user
starts them (`python -m roadmap`, a process of its own): they load no ORM, pydantic or
Prefect, answer as the Typer-parsed commands do, refuse a store that is not at the newest
revision, and `tasks list --csv` gives every row for Excel."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from roadmap.cli.app import app
from tests.support import Backend

NOW = "2026-12-04T10:00"
HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "pydantic_settings", "prefect", "alembic")

# Runs `python -m roadmap ARGS` in this process's interpreter and reports, after it exits,
# which of the given modules it had loaded.
PROBE = """
import runpy, sys
watch = sys.argv[1].split(",")
sys.argv = ["roadmap", *sys.argv[2:]]
code = 0
try:
    runpy.run_module("roadmap", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    code = exc.code or 0
sys.stdout.flush()
print("LOADED=" + ",".join(m for m in watch if m in sys.modules), file=sys.stderr)
sys.exit(code)
"""


def roadmap(*args: str, watch: tuple[str, ...] = HEAVY) -> tuple[int, bytes, str, list[str]]:
    """(exit code, stdout bytes, stderr without the probe's line, the watched modules loaded)."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(watch), *args],
        capture_output=True,
        env=os.environ,
    )
    err = done.stderr.decode("utf-8")
    lines = err.splitlines()
    loaded = [m for m in lines[-1].removeprefix("LOADED=").split(",") if m]
    assert lines[-1].startswith("LOADED="), err
    return done.returncode, done.stdout, "\n".join(lines[:-1]), loaded


@pytest.mark.parametrize(
    "args",
    [
        ["regions", "list"],
        ["regions", "list", "--json"],
        ["agencies", "list", "--json"],
        ["tasks", "list", "--json", "--now", NOW],
        ["tasks", "list", "--overdue", "--json", "--now", NOW],
        ["tasks", "list", "--overdue", "--csv", "--now", NOW],
    ],
)
def test_lists_load_no_orm_pydantic_or_prefect(loaded: Backend, args: list[str]) -> None:
    code, out, err, heavy = roadmap(*args)
    assert code == 0, err
    assert out
    assert heavy == []


def test_json_and_csv_lists_load_no_rich_and_a_warm_start_no_holidays(loaded: Backend) -> None:
    args = ("tasks", "list", "--json", "--now", NOW)
    first = roadmap(*args, watch=("rich", "holidays"))
    assert first[0] == 0 and "rich" not in first[3]
    # The production calendar's years are kept in the data directory: the next command
    # reads them instead of importing `holidays`, and counts the same working days.
    again = roadmap(*args, watch=("rich", "holidays"))
    assert again[3] == [] and again[1] == first[1]


def test_a_damaged_or_foreign_calendar_cache_is_computed_anew(loaded: Backend) -> None:
    args = ("tasks", "list", "--json", "--now", NOW)
    expected = roadmap(*args)[1]
    cache = Path(os.environ["ROADMAP_DATA_DIR"]) / "cache"
    [path] = cache.glob("*.json")
    kept = json.loads(path.read_text("utf-8"))
    every_day = dict(kept, years={**kept["years"], "2026": "1" * 365})
    # Written by another `holidays` package, or damaged: not believed, computed anew.
    for text in (json.dumps(dict(every_day, holidays="another")), "{not json", '{"years": 1}'):
        path.write_text(text, "utf-8")
        assert roadmap(*args)[1] == expected
    # The file is what a warm start reads: every day of 2026 a working day if it says so.
    path.write_text(json.dumps(every_day), "utf-8")
    assert roadmap(*args)[1] != expected


@pytest.mark.parametrize(
    "args",
    [
        ["regions", "list"],
        ["regions", "list", "--json"],
        ["agencies", "list"],
        ["agencies", "list", "--json", "--region", "PRI"],
        ["agencies", "list", "--region=XXX"],
        ["tasks", "list", "--now", NOW],
        ["tasks", "list", "--all", "--now", NOW],
        ["tasks", "list", "--overdue", "--json", "--now", NOW],
        ["tasks", "list", "--overdue", "--now", "2027-03-01T00:00+03:00", "--json"],
        ["tasks", "list", "--status", "open", "--agency", "minzdrav", "--json", "--now", NOW],
        ["tasks", "list", "--agency", "minzrav", "--now", NOW],
        ["tasks", "list", "--status", "late"],
        ["tasks", "list", "--now", "tomorrow"],
        ["tasks", "list", "--json", "--csv"],
        ["tasks", "list", "--region", "XXX"],
        ["--lang", "en", "tasks", "list", "--overdue", "--now", NOW],
        ["--lang", "de", "tasks", "list"],
        ["tasks", "list", "--help"],
        ["tasks", "list", "--frobnicate"],
    ],
)
def test_a_quick_list_answers_as_the_typer_command(loaded: Backend, args: list[str]) -> None:
    code, out, err, _ = roadmap(*args)
    typer = CliRunner().invoke(app, args)
    # Help and usage name the program as it was started.
    out, err = (text.replace("python -m roadmap", "root") for text in (out.decode("utf-8"), err))
    assert (code, out, err) == (
        typer.exit_code,
        typer.stdout,
        typer.stderr.rstrip("\n"),
    )


def _first_revision() -> str:
    from roadmap.store.revisions import revision_graph

    return next(rev for rev, down in revision_graph().items() if down is None)


@pytest.mark.parametrize(
    ("revision", "expected"),
    [(None, "устарела"), ("ffffffffffff", "новее")],
)
def test_a_store_at_another_revision_is_refused(
    loaded: Backend, revision: str | None, expected: str
) -> None:
    engine = sa.create_engine(loaded.url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE alembic_version SET version_num = :v"),
            {"v": revision or _first_revision()},
        )
    engine.dispose()
    before = loaded.fingerprint()
    for args in (["regions", "list"], ["tasks", "list", "--json"], ["agencies", "list"]):
        code, out, err, _ = roadmap(*args)
        assert code == 2 and out == b""
        assert expected in err and "Traceback" not in err
    assert loaded.fingerprint() == before


def test_no_store_asks_for_init_and_creates_nothing(backend: Backend) -> None:
    code, out, err, _ = roadmap("tasks", "list", "--overdue", "--json")
    assert code == 2 and out == b""
    assert "roadmap init" in err
    if backend.name == "sqlite":
        assert backend.fingerprint() == "absent"


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())  # Excel reads UTF-8 only with the mark
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_tasks_csv_has_every_row_for_excel(loaded: Backend, monkeypatch) -> None:
    import roadmap.cli.plan as plan

    monkeypatch.setattr(plan, "TABLE_ROWS", 3)  # the table's limit does not cut a CSV
    runner = CliRunner()
    every = json.loads(runner.invoke(app, ["tasks", "list", "--json", "--now", NOW]).stdout)
    result = runner.invoke(app, ["tasks", "list", "--csv", "--now", NOW])
    assert result.exit_code == 0, result.output
    rows = _csv(result.stdout_bytes)
    assert rows[0] == [
        "Код",
        "Поручение",
        "Орган",
        "Эмиссар",
        "Этап",
        "Срок",
        "Статус",
        "Просрочено",
        "Рабочих дней до срока",
        "Сдано (UTC)",
    ]
    assert len(every) > 3 and len(rows) == len(every) + 1
    for line, task in zip(rows[1:], every, strict=True):
        assert line[0] == task["code"] and line[1] == task["title"]
        assert line[5] == task["due"] and line[6] == task["status"]
        assert line[7] == ("да" if task["overdue"] else "нет")
        left = task["working_days_left"]
        assert line[8] == ("" if left is None else str(left))


def test_overdue_csv_in_english(loaded: Backend) -> None:
    runner = CliRunner()
    late = "2027-06-01T10:00"
    overdue = json.loads(
        runner.invoke(app, ["tasks", "list", "--overdue", "--json", "--now", late]).stdout
    )
    result = runner.invoke(
        app, ["--lang", "en", "tasks", "list", "--overdue", "--csv", "--now", late]
    )
    rows = _csv(result.stdout_bytes)
    assert rows[0][:3] == ["code", "title", "agency"]
    assert overdue and [r[0] for r in rows[1:]] == [t["code"] for t in overdue]
    assert {r[7] for r in rows[1:]} == {"yes"}


def test_json_and_csv_together_is_a_user_error(loaded: Backend) -> None:
    result = CliRunner().invoke(app, ["tasks", "list", "--json", "--csv"])
    assert result.exit_code == 2
    assert "--csv" in result.stderr and result.stdout == ""


def test_a_regions_own_days_count_in_the_quick_list(loaded: Backend, tmp_path, monkeypatch) -> None:
    """config/calendar.toml's days count in working days left; a mistake in it is the one
    message `roadmap.config` gives (exit 2)."""
    import shutil

    args = ("tasks", "list", "--json", "--now", "2026-12-28T10:00")
    federal = {t["code"]: t["working_days_left"] for t in json.loads(roadmap(*args)[1])}
    config = tmp_path / "config"
    shutil.copytree(loaded.settings.config_dir, config)
    monkeypatch.setenv("ROADMAP_CONFIG_DIR", str(config))
    (config / "calendar.toml").write_text("[regions.PRI]\ndays_off = [2026-12-29]\n", "utf-8")
    own = {t["code"]: t["working_days_left"] for t in json.loads(roadmap(*args)[1])}
    later = [c for c, left in federal.items() if left is not None and left > 1]
    assert later and all(own[c] == federal[c] - 1 for c in later)
    (config / "calendar.toml").write_text(
        "[regions.PRI]\ndays_off = [2026-12-29]\nworking_days = [2026-12-29]\n", "utf-8"
    )
    code, out, err, _ = roadmap(*args)
    assert code == 2 and out == b""
    assert "calendar.toml" in err and "2026-12-29" in err


def test_streamed_json_is_the_same_bytes_as_print_json(capsys) -> None:
    """--json streamed a batch at a time reads exactly as the whole list printed at once:
    scripts that parse or diff the output see no change."""
    from datetime import UTC, date, datetime
    from decimal import Decimal

    from roadmap.cli.render import print_json, print_json_rows
    from roadmap.store.enums import TaskStatus

    values = [
        None,
        True,
        False,
        0,
        -5,
        10**20,
        1.5,
        float("nan"),
        "",
        'при"вет\n\t\\',
        "\x00\u2028\r",
        date(2026, 1, 2),
        datetime(2026, 1, 2, tzinfo=UTC),
        Decimal("1.10"),
        TaskStatus.open,
    ]
    keys = ("code", "ключ", 'a"b')
    for count in (0, 1, 2001, 4500):
        rows = [
            tuple(values[(n * 7 + k * 3) % len(values)] for k in range(3)) for n in range(count)
        ]
        print_json_rows(keys, rows)
        streamed = capsys.readouterr().out
        print_json([dict(zip(keys, row, strict=True)) for row in rows])
        assert streamed == capsys.readouterr().out

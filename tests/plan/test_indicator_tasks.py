"""Indicators' recurring report tasks: one per period, due on the 8th of the next month (or
the next working day), made once by `roadmap import` and the sweep, accepted by recording
the value; the region of tests/reports/indicator_data.py."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlmodel import select
from typer.testing import CliRunner

from roadmap.alerts.sweep import sweep
from roadmap.calendar import RegionCalendar
from roadmap.cli.app import app
from roadmap.plan.indicator_periods import Period
from roadmap.plan.indicator_tasks import ensure_region_indicator_tasks, report_task_code
from roadmap.plan.lifecycle import CancelIn, change_tasks
from roadmap.store.models import Agency, Person, Task, TaskAction, TaskEvent
from tests.reports.indicator_data import NOW, ROADMAP, build, record
from tests.support import Backend, in_region

runner = CliRunner()


def test_a_period_is_due_on_the_8th_of_the_next_month_or_the_next_working_day() -> None:
    russia = RegionCalendar("Europe/Moscow")
    # 8 January 2027 is a New Year holiday, 9–10 January a weekend.
    assert Period(2026, 4).due_on(russia) == date(2027, 1, 11)
    assert Period(2026).due_on(russia) == date(2027, 1, 11)
    assert Period(2026, 1).due_on(russia) == date(2026, 4, 8)  # a Wednesday
    assert Period(2023, 1).due_on(russia) == date(2023, 4, 10)  # 8 April 2023 is a Saturday
    assert Period(2023, 3).due_on(russia) == date(2023, 10, 9)  # 8 October 2023 is a Sunday
    # A region's own day off moves it on too.
    own = RegionCalendar("Europe/Moscow", days_off=frozenset({date(2026, 4, 8)}))
    assert Period(2026, 1).due_on(own) == date(2026, 4, 9)


def test_task_codes_fit_the_store() -> None:
    assert report_task_code("SHARE", Period(2026, 1)) == "IND-SHARE-2026-Q1"
    long = "A" * 40
    code = report_task_code(long, Period(2026, 1))
    assert len(code) == 40 and code.startswith("IND-AAAA") and code.endswith("-2026-Q1")
    assert code == report_task_code(long, Period(2026, 1))
    assert code != report_task_code("A" * 39 + "B", Period(2026, 1))


def _tasks(backend: Backend) -> dict[str, tuple]:
    """Every task: code → (agency, assignee, due, status, template, stage)."""

    def read(session, region):
        rows = session.exec(
            select(Task, Agency.code, Person.code)
            .join(Agency, Task.agency_id == Agency.id)
            .join(Person, Task.assignee_id == Person.id)
        )
        return {
            task.code: (agency, person, task.due_on, task.status, task.template, task.stage)
            for task, agency, person in rows
        }

    return in_region(backend, read)


def test_the_current_and_every_past_period_without_a_value_get_a_task_once(
    store: Backend, tmp_path
) -> None:
    build(store, tmp_path)
    record(store, ("QUART", "2023-Q3", "10"))  # a past quarter already reported
    created = ensure_region_indicator_tasks(store.settings, now=NOW)  # 15 June 2024
    # SHARE and PAPER: 2023's actual came with the file, 2024 runs; FLAT names no agency;
    # QUART: every quarter from the strategy's start (2023) but 2023-Q3, to 2024-Q2.
    assert created == [
        "IND-PAPER-2024",
        "IND-QUART-2023-Q1",
        "IND-QUART-2023-Q2",
        "IND-QUART-2023-Q4",
        "IND-QUART-2024-Q1",
        "IND-QUART-2024-Q2",
        "IND-SHARE-2024",
    ]
    tasks = _tasks(store)
    assert tasks["IND-SHARE-2024"] == (
        "mincifra", "e-cifra", date(2025, 1, 9), "open", "indicator_report", None,
    )  # fmt: skip
    assert tasks["IND-QUART-2023-Q4"] == (
        "mo-city", "e-city", date(2024, 1, 9), "open", "indicator_report", None,
    )  # fmt: skip
    assert tasks["IND-QUART-2024-Q2"][2] == date(2024, 7, 8)
    assert ensure_region_indicator_tasks(store.settings, now=NOW) == []

    # A task in any status is not made again; a new quarter gets its own.
    change_tasks(
        store.settings, TaskAction.cancel, [(CancelIn(code="IND-SHARE-2024", why="x"), "")], now=NOW
    )
    assert ensure_region_indicator_tasks(store.settings, now=NOW) == []
    july = datetime(2024, 7, 1, 7, 0, tzinfo=UTC)
    assert ensure_region_indicator_tasks(store.settings, now=july) == ["IND-QUART-2024-Q3"]
    assert _tasks(store)["IND-SHARE-2024"][3] == "cancelled"


def test_recording_the_value_accepts_the_task(store: Backend, tmp_path) -> None:
    build(store, tmp_path)
    ensure_region_indicator_tasks(store.settings, now=NOW)
    [result] = record(store, ("QUART", "2024-Q1", "40"), by="e-city")
    assert (result.task, result.task_status) == ("IND-QUART-2024-Q1", "accepted")

    def history(session, region):
        task = session.exec(select(Task).where(Task.code == "IND-QUART-2024-Q1")).one()
        events = session.exec(
            select(TaskEvent).where(TaskEvent.task_id == task.id).order_by(TaskEvent.id)
        )
        return task.status, [(e.action, e.to_status, e.by, e.note) for e in events]

    note = "записано значение 40 за 2024-Q1"
    assert in_region(store, history) == (
        "accepted",
        [("submit", "submitted", "e-city", note), ("accept", "accepted", "e-city", note)],
    )
    # Recording the quarter again corrects the value; the accepted task stays as it is.
    record(store, ("QUART", "2024-Q1", "41"), by="coord")
    assert len(in_region(store, history)[1]) == 2
    assert _tasks(store)["IND-QUART-2024-Q2"][3] == "open"


def test_the_sweep_makes_the_tasks_and_reminds_until_the_value_is_recorded(
    store: Backend, tmp_path
) -> None:
    build(store, tmp_path)
    code = "IND-QUART-2024-Q2"  # due on Monday 8 July 2024

    def planned(now: datetime) -> set[str]:
        return {a.kind.value for a in sweep(store.settings, now=now).planned if a.task == code}

    # Thursday 27 June, 10:00 in Moscow: 7 working days before; the sweep made the task.
    assert planned(datetime(2024, 6, 27, 7, 0, tzinfo=UTC)) == {"reminder"}
    record(store, ("QUART", "2024-Q2", "55"), now=datetime(2024, 6, 28, 7, 0, tzinfo=UTC))
    # Wednesday 3 July: 3 working days before, but the value is in.
    assert planned(datetime(2024, 7, 3, 7, 0, tzinfo=UTC)) == set()


def test_roadmap_import_makes_the_tasks(store: Backend, tmp_path) -> None:
    path = tmp_path / "indicators.yaml"
    path.write_text(ROADMAP, encoding="utf-8")
    first = runner.invoke(app, ["import", str(path), "--now", "2024-06-15T10:00"])
    assert first.exit_code == 0, first.output
    assert "Поручений отчитаться по показателям: +8" in first.stdout
    again = runner.invoke(app, ["import", str(path), "--now", "2024-06-15T10:00", "--json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["indicator_tasks"] == 0
    assert sum(code.startswith("IND-") for code in _tasks(store)) == 8

"""The task lifecycle: allowed and refused transitions, history, files of many tasks, and a
return that starts the alert ladder again."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from roadmap.alerts.sweep import sweep
from roadmap.cli.app import app
from roadmap.errors import UserError
from roadmap.plan.lifecycle import TRANSITIONS, AcceptIn, CancelIn, ReturnIn, SubmitIn, change_tasks
from roadmap.plan.tasks import task_card
from roadmap.store.models import AlertKind, TaskAction, TaskStatus
from tests.support import Backend

runner = CliRunner()
NOW = datetime(2027, 2, 1, 1, 0, tzinfo=UTC)  # Monday, 11:00 in Vladivostok
# In the example T-001 is submitted and T-002 open (both due 2026-12-04).


def run(*args: str):
    return runner.invoke(app, list(args))


def _change(backend: Backend, action: TaskAction, *records, now: datetime = NOW, **kw):
    return change_tasks(backend.settings, action, [(r, r.code) for r in records], now=now, **kw)


def test_every_transition_is_declared_once_and_ends_in_a_status() -> None:
    assert set(TRANSITIONS) == set(TaskAction)
    assert TRANSITIONS[TaskAction.submit].allowed_from == {TaskStatus.open, TaskStatus.returned}
    assert TaskStatus.cancelled not in {s for tr in TRANSITIONS.values() for s in tr.allowed_from}


def test_submit_accept_return_submit_again_keeps_the_history(loaded: Backend) -> None:
    _change(
        loaded,
        TaskAction.submit,
        SubmitIn(code="T-002", note="Паспорта", link="https://d/1"),
        by="e-minobr",
    )
    _change(loaded, TaskAction.accept, AcceptIn(code="T-002"), by="coord")
    returned = _change(
        loaded,
        TaskAction.return_,
        ReturnIn(code="T-002", due=date(2027, 2, 12), why="Нет смет"),
        by="coord",
    )
    assert returned.tasks[0].to_status == TaskStatus.returned
    assert returned.tasks[0].due == date(2027, 2, 12)
    _change(loaded, TaskAction.submit, SubmitIn(code="T-002"), by="e-minobr")

    card = task_card(loaded.settings, "T-002", now=NOW)
    assert card.task.status == TaskStatus.submitted and card.task.due == date(2027, 2, 12)
    steps = [(e.action, e.from_status, e.to_status, e.by) for e in card.history]
    assert steps == [
        (TaskAction.submit, TaskStatus.open, TaskStatus.submitted, "e-minobr"),
        (TaskAction.accept, TaskStatus.submitted, TaskStatus.accepted, "coord"),
        (TaskAction.return_, TaskStatus.accepted, TaskStatus.returned, "coord"),
        (TaskAction.submit, TaskStatus.returned, TaskStatus.submitted, "e-minobr"),
    ]
    first, _, back, _ = card.history
    assert (first.note, first.link, first.at) == (
        "Паспорта",
        "https://d/1",
        "2027-02-01T11:00+10:00",
    )
    assert (back.why, back.due) == ("Нет смет", date(2027, 2, 12))


@pytest.mark.parametrize(
    ("action", "record", "status"),
    [
        (TaskAction.accept, AcceptIn(code="T-002"), "open"),  # not handed in yet
        (TaskAction.submit, SubmitIn(code="T-001"), "submitted"),  # handed in already
        (TaskAction.return_, ReturnIn(code="T-002", due=date(2027, 3, 1), why="x"), "open"),
    ],
)
def test_a_transition_not_allowed_is_refused_and_changes_nothing(
    loaded: Backend, action: TaskAction, record, status: str
) -> None:
    before = loaded.fingerprint()
    with pytest.raises(UserError) as refused:
        _change(loaded, action, record, by="coord")
    assert f"{record.code}" in str(refused.value) and f"«{status}»" in str(refused.value)
    assert loaded.fingerprint() == before


def test_a_cancelled_task_is_final(loaded: Backend) -> None:
    _change(loaded, TaskAction.cancel, CancelIn(code="T-002", why="Инициатива снята"), by="coord")
    for action, record in [
        (TaskAction.submit, SubmitIn(code="T-002")),
        (TaskAction.cancel, CancelIn(code="T-002", why="ещё раз")),
        (TaskAction.return_, ReturnIn(code="T-002", due=date(2027, 3, 1), why="x")),
    ]:
        with pytest.raises(UserError, match="cancelled"):
            _change(loaded, action, record, by="coord")
    assert task_card(loaded.settings, "T-002", now=NOW).history[0].why == "Инициатива снята"


def test_a_return_moves_a_due_date_off_a_day_off_or_refuses_it_when_strict(loaded: Backend) -> None:
    saturday = ReturnIn(code="T-001", due=date(2027, 2, 13), why="Доработать")
    before = loaded.fingerprint()
    with pytest.raises(UserError, match="2027-02-13"):
        _change(loaded, TaskAction.return_, saturday, by="coord", strict=True)
    assert loaded.fingerprint() == before
    moved = _change(loaded, TaskAction.return_, saturday, by="coord")
    assert moved.tasks[0].due == date(2027, 2, 15)  # Monday
    assert len(moved.warnings) == 1 and "2027-02-15" in moved.warnings[0]
    past = ReturnIn(code="T-001", due=date(2027, 1, 29), why="x")
    with pytest.raises(UserError):
        _change(loaded, TaskAction.return_, past, by="coord")


def test_a_file_of_tasks_is_all_or_nothing_with_its_lines(loaded: Backend, tmp_path: Path) -> None:
    bad = tmp_path / "accept.yaml"
    bad.write_text(
        "tasks:\n  - code: T-001\n  - code: T-002\n  - code: T-777\n  - code: T-001\n",
        encoding="utf-8",
    )
    before = loaded.fingerprint()
    result = run("task", "accept", "--file", str(bad), "--by", "coord", "--now", "2027-02-01T11:00")
    assert result.exit_code == 2
    assert "accept.yaml:3: Поручение T-002" in result.stderr  # open, not handed in
    assert "accept.yaml:4:" in result.stderr and "T-777" in result.stderr
    assert "accept.yaml:5:" in result.stderr and "accept.yaml:2" in result.stderr  # twice
    assert loaded.fingerprint() == before

    good = tmp_path / "cancel.csv"
    good.write_text("code,why\nT-002,Снято с плана\n", encoding="utf-8")
    result = run(
        "task",
        "cancel",
        "--file",
        str(good),
        "--by",
        "coord",
        "--json",
        "--now",
        "2027-02-01T11:00",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["tasks"][0] == {
        "code": "T-002",
        "from_status": "open",
        "to_status": "cancelled",
        "due": "2026-12-04",
        "at": "2027-02-01T11:00+10:00",
    }
    missing_why = tmp_path / "return.csv"
    missing_why.write_text("code,due\nT-001,2027-03-01\n", encoding="utf-8")
    result = run("task", "return", "--file", str(missing_why))
    assert result.exit_code == 2 and "return.csv:1" in result.stderr and "why" in result.stderr


def test_task_commands_speak_russian_and_english(loaded: Backend) -> None:
    result = run(
        "task",
        "return",
        "T-001",
        "--due",
        "2027-02-13",
        "--why",
        "Нет смет",
        "--now",
        "2027-02-01T11:00",
    )
    assert result.exit_code == 0, result.output
    assert "перенесён на 2027-02-15" in result.stderr
    assert "T-001: submitted → returned, срок 2027-02-15" in result.stdout
    shown = run("task", "show", "T-001", "--now", "2027-02-01T11:00")
    assert "История: 1" in shown.stdout and "Нет смет" in shown.stdout
    refused = run("--lang", "en", "task", "cancel", "T-001")
    assert refused.exit_code == 2 and "--why: required key is missing" in refused.stderr
    neither = run("task", "accept")
    assert neither.exit_code == 2 and "--file" in neither.stderr


def test_a_return_starts_the_alert_ladder_again(loaded: Backend) -> None:
    """T-001 was handed in, so no alert; returned with a new due date, its reminders come."""

    def rungs(now: datetime) -> set[tuple[str, AlertKind]]:
        report = sweep(loaded.settings, now=now, dry_run=True)
        return {(a.task, a.kind) for a in report.planned if a.task == "T-001"}

    reminder_day = datetime(2027, 2, 5, 0, 30, tzinfo=UTC)  # Friday 10:30, 3 working days before
    assert rungs(reminder_day) == set()
    _change(
        loaded,
        TaskAction.return_,
        ReturnIn(code="T-001", due=date(2027, 2, 10), why="x"),
        by="coord",
    )
    assert rungs(reminder_day) == {("T-001", AlertKind.reminder)}
    due_day = datetime(2027, 2, 10, 0, 30, tzinfo=UTC)
    assert rungs(due_day) == {("T-001", AlertKind.due)}
    _change(loaded, TaskAction.submit, SubmitIn(code="T-001"), by="e-minzdrav", now=reminder_day)
    assert rungs(due_day) == set()

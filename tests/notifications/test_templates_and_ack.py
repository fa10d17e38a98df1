"""Messages in the person's language, and acknowledging an escalation."""

from __future__ import annotations

from datetime import datetime

from typer.testing import CliRunner

from notifications.templates import AlertItem, render_digest
from roadmap.alerts.sweep import sweep
from roadmap.cli.app import app
from tests.support import Backend

ITEM = AlertItem(
    kind="escalation",
    level=1,
    task="T-014",
    title="Представить паспорт",
    agency="Министерство образования",
    stage="Интервью",
    due_on="15.12.2026",
    working_days=-4,
    chain=("Гончаренко Д. И.", "Петров П. П.", "Белозерова Е. В."),
)


def test_digest_in_russian_and_english() -> None:
    subject, body = render_digest("Петров П. П.", [ITEM], "ru")
    assert subject == "Поручение T-014: эскалация: просрочено на 4 раб. дн."
    assert "roadmap task ack T-014" in body
    assert "Гончаренко Д. И. → Петров П. П. → Белозерова Е. В." in body
    subject, body = render_digest("P. Petrov", [ITEM, ITEM], "en")
    assert subject == "Task deadlines: 2"
    assert body.count("4 working days overdue") == 2 and "Hello, P. Petrov!" in body


def test_a_long_digest_lists_the_most_urgent_and_counts_the_rest() -> None:
    from dataclasses import replace

    reminders = [
        replace(ITEM, kind="reminder", task=f"T-{100 + n}", working_days=1 + n % 7)
        for n in range(25)
    ]
    overdue = [
        replace(ITEM, kind="overdue", task=f"T-{200 + n}", working_days=-n) for n in range(6)
    ]
    subject, body = render_digest("Петров П. П.", [*reminders, ITEM, *overdue], "ru", limit=10)
    assert subject == "Сроки поручений: 32"
    listed = [line.split()[1] for line in body.splitlines() if line.startswith("• ")]
    # The escalation, then the furthest overdue, then the reminders with the fewest days left.
    assert listed[:7] == ["T-014", "T-205", "T-204", "T-203", "T-202", "T-201", "T-200"]
    assert len(listed) == 10 and all(
        code in {"T-100", "T-107", "T-114", "T-121"} for code in listed[7:10][:3]
    )
    assert "И ещё поручений: 22." in body
    # Without a limit every item is there.
    assert render_digest("П.", [*reminders, ITEM], "ru")[1].count("• ") == 26


def test_acknowledgement_stops_escalation_to_that_person(loaded: Backend) -> None:
    runner = CliRunner()
    # T-002 (minobr) was due 4 Dec 2026; by 10 Dec it is 4 working days overdue.
    late = datetime.fromisoformat("2026-12-10T10:00:00+10:00")
    planned = sweep(loaded.settings, now=late).planned
    assert ("T-002", "escalation", 1) in {(r.task, r.kind, r.level) for r in planned}

    early = runner.invoke(app, ["task", "ack", "T-005", "--by", "r-mincifra"])
    assert early.exit_code == 2 and "T-005" in early.stderr  # not escalated: nothing to take
    refused = runner.invoke(app, ["task", "ack", "T-002", "--by", "e-minobr"])
    assert refused.exit_code == 2 and "e-minobr" in refused.stderr
    accepted = runner.invoke(app, ["task", "ack", "T-002", "--by", "r-minobr"])
    assert accepted.exit_code == 0, accepted.output

    # 7 overdue working days: the cadence would repeat the escalation to the responsible
    # official, who acknowledged it: it does not; the coordinator now hears of it.
    later = datetime.fromisoformat("2026-12-15T10:00:00+10:00")
    again = {
        (r.kind, r.level) for r in sweep(loaded.settings, now=later).planned if r.task == "T-002"
    }
    assert again == {("overdue", 0), ("escalation", 2)}


def test_sweep_outside_the_window_plans_nothing(loaded: Backend) -> None:
    night = datetime.fromisoformat("2026-12-04T03:00:00+10:00")
    report = sweep(loaded.settings, now=night)
    assert report.regions[0].status == "outside_window" and report.planned == []
    sunday = datetime.fromisoformat("2026-12-06T10:00:00+10:00")
    assert sweep(loaded.settings, now=sunday).planned == []

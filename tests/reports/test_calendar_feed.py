"""`roadmap calendar PERSON`: the iCalendar feed of one person's due dates, read back with the
icalendar parser as a calendar application would read it.

The fixture is the Primorye example with a few changes, so that every rule has a task of
its own (the example's tasks are assigned to their organisation's emissary):
- T-002 (minobr's) is assigned to minzdrav's emissary e-minzdrav;
- T-010 (minzdrav's) has no assignee: it is its organisation's emissary's, e-minzdrav;
- r-minzdrav also answers for mintrans, whose T-004 is returned;
- T-005 (mincifra's, emissary e-mincifra who reads English) comes from stage 1's template.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar
from typer.testing import CliRunner

from roadmap.cli.app import app
from roadmap.errors import UserError
from roadmap.reports.calendar_feed import StageTitles, calendar_feed
from roadmap.store.models import Agency, Person, Task, TaskEvent
from tests.support import Backend, in_region

# 11:00 on 10 December 2026 in Vladivostok: T-002, T-003 (due 4 Dec) are overdue, T-004
# (due 11 Dec) is not yet.
NOW = datetime(2026, 12, 10, 1, 0, tzinfo=UTC)
TITLES = StageTitles(
    stages={"initiatives": ("Формирование перечня", "Defining the initiatives")},
    templates={("initiatives", "proposals"): ("Представить предложения", "Submit proposals")},
)


def _prepare(loaded: Backend) -> None:
    def change(session, region) -> None:
        people = {
            p.code: p.id
            for p in session.execute(sa.select(Person).where(Person.region_id == region.id))
            .scalars()
            .all()
        }
        tasks = {t.code: t for t in session.execute(sa.select(Task)).scalars()}
        tasks["T-002"].assignee_id = people["e-minzdrav"]
        tasks["T-010"].assignee_id = None
        tasks["T-004"].status = "returned"
        tasks["T-005"].stage, tasks["T-005"].template = "initiatives", "proposals"
        mintrans = session.execute(sa.select(Agency).where(Agency.code == "mintrans")).scalar_one()
        mintrans.responsible_id = people["r-minzdrav"]

    in_region(loaded, change)


def _feed(loaded: Backend, person: str, **options) -> Calendar:
    options.setdefault("now", NOW)
    feed = in_region(loaded, lambda s, r: calendar_feed(s, r, person, titles=TITLES, **options))
    return Calendar.from_ical(feed.to_ical())


def _events(calendar: Calendar) -> dict[str, object]:
    return {str(e["summary"]).split()[0]: e for e in calendar.walk("VEVENT")}


def test_an_emissary_gets_the_tasks_assigned_to_them_and_their_organisations_unassigned(
    loaded: Backend,
) -> None:
    _prepare(loaded)
    events = _events(_feed(loaded, "e-minzdrav"))
    # T-001 is submitted (not waiting for them); T-002 is assigned to them; T-010 is their
    # organisation's with no assignee.
    assert sorted(events) == ["T-002", "T-010"]
    t010 = events["T-010"]
    assert t010["dtstart"].dt == date(2027, 2, 19)
    assert t010["dtstart"].params["VALUE"] == "DATE"
    assert t010["dtend"].dt == date(2027, 2, 20)
    assert t010["dtstamp"].dt == NOW
    assert str(t010["summary"]) == (
        "T-010 Подготовить предложения по ИИ-автоматизации записи к врачу"
    )
    assert "Министерство здравоохранения Приморского края (minzdrav)" in t010["description"]
    assert "Статус: открыто" in t010["description"]
    assert "Просрочено" not in t010["description"]
    (alarm,) = t010.walk("VALARM")  # 09:00 the day before
    assert alarm["trigger"].dt == timedelta(hours=-15)
    t002 = events["T-002"]
    assert t002["dtstart"].dt == date(2026, 12, 4)
    assert "Министерство образования Приморского края (minobr)" in t002["description"]
    assert "Этап: Формирование перечня" in t002["description"]
    assert "Просрочено." in t002["description"]
    assert t002.walk("VALARM") == []  # no reminder of a date already past

    with_submitted = _events(_feed(loaded, "e-minzdrav", include_submitted=True))
    assert sorted(with_submitted) == ["T-001", "T-002", "T-010"]
    assert "Статус: сдано" in with_submitted["T-001"]["description"]
    assert "Просрочено" not in with_submitted["T-001"]["description"]


def test_an_official_gets_every_task_of_the_organisations_they_answer_for(
    loaded: Backend,
) -> None:
    _prepare(loaded)
    on_the_day = datetime(2026, 12, 11, 1, tzinfo=UTC)  # T-004's due date, in Vladivostok
    calendar = _feed(loaded, "r-minzdrav", now=on_the_day)
    events = _events(calendar)
    # minzdrav's T-010 and mintrans's returned T-004; not T-002, assigned to minzdrav's
    # emissary but minobr's.
    assert sorted(events) == ["T-004", "T-010"]
    assert events["T-004"]["dtstart"].dt == date(2026, 12, 11)
    assert "Статус: возвращено" in events["T-004"]["description"]
    assert "Просрочено" not in events["T-004"]["description"]  # due today
    assert str(calendar["x-wr-calname"]) == "Сроки поручений: Лебедева О. Н. (PRI)"
    # The next day T-004 is overdue too.
    later = _events(_feed(loaded, "r-minzdrav", now=datetime(2026, 12, 12, 1, tzinfo=UTC)))
    assert "Просрочено." in later["T-004"]["description"]


def test_the_coordinator_gets_every_task_waiting_for_someone(loaded: Backend) -> None:
    _prepare(loaded)
    events = _events(_feed(loaded, "coord"))
    # The example's eleven tasks less the two submitted ones (T-001, T-006).
    assert sorted(events) == [f"T-{n:03}" for n in (2, 3, 4, 5, 7, 8, 9, 10, 11)]


def test_a_feed_is_in_its_readers_language(loaded: Backend) -> None:
    _prepare(loaded)
    calendar = _feed(loaded, "e-mincifra")
    (event,) = calendar.walk("VEVENT")
    assert str(calendar["x-wr-calname"]) == "Task due dates: Артемьев К. О. (PRI)"
    assert str(event["summary"]) == "T-005 Submit proposals"
    assert str(event["description"]) == (
        "Organisation: Министерство цифрового развития и связи Приморского края (mincifra)\n"
        "Emissary: Артемьев К. О.\n"
        "Stage: Defining the initiatives\n"
        "Status: open"
    )


def test_uids_stay_when_the_feed_is_made_again_or_a_task_is_re_dated(loaded: Backend) -> None:
    _prepare(loaded)
    first = _events(_feed(loaded, "e-minzdrav"))
    again = _events(_feed(loaded, "e-minzdrav", now=datetime(2026, 12, 11, tzinfo=UTC)))
    assert {c: str(e["uid"]) for c, e in first.items()} == {
        c: str(e["uid"]) for c, e in again.items()
    }
    assert len({str(e["uid"]) for e in first.values()}) == 2
    assert all(str(e["uid"]).endswith("@roadmap") for e in first.values())
    assert first["T-010"]["sequence"] == 0

    def redate(session, region) -> None:
        task = session.execute(sa.select(Task).where(Task.code == "T-010")).scalar_one()
        task.due_on = date(2027, 3, 1)
        for action in ("submit", "return"):
            session.add(
                TaskEvent(
                    task_id=task.id,
                    action=action,
                    from_status="open",
                    to_status="open",
                    at=NOW,
                    due_on=date(2027, 3, 1) if action == "return" else None,
                )
            )

    in_region(loaded, redate)
    moved = _events(_feed(loaded, "e-minzdrav"))["T-010"]
    assert str(moved["uid"]) == str(first["T-010"]["uid"])
    assert moved["dtstart"].dt == date(2027, 3, 1)
    assert moved["sequence"] == 2  # newer than the imported copy: a calendar replaces it


def test_an_unknown_person_is_a_user_error_naming_no_one(loaded: Backend) -> None:
    with pytest.raises(UserError) as raised:
        in_region(loaded, lambda s, r: calendar_feed(s, r, "e-minzrav", now=NOW))
    message = str(raised.value)
    assert "e-minzrav" in message and "PRI" in message
    assert "e-minzdrav" not in message and "@" not in message


def test_the_command_writes_the_file_or_stdout_and_refuses_an_unknown_person(
    loaded: Backend, tmp_path
) -> None:
    runner = CliRunner()
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "due.ics"
    result = runner.invoke(
        app, ["calendar", "e-minzdrav", "--now", "2026-12-10T11:00", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    written = Calendar.from_ical(out.read_bytes())
    assert sorted(_events(written)) == ["T-010"]  # the example as imported
    assert [p.name for p in folder.iterdir()] == ["due.ics"]  # no temporary left

    shown = runner.invoke(app, ["calendar", "e-minzdrav", "--all", "--now", "2026-12-10"])
    assert shown.exit_code == 0, shown.output
    assert sorted(_events(Calendar.from_ical(shown.stdout_bytes))) == ["T-001", "T-010"]

    missing = folder / "missing.ics"
    refused = runner.invoke(app, ["calendar", "nobody", "--out", str(missing)])
    assert refused.exit_code == 2
    assert "nobody" in refused.stderr and "Traceback" not in refused.output
    assert not missing.exists()


def test_messages_have_the_same_placeholders_in_both_languages() -> None:
    from roadmap.i18n.calendar_feed import MESSAGES

    for key, texts in MESSAGES.items():
        names = {lang: set(re.findall(r"{(\w+)}", text)) for lang, text in texts.items()}
        assert names["ru"] == names["en"], key

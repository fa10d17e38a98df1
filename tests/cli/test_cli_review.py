"""The yearly update as coordinators type it: `roadmap review start / propose / decide /
status / close`, `roadmap versions` and `roadmap diff`, on both backends.

Every command that writes gets an explicit `--now`, so nothing depends on today's date.
The review rules themselves are tested in tests/review through roadmap.review directly.
"""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from roadmap.cli.app import app
from tests.support import EXAMPLES, Backend

runner = CliRunner()
CHANGES = EXAMPLES / "changes-2027.yaml"
NOW = "2027-01-15T10:00"
CYRILLIC = re.compile("[а-яА-ЯёЁ]")


def run(*args: str):
    return runner.invoke(app, list(args))


def ok(*args: str):
    result = run(*args)
    assert result.exit_code == 0, (args, result.output)
    return result


def test_full_yearly_cycle_with_the_example_change_file(loaded: Backend) -> None:
    started = json.loads(ok("review", "start", "2027", "--now", NOW, "--json").stdout)
    assert started == {"year": 2027, "status": "open", "baseline_version": 1, "tasks_created": 11}
    # Starting the same year again is harmless, and says so in Russian.
    again = ok("review", "start", "2027", "--now", NOW).stdout
    assert "Актуализация 2027: open, база — версия 1" in again
    assert "создано: 0" in again

    proposed = ok("review", "propose", "--file", str(CHANGES), "--now", NOW)
    assert "Предложения: #1, #2, #3, #4, #5, #6" in proposed.stdout
    # Two agencies want different 2027 targets for one indicator: reported, not merged.
    assert "Противоречие: #3 и #6 меняют target:DIGITAL-MATURITY|2027" in proposed.stdout

    single = json.loads(
        ok(
            "review",
            "propose",
            "--move",
            "T-001=2027-03-01",
            "--reason",
            "regional_policy",
            "--why",
            "Перенос по итогам закупки",
            "--agency",
            "mincifra",
            "--now",
            NOW,
            "--json",
        ).stdout
    )
    assert single["year"] == 2027 and single["created"] == [7]
    assert single["conflicts"] == [{"proposals": [3, 6], "touch": "target:DIGITAL-MATURITY|2027"}]

    status = json.loads(ok("review", "status", "--json").stdout)
    assert (status["year"], status["status"], status["baseline_version"]) == (2027, "open", 1)
    assert [p["number"] for p in status["proposals"]] == [1, 2, 3, 4, 5, 6, 7]
    assert {p["status"] for p in status["proposals"]} == {"pending"}
    table = ok("review", "status").stdout
    assert "2027: open (v1 → …)" in table and "Обоснование" in table

    # Closing with undecided proposals is refused.
    undecided = run("review", "close", "--now", NOW)
    assert undecided.exit_code == 2 and "Не решены предложения" in undecided.stderr

    accepted = ok(
        "review", "decide", "1", "2", "3", "4", "5", "--accept", "--by", "coord", "--now", NOW
    )
    assert "#1, #2, #3, #4, #5: accepted" in accepted.stdout
    rejected = ok("review", "decide", "6", "7", "--reject", "--by", "coord", "--now", NOW)
    assert "#6, #7: rejected" in rejected.stdout
    assert "Противоречие" not in rejected.stdout  # #6 is out, so #3 stands alone

    closed = json.loads(ok("review", "close", "--by", "coord", "--now", NOW, "--json").stdout)
    assert closed == {
        "year": 2027,
        "status": "closed",
        "version": 2,
        "applied": 5,
        "tasks_accepted": 0,
        "tasks_cancelled": 11,
        "cycle": 2,
    }
    before = loaded.fingerprint()
    again = ok("review", "close", "--now", NOW).stdout
    assert "Актуализация 2027: версия 2, применено изменений: 0." in again
    assert loaded.fingerprint() == before

    history = json.loads(ok("versions", "--json").stdout)
    assert [v["version"] for v in history] == [1, 2]
    assert history[1]["approved_by"] == "coord"
    assert history[1]["reasons"] == {"federal_task": 1, "national_project": 2, "regional_policy": 2}
    listing = ok("versions").stdout
    assert "Причины изменений" in listing and "national_project 2" in listing

    changes = json.loads(ok("diff", "1", "2", "--json").stdout)
    assert set(changes) == {
        "from",
        "to",
        "horizon",
        "initiatives",
        "budget",
        "targets",
        "deadlines",
    }
    assert changes["horizon"] is None  # the 2027 update kept the horizon
    assert (changes["from"], changes["to"]) == (1, 2)
    assert changes["initiatives"]["added"] == ["H-05"]
    assert changes["initiatives"]["dropped"] == ["TR-02"]
    assert changes["targets"] == [
        {"indicator": "DIGITAL-MATURITY", "year": 2027, "before": 67.0, "after": 72.0}
    ]
    assert changes["deadlines"] == [
        {"task": "T-004", "before": "2026-12-11", "after": "2027-02-26"}
    ]
    text = ok("diff", "1", "2").stdout
    assert "v1 → v2" in text
    assert "Добавлены: H-05" in text and "Исключены: TR-02" in text
    assert "T-004" in text and "2027-02-26" in text
    # Nothing changed since version 2 was made: the diff to the current state is empty.
    current = json.loads(ok("diff", "--json").stdout)
    assert (current["from"], current["to"]) == (2, "current")
    assert current["initiatives"] == {"added": [], "dropped": [], "changed": []}
    assert current["targets"] == [] and current["deadlines"] == []


def test_bad_input_exits_2_with_a_russian_message_and_writes_nothing(
    loaded: Backend, tmp_path
) -> None:
    # No cycle yet: proposing and closing name the missing cycle.
    before = loaded.fingerprint()
    for args, expected in [
        (["review", "propose", "--drop", "TR-02", "--why", "w", "--now", NOW], "Нет цикла"),
        (["review", "close", "--now", NOW], "Нет цикла"),
        (["review", "start", "1999", "--now", NOW], "YEAR: '1999'"),
        (["review", "start", "2027", "--now", "15.01.2027"], "--now"),
    ]:
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert expected in result.stderr and CYRILLIC.search(result.stderr), result.stderr
        assert loaded.fingerprint() == before, args

    ok("review", "start", "2027", "--now", NOW)
    ok("review", "propose", "--file", str(CHANGES), "--now", NOW)
    text_file = tmp_path / "changes.txt"
    text_file.write_text("changes: []\n", "utf-8")
    bad_reference = tmp_path / "bad.yaml"
    bad_reference.write_text(
        "changes:\n"
        "  - kind: drop_initiative\n"
        "    reason: other\n"
        "    why: w\n"
        "    initiative: NO-SUCH\n"
        "  - kind: move_date\n"
        "    reason: other\n"
        "    why: w\n"
        "    task: T-999\n"
        "    due: 2027-02-01\n",
        "utf-8",
    )
    before = loaded.fingerprint()
    for args, expected in [
        (["review", "propose", "--now", NOW], "Укажите --file"),
        (["review", "propose", "--file", str(text_file), "--now", NOW], "в YAML"),
        (["review", "propose", "--drop", "NO-SUCH", "--why", "w", "--now", NOW], "'NO-SUCH'"),
        (["review", "propose", "--drop", "H-01", "--now", NOW], "why: обязательный ключ"),
        (
            ["review", "propose", "--move", "T-004=26.02.2027", "--why", "w", "--now", NOW],
            "due: ожидается дата ГГГГ-ММ-ДД, получено '26.02.2027'",
        ),
        (
            ["review", "propose", "--target", "DIGITAL-MATURITY:20x7=5", "--why", "w"],
            "year: ожидается год",
        ),
        (["review", "propose", "--drop", "H-01", "--why", "w", "--reason", "x"], "reason:"),
        (["review", "propose", "--file", str(bad_reference), "--now", NOW], "T-999"),
        (["review", "decide", "1", "--now", NOW], "Укажите --accept или --reject"),
        (["review", "decide", "99", "--accept", "--now", NOW], "Нет предложений с номерами [99]"),
        (["review", "close", "--now", NOW], "Не решены предложения [1, 2, 3, 4, 5, 6]"),
        (["review", "start", "2028", "--now", NOW], "открыт цикл 2027"),
        (["diff", "7"], "Нет версии 7"),
    ]:
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert expected in result.stderr and CYRILLIC.search(result.stderr), result.stderr
        assert "Traceback" not in result.output
        assert loaded.fingerprint() == before, args


def test_conflicting_accepted_proposals_are_refused_on_close(loaded: Backend) -> None:
    ok("review", "start", "2027", "--now", NOW)
    ok("review", "propose", "--file", str(CHANGES), "--now", NOW)
    ok("review", "decide", "1", "2", "3", "4", "5", "6", "--accept", "--now", NOW)
    before = loaded.fingerprint()
    refused = run("review", "close", "--now", NOW)
    assert refused.exit_code == 2
    assert "ничего не применено: #3 / #6: target:DIGITAL-MATURITY|2027" in refused.stderr
    assert loaded.fingerprint() == before
    assert json.loads(ok("versions", "--json").stdout)[-1]["version"] == 1


@pytest.mark.parametrize("how", ["option", "setting"])
def test_english_with_the_language_option_or_setting(
    loaded: Backend, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if how == "setting":
        monkeypatch.setenv("ROADMAP_LOCALE", "en")
        lang: list[str] = []
    else:
        lang = ["--lang", "en"]
    started = ok(*lang, "review", "start", "2027", "--now", NOW).stdout
    assert "Review 2027: open, baseline version 1; working-group tasks created: 11." in started
    proposed = ok(*lang, "review", "propose", "--file", str(CHANGES), "--now", NOW).stdout
    assert "Proposals: #1, #2, #3, #4, #5, #6" in proposed
    assert "Conflict: #3 and #6 both change target:DIGITAL-MATURITY|2027" in proposed
    missing = run(*lang, "review", "decide", "99", "--accept", "--now", NOW)
    assert missing.exit_code == 2
    assert "No proposals numbered [99] in the 2027 cycle." in missing.stderr
    assert not CYRILLIC.search(missing.stderr)
    ok(*lang, "review", "decide", "1", "2", "3", "4", "5", "--accept", "--now", NOW)
    ok(*lang, "review", "decide", "6", "--reject", "--now", NOW)
    closed = ok(*lang, "review", "close", "--now", NOW).stdout
    assert "Review 2027: version 2, changes applied: 5." in closed
    text = ok(*lang, "diff", "1", "2").stdout
    assert "Added: H-05" in text and "Dropped: TR-02" in text

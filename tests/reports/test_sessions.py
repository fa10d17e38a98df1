"""`roadmap report sessions`: per strategy session its proposals, those that became
initiatives and those selected, against counts done by hand on the small region of
tests/reports/sessions_data.py, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from typer.testing import CliRunner

from roadmap.cli.app import app
from roadmap.reports.sessions import sessions_report
from roadmap.reports.table import Report
from tests.reports.sessions_data import built_fixture, built_store  # noqa: F401  (fixtures)
from tests.support import Backend, in_region

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
runner = CliRunner()


def _report(backend: Backend, **options) -> Report:
    return in_region(
        backend,
        lambda session, region: sessions_report(session, region, now=NOW, **options),
        "TST",
    )


def _counts(report: Report) -> list[tuple]:
    """Each row as (code, place, participants, proposals, into initiatives, selected)."""
    return [
        (r["code"], r["place"], r["participants"], r["proposals"], r["initiatives"], r["selected"])
        for r in report.rows
    ]


def _totals(report: Report) -> tuple:
    totals = report.totals
    keys = ("participants", "proposals", "initiatives", "selected", "selected_share")
    return tuple(totals[k] for k in keys)


def test_every_session_with_its_proposals_and_the_selected_among_them(built: Backend) -> None:
    report = _report(built)

    # By date; x1 (dropped) and p1 (proposed) became initiatives but are not selected, e2
    # (done) and h1 (in progress) count as selected; OTH's session is not TST's.
    assert _counts(report) == [
        ("S-H", "health", 40, 4, 3, 2),
        ("S-E", "edu", 25, 3, 3, 1),
        ("T-V", "mo-vlad", 60, 2, 1, 1),
        ("T-A", "mo-artem", 0, 0, 0, 0),
    ]
    shares = [r["selected_share"] for r in report.rows]
    assert shares == [pytest.approx(2 / 4), pytest.approx(1 / 3), pytest.approx(1 / 2), None]
    assert [r["kind"] for r in report.rows] == ["sectoral"] * 2 + ["territorial"] * 2
    assert report.column("kind").labels == {
        "sectoral": "отраслевая",
        "territorial": "территориальная",
    }
    assert [r["place_name"] for r in report.rows] == [
        "Здравоохранение", "Образование", "Владивосток", "Артём",
    ]  # fmt: skip
    assert report.rows[0]["held_on"] == date(2025, 3, 10)
    assert _totals(report) == (125, 9, 7, 4, pytest.approx(4 / 9))
    assert report.totals["code"] == "Итого" and report.totals["title"] == "Сессий: 4"

    (chart,) = report.charts
    assert chart.categories == ["S-H", "S-E", "T-V", "T-A"]
    assert [s.values for s in chart.series] == [[4, 3, 2, 0], [2, 1, 1, 0]]


def test_year_and_kind_narrow_rows_and_totals(built: Backend) -> None:
    in_2025 = _report(built, year=2025)
    assert [r["code"] for r in in_2025.rows] == ["S-H", "S-E"]
    assert _totals(in_2025) == (65, 7, 6, 3, pytest.approx(3 / 7))
    assert in_2025.filters == {"year": 2025, "kind": None}

    territorial = _report(built, kind="territorial")
    assert [r["code"] for r in territorial.rows] == ["T-V", "T-A"]
    assert _totals(territorial) == (60, 2, 1, 1, pytest.approx(1 / 2))

    both = _report(built, year=2026, kind="sectoral")
    assert both.rows == [] and _totals(both) == (0, 0, 0, 0, None)

    # A year without sessions is an empty report, not an error.
    empty = _report(built, year=2027)
    assert empty.rows == [] and empty.charts == []
    assert _totals(empty) == (0, 0, 0, 0, None)
    assert empty.totals["title"] == "Сессий: 0"


def test_the_command_writes_json_and_csv(built: Backend) -> None:
    common = ["report", "sessions", "--region", "TST", "--now", "2026-06-01T12:00"]
    result = runner.invoke(app, [*common, "--year", "2025", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(r["code"], r["proposals"], r["selected"]) for r in data["rows"]] == [
        ("S-H", 4, 2),
        ("S-E", 3, 1),
    ]
    assert data["rows"][0]["held_on"] == "2025-03-10"
    assert data["totals"]["selected_share"] == round(3 / 7, 4)

    result = runner.invoke(app, ["--lang", "en", *common, "--kind", "territorial", "--csv"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.lstrip("\ufeff").splitlines()
    assert lines[0].split(";")[:3] == ["Session", "Title", "Kind"]
    assert lines[1].split(";")[-5:] == ["60", "2", "1", "1", "50.0"]
    assert lines[-1].startswith("Total;Sessions: 2;")

    result = runner.invoke(app, [*common, "--kind", "plenary"])
    assert result.exit_code == 2 and "--kind" in result.output

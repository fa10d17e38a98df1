"""`roadmap report budget`: the plan's money grouped every way, against sums done by hand
on the small region of tests/reports/budget_data.py, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from rich.console import Console
from typer.testing import CliRunner

from roadmap.cli.app import app
from roadmap.i18n import set_locale
from roadmap.reports.budget import budget_report, parse_grouping
from roadmap.reports.output import as_json, print_report, write_csv, write_json
from roadmap.reports.table import Report
from tests.reports.budget_data import EDU_NAME, build
from tests.support import Backend, in_region

NOW = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
runner = CliRunner()

# The plan's money of the fixture, without the dropped x1 (kopecks).
PLANNED, ACTUAL = 61028, 36003


def _report(backend: Backend, **options) -> Report:
    return in_region(
        backend, lambda session, region: budget_report(session, region, now=NOW, **options)
    )


def _money(report: Report, *keys: str) -> list[tuple]:
    """Each row as (its keys..., planned, actual, initiatives)."""
    return [
        (*(row[k] for k in keys), row["planned"], row["actual"], row["initiatives"])
        for row in report.rows
    ]


def _totals(report: Report) -> tuple:
    totals = report.totals
    return totals["planned"], totals["actual"], totals["execution"], totals["initiatives"]


def test_by_sector_without_the_dropped_initiative_named_in_a_note(store: Backend) -> None:
    build(store)
    report = _report(store)

    assert [c.key for c in report.columns] == [
        "sector", "sector_name", "planned", "actual", "execution", "initiatives",
    ]  # fmt: skip
    # edu: e1 only (x1 dropped); health: h1 and h2 (i0 has no lines); a missing actual is 0.
    assert _money(report, "sector", "sector_name") == [
        ("edu", EDU_NAME, 30006 + 7, 29999 + 0, 1),
        ("health", "Здравоохранение", 10001 + 2 + 20003 + 1004 + 5, 5000 + 1004, 2),
    ]
    assert report.rows[0]["execution"] == pytest.approx(29999 / 30013)
    assert report.rows[1]["execution"] == pytest.approx(6004 / 31015)
    assert _totals(report) == (PLANNED, ACTUAL, pytest.approx(ACTUAL / PLANNED), 3)
    assert report.totals["sector"] == "Итого"
    # x1's 500.00 + 250.50 is out of the totals, named in a note with its amount.
    assert report.notes[-1] == "Вне плана (отменены): 750,50 ₽ — x1 (750,50 ₽)."
    assert report.region == "Тестовый край (TST)"
    assert report.filters == {"by": ["sector"], "year": None}

    # A year narrows the rows, the totals and the note alike.
    report = _report(store, year=2025)
    assert _money(report, "sector") == [
        ("edu", 30006, 29999, 1),
        ("health", 10001 + 2 + 1004, 5000 + 1004, 2),
    ]
    assert _totals(report)[:2] == (41013, 36003)
    assert report.notes[-1] == "Вне плана (отменены): 500,00 ₽ — x1 (500,00 ₽)."
    assert report.filters["year"] == 2025

    set_locale("en")
    data = as_json(_report(store))
    assert [c["title"] for c in data["columns"]][:2] == ["Sector", "Sector name"]
    assert data["totals"]["sector"] == "Total"
    assert data["notes"][-1] == "Out of the plan (dropped): RUB 750.50 — x1 (RUB 750.50)."


def test_every_grouping_alone_and_together(store: Backend) -> None:
    build(store)

    by_source = _report(store, grouping=("source",))
    assert _money(by_source, "source") == [
        ("extrabudgetary", 7, 0, 1),
        ("federal", 10001 + 20003, 5000, 1),
        ("municipal", 1004, 1004, 1),
        ("regional", 2 + 5 + 30006, 29999, 3),
    ]
    assert by_source.rows[0]["execution"] == 0.0  # planned, nothing spent: 0 %, not "no data"

    by_year = _report(store, grouping=("year",))
    assert _money(by_year, "year") == [
        (2025, 10001 + 2 + 1004 + 30006, 5000 + 1004 + 29999, 3),
        (2026, 20003 + 5 + 7, 0, 3),
    ]
    # Three initiatives in all, not 3 + 3: each is counted once in the totals.
    assert _totals(by_year) == (PLANNED, ACTUAL, pytest.approx(ACTUAL / PLANNED), 3)

    by_agency = _report(store, grouping=("agency",))
    assert [c.key for c in by_agency.columns][:3] == ["agency", "agency_name", "agency_kind"]
    # mintrud has an initiative without money: not listed.
    assert _money(by_agency, "agency", "agency_kind") == [
        ("minobr", "executive_body", 30013, 29999, 1),
        ("minzdrav", "executive_body", 30006, 5000, 1),
        ("mo-vlad", "municipality", 1009, 1004, 1),
    ]

    by_initiative = _report(store, grouping=("initiative",))
    assert _money(by_initiative, "initiative", "initiative_title") == [
        ("e1", "Инициатива e1", 30013, 29999, 1),
        ("h1", "Инициатива h1", 30006, 5000, 1),
        ("h2", "Инициатива h2", 1009, 1004, 1),
    ]

    combined = _report(store, grouping=("sector", "source", "year"))
    assert _money(combined, "sector", "source", "year") == [
        ("edu", "extrabudgetary", 2026, 7, 0, 1),
        ("edu", "regional", 2025, 30006, 29999, 1),
        ("health", "federal", 2025, 10001, 5000, 1),
        ("health", "federal", 2026, 20003, 0, 1),
        ("health", "municipal", 2025, 1004, 1004, 1),
        ("health", "regional", 2025, 2, 0, 1),
        ("health", "regional", 2026, 5, 0, 1),
    ]
    for report in (by_source, by_agency, by_initiative, combined):
        assert _totals(report) == (PLANNED, ACTUAL, pytest.approx(ACTUAL / PLANNED), 3)
        assert "x1" in report.notes[-1]
        assert "x1" not in {row.get("initiative") for row in report.rows}

    # Kopecks add up exactly: the rows' roubles in JSON sum to the totals'.
    out = io.StringIO()
    write_json(combined, out)
    data = json.loads(out.getvalue())

    planned = [row["planned"] for row in data["rows"]]
    assert planned == ["0.07", "300.06", "100.01", "200.03", "10.04", "0.02", "0.05"]
    assert sum(map(Decimal, planned)) == Decimal(data["totals"]["planned"]) == Decimal("610.28")
    actual = sum(Decimal(row["actual"]) for row in data["rows"])
    assert actual == Decimal(data["totals"]["actual"]) == Decimal("360.03")


def test_a_year_without_lines_is_an_empty_report_in_every_format(
    store: Backend, tmp_path: Path
) -> None:
    build(store)
    report = _report(store, year=2027)
    assert report.rows == []
    assert _totals(report) == (0, 0, None, 0)
    assert len(report.notes) == 1  # the rule; nothing dropped in 2027

    xlsx, html = tmp_path / "b.xlsx", tmp_path / "b.html"
    result = runner.invoke(
        app,
        ["report", "budget", "--year", "2027", "--json", "--xlsx", str(xlsx), "--html", str(html)],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["rows"] == []
    assert data["totals"]["planned"] == "0.00" and data["totals"]["execution"] is None
    sheet = load_workbook(xlsx).worksheets[0]
    assert [cell.value for cell in sheet[2]][:4] == ["Итого", None, 0.0, 0.0]
    assert "Нет данных." in html.read_text("utf-8")

    csv = io.StringIO(newline="")
    write_csv(report, csv)
    assert csv.getvalue().split("\r\n")[1:] == ["Итого;;0,00;0,00;;0", ""]
    console = Console(file=io.StringIO(), width=160)
    print_report(report, console)
    assert "Нет данных." in console.file.getvalue()


def test_budget_on_the_command_line(store: Backend) -> None:
    build(store)
    # Grouped, and sorted, in the order the user named the groupings.
    result = runner.invoke(app, ["report", "budget", "--by", "year,agency", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["filters"] == {"by": ["year", "agency"], "year": None}
    rows = [(r["year"], r["agency"], r["agency_kind"], r["planned"]) for r in data["rows"]]
    assert rows == [
        (2025, "minobr", "executive_body", "300.06"),
        (2025, "minzdrav", "executive_body", "100.03"),
        (2025, "mo-vlad", "municipality", "10.04"),
        (2026, "minobr", "executive_body", "0.07"),
        (2026, "minzdrav", "executive_body", "200.03"),
        (2026, "mo-vlad", "municipality", "0.05"),
    ]
    assert data["totals"]["year"] == "Итого"

    # No grouping named is the default one, not a crash.
    assert parse_grouping(" , ") == parse_grouping("") == ("sector",)
    assert parse_grouping("year,sector,year") == ("year", "sector")

    # A year is shown as it is, not grouped as a number ("2 025").
    console = Console(file=io.StringIO(), width=160)
    print_report(_report(store, grouping=("year",)), console)
    shown = console.file.getvalue()
    assert "2025" in shown and "2\u202f025" not in shown


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # refused before the store
def test_bad_options_exit_2_and_write_nothing(store: Backend, tmp_path: Path) -> None:
    build(store)
    out = tmp_path / "out"
    out.mkdir()
    files = ["--xlsx", str(out / "b.xlsx"), "--html", str(out / "b.html")]
    for args, message in [
        (["--by", "sector,fund"], "--by: неизвестная группировка: fund"),
        (["--year", "1999"], "--year: 1999 — ожидается год от 2000 до 2100"),
    ]:
        result = runner.invoke(app, ["report", "budget", *args, *files, "--json"])
        assert result.exit_code == 2, args
        assert message in result.stderr
        assert result.stdout == ""
        assert list(out.iterdir()) == []


def test_no_region_or_no_strategy_is_a_clear_message(store: Backend) -> None:
    result = runner.invoke(app, ["report", "budget"])
    assert result.exit_code == 2
    assert "нет ни одного региона" in result.stderr

    build(store, strategy=False)
    result = runner.invoke(app, ["report", "budget", "--json"])
    assert result.exit_code == 2
    assert "У региона TST нет стратегии" in result.stderr
    assert result.stdout == ""

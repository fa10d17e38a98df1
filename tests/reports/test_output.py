"""The report writers (roadmap.reports.output) on a report built by hand, and the output
options of `roadmap report …` as a user gives them."""

from __future__ import annotations

import io
import json
import os
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from rich.console import Console
from typer.testing import CliRunner

from roadmap.cli.app import app
from roadmap.errors import UserError
from roadmap.i18n import set_locale
from roadmap.reports import output
from roadmap.reports.table import Chart, Column, Report, Series
from tests.reports.budget_data import build
from tests.support import Backend

runner = CliRunner()
BOLD_NAME = "<b>Образование</b>"


def _report(title: str = "Бюджет") -> Report:
    return Report(
        name="budget",
        title=title,
        columns=[
            Column("sector", "Отрасль"),
            Column("name", "Название"),
            Column("year", "Год", "year"),
            Column("count", "Инициатив", "int"),
            Column("planned", "План, ₽", "money"),
            Column("execution", "Исполнение", "percent"),
            Column("since", "С", "date"),
        ],
        rows=[
            {
                "sector": "health",
                "name": "Здравоохранение",
                "year": 2025,
                "count": 1234,
                "planned": 123456789,
                "execution": 0.915,
                "since": date(2025, 1, 9),
            },
            {
                "sector": "edu",
                "name": BOLD_NAME,
                "year": 2026,
                "count": 0,
                "planned": 5,
                "execution": None,
                "since": None,
            },
            {
                "sector": "=1+2",
                "name": "[red]Формула[/red]",
                "year": 2026,
                "count": 1,
                "planned": 0,
                "execution": 0.0,
                "since": None,
            },
        ],
        totals={"sector": "Итого", "count": 1235, "planned": 123456794, "execution": 0.9},
        notes=["Примечание <i>важное</i>"],
        charts=[
            Chart("По отраслям", ["Здравоохранение", BOLD_NAME], [Series("План", [1.2, 0.0])]),
            Chart("По годам", ["2025", "2026"], [Series("План", [1.0, 2.0])], kind="line"),
        ],
        filters={"by": ["sector", "year"], "year": None, "since": date(2025, 1, 1)},
        region="Тестовый край (TST)",
        strategy="Стратегия ЦТ, 2025–2027, v1",
        generated_at=datetime(2026, 3, 1, 3, 0, tzinfo=UTC),
    )


def _csv(report: Report) -> str:
    out = io.StringIO(newline="")
    output.write_csv(report, out)
    return out.getvalue()


def test_csv_for_russian_excel_and_in_english() -> None:
    text = _csv(_report())
    assert text.startswith("\ufeff")
    assert text.split("\r\n") == [
        "\ufeffОтрасль;Название;Год;Инициатив;План, ₽;Исполнение, %;С",
        "health;Здравоохранение;2025;1234;1234567,89;91,5;09.01.2025",
        f"edu;{BOLD_NAME};2026;0;0,05;;",
        # A name Excel would run as a formula is written as text.
        "'=1+2;[red]Формула[/red];2026;1;0,00;0,0;",
        "Итого;;;1235;1234567,94;90,0;",
        "",
    ]
    set_locale("en")
    lines = _csv(_report()).split("\r\n")
    assert lines[1] == "health;Здравоохранение;2025;1234;1234567.89;91.5;2025-01-09"
    assert lines[4] == "Итого;;;1235;1234567.94;90.0;"


def test_json_money_as_exact_strings() -> None:
    out = io.StringIO()
    output.write_json(_report(), out)
    data = json.loads(out.getvalue())
    assert data["rows"][0] == {
        "sector": "health",
        "name": "Здравоохранение",
        "year": 2025,
        "count": 1234,
        "planned": "1234567.89",
        "execution": 0.915,
        "since": "2025-01-09",
    }
    assert data["rows"][1]["planned"] == "0.05" and data["rows"][1]["execution"] is None
    assert data["totals"]["planned"] == "1234567.94"
    assert [c["kind"] for c in data["columns"]][2:6] == ["year", "int", "money", "percent"]
    assert data["filters"]["since"] == "2025-01-01"  # a date in the filters is still JSON
    assert data["generated_at"] == "2026-03-01T03:00:00+00:00"


def test_xlsx_numbers_formats_and_bold_totals(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    umask = os.umask(0o022)
    try:
        output.write_xlsx(_report(), path)
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644  # an ordinary new file, not 0600
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]  # no temporary left

    book = load_workbook(path)
    sheet = book.worksheets[0]
    assert sheet.title == "Бюджет"
    assert [c.value for c in sheet[1]] == ["Отрасль", "Название", "Год", "Инициатив",
                                           "План, ₽", "Исполнение", "С"]  # fmt: skip
    assert all(c.font.bold for c in sheet[1])
    year, count, planned, execution, since = (
        sheet["C2"],
        sheet["D2"],
        sheet["E2"],
        sheet["F2"],
        sheet["G2"],
    )
    assert (year.value, year.number_format) == (2025, "0")
    assert (count.value, count.number_format) == (1234, "#,##0")
    assert (planned.value, planned.number_format) == (1234567.89, "#,##0.00")
    assert (execution.value, execution.number_format) == (0.915, "0.0%")
    assert since.value.date() == date(2025, 1, 9) and since.number_format == "DD.MM.YYYY"
    assert isinstance(planned.value, float) and planned.data_type == "n"
    # A name that starts with "=" stays a name, not a formula.
    assert (sheet["A4"].value, sheet["A4"].data_type) == ("=1+2", "s")
    totals = sheet[5]
    assert [c.value for c in totals][:6] == ["Итого", None, None, 1235, 1234567.94, 0.9]
    assert all(c.font.bold for c in totals)
    assert not any(c.font.bold for c in sheet[2])
    assert sheet["E5"].number_format == "#,##0.00" and sheet["F5"].number_format == "0.0%"
    assert sheet.freeze_panes == "A2"
    about = {row[0]: row[1] for row in book.worksheets[1].iter_rows(values_only=True)}
    assert about["by"] == "sector,year"
    assert about["Примечание"] == "Примечание <i>важное</i>"


def test_xlsx_sheet_names_excel_accepts(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    output.write_xlsx(_report("Показатели: план/факт [по годам] — очень длинное название"), path)
    title = load_workbook(path).worksheets[0].title
    assert len(title) <= 31 and not set(title) & set("[]:*?/\\")
    assert title.startswith("Показатели  план факт")


def test_html_is_one_offline_page_with_charts_and_escaped_text(tmp_path: Path) -> None:
    from plotly.offline import get_plotlyjs

    path = tmp_path / "report.html"
    output.write_html(_report(), path)
    page = path.read_text("utf-8")

    assert page.count(get_plotlyjs()[:500]) == 1  # Plotly's script inlined, once
    assert not re.search(r"<script[^>]*\bsrc=", page)
    assert page.count('class="plotly-graph-div"') == 2
    assert 'id="chart-1"' in page and 'id="chart-2"' in page
    body, footer = page.split("<tbody>")[1].split("</tbody>")
    assert "Итого" not in body and "Здравоохранение" in body
    assert re.search(r"<tfoot><tr><td[^>]*>Итого</td>.*1\u202f234\u202f567,94", footer)
    assert "</tfoot>" in footer
    # Names and notes are text, never markup, in the table and in the charts alike.
    assert "&lt;b&gt;Образование&lt;/b&gt;" in body
    assert BOLD_NAME not in page
    assert "Примечание &lt;i&gt;важное&lt;/i&gt;" in page
    assert "Тестовый край (TST) · Стратегия ЦТ, 2025–2027, v1" in page
    assert page.startswith('<!DOCTYPE html>\n<html lang="ru">')


def test_terminal_table_shows_names_as_they_are() -> None:
    report = _report()
    report.region = "[bold]Край[/bold]"
    report.columns[0] = Column("sector", "[i]Отрасль[/i]")
    console = Console(file=io.StringIO(), width=160)
    output.print_report(report, console)
    text = console.file.getvalue()
    # Names, titles and headers are shown as they are, not read as markup.
    assert "[red]Формула[/red]" in text
    assert "Бюджет: [bold]Край[/bold]" in text and "[i]Отрасль[/i]" in text
    assert "2025" in text and "2\u202f025" not in text
    assert "1\u202f234\u202f567,89" in text and "91,5 %" in text and "—" in text
    assert text.index("Итого") > text.index("Здравоохранение")
    assert "Отбор: by=sector,year; since=2025-01-01" in text


def test_a_refused_write_is_one_message_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output.os, "replace", full_disk)
    with pytest.raises(UserError, match=r"report\.html: No space left on device"):
        output.write_html(_report(), tmp_path / "report.html")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # the writers' options alone
def test_output_options_on_the_command_line(store: Backend, tmp_path: Path) -> None:
    build(store)
    before = sorted(tmp_path.iterdir())

    result = runner.invoke(app, ["report", "budget", "--html", str(tmp_path / "no" / "b.html")])
    assert result.exit_code == 2
    assert "--html: папки для" in result.stderr
    assert sorted(tmp_path.iterdir()) == before

    xlsx = tmp_path / "b.xlsx"
    result = runner.invoke(app, ["report", "budget", "--json", "--csv", "--xlsx", str(xlsx)])
    assert result.exit_code == 2
    assert "--json или --csv" in result.stderr
    assert result.stdout == "" and not xlsx.exists()

    result = runner.invoke(app, ["report", "budget", "--csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbf")
    lines = result.stdout_bytes.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Отрасль;Название отрасли;План, ₽;Факт, ₽;Исполнение, %;Инициатив"
    assert lines[2] == "health;Здравоохранение;310,15;60,04;19,4;2"
    assert lines[3] == "Итого;;610,28;360,03;59,0;3" and lines[4:] == [""]

    result = runner.invoke(app, ["--lang", "en", "report", "budget", "--csv"])
    assert result.exit_code == 0, result.output
    lines = result.stdout_bytes.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Sector;Sector name;Planned, RUB;Actual, RUB;Execution, %;Initiatives"
    assert lines[3] == "Total;;610.28;360.03;59.0;3"

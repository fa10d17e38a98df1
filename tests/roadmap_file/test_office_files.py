"""Files as Russian offices save them: cp1251 and `;` from Excel, names that do not follow
ours, a due date on a day off, a workbook with an instructions sheet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import select
from typer.testing import CliRunner

from roadmap.cli.app import app
from roadmap.plan.exporter import export_roadmap
from roadmap.store.models import BudgetLine, Task
from tests.support import Backend, in_region

runner = CliRunner()
# 2027-03-06 is a Saturday; 2027-03-08 a holiday (8 March); 2027-03-09 a working Tuesday.
TASKS = (
    "code;agency;title;due;stage\n"
    "T-501;minzdrav;Паспорт проекта «Телемедицина»;2027-03-09;initiatives\n"
    "T-502;minobr;Смета, пояснительная записка;2027-03-06;initiatives\n"
)


def run(*args: str):
    return runner.invoke(app, list(args))


def _due(backend: Backend) -> dict[str, str]:
    return in_region(
        backend,
        lambda s, r: {
            t.code: t.due_on.isoformat()
            for t in s.exec(select(Task).where(Task.code.in_(["T-501", "T-502"])))
        },
    )


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("Задачи.csv", []),  # the Russian name says the list
        ("tasks_2027.csv", []),  # a name with a suffix
        ("выгрузка.csv", ["--list", "tasks"]),  # told by the option
        ("выгрузка.csv", []),  # told by the header
    ],
)
def test_a_cp1251_semicolon_task_list_imports(
    loaded: Backend, tmp_path: Path, name: str, options: list[str]
) -> None:
    path = tmp_path / name
    path.write_bytes(TASKS.encode("cp1251"))
    result = run("import", str(path), *options, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["changes"]["tasks"]["created"] == 2
    assert _due(loaded) == {"T-501": "2027-03-09", "T-502": "2027-03-09"}  # moved off Sat–Mon
    assert report["warnings"] == [
        f"{name}:3: срок 2027-03-06 — нерабочий день, перенесён на 2027-03-09"
    ]
    titles = in_region(loaded, lambda s, r: {t.title for t in s.exec(select(Task))})
    assert "Паспорт проекта «Телемедицина»" in titles


def test_strict_refuses_a_due_date_on_a_day_off_with_its_line(
    loaded: Backend, tmp_path: Path
) -> None:
    path = tmp_path / "tasks.csv"
    path.write_text(TASKS, encoding="utf-8-sig")
    before = loaded.fingerprint()
    result = run("import", str(path), "--strict")
    assert result.exit_code == 2
    assert "tasks.csv:3" in result.stderr and "2027-03-06" in result.stderr
    assert loaded.fingerprint() == before


def test_utf8_with_bom_and_excel_decimal_commas(loaded: Backend, tmp_path: Path) -> None:
    path = tmp_path / "бюджет.csv"
    path.write_text(
        "initiative;year;source;planned\nH-01;2029;regional;1 234 567,89\n", encoding="utf-8-sig"
    )
    result = run("import", str(path))
    assert result.exit_code == 0, result.output
    line = in_region(
        loaded,
        lambda s, r: s.exec(
            select(BudgetLine).where(BudgetLine.year == 2029, BudgetLine.source == "regional")
        ).all(),
    )
    assert any(str(b.planned) == "1234567.89" for b in line)


def test_unreadable_or_unknown_files_are_one_clear_message(loaded: Backend, tmp_path: Path) -> None:
    before = loaded.fingerprint()
    binary = tmp_path / "tasks.csv"
    binary.write_bytes(b"code;title\n\x00\x81\x98\xff\xfe")
    result = run("import", str(binary))
    assert (
        result.exit_code == 2 and "tasks.csv:2" in result.stderr and "--encoding" in result.stderr
    )
    unknown = tmp_path / "report.csv"
    unknown.write_text("a;b\n1;2\n", encoding="utf-8")
    result = run("import", str(unknown))
    assert result.exit_code == 2 and "report.csv:1" in result.stderr and "--list" in result.stderr
    result = run("import", str(unknown), "--list", "people")
    assert result.exit_code == 2 and "--list" in result.stderr and "people" in result.stderr
    result = run("import", str(binary), "--encoding", "koi9")
    assert result.exit_code == 2 and "koi9" in result.stderr
    assert loaded.fingerprint() == before


def test_a_workbook_with_an_instructions_sheet_imports(loaded: Backend, tmp_path: Path) -> None:
    path = tmp_path / "roadmap.xlsx"
    export_roadmap(loaded.settings, path)
    book = load_workbook(path)
    sheet = book.create_sheet("Инструкция", 0)
    sheet["A1"] = "Заполните листы initiatives и budget; не меняйте заголовки."
    book.save(path)
    result = run("import", str(path), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["changed"] is False
    assert len(report["warnings"]) == 1
    assert report["warnings"][0].startswith("roadmap.xlsx[Инструкция]: лист 'Инструкция' пропущен")


def test_a_formula_like_title_stays_text_through_xlsx(loaded: Backend, tmp_path: Path) -> None:
    formula = '=HYPERLINK("http://evil.example/x","Открыть")'
    csv_file = tmp_path / "initiatives.csv"
    csv_file.write_text(
        f'code,title,sector,agency\nH-91,"{formula.replace(chr(34), chr(34) * 2)}",health,minzdrav\n'
        "H-92,+7 регионов,health,minzdrav\n",
        encoding="utf-8",
    )
    assert run("import", str(csv_file)).exit_code == 0
    path = tmp_path / "roadmap.xlsx"
    export_roadmap(loaded.settings, path)
    sheet = load_workbook(path)["initiatives"]
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    assert cells["H-91"].data_type == "s" and cells["H-91"].value == formula
    again = run("import", str(path), "--json")
    assert again.exit_code == 0 and json.loads(again.stdout)["changed"] is False


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b"])
def test_control_characters_are_refused_with_their_place(
    loaded: Backend, tmp_path: Path, char: str
) -> None:
    csv_file = tmp_path / "initiatives.csv"
    csv_file.write_text(
        f"code,title,sector,agency\nH-93,Портал{char}услуг,health,minzdrav\n", encoding="utf-8"
    )
    before = loaded.fingerprint()
    result = run("import", str(csv_file))
    assert result.exit_code == 2
    assert "initiatives.csv:2" in result.stderr and f"U+{ord(char):04X}" in result.stderr
    assert loaded.fingerprint() == before


def test_a_directory_a_loop_and_a_device_each_get_their_own_message(
    loaded: Backend, tmp_path: Path
) -> None:
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(tmp_path / "other.yaml")
    (tmp_path / "other.yaml").symlink_to(loop)
    cases = [(tmp_path, "папка"), (loop, "по кругу"), (Path("/dev/null"), "не обычный файл")]
    for path, words in cases:
        result = run("import", str(path))
        assert result.exit_code == 2 and words in result.stderr, path

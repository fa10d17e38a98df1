"""A task list checked row by row (the path of a large CSV import) says exactly what the
whole-file validation says: the same problems at the same places in the same order, the
same warnings, the same tasks."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from roadmap.calendar import RegionCalendar
from roadmap.errors import InvalidFile
from roadmap.roadmap_file.readers import open_csv, read_source
from roadmap.roadmap_file.validation import Context, TaskRow, TaskRows, validate

# Per column: values a row usually has, and values that are odd or wrong (a row is
# mostly good, so that whole files are taken as well as refused).
GOOD = {
    "code": ["T-501", "T-502", "T-503", "T-504", "", "", "A.1_b"],
    "agency": ["minzdrav", "minobr"],
    "title": [
        "Паспорт проекта «Телемедицина»",
        "Смета, пояснительная записка",
        "Отчёт за 2027 год",
        "Отчёт за 2027 год",
    ],
    "due": ["2027-03-09", "2027-03-10", "2027-03-06", "2027-03-08", "2027-05-03"],
    "stage": ["", "initiatives", "interviews"],
    "status": ["", "open", "submitted", "cancelled"],
}
ODD = {
    "code": [" T-505 ", "T 504", "x" * 41, "x" * 40, "1,5", "1 234,5", "Т-505", "-T"],
    "agency": ["minzrav", " minzdrav", "min zdrav", "minzdrav\u00a0"],
    "title": [
        "  с пробелами по краям\t",
        "\u00a0неразрывный пробел\u00a0",
        "\u2003em space",
        "хвост\x1c",
        "Портал\x07услуг",
        "DEL\x7f",
        "строка\nс переносом",
        "1 234,5",
        "x" * 500,
        "x" * 501,
        "",
    ],
    "due": [" 2027-03-10 ", "2027-02-30", "09.03.2027", "２０２７-03-09", "2027-3-9", ""],
    "stage": ["stage-x", " initiatives", "initiatives,1"],
    "status": [" open", "Open", "done"],
}
COLUMNS = list(GOOD)
_GOOD_ROW = st.fixed_dictionaries({c: st.sampled_from(v) for c, v in GOOD.items()})
# One odd cell in an otherwise good row: the row's fate turns on that cell alone.
_ODD_ROW = st.sampled_from(COLUMNS).flatmap(
    lambda odd: st.fixed_dictionaries(
        {c: st.sampled_from(ODD[c] if c == odd else GOOD[c]) for c in COLUMNS}
    )
)
ROWS = st.lists(
    st.tuples(
        _GOOD_ROW | _GOOD_ROW | _GOOD_ROW | _GOOD_ROW | _ODD_ROW,
        st.sampled_from(["", "", "", "", "", "", "", "", "", "лишняя"]),  # beyond the header
    ),
    max_size=8,
)


def _context(strict: bool) -> Context:
    return Context(
        default_sectors={"health": "Здравоохранение"},
        stage_keys=("initiatives", "interviews"),
        agencies={"minzdrav", "minobr"},
        strict=strict,
        calendar=RegionCalendar("Asia/Vladivostok"),
    )


def _write(path: Path, rows, delimiter: str, header: list[str]) -> None:
    def cell(value: str) -> str:
        return '"' + value.replace('"', '""') + '"' if set(value) & set(',;"\n ') else value

    lines = [delimiter.join(header)]
    for row, extra in rows:
        cells = [cell(row[c]) for c in header]
        lines.append(delimiter.join([*cells, extra] if extra else cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _whole(path: Path, strict: bool):
    context = _context(strict)
    try:
        doc = validate(read_source(path), context)
    except InvalidFile as refused:
        return ("refused", [str(p) for p in refused.problems], refused.total)
    tasks = [
        TaskRow(t.code, t.agency, t.title, t.due, t.stage, t.status) for t in doc.lists["tasks"]
    ]
    return ("taken", tasks, context.warnings)


def _row_by_row(path: Path, strict: bool):
    context = _context(strict)
    checked = TaskRows(open_csv(path), context)
    tasks = list(checked.rows())
    try:
        checked.finish()
    except InvalidFile as refused:
        return ("refused", [str(p) for p in refused.problems], refused.total)
    return ("taken", tasks, context.warnings)


@settings(max_examples=400)
@given(
    rows=ROWS,
    delimiter=st.sampled_from([",", ";"]),
    strict=st.booleans(),
    without=st.sampled_from([None, "code", "stage", "status"]),
)
def test_row_by_row_says_what_the_whole_file_validation_says(
    tmp_path_factory, rows, delimiter: str, strict: bool, without: str | None
) -> None:
    path = tmp_path_factory.mktemp("rows") / "tasks.csv"
    header = [c for c in COLUMNS if c != without]
    _write(path, rows, delimiter, header)
    assert _row_by_row(path, strict) == _whole(path, strict)


def test_more_problems_than_shown_are_counted_the_same(tmp_path: Path) -> None:
    path = tmp_path / "tasks.csv"
    rows = [
        ({"code": f"T-{n}", "agency": "minzrav", "title": "Т", "due": "2027-03-06"}, "")
        for n in range(120)
    ]
    _write(path, rows, ";", ["code", "agency", "title", "due"])
    whole, by_row = _whole(path, True), _row_by_row(path, True)
    assert by_row == whole
    assert whole[0] == "refused" and len(whole[1]) == 50 and whole[2] == 240

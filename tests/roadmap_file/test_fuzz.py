"""Fuzzing roadmap files: valid YAML, CSV and XLSX files, mutated. Whatever the mutation,
an import either applies (exit 0) or is refused with messages (exit 2) and writes nothing;
never a traceback, never half of a file."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roadmap.errors import InvalidFile, UserError
from roadmap.plan.exporter import export_roadmap
from roadmap.plan.importer import import_roadmap
from tests.support import PRIMORYE, Backend

TASKS_CSV = (
    "code;agency;title;due;stage;status\n"
    "T-001;minzdrav;Представить перечень инициатив;2026-12-04;initiatives;submitted\n"
    "T-002;minobr;Представить перечень инициатив;2026-12-04;initiatives;open\n"
    'T-801;minsoc;"Смета; пояснительная записка";2027-03-10;;open\n'
)
CHARS = st.sampled_from(list(";,\"'\n\r\t:-=+@#{}[]|\\ \x00\x07\u00a0\ufeffЖя0129aZ"))
# A mutation: (what, where as a share of the text, a piece of text).
MUTATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            ["delete_line", "repeat_line", "replace", "insert", "cut", "swap", "control"]
        ),
        st.floats(0, 1),
        st.text(CHARS, min_size=1, max_size=6),
    ),
    min_size=1,
    max_size=4,
)
FUZZ = settings(
    max_examples=25,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
)


def _mutate(text: str, mutations: list[tuple[str, float, str]]) -> str:
    for what, where, piece in mutations:
        lines = text.split("\n")
        line = min(int(where * len(lines)), len(lines) - 1)
        at = min(int(where * len(text)), len(text))
        if what == "delete_line":
            del lines[line]
            text = "\n".join(lines)
        elif what == "repeat_line":
            lines.insert(line, lines[line])
            text = "\n".join(lines)
        elif what == "swap" and line + 1 < len(lines):
            lines[line], lines[line + 1] = lines[line + 1], lines[line]
            text = "\n".join(lines)
        elif what == "replace":
            text = text[:at] + piece + text[at + len(piece) :]
        elif what == "insert":
            text = text[:at] + piece + text[at:]
        elif what == "cut":
            text = text[:at]
        elif what == "control":
            # A control character inside a text: raw in CSV, a YAML escape in a title.
            code = ord(piece[0]) % 32
            if "title: " in text[at:]:
                start = text.index("title: ", at) + len("title: ")
                end = text.index("\n", start)
                text = f'{text[:start]}"{text[start:end]} \\x{code:02x}"{text[end:]}'
            else:
                text = text[:at] + chr(code) + text[at:]
    return text


def _import_is_all_or_nothing(backend: Backend, path: Path) -> None:
    before = backend.fingerprint()
    try:
        import_roadmap(backend.settings, path)
    except (InvalidFile, UserError) as refused:
        assert str(refused)  # one or more messages, each saying where
        assert backend.fingerprint() == before, "a refused file wrote something"


@FUZZ
@given(mutations=MUTATIONS, encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1251"]))
def test_a_mutated_csv_is_taken_whole_or_refused_whole(
    loaded: Backend, tmp_path_factory, mutations, encoding
) -> None:
    path = tmp_path_factory.mktemp("csv") / "tasks.csv"
    text = _mutate(TASKS_CSV, mutations)
    path.write_bytes(text.encode(encoding, errors="replace"))
    _import_is_all_or_nothing(loaded, path)


@FUZZ
@given(mutations=MUTATIONS)
def test_a_mutated_yaml_roadmap_is_taken_whole_or_refused_whole(
    loaded: Backend, tmp_path_factory, mutations
) -> None:
    path = tmp_path_factory.mktemp("yaml") / "roadmap.yaml"
    path.write_text(_mutate(PRIMORYE.read_text(encoding="utf-8"), mutations), encoding="utf-8")
    _import_is_all_or_nothing(loaded, path)


@settings(FUZZ, max_examples=12)
@given(
    cells=st.lists(
        st.tuples(
            st.sampled_from(["initiatives", "budget", "tasks", "indicators", "roadmap"]),
            st.integers(1, 12),
            st.integers(1, 8),
            st.one_of(st.none(), st.text(CHARS, max_size=8), st.integers(-5, 3000), st.floats()),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_a_workbook_with_changed_cells_is_taken_whole_or_refused_whole(
    loaded: Backend, tmp_path_factory, cells
) -> None:
    from openpyxl import load_workbook

    path = tmp_path_factory.mktemp("xlsx") / "roadmap.xlsx"
    export_roadmap(loaded.settings, path)
    book = load_workbook(path)
    for sheet, row, column, value in cells:
        if isinstance(value, str):
            value = "".join(c for c in value if c >= " " or c in "\t\n\r") or None
        book[sheet].cell(row=row, column=column, value=value)
    book.save(path)
    _import_is_all_or_nothing(loaded, path)


@settings(FUZZ, max_examples=8)
@given(
    code=st.integers(0, 31).filter(lambda c: c not in (9, 10, 13)) | st.just(127),
    where=st.floats(0, 1),
)
def test_a_control_character_in_any_title_is_refused_with_its_line(
    loaded: Backend, tmp_path_factory, code: int, where: float
) -> None:
    path = tmp_path_factory.mktemp("ctl") / "roadmap.yaml"
    text = PRIMORYE.read_text(encoding="utf-8")
    start = text.index("title: ", int(where * text.rindex("title: "))) + len("title: ")
    end = text.index("\n", start)
    line = text[:start].count("\n") + 1
    path.write_text(f'{text[:start]}"{text[start:end]} \\x{code:02x}"{text[end:]}', "utf-8")
    before = loaded.fingerprint()
    try:
        import_roadmap(loaded.settings, path)
    except InvalidFile as refused:
        assert f"roadmap.yaml:{line}" in str(refused) and f"U+{code:04X}" in str(refused)
    else:
        raise AssertionError("a control character was taken")
    assert loaded.fingerprint() == before

"""The roadmap file's `sessions:` list: each mistake named by its place, the XLSX sheets
`sessions` and `session_proposals`, and import ↔ export on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from roadmap.errors import InvalidFile
from roadmap.plan.exporter import export_document, export_roadmap
from roadmap.plan.importer import import_roadmap
from roadmap.roadmap_file.readers import read_source
from roadmap.roadmap_file.validation import Context, validate
from roadmap.roadmap_file.writers import write_xlsx
from tests.support import Backend, in_region

CONTEXT = Context(
    default_sectors={"health": "Здравоохранение", "urban": "Городская среда"},
    stage_keys=("initiatives",),
)

HEAD = """\
format: 1
region: {code: TST, name: Тестовый край, timezone: Asia/Vladivostok}
strategy: {title: Стратегия, start_year: 2025, end_year: 2030}
coordinator: {code: coord, name: Координатор}
agencies:
  - code: minzdrav
    name: Минздрав
    emissary: {code: e1, name: Эмиссар 1}
    responsible: {code: r1, name: Ответственный 1}
  - code: vlad
    name: Владивосток
    kind: municipality
    emissary: {code: e2, name: Эмиссар 2}
    responsible: {code: r2, name: Ответственный 2}
initiatives:
  - {code: H-01, title: ЭМК, sector: health, agency: minzdrav, status: selected}
  - {code: U-01, title: Умный город, sector: urban, agency: vlad}
services:
  - {code: SVC-1, name: Запись к врачу, agency: minzdrav, sector: health, online: true}
"""

SESSIONS = """\
sessions:
  - code: SS-1
    title: Здравоохранение
    kind: sectoral
    held_on: 2025-10-15
    sector: health
    participants: 40
    proposals:
      - {code: P1, title: Единая карта, author: Иванова, initiative: H-01}
      - {code: P2, title: Бот записи}
  - code: TS-1
    title: Владивосток
    kind: territorial
    held_on: 2025-11-12
    municipality: vlad
    proposals:
      - {code: P1, title: Умный город, initiative: U-01}
"""

BAD_SESSIONS = """\
sessions:
  - code: SS-1
    title: Без отрасли
    kind: sectoral
    held_on: 2025-10-15
  - code: SS-2
    title: Неизвестная отрасль
    kind: sectoral
    held_on: 2025-10-16
    sector: helth
  - code: TS-1
    title: Орган вместо МО
    kind: territorial
    held_on: 2025-11-12
    municipality: minzdrav
  - code: TS-2
    title: Неизвестное МО
    kind: territorial
    held_on: 2025-11-13
    municipality: artem
  - code: SS-3
    title: Отраслевая с МО
    kind: sectoral
    held_on: 2025-11-14
    sector: health
    municipality: vlad
    proposals:
      - code: P1
        title: Идея
        initiative: H-99
      - code: P1
        title: Та же
  - code: SS-4
    title: Неверные значения
    kind: sectoral
    held_on: 2025-11-15
    sector: health
    participants: -5
    proposals:
      - {code: P1, title: Идея, color: red}
"""

EXPECTED = {
    "sessions": [
        {
            "code": "SS-1",
            "title": "Здравоохранение",
            "kind": "sectoral",
            "held_on": "2025-10-15",
            "sector": "health",
            "participants": 40,
            "proposals": [
                {"code": "P1", "title": "Единая карта", "author": "Иванова", "initiative": "H-01"},
                {"code": "P2", "title": "Бот записи"},
            ],
        },
        {
            "code": "TS-1",
            "title": "Владивосток",
            "kind": "territorial",
            "held_on": "2025-11-12",
            "municipality": "vlad",
            "proposals": [{"code": "P1", "title": "Умный город", "initiative": "U-01"}],
        },
    ]
}


def _line(text: str, fragment: str, after: str = "") -> int:
    """The line (1-based) of `fragment`'s first occurrence after `after`."""
    start = text.index(after) if after else 0
    return text[: text.index(fragment, start)].count("\n") + 1


def _write(tmp_path: Path, text: str, name: str = "roadmap.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path) -> dict[str, tuple[str, str]]:
    with pytest.raises(InvalidFile) as caught:
        validate(read_source(path), CONTEXT)
    return {p.key: (p.where, p.message) for p in caught.value.problems}


def test_every_mistake_in_sessions_is_named_by_file_line_and_key(tmp_path: Path) -> None:
    text = HEAD.replace("sector: health, online", "sector: medicine, online") + BAD_SESSIONS
    problems = _problems(_write(tmp_path, text))

    def at(fragment: str, after: str = "") -> str:
        return f"roadmap.yaml:{_line(text, fragment, after)}"

    assert problems["sessions[0].sector"] == (
        at("- code: SS-1"),
        "отраслевая сессия (kind: sectoral) должна указать отрасль (sector)",
    )
    assert problems["sessions[1].sector"] == (
        at("sector: helth"),
        "неизвестная отрасль 'helth' (есть: health, urban)",
    )
    assert problems["sessions[2].municipality"] == (
        at("municipality: minzdrav"),
        "'minzdrav' — орган исполнительной власти, а не муниципальное образование (МО: vlad)",
    )
    assert problems["sessions[3].municipality"] == (
        at("municipality: artem"),
        "неизвестное муниципальное образование 'artem' (есть: vlad)",
    )
    assert problems["sessions[4].municipality"][0] == at("municipality: vlad", "SS-3")
    assert "sector" in problems["sessions[4].municipality"][1]
    assert problems["sessions[4].proposals[0].initiative"] == (
        at("initiative: H-99"),
        "неизвестная инициатива 'H-99' (есть: H-01, U-01)",
    )
    first = at("- code: P1", "SS-3")
    assert problems["sessions[4].proposals[1].code"] == (
        at("- code: P1", "title: Идея"),
        f"код 'P1' повторяется (впервые — {first})",
    )
    where, message = problems["sessions[5].participants"]
    assert where == at("participants: -5") and "-5" in message
    where, message = problems["sessions[5].proposals[0].color"]
    assert where == at("{code: P1, title: Идея, color") and "code, title, author, initiative" in (
        message
    )
    assert problems["services[0].sector"] == (
        at("sector: medicine"),
        "неизвестная отрасль 'medicine' (есть: health, urban)",
    )
    assert len(problems) == 10


def test_a_file_without_sessions_and_a_file_with_them_validate(tmp_path: Path) -> None:
    plain = validate(read_source(_write(tmp_path, HEAD)), CONTEXT)
    assert "sessions" not in plain.lists
    doc = validate(read_source(_write(tmp_path, HEAD + SESSIONS, "with.yaml")), CONTEXT)
    sectoral, territorial = doc.lists["sessions"]
    assert (sectoral.sector, sectoral.municipality, sectoral.participants) == ("health", None, 40)
    assert (territorial.municipality, territorial.participants) == ("vlad", 0)
    assert [p.initiative for p in sectoral.proposals] == ["H-01", None]
    assert doc.lists["services"][0].sector == "health"


def test_a_workbook_names_the_row_of_a_proposal(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    data = YAML(typ="safe").load(HEAD + SESSIONS)
    data["sessions"][0]["proposals"][1]["initiative"] = "H-99"
    data["sessions"][1]["code"] = 101  # a code a spreadsheet keeps as a number
    path = tmp_path / "roadmap.xlsx"
    write_xlsx(data, path)
    book = load_workbook(path)
    rows = list(book["session_proposals"].iter_rows(values_only=True))
    assert rows[0][:3] == ("session", "code", "title")
    assert [row[:2] for row in rows[1:]] == [("SS-1", "P1"), ("SS-1", "P2"), (101, "P1")]
    assert _problems(path) == {
        "sessions[0].proposals[1].initiative": (
            "roadmap.xlsx[session_proposals]:3",
            "неизвестная инициатива 'H-99' (есть: H-01, U-01)",
        )
    }

    # A proposal whose session the `sessions` sheet does not have is named by its row.
    book["session_proposals"].cell(row=4, column=1, value="TS-9")
    book.save(path)
    assert _problems(path) == {
        "session_proposals[2].session": (
            "roadmap.xlsx[session_proposals]:4",
            "неизвестная сессия 'TS-9' (есть: 101, SS-1)",
        )
    }


def _sessions(backend: Backend) -> dict:
    document = in_region(backend, export_document)
    return {"sessions": document.get("sessions")}


def test_import_export_round_trip_and_reimport(store: Backend, tmp_path: Path) -> None:
    # A refused list writes nothing, though the rest of its file is fine.
    before = store.fingerprint()
    with pytest.raises(InvalidFile, match="artem"):
        import_roadmap(store.settings, _write(tmp_path, HEAD + BAD_SESSIONS, "bad.yaml"))
    assert store.fingerprint() == before

    path = _write(tmp_path, HEAD + SESSIONS)
    report = import_roadmap(store.settings, path)
    assert (report.changes["sessions"].created, report.changes["session proposals"].created) == (
        2,
        3,
    )
    exported = _sessions(store)
    for session in exported["sessions"]:
        session["held_on"] = session["held_on"].isoformat()
    assert exported == EXPECTED
    assert in_region(store, export_document)["services"][0]["sector"] == "health"

    # Importing the file again, or its XLSX export, changes nothing.
    assert not import_roadmap(store.settings, path).changed
    export_roadmap(store.settings, tmp_path / "export.xlsx")
    assert not import_roadmap(store.settings, tmp_path / "export.xlsx").changed

    # A file without sessions leaves them alone, even with --prune; the municipality a
    # session names stays though the file's agencies and initiatives no longer have it.
    minzdrav_only = HEAD[: HEAD.index("  - code: vlad")] + HEAD[HEAD.index("initiatives:") :]
    minzdrav_only = minzdrav_only.replace(
        "  - {code: U-01, title: Умный город, sector: urban, agency: vlad}\n", ""
    )
    report = import_roadmap(
        store.settings, _write(tmp_path, minzdrav_only, "minzdrav.yaml"), prune=True
    )
    assert report.changes["initiatives"].deleted == 1 and not report.changes.get("sessions")
    document = in_region(store, export_document)
    assert [a["code"] for a in document["agencies"]] == ["minzdrav", "vlad"]
    assert [s["code"] for s in document["sessions"]] == ["SS-1", "TS-1"]
    assert "initiative" not in document["sessions"][1]["proposals"][0]  # U-01 is gone

    # A changed proposal and session are updated by code; --prune drops what the file lacks.
    changed = (HEAD + SESSIONS).replace("participants: 40", "participants: 41")
    changed = changed.replace(
        "{code: P2, title: Бот записи}", "{code: P2, title: Бот, initiative: H-01}"
    )
    changed = changed[: changed.index("  - code: TS-1")]
    report = import_roadmap(store.settings, _write(tmp_path, changed, "changed.yaml"), prune=True)
    assert report.changes["sessions"].updated == 1 and report.changes["sessions"].deleted == 1
    assert report.changes["session proposals"].updated == 1
    assert report.changes["session proposals"].deleted == 1
    (session,) = _sessions(store)["sessions"]
    assert session["participants"] == 41
    assert session["proposals"][1] == {"code": "P2", "title": "Бот", "initiative": "H-01"}

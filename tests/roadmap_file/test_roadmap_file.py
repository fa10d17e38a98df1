"""The roadmap file reader and validator on their own (no store)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roadmap.errors import InvalidFile, UserError
from roadmap.roadmap_file.readers import read_source
from roadmap.roadmap_file.schema import RoadmapDoc, parse_money
from roadmap.roadmap_file.validation import Context, validate
from roadmap.store.models import kopecks_to_roubles, roubles_to_kopecks
from tests.support import PRIMORYE

CONTEXT = Context(
    default_sectors={"health": "Здравоохранение", "education": "Образование"},
    stage_keys=("initiatives", "interviews"),
)


def _validate_text(tmp_path: Path, text: str, name: str = "roadmap.yaml") -> RoadmapDoc:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return validate(read_source(path), CONTEXT)


@given(
    amount=st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2, allow_nan=False)
)
def test_money_with_two_decimals_is_kept_exactly(amount: Decimal) -> None:
    for written in (str(amount), float(amount) if amount < 10**12 else str(amount)):
        parsed = parse_money(written)
        assert parsed == amount
        assert kopecks_to_roubles(roubles_to_kopecks(parsed)) == amount


@pytest.mark.parametrize("text", ["12.345", "-0.01", "abc", "1e400", "nan", "true"])
def test_money_refuses_what_is_not_roubles(text: str) -> None:
    with pytest.raises(ValueError):
        parse_money(text if text != "true" else True)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_any_text_is_a_message_or_a_roadmap_never_a_crash(tmp_path: Path, text: str) -> None:
    try:
        _validate_text(tmp_path, text)
    except InvalidFile as exc:
        assert exc.problems
        assert all(p.where.startswith("roadmap.yaml") for p in exc.problems)
    except UserError:
        pass


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    key=st.sampled_from(["code", "title", "sector", "agency", "status"]),
    value=st.one_of(
        st.none(),
        st.integers(),
        st.floats(allow_nan=False),
        st.text(max_size=20),
        st.lists(st.integers(), max_size=2),
    ),
)
def test_any_value_in_an_initiative_is_handled(tmp_path: Path, key: str, value: object) -> None:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe")
    data = yaml.load(PRIMORYE.read_text(encoding="utf-8"))
    data["initiatives"][0][key] = value
    path = tmp_path / "roadmap.yaml"
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    try:
        validate(read_source(path), Context({}, ("initiatives",)))
    except InvalidFile as exc:
        assert any(p.key.startswith("initiatives[0]") or "budget" in p.key for p in exc.problems)


def test_problems_name_file_line_key_and_expectation(tmp_path: Path) -> None:
    text = PRIMORYE.read_text(encoding="utf-8").replace(
        "start_year: 2025\n", "start_year: 20x5\n", 1
    )
    with pytest.raises(InvalidFile) as caught:
        _validate_text(tmp_path, text)
    line = text[: text.index("year: 20x5")].count("\n") + 1
    problem = caught.value.problems[0]
    assert problem.where == f"roadmap.yaml:{line}"
    assert problem.key == "strategy.start_year"
    assert "20x5" in problem.message


def test_unknown_top_level_key_and_wrong_format_version(tmp_path: Path) -> None:
    text = PRIMORYE.read_text(encoding="utf-8").replace("format: 1", "format: 2\nregoin: x", 1)
    with pytest.raises(InvalidFile) as caught:
        _validate_text(tmp_path, text)
    keys = {p.key for p in caught.value.problems}
    assert {"format", "regoin"} <= keys


def test_duplicate_yaml_key_is_reported_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(InvalidFile) as caught:
        _validate_text(tmp_path, "format: 1\nformat: 1\n")
    assert caught.value.problems[0].where == "roadmap.yaml:2"


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for n in range(1, 9):
        refs = ", ".join([f"*a{n - 1}"] * 9)
        lines.append(f"a{n}: &a{n} [{refs}]")
    with pytest.raises(UserError):
        _validate_text(tmp_path, "\n".join(lines) + "\n")


def test_not_finite_numbers_are_refused(tmp_path: Path) -> None:
    text = PRIMORYE.read_text(encoding="utf-8")
    at = text.index("baseline:")
    at = text.index("value: ", at) + len("value: ")
    end = text.index("\n", at)
    with pytest.raises(InvalidFile, match="nan"):
        _validate_text(tmp_path, text[:at] + ".nan" + text[end:])


def test_untitled_tasks_must_differ_by_agency_or_title(tmp_path: Path) -> None:
    text = PRIMORYE.read_text(encoding="utf-8")
    extra = (
        "  - agency: minzdrav\n    title: Отчёт\n    due: 2026-12-15\n"
        "  - agency: minzdrav\n    title: Отчёт\n    due: 2027-12-15\n"
    )
    text = text.replace("\ntasks:\n", "\ntasks:\n" + extra, 1)
    with pytest.raises(InvalidFile, match="Отчёт"):
        _validate_text(tmp_path, text)


def test_xlsx_roadmap_sheet_refuses_repeated_and_unknown_keys(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "roadmap"
    for row in (["format", 1], ["region.code", "PRI"], ["region.code", "KAM"], ["agencies", "x"]):
        sheet.append(row)
    path = tmp_path / "roadmap.xlsx"
    workbook.save(path)
    with pytest.raises(InvalidFile) as caught:
        read_source(path)
    places = [p.where for p in caught.value.problems]
    assert places == ["roadmap.xlsx[roadmap]:3", "roadmap.xlsx[roadmap]:4"]

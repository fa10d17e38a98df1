"""Every bad roadmap file: exit 2, a message naming where and why, and nothing written."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from roadmap.cli.app import app
from tests.support import PRIMORYE, Backend

runner = CliRunner()
EXAMPLE_TEXT = PRIMORYE.read_text(encoding="utf-8")


def _replace(old: str, new: str, after: str | None = None) -> Callable[[Path], tuple[Path, str]]:
    def make(tmp: Path) -> tuple[Path, str]:
        start = EXAMPLE_TEXT.index(after) if after else 0
        at = EXAMPLE_TEXT.index(old, start)
        text = EXAMPLE_TEXT[:at] + new + EXAMPLE_TEXT[at + len(old) :]
        path = tmp / "roadmap.yaml"
        path.write_text(text, encoding="utf-8")
        return path, f"roadmap.yaml:{text[:at].count(chr(10)) + 1}"

    return make


def _malformed(tmp: Path) -> tuple[Path, str]:
    text = EXAMPLE_TEXT.replace("region:\n", "region: [unclosed\n", 1)
    path = tmp / "roadmap.yaml"
    path.write_text(text, encoding="utf-8")
    return path, "roadmap.yaml:"


def _garbage(suffix: str) -> Callable[[Path], tuple[Path, str]]:
    def make(tmp: Path) -> tuple[Path, str]:
        path = tmp / f"garbage{suffix}"
        path.write_bytes(os.urandom(5 * 1024 * 1024))
        return path, f"garbage{suffix}"

    return make


def _xlsx_columns(tmp: Path) -> tuple[Path, str]:
    from openpyxl import load_workbook

    from roadmap.settings import Settings

    # A workbook as export writes it, then one column renamed the way people do.
    good = tmp / "good.xlsx"
    from roadmap.plan.exporter import export_roadmap
    from roadmap.plan.importer import import_roadmap
    from roadmap.store.unit_of_work import init_store

    settings = Settings(database_url=f"sqlite:///{tmp / 'scratch.db'}")
    init_store(settings)
    import_roadmap(settings, PRIMORYE)
    export_roadmap(settings, good)
    workbook = load_workbook(good)
    sheet = workbook["initiatives"]
    for cell in sheet[1]:
        if cell.value == "agency":
            cell.value = "Agency name"
    path = tmp / "roadmap.xlsx"
    workbook.save(path)
    return path, "roadmap.xlsx[initiatives]:1"


CASES = {
    "malformed yaml": (_malformed, "YAML"),
    "unknown key": (_replace("    title: ", "    titel: ", after="initiatives:"), "titel"),
    "unknown agency": (
        _replace("agency: minzdrav", "agency: minzrav", after="initiatives:"),
        "minzrav",
    ),
    "unknown sector": (
        _replace("sector: health", "sector: helth", after="initiatives:"),
        "helth",
    ),
    "duplicate code": (_replace("code: E-01", "code: H-01", after="initiatives:"), "H-01"),
    "bad date": (_replace("due: 2026-12", "due: 2026-02-30 #", after="tasks:"), "2026-02-30"),
    "negative money": (_replace("planned: ", "planned: -", after="budget:"), "-"),
    "wrong xlsx columns": (_xlsx_columns, "Agency name"),
    "garbage yaml": (_garbage(".yaml"), "UTF-8"),
    "garbage xlsx": (_garbage(".xlsx"), "XLSX"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_file_is_rejected_whole(case: str, loaded: Backend, tmp_path: Path) -> None:
    make, detail = CASES[case]
    path, where = make(tmp_path)
    before = loaded.fingerprint()

    result = runner.invoke(app, ["import", str(path)])

    assert result.exit_code == 2, result.output
    assert where in result.stderr, result.stderr
    assert detail in result.stderr
    assert "Traceback" not in result.output
    assert loaded.fingerprint() == before


def test_all_problems_are_reported_not_only_the_first(store: Backend, tmp_path: Path) -> None:
    text = EXAMPLE_TEXT.replace("agency: minzdrav", "agency: minzrav").replace(
        "sector: health", "sector: helth"
    )
    path = tmp_path / "many.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["import", str(path)])
    assert result.exit_code == 2
    reported = [line for line in result.stderr.splitlines() if line.startswith("many.yaml:")]
    expected = EXAMPLE_TEXT.count("agency: minzdrav") + EXAMPLE_TEXT.count("sector: health")
    assert len(reported) == expected
    lines = [int(re.match(r"many.yaml:(\d+):", line).group(1)) for line in reported]
    assert all(text.splitlines()[n - 1].strip().startswith(("agency:", "sector:")) for n in lines)


def test_import_into_uninitialised_store_creates_nothing(backend: Backend) -> None:
    before = backend.fingerprint()
    result = runner.invoke(app, ["import", str(PRIMORYE)])
    assert result.exit_code == 2
    assert "roadmap init" in result.stderr
    assert backend.fingerprint() == before
    if backend.name == "sqlite":
        assert before == "absent"


def test_messages_in_english_on_request(loaded: Backend, tmp_path: Path) -> None:
    path, _ = _replace("agency: minzdrav", "agency: minzrav", after="initiatives:")(tmp_path)
    result = runner.invoke(app, ["--lang", "en", "import", str(path)])
    assert result.exit_code == 2
    assert "unknown agency 'minzrav' (known: " in result.stderr
    assert "nothing was written" in result.stderr

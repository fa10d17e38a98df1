"""The HTML report as a person opens it: headless Chromium loads the page written by
`roadmap report budget --html`, runs its inlined Plotly, and the drawn DOM is read back.

A chart that Plotly could not draw (a broken script, a figure it rejects) leaves an empty
div: nothing in the file itself shows it, only a browser does.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from roadmap.cli.app import app
from tests.support import Backend

CHROMIUM = shutil.which("chromium")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class DrawnPage(HTMLParser):
    """What the browser drew: per chart div (`chart-N`), Plotly's `svg.main-svg` inside its
    `.plot-container` and the bars of each bar trace (their heights in pixels); the table's
    body rows and the text of its footer."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, set[str], str | None]] = []
        self.svgs: dict[str, int] = {}
        self.bars: dict[str, list[list[float]]] = {}
        self.rows = 0
        self.footer: list[str] = []

    def _inside(self, *classes: str) -> bool:
        return any(set(classes) <= opened for _, opened, _ in self.open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        classes = set((values.get("class") or "").split())
        ident = values.get("id")
        chart = next((i for _, _, i in self.open if i and i.startswith("chart-")), None)
        if chart is None and ident and ident.startswith("chart-"):
            self.svgs[ident], self.bars[ident] = 0, []
        if chart is not None:
            if tag == "svg" and "main-svg" in classes and self._inside("plot-container"):
                self.svgs[chart] += 1
            if tag == "g" and {"trace", "bars"} <= classes:
                self.bars[chart].append([])
            if tag == "path" and self._inside("point") and self._inside("trace", "bars"):
                self.bars[chart][-1].append(_bar_height(values.get("d") or ""))
        if tag == "tr" and any(t == "tbody" for t, _, _ in self.open):
            self.rows += 1
        if tag not in VOID:
            self.open.append((tag, classes, ident))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                break

    def handle_data(self, data: str) -> None:
        if data.strip() and any(t == "tfoot" for t, _, _ in self.open):
            self.footer.append(data.strip())

    def drawn(self, chart: str) -> list[int]:
        """Bars of visible height in each trace of the chart."""
        return [sum(1 for h in trace if h > 0.5) for trace in self.bars[chart]]


def _bar_height(path: str) -> float:
    """A bar is drawn as `Mx0,y0 V y1 H x1 V y0 Z` (vertical) or `Mx0,y0 H x1 V y1 H x0 Z`
    (horizontal): what it shows is its smaller side, 0 for a bar of nothing."""
    found = re.match(r"M\s*([-\d.]+),\s*([-\d.]+)\s*([VH])\s*([-\d.]+)\s*([VH])\s*([-\d.]+)", path)
    if not found:
        return 0.0
    x0, y0, first, a, _, b = found.groups()
    if first == "V":  # up to y1 = a, across to x1 = b
        return min(abs(float(a) - float(y0)), abs(float(b) - float(x0)))
    return min(abs(float(a) - float(x0)), abs(float(b) - float(y0)))


@pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium (Debian's chromium) is not installed"
)
def test_the_budget_page_draws_its_charts_in_a_browser(loaded: Backend, tmp_path: Path) -> None:
    if loaded.name != "sqlite":
        pytest.skip("the page is the same on either store: one browser run is enough")
    page = tmp_path / "budget.html"
    result = CliRunner().invoke(
        app,
        ["report", "budget", "--by", "sector,source", "--html", str(page), "--now", "2026-12-10"],
    )
    assert result.exit_code == 0, result.output
    dumped = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=10000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    ).stdout
    drawn = DrawnPage()
    drawn.feed(dumped)

    assert set(drawn.svgs) == {"chart-1", "chart-2"}
    assert all(count >= 1 for count in drawn.svgs.values()), drawn.svgs
    # Planned money by sector and source, stacked: one trace per source of the example
    # (federal, regional, municipal, extra-budgetary), a bar for each of the 29 (sector,
    # source) pairs of its counted initiatives.
    assert len(drawn.drawn("chart-1")) == 4
    assert sum(drawn.drawn("chart-1")) == 29
    # Planned against actual by year: the plan has money in each of 2025–2030, actual
    # spending only in 2025 and 2026.
    assert drawn.drawn("chart-2") == [6, 2]
    # The table: one row per (sector, source) pair, the totals in the footer.
    assert drawn.rows == 29
    assert drawn.footer[0] == "Итого"

"""`roadmap report progress`: each stage's tasks at each organisation, against counts done
by hand on the small region of tests/reports/rating_data.py, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from roadmap.cli.app import app
from roadmap.reports.progress import progress_report
from roadmap.reports.table import Report
from tests.reports.rating_data import NOW, build
from tests.support import Backend, in_region

runner = CliRunner()

#: (stage, org, tasks, open, submitted, accepted, returned, overdue, cancelled)
ALL_ROWS = [
    ("initiatives", "a-min", 3, 0, 1, 1, 0, 0, 1),
    ("initiatives", "b-min", 3, 0, 1, 1, 1, 1, 0),
    ("initiatives", "s-min", 1, 0, 0, 1, 0, 0, 0),
    ("initiatives", "t-min", 2, 0, 1, 1, 0, 0, 0),
    ("initiatives", "u-min", 2, 0, 1, 1, 0, 0, 0),
    ("interviews", "a-min", 1, 1, 0, 0, 0, 1, 0),
    ("interviews", "s-min", 1, 1, 0, 0, 0, 1, 0),
    (None, "a-min", 2, 1, 0, 1, 0, 0, 0),  # A4 not due yet, A6 accepted (2025)
    (None, "b-min", 1, 1, 0, 0, 0, 1, 0),  # B4, due in 2025
    (None, "m-mun", 1, 1, 0, 0, 0, 0, 0),
    (None, "z-none", 0, 0, 0, 0, 0, 0, 0),  # no task at all: a row of zeros
]
COUNTS = ("tasks", "open", "submitted", "accepted", "returned", "overdue", "cancelled")


def _report(backend: Backend, **options) -> Report:
    options.setdefault("now", NOW)
    return in_region(backend, lambda session, region: progress_report(session, region, **options))


def _rows(report: Report) -> list[tuple]:
    return [(row["stage"], row["agency"], *(row[k] for k in COUNTS)) for row in report.rows]


def test_counts_per_stage_and_organisation(store: Backend) -> None:
    build(store)
    report = _report(store)

    assert _rows(report) == ALL_ROWS
    by_key = {(row["stage"], row["agency"]): row for row in report.rows}
    # Stage titles from stages.toml; plan tasks under one label; the empty organisation
    # has no stage at all.
    assert (
        by_key[("initiatives", "a-min")]["stage_title"] == "Формирование перечня основных инициатив"
    )
    assert by_key[(None, "a-min")]["stage_title"] == "вне этапов (план)"
    assert by_key[(None, "z-none")]["stage_title"] is None
    assert by_key[(None, "m-mun")]["agency_kind"] == "municipality"
    # Accepted of the tasks not cancelled: a-min's initiatives 1 of 3 − 1.
    assert by_key[("initiatives", "a-min")]["accepted_share"] == pytest.approx(1 / 2)
    assert by_key[("initiatives", "b-min")]["accepted_share"] == pytest.approx(1 / 3)
    assert by_key[("interviews", "s-min")]["accepted_share"] == 0
    assert by_key[(None, "z-none")]["accepted_share"] is None

    totals = report.totals
    assert totals["stage"] == "Итого"
    assert [totals[k] for k in COUNTS] == [17, 5, 4, 6, 1, 4, 1]
    assert totals["accepted_share"] == pytest.approx(6 / 16)

    # The chart: one stacked bar per organisation (z-none too), each task once.
    (chart,) = report.charts
    assert chart.kind == "stack"
    assert chart.categories == ["a-min", "b-min", "m-mun", "s-min", "t-min", "u-min", "z-none"]
    series = {s.name: s.values for s in chart.series}
    assert series["Просрочено"] == [1, 2, 0, 1, 0, 0, 0]
    assert series["Возвращено, в срок"] == [0, 0, 0, 0, 0, 0, 0]  # B2 is overdue
    assert series["Открыто, в срок"] == [1, 0, 1, 0, 0, 0, 0]
    assert [sum(bar) for bar in zip(*series.values(), strict=True)] == [6, 4, 1, 2, 2, 2, 0]


def test_overdue_is_counted_at_the_regions_date_at_now(store: Backend) -> None:
    build(store)
    # 13:30 UTC on 10 April is 23:30 in Vladivostok: A3 (due 10 April) still has time;
    # B2 (due 8 April, returned) and B4 (2025) are overdue.
    before = _report(store, now=datetime(2026, 4, 10, 13, 30, tzinfo=UTC))
    # An hour later it is 11 April there: A3 is overdue too.
    after = _report(store, now=datetime(2026, 4, 10, 14, 30, tzinfo=UTC))
    assert before.totals["overdue"] == 2
    assert after.totals["overdue"] == 3
    assert {r["agency"]: r["overdue"] for r in after.rows if r["stage"] == "interviews"} == {
        "a-min": 1,
        "s-min": 0,
    }


def test_a_year_and_a_kind(store: Backend) -> None:
    build(store)
    # 2025: only the two plan tasks; every other organisation still has its row of zeros.
    year = _report(store, year=2025)
    assert _rows(year) == [
        (None, "a-min", 1, 0, 0, 1, 0, 0, 0),
        (None, "b-min", 1, 1, 0, 0, 0, 1, 0),
        *[
            (None, code, 0, 0, 0, 0, 0, 0, 0)
            for code in ("m-mun", "s-min", "t-min", "u-min", "z-none")
        ],
    ]
    assert year.totals["tasks"] == 2 and year.filters["year"] == 2025
    # A year without tasks: all zeros, no share.
    empty = _report(store, year=2027)
    assert {row["tasks"] for row in empty.rows} == {0} and len(empty.rows) == 7
    assert empty.totals["tasks"] == 0 and empty.totals["accepted_share"] is None

    municipalities = _report(store, kind="municipality")
    assert _rows(municipalities) == [(None, "m-mun", 1, 1, 0, 0, 0, 0, 0)]
    assert municipalities.totals["tasks"] == 1
    bodies = _report(store, kind="executive_body")
    assert "m-mun" not in {row["agency"] for row in bodies.rows}
    assert bodies.totals["tasks"] == 16


def test_cli_json_and_csv(store: Backend) -> None:
    build(store)
    now = "2026-04-20T13:00:00+10:00"
    result = runner.invoke(app, ["report", "progress", "--now", now, "--kind", "body", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["report"] == "progress" and data["filters"]["kind"] == "executive_body"
    rows = [(r["stage"], r["agency"], *(r[k] for k in COUNTS)) for r in data["rows"]]
    assert rows == [row for row in ALL_ROWS if row[1] != "m-mun"]
    assert data["totals"]["accepted_share"] == round(6 / 15, 4)

    result = runner.invoke(app, ["report", "progress", "--now", now, "--year", "2025", "--csv"])
    assert result.exit_code == 0, result.output
    lines = list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff")), delimiter=";"))
    assert lines[0][:6] == ["Этап", "Название этапа", "Орган / МО", "Название", "Вид", "Всего"]
    assert lines[1][2:6] == ["a-min", "Орган a-min", "ОИВ", "1"]  # the kind by its name
    assert lines[-1][0] == "Итого" and lines[-1][5] == "2"

    bad = runner.invoke(app, ["report", "progress", "--kind", "ministry"])
    assert bad.exit_code == 2
    assert "--kind" in bad.output and "body, municipality" in bad.output

"""`roadmap report indicators`: targets, actuals, progress and statuses of the small region of
tests/reports/indicator_data.py, assessed by hand, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

import pytest
from typer.testing import CliRunner

from roadmap.cli.app import app
from roadmap.reports.indicators import IndicatorStatus, indicator_status, indicators_report
from roadmap.reports.table import Report
from tests.reports.indicator_data import NOW, build, record
from tests.support import Backend, in_region

runner = CliRunner()


def _report(backend: Backend, now: datetime = NOW, **options) -> Report:
    return in_region(
        backend,
        lambda session, region: indicators_report(session, region, now=now, **options),
    )


def _rows(report: Report) -> list[tuple]:
    """(code, year, target, actual, the period behind the actual, progress, status)."""
    return [
        (
            r["code"],
            r["year"],
            r["target"],
            r["actual"],
            r["actual_period"],
            None if r["progress"] is None else pytest.approx(r["progress"]),
            r["status"],
        )
        for r in report.rows
    ]


def test_every_status_and_the_progress_of_both_directions(store: Backend, tmp_path) -> None:
    build(store, tmp_path)
    # 15 June 2024: 2023 is over, 2024 is running, 2025 has not begun.
    record(
        store,
        ("SHARE", "2024", "79,5"),
        ("PAPER", "2024", "22"),
        ("QUART", "2023-Q3", "10"),
        ("QUART", "2024-Q1", "40"),
        ("QUART", "2024-Q2", "55"),
    )
    report = _report(store)
    assert _rows(report) == [
        # target equal to the baseline: no progress; 9 < 10 once 2023 is over
        ("FLAT", 2023, 10, 9, None, None, "не достигнут"),
        ("FLAT", 2024, 12, None, None, None, "нет данных"),
        # less is better: (40 − 28) / (40 − 30) = 1.2, beaten
        ("PAPER", 2023, 30, 28, None, 1.2, "в норме"),
        # (40 − 22) / (40 − 20) = 0.9; 2 short, beyond 5 % of 20 = 1
        ("PAPER", 2024, 20, 22, "2024", 0.9, "отстаёт"),
        ("QUART", 2023, None, 10, "2023-Q3", None, "нет цели"),
        # the year's actual is the latest quarter's: 55 / 100
        ("QUART", 2024, 100, 55, "2024-Q2", 0.55, "отстаёт"),
        # the case: (64 − 50) / (70 − 50) = 0.7, 2023 is over
        ("SHARE", 2023, 70, 64, None, 0.7, "не достигнут"),
        # (79.5 − 50) / (80 − 50); 0.5 short, within 5 % of 30 = 1.5
        ("SHARE", 2024, 80, 79.5, "2024", 29.5 / 30, "под угрозой"),
        ("SHARE", 2025, 90, None, None, None, "план"),
    ]
    share = report.rows[-1]
    assert (share["unit"], share["agency"], share["baseline_year"], share["baseline"]) == (
        "%",
        "mincifra",
        2022,
        50,
    )
    assert report.rows[2]["direction"] == "↓ меньше — лучше"
    assert report.rows[4]["agency"] == "mo-city"  # a municipality reports too
    assert report.rows[0]["agency"] is None
    assert report.notes[-1] == (
        "Статусы: в норме — 1; под угрозой — 1; отстаёт — 2; не достигнут — 2; "
        "нет данных — 1; план — 1; нет цели — 1."
    )
    # Progress in 2024 (the latest year with an actual), and target and actual by year.
    progress = report.charts[0]
    assert (progress.title, progress.categories) == (
        "Прогресс к цели, 2024",
        ["FLAT", "PAPER", "QUART", "SHARE"],
    )
    assert progress.series[0].values == [None, 90.0, 55.0, 98.3]
    share_chart = report.charts[-1]
    assert share_chart.categories == ["2023", "2024", "2025"]
    assert [s.values for s in share_chart.series] == [[70, 80, 90], [64, 79.5, None]]


def test_one_year(store: Backend, tmp_path) -> None:
    build(store, tmp_path)
    report = _report(store, year=2023)
    assert [(r["code"], r["year"], r["status"]) for r in report.rows] == [
        ("FLAT", 2023, "не достигнут"),
        ("PAPER", 2023, "в норме"),
        ("SHARE", 2023, "не достигнут"),
    ]
    assert report.filters == {"year": 2023}
    assert [c.title for c in report.charts] == ["Прогресс к цели, 2023"]
    assert report.charts[0].series[0].values == [None, 120.0, 70.0]


def test_64_against_70_is_flagged_and_missed_once_2023_is_over_in_region_time(
    store: Backend, tmp_path
) -> None:
    build(store, tmp_path)

    def share_2023(now: datetime) -> str:
        rows = _report(store, now=now, year=2023).rows
        return next(r["status"] for r in rows if r["code"] == "SHARE")

    # 23:59 on 31 December in Moscow: the year runs, 6 short is beyond 5 % of 20.
    assert share_2023(datetime(2023, 12, 31, 20, 59, tzinfo=UTC)) == "отстаёт"
    # 00:00 on 1 January in Moscow (still 31 December in UTC): missed.
    assert share_2023(datetime(2023, 12, 31, 21, 0, tzinfo=UTC)) == "не достигнут"


def test_the_status_rule_at_its_edges() -> None:
    def status(target, actual, *, higher=True, year=2024, today=date(2024, 6, 1)):
        return indicator_status(
            year=year,
            today=today,
            baseline=50,
            target=target,
            actual=actual,
            higher_is_better=higher,
        )

    # exactly at the target is on track; the tolerance is 5 % of |80 − 50| = 1.5
    assert status(80, 80) == IndicatorStatus.on_track
    assert status(80, 78.5) == IndicatorStatus.at_risk
    assert status(80, 78.4) == IndicatorStatus.off_track
    # less is better: 20 is the target from 50, 21.5 is 1.5 over it
    assert status(20, 20, higher=False) == IndicatorStatus.on_track
    assert status(20, 21.5, higher=False) == IndicatorStatus.at_risk
    assert status(20, 21.6, higher=False) == IndicatorStatus.off_track
    # a target equal to the baseline: the tolerance is 5 % of |50| = 2.5
    assert status(50, 47.5) == IndicatorStatus.at_risk
    assert status(50, 47.4) == IndicatorStatus.off_track
    # no actual: a year not begun is not due yet, the current or a past one has no data
    assert status(80, None, year=2025) == IndicatorStatus.not_due
    assert status(80, None) == IndicatorStatus.no_data
    assert status(80, None, year=2023) == IndicatorStatus.no_data
    # the year is over on 1 January: a miss by any amount is missed
    assert status(80, 79.9, year=2023, today=date(2024, 1, 1)) == IndicatorStatus.missed
    assert status(80, 79.9, year=2023, today=date(2023, 12, 31)) == IndicatorStatus.at_risk


def test_csv_and_json_through_the_cli(store: Backend, tmp_path) -> None:
    build(store, tmp_path)
    now = ["--now", "2024-06-15T10:00"]
    csv = runner.invoke(app, ["report", "indicators", "--csv", "--year", "2023", *now])
    assert csv.exit_code == 0, csv.output
    lines = csv.stdout.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Показатель;Название;Ед.;Орган / МО;Направление;Базовый год;")
    assert (
        "SHARE;Доля услуг онлайн;%;mincifra;↑ больше — лучше;2022;50;2023;70;64;;70,0;не достигнут"
        in lines
    )
    assert (
        "PAPER;Доля бумажных документов;%;mincifra;↓ меньше — лучше;2022;40;2023;30;28;;120,0;в норме"
        in lines
    )

    data = json.loads(
        runner.invoke(app, ["--lang", "en", "report", "indicators", "--json", *now]).stdout
    )
    share = {(r["code"], r["year"]): r for r in data["rows"]}
    assert share[("SHARE", 2023)]["progress"] == 0.7
    assert share[("SHARE", 2023)]["status"] == "missed"
    assert share[("SHARE", 2025)]["status"] == "not due"
    assert data["notes"][-1] == "Statuses: on track: 1; missed: 2; no data: 4; not due: 1."


def test_messages_have_the_same_placeholders_in_both_languages() -> None:
    from roadmap.i18n.indicators import MESSAGES

    for key, texts in MESSAGES.items():
        names = {lang: set(re.findall(r"{(\w+)}", text)) for lang, text in texts.items()}
        assert names["ru"] == names["en"], key

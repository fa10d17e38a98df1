"""`roadmap report services`: public services online now and by year Y, by organisation
and sector, against counts done by hand on the small region of
tests/reports/sessions_data.py, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from roadmap.cli.app import app
from roadmap.errors import UserError
from roadmap.reports.services import parse_grouping, parse_target, services_report
from roadmap.reports.table import Report
from tests.reports.sessions_data import built_fixture, built_store  # noqa: F401  (fixtures)
from tests.support import Backend, in_region

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
runner = CliRunner()
MEASURES = ("services", "online", "planned", "online_by", "ai")


def _report(backend: Backend, **options) -> Report:
    return in_region(
        backend,
        lambda session, region: services_report(session, region, now=NOW, **options),
        "TST",
    )


def _rows(report: Report, *keys: str) -> list[tuple]:
    return [(*(r[k] for k in keys), *(r[m] for m in MEASURES)) for r in report.rows]


def _shares(row: dict) -> tuple:
    return row["online_share"], row["online_by_share"], row["target_met"]


def test_by_organisation_to_the_strategy_end_year(built: Backend) -> None:
    report = _report(built)  # Y = 2027, the strategy's end year; target 0.95

    # Executive bodies, then municipalities. minzdrav: s1 and s4 online, s2 due 2026 (in),
    # s3 due 2028 (out), s4 online already (not counted again); mo-vlad: s7 due in 2027
    # itself; mo-artem has no services and still has its row; OTH's service is not here.
    assert _rows(report, "agency", "agency_kind", "sectors") == [
        ("minobr", "executive_body", "edu", 2, 1, 0, 1, 0),
        ("minzdrav", "executive_body", "health", 4, 2, 1, 3, 2),
        ("mo-artem", "municipality", None, 0, 0, 0, 0, 0),
        ("mo-vlad", "municipality", "edu, health", 2, 1, 1, 2, 1),
    ]
    assert [_shares(r) for r in report.rows] == [
        (0.5, 0.5, "no"),
        (0.5, 0.75, "no"),
        (None, None, None),
        (0.5, 1.0, "yes"),
    ]
    totals = report.totals
    assert tuple(totals[m] for m in MEASURES) == (8, 4, 2, 6, 3)
    assert _shares(totals) == (0.5, 0.75, "no") and totals["agency"] == "Итого"
    assert report.column("target_met").labels == {"yes": "да", "no": "нет"}
    assert report.column("agency_kind").labels["municipality"] == "МО"
    assert report.filters == {"by": ["agency"], "year": 2027, "target": 0.95}
    assert report.column("planned").title == "Переведут к 2027"
    assert any("95 %" in note for note in report.notes)
    assert report.notes[-1] == "Без услуг в перечне: mo-artem."

    (chart,) = report.charts  # organisations with services, shares in %
    assert chart.categories == ["Минобр", "Минздрав", "Владивосток"]
    assert [s.values for s in chart.series] == [[50.0, 50.0, 50.0], [50.0, 75.0, 100.0]]


def test_year_and_target_move_the_verdict(built: Backend) -> None:
    later = _report(built, year=2028)  # s3 joins minzdrav
    assert _rows(later, "agency")[1] == ("minzdrav", 4, 2, 2, 4, 2)
    assert tuple(later.totals[m] for m in MEASURES) == (8, 4, 3, 7, 3)
    assert _shares(later.totals) == (0.5, 7 / 8, "no")

    earlier = _report(built, year=2026)  # s7 (2027) is not in yet
    assert _rows(earlier, "agency")[3] == ("mo-vlad", 2, 1, 0, 1, 1)

    # A share equal to the target meets it.
    lower = _report(built, target=0.75)
    assert [r["target_met"] for r in lower.rows] == ["no", "yes", None, "yes"]
    assert lower.totals["target_met"] == "yes"


def test_by_sector_and_by_organisation_and_sector(built: Backend) -> None:
    by_sector = _report(built, grouping=("sector",))
    assert _rows(by_sector, "sector", "sector_name") == [
        ("edu", "Образование", 3, 1, 1, 2, 0),
        ("health", "Здравоохранение", 4, 2, 1, 3, 3),
        (None, "без отрасли", 1, 1, 0, 1, 0),
    ]
    assert tuple(by_sector.totals[m] for m in MEASURES) == (8, 4, 2, 6, 3)
    assert by_sector.totals["sector"] == "Итого"
    assert "Услуг без отрасли: 1" in " ".join(by_sector.notes)

    both = _report(built, grouping=("agency", "sector"))
    assert _rows(both, "agency", "sector") == [
        ("minobr", "edu", 2, 1, 0, 1, 0),
        ("minzdrav", "health", 3, 1, 1, 2, 2),
        ("minzdrav", None, 1, 1, 0, 1, 0),
        ("mo-artem", None, 0, 0, 0, 0, 0),
        ("mo-vlad", "edu", 1, 0, 1, 1, 0),
        ("mo-vlad", "health", 1, 1, 0, 1, 1),
    ]
    assert both.rows[3]["sector_name"] is None  # no services: no "no sector" either

    # Grouped in the order given: by sector first.
    sector_first = _report(built, grouping=("sector", "agency"))
    assert [c.key for c in sector_first.columns][:5] == [
        "sector", "sector_name", "agency", "agency_name", "agency_kind",
    ]  # fmt: skip
    assert _rows(sector_first, "sector", "agency") == [
        ("edu", "minobr", 2, 1, 0, 1, 0),
        ("edu", "mo-vlad", 1, 0, 1, 1, 0),
        ("health", "minzdrav", 3, 1, 1, 2, 2),
        ("health", "mo-vlad", 1, 1, 0, 1, 1),
        (None, "minzdrav", 1, 1, 0, 1, 0),
        (None, "mo-artem", 0, 0, 0, 0, 0),
    ]
    assert sector_first.totals["sector"] == "Итого"


def test_options_are_checked() -> None:
    assert parse_grouping(None) == ("agency",)
    assert parse_grouping("sector, agency,sector") == ("sector", "agency")
    assert parse_target(None) == 0.95 and parse_target("0,8") == 0.8
    for bad in ("95", "0", "-0.5", "much"):
        with pytest.raises(UserError, match="--target"):
            parse_target(bad)
    with pytest.raises(UserError, match="--by"):
        parse_grouping("agency,ministry")


def test_the_command_writes_json_and_csv(built: Backend) -> None:
    common = ["report", "services", "--region", "TST", "--now", "2026-06-01T12:00"]
    result = runner.invoke(app, [*common, "--year", "2028", "--target", "0.8", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(r["agency"], r["online_by"], r["target_met"]) for r in data["rows"]] == [
        ("minobr", 1, "no"),
        ("minzdrav", 4, "yes"),
        ("mo-artem", 0, None),
        ("mo-vlad", 2, "yes"),
    ]
    assert data["totals"]["online_by_share"] == 0.875 and data["totals"]["target_met"] == "yes"

    result = runner.invoke(app, [*common, "--by", "sector", "--csv"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.lstrip("\ufeff").splitlines()
    assert lines[0].split(";")[2:5] == ["Услуг", "Онлайн", "Переведут к 2027"]
    assert lines[3].split(";")[:2] == ["", "без отрасли"]
    assert lines[-1].split(";") == [
        "Итого", "", "8", "4", "2", "6", "3", "50,0", "75,0", "нет",
    ]  # fmt: skip

    result = runner.invoke(app, [*common, "--target", "1.5"])
    assert result.exit_code == 2 and "--target: 1.5" in result.output

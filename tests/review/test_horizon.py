"""A strategy's horizon moves (to 2027, then to 2030, then further) and it stays one
strategy with one line of versions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from sqlmodel import select
from typer.testing import CliRunner

from roadmap.cli.app import app
from roadmap.errors import UserError
from roadmap.plan.importer import import_roadmap
from roadmap.review.changes import read_changes
from roadmap.review.cycle import close_review, decide, propose_changes, start_review
from roadmap.review.snapshots import diff, versions
from roadmap.store.models import BudgetLine, Strategy
from tests.support import PRIMORYE, Backend, in_region

NOW = datetime(2027, 1, 15, 0, 0, tzinfo=UTC)
runner = CliRunner()


def _until(year: int, path: Path) -> Path:
    """The example roadmap planned only up to `year`."""
    yaml = YAML(typ="safe")
    data = yaml.load(PRIMORYE.read_text(encoding="utf-8"))
    data["strategy"]["end_year"] = year
    data["budget"] = [line for line in data["budget"] if line["year"] <= year]
    for indicator in data["indicators"]:
        indicator["targets"] = {y: v for y, v in indicator["targets"].items() if int(y) <= year}
    with path.open("w", encoding="utf-8") as out:
        yaml.dump(data, out)
    return path


def _strategies(backend: Backend) -> list[tuple[int, int, int]]:
    return in_region(
        backend,
        lambda s, r: [(x.start_year, x.end_year, x.version) for x in s.exec(select(Strategy))],
    )


def _change_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "changes.yaml"
    path.write_text("changes:\n" + body, encoding="utf-8")
    return path


def test_a_reimport_with_a_later_end_year_updates_the_same_strategy(
    store: Backend, tmp_path: Path
) -> None:
    settings = store.settings
    import_roadmap(settings, _until(2027, tmp_path / "to-2027.yaml"))
    assert [v.version for v in versions(settings)] == [1]
    report = import_roadmap(settings, PRIMORYE)  # the same strategy, now to 2030
    assert report.changes["strategy"].updated == 1 and report.changes["strategy"].created == 0
    assert _strategies(store) == [(2025, 2030, 1)]
    moved = diff(settings, 1)
    assert moved.changes.horizon == [[2025, 2027], [2025, 2030]]
    assert moved.changes.budget.total_after > moved.changes.budget.total_before
    # The yearly update continues the same line of versions.
    start_review(settings, 2027, now=NOW)
    close_review(settings, now=NOW)
    assert [v.version for v in versions(settings)] == [1, 2]
    assert _strategies(store) == [(2025, 2030, 2)]


def test_a_review_moves_the_horizon_and_opens_its_years(loaded: Backend, tmp_path: Path) -> None:
    settings = loaded.settings
    start_review(settings, 2027, now=NOW)
    changes = _change_file(
        tmp_path,
        "  - kind: change_budget\n"
        "    initiative: H-01\n    year: 2032\n    source: regional\n    planned: 1000000\n"
        "    reason: regional_policy\n    why: Продление\n"
        "  - kind: change_horizon\n    end_year: 2032\n"
        "    reason: federal_task\n    why: Национальная цель до 2032 года\n",
    )
    recorded = propose_changes(settings, read_changes(changes), now=NOW)
    decide(settings, recorded.created, True, by="coord", now=NOW)
    closed = close_review(settings, now=NOW)
    assert closed.version == 2 and closed.applied == 2
    assert _strategies(loaded) == [(2025, 2032, 2)]
    years = in_region(loaded, lambda s, r: {b.year for b in s.exec(select(BudgetLine))})
    assert 2032 in years
    assert diff(settings, 1, 2).changes.horizon == [[2025, 2030], [2025, 2032]]


def test_a_change_past_the_horizon_is_refused_with_its_line(
    loaded: Backend, tmp_path: Path
) -> None:
    settings = loaded.settings
    start_review(settings, 2027, now=NOW)
    changes = _change_file(
        tmp_path,
        "  - kind: change_target\n    indicator: DIGITAL-MATURITY\n    year: 2030\n"
        "    value: 99\n    reason: other\n    why: ok\n"
        "  - kind: change_budget\n"
        "    initiative: H-01\n    year: 2031\n    source: regional\n    planned: 1\n"
        "    reason: other\n    why: past the horizon\n",
    )
    before = loaded.fingerprint()
    result = runner.invoke(
        app, ["review", "propose", "--file", str(changes), "--now", "2027-01-15T10:00"]
    )
    assert result.exit_code == 2
    assert "changes.yaml:8: год 2031 вне горизонта стратегии 2025–2030" in result.stderr
    assert loaded.fingerprint() == before
    shrink = _change_file(
        tmp_path, "  - kind: change_horizon\n    end_year: 2027\n    reason: other\n    why: x\n"
    )
    with pytest.raises(UserError, match="2028, 2029, 2030"):
        propose_changes(settings, read_changes(shrink), now=NOW)


def test_a_deadline_moved_to_a_day_off_is_refused_with_the_next_working_day(
    loaded: Backend, tmp_path: Path
) -> None:
    start_review(loaded.settings, 2027, now=NOW)
    weekend = _change_file(
        tmp_path,
        "  - kind: move_date\n    task: T-002\n    due: 2027-03-06\n    reason: other\n    why: x\n",
    )
    with pytest.raises(UserError) as refused:
        propose_changes(loaded.settings, read_changes(weekend), now=NOW)
    assert "2027-03-06" in str(refused.value) and "2027-03-09" in str(refused.value)

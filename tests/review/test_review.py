"""The yearly update: cycle, proposals, decisions, versions and the diff."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from roadmap.cli.render import jsonable
from roadmap.errors import UserError
from roadmap.review.changes import read_changes
from roadmap.review.cycle import (
    ProposalsRecorded,
    close_review,
    decide,
    propose_changes,
    start_review,
)
from roadmap.review.snapshots import diff, versions
from tests.support import EXAMPLES, Backend

NOW = datetime.fromisoformat("2027-01-15T10:00:00+10:00")
CHANGES = EXAMPLES / "changes-2027.yaml"


def _version_rows(backend: Backend) -> list[tuple]:
    engine = sa.create_engine(backend.url)
    try:
        with engine.connect() as connection:
            return [
                tuple(r)
                for r in connection.execute(
                    sa.text("SELECT * FROM strategy_version ORDER BY version")
                )
            ]
    finally:
        engine.dispose()


def _open_with_proposals(backend: Backend) -> ProposalsRecorded:
    started = start_review(backend.settings, 2027, now=NOW)
    assert started.tasks_created == 11 and started.baseline_version == 1
    return propose_changes(backend.settings, read_changes(CHANGES), now=NOW)


def test_full_cycle_makes_the_next_version_and_its_diff(loaded: Backend) -> None:
    proposed = _open_with_proposals(loaded)
    assert proposed.created == [1, 2, 3, 4, 5, 6]
    # Two agencies want different 2027 targets for the same indicator: reported, not merged.
    assert jsonable(proposed.conflicts) == [
        {"proposals": [3, 6], "touch": "target:DIGITAL-MATURITY|2027"}
    ]
    baseline = _version_rows(loaded)
    decide(loaded.settings, [1, 2, 3, 4, 5], True, by="coord", now=NOW)
    decide(loaded.settings, [6], False, by="coord", now=NOW)
    closed = close_review(loaded.settings, now=NOW)
    assert (closed.version, closed.applied) == (2, 5)

    changes = jsonable(diff(loaded.settings, 1, 2).changes)
    assert changes["initiatives"]["added"] == ["H-05"]
    assert changes["initiatives"]["dropped"] == ["TR-02"]
    assert changes["targets"] == [
        {"indicator": "DIGITAL-MATURITY", "year": 2027, "before": 67.0, "after": 72.0}
    ]
    assert changes["deadlines"] == [
        {"task": "T-004", "before": "2026-12-11", "after": "2027-02-26"}
    ]
    health = next(
        r
        for r in changes["budget"]["by_sector_source"]
        if (r["sector"], r["source"]) == ("health", "federal")
    )
    assert health["delta"] == "9100000.00"  # H-01 federal 2027: 50.9 → 60 million
    sources = {
        r["source"] for r in changes["budget"]["by_sector_source"] if r["sector"] == "transport"
    }
    assert sources  # TR-02 dropped: its money leaves the transport totals

    history = versions(loaded.settings)
    assert [v.version for v in history] == [1, 2]
    assert history[1].reasons == {"federal_task": 1, "national_project": 2, "regional_policy": 2}
    # Version 1 is exactly as it was before version 2 was made.
    assert _version_rows(loaded)[0] == baseline[0]

    # Closing again does nothing again.
    before = loaded.fingerprint()
    assert close_review(loaded.settings, now=NOW).applied == 0
    assert loaded.fingerprint() == before
    # The current state equals version 2.
    current = jsonable(diff(loaded.settings, 2).changes)
    assert current["initiatives"] == {"added": [], "dropped": [], "changed": []}
    assert current["budget"]["total_delta"] == "0.00"


def test_rejected_proposals_change_nothing(loaded: Backend) -> None:
    _open_with_proposals(loaded)
    decide(loaded.settings, [1, 2, 3, 4, 5, 6], False, now=NOW)
    assert close_review(loaded.settings, now=NOW).applied == 0
    changes = jsonable(diff(loaded.settings, 1, 2).changes)
    assert changes["initiatives"] == {"added": [], "dropped": [], "changed": []}
    assert changes["targets"] == [] and changes["deadlines"] == []
    assert changes["budget"]["total_delta"] == "0.00"


def test_conflicting_accepted_proposals_are_refused_whole(loaded: Backend) -> None:
    _open_with_proposals(loaded)
    decide(loaded.settings, [1, 2, 3, 4, 5, 6], True, now=NOW)
    before = loaded.fingerprint()
    with pytest.raises(UserError, match="#3 / #6"):
        close_review(loaded.settings, now=NOW)
    assert loaded.fingerprint() == before


def test_start_twice_and_bad_proposals(loaded: Backend, tmp_path: Path) -> None:
    start_review(loaded.settings, 2027, now=NOW)
    before = loaded.fingerprint()
    assert start_review(loaded.settings, 2027, now=NOW).tasks_created == 0
    assert loaded.fingerprint() == before

    bad = tmp_path / "changes.yaml"
    bad.write_text(
        "changes:\n"
        "  - {kind: drop_initiative, initiative: NOPE-1, reason: other, why: x}\n"
        "  - {kind: move_date, task: T-001, due: 2027-02-30, reason: other, why: x}\n"
        "  - {kind: change_budget, initiative: H-01, year: 2027, source: federal,"
        " planned: -1, reason: lottery, why: x}\n",
        "utf-8",
    )
    with pytest.raises(UserError) as caught:
        propose_changes(loaded.settings, read_changes(bad), now=NOW)
    text = str(caught.value)
    assert "changes.yaml:3" in text and "2027-02-30" in text and "lottery" in text
    bad.write_text(
        "changes:\n  - {kind: drop_initiative, initiative: NOPE-1, reason: other, why: x}\n",
        "utf-8",
    )
    with pytest.raises(UserError, match="NOPE-1"):
        propose_changes(loaded.settings, read_changes(bad), now=NOW)
    assert loaded.fingerprint() == before


def test_review_guards(loaded: Backend, tmp_path: Path) -> None:
    from roadmap.stages.proposals import ProposalIn, propose_initiatives

    # A fresh store can be diffed against its first version.
    assert diff(loaded.settings).changes.initiatives.added == []
    _open_with_proposals(loaded)
    # One cycle at a time.
    with pytest.raises(UserError, match="2027"):
        start_review(loaded.settings, 2028, now=NOW)
    # A budget for an initiative the same cycle adds is fine; an empty change is not.
    later = tmp_path / "later.yaml"
    later.write_text(
        "changes:\n"
        "  - {kind: change_budget, initiative: H-05, year: 2027, source: regional,"
        " planned: 1000000, reason: national_project, why: x}\n"
        "  - {kind: change_initiative, initiative: H-01, reason: other, why: x}\n",
        "utf-8",
    )
    with pytest.raises(UserError, match="H-01"):
        propose_changes(loaded.settings, read_changes(later), now=NOW)
    later.write_text(later.read_text("utf-8").split("  - {kind: change_initiative")[0], "utf-8")
    assert propose_changes(loaded.settings, read_changes(later), now=NOW).created == [7]
    decide(loaded.settings, [1, 2, 3, 4, 5, 7], True, now=NOW)
    decide(loaded.settings, [6], False, now=NOW)
    # Meanwhile someone proposes an initiative with the code the review wants to add.
    propose_initiatives(
        loaded.settings,
        [
            ProposalIn(
                code="H-05",
                title="x",
                sector="health",
                agency="minzdrav",
                problem="p",
                expected_effect="e",
            )
        ],
    )
    before = loaded.fingerprint()
    with pytest.raises(UserError, match="#1"):
        close_review(loaded.settings, now=NOW)
    assert loaded.fingerprint() == before

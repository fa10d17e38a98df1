"""One definition of the plan's money: every view agrees after a drop, an add and a change."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from ruamel.yaml import YAML
from typer.testing import CliRunner

from roadmap.cli.app import app
from roadmap.plan.exporter import export_roadmap
from roadmap.plan.queries import summary
from roadmap.review.changes import read_changes
from roadmap.review.cycle import close_review, decide, propose_changes, start_review
from roadmap.review.snapshots import diff, versions
from tests.support import PRIMORYE, Backend, in_region

NOW = datetime(2027, 1, 15, 0, 0, tzinfo=UTC)
CHANGES = """\
changes:
  - kind: drop_initiative
    initiative: H-02
    reason: regional_policy
    why: Снята с плана
  - kind: add_initiative
    initiative: {code: N-01, title: Новая, sector: health, agency: minzdrav}
    reason: national_project
    why: Нацпроект
  - kind: change_budget
    initiative: N-01
    year: 2028
    source: federal
    planned: 12345678.90
    reason: national_project
    why: Нацпроект
  - kind: change_budget
    initiative: H-01
    year: 2027
    source: regional
    planned: 1000000
    reason: regional_policy
    why: Сокращение
"""


def _planned(data: dict) -> tuple[Decimal, Decimal]:
    """By hand from a roadmap file: (money in the plan, money of dropped initiatives)."""
    dropped = {i["code"] for i in data["initiatives"] if i.get("status") == "dropped"}
    counted = excluded = Decimal("0")
    for line in data["budget"]:
        amount = Decimal(str(line["planned"]))
        if line["initiative"] in dropped:
            excluded += amount
        else:
            counted += amount
    return counted, excluded


def test_every_view_shows_the_same_plan_money(loaded: Backend, tmp_path: Path) -> None:
    settings = loaded.settings
    example = YAML(typ="safe").load(PRIMORYE.read_text(encoding="utf-8"))
    before, before_excluded = _planned(example)
    lines = {
        (b["initiative"], b["year"], b["source"]): Decimal(str(b["planned"]))
        for b in example["budget"]
    }
    h02 = sum(v for (code, _, _), v in lines.items() if code == "H-02")
    after = (
        before
        - h02
        + Decimal("12345678.90")
        - lines[("H-01", 2027, "regional")]
        + Decimal("1000000")
    )

    assert in_region(loaded, lambda s, r: summary(s, r, now=NOW)).budget_total == before
    path = tmp_path / "changes.yaml"
    path.write_text(CHANGES, encoding="utf-8")
    start_review(settings, 2027, now=NOW)
    decide(settings, propose_changes(settings, read_changes(path), now=NOW).created, True, now=NOW)
    close_review(settings, now=NOW)

    view = in_region(loaded, lambda s, r: summary(s, r, now=NOW))
    assert view.budget_total == after
    assert view.budget_excluded == before_excluded + h02
    assert sum(v for years in view.budget.values() for v in years.values()) == after
    cli = json.loads(CliRunner().invoke(app, ["summary", "--json", "--now", "2027-01-15"]).stdout)
    assert Decimal(cli["budget_total"]) == after
    rows = {row.version: Decimal(row.budget_total) for row in versions(settings)}
    assert rows == {1: before, 2: after}
    both = diff(settings, 1, 2).changes.budget
    assert (Decimal(both.total_before), Decimal(both.total_after)) == (before, after)
    assert Decimal(both.total_delta) == after - before
    live = diff(settings, 1).changes.budget
    assert Decimal(live.total_after) == after
    exported = tmp_path / "export.yaml"
    export_roadmap(settings, exported)
    assert _planned(YAML(typ="safe").load(exported.read_text(encoding="utf-8"))) == (
        after,
        before_excluded + h02,
    )

"""Change proposals of the yearly update: each kind applies exactly what it says and only in
its own region; a conflict names what two accepted proposals both touch; a mistake names the
code and what kind of thing it is."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from sqlmodel import select

from roadmap.errors import UserError
from roadmap.i18n import set_locale
from roadmap.review.changes import read_changes
from roadmap.review.cycle import close_review, decide, propose_changes, start_review
from roadmap.store.models import (
    Agency,
    BudgetLine,
    Indicator,
    IndicatorValue,
    Initiative,
    Sector,
    Task,
    ValueKind,
)
from tests.support import PRIMORYE, Backend, in_region

NOW = datetime.fromisoformat("2027-01-15T10:00:00+10:00")
_yaml = YAML()


def _import_twice(backend: Backend, tmp_path: Path) -> None:
    """Primorye (without the 2030 target of IT-INVEST) and a copy of it as region KAM, so
    every code exists in two strategies."""
    from roadmap.plan.importer import import_roadmap

    data = _yaml.load(PRIMORYE.read_text("utf-8"))
    indicator = next(i for i in data["indicators"] if i["code"] == "IT-INVEST")
    del indicator["targets"][2030]
    for code, name in (("PRI", "Приморский край"), ("KAM", "Камчатский край")):
        data["region"]["code"], data["region"]["name"] = code, name
        path = tmp_path / f"{code}.yaml"
        with path.open("w", encoding="utf-8") as out:
            _yaml.dump(data, out)
        import_roadmap(backend.settings, path)


def _value(x) -> str:
    return getattr(x, "value", x)


def _region_rows(backend: Backend, region: str) -> dict:
    def read(session, found) -> dict:
        from roadmap.store.models import Strategy

        strategy = session.exec(select(Strategy).where(Strategy.region_id == found.id)).one()
        sectors = {s.id: s.code for s in session.exec(select(Sector))}
        agencies = {a.id: a.code for a in session.exec(select(Agency))}
        initiatives = {
            i.id: i
            for i in session.exec(select(Initiative).where(Initiative.strategy_id == strategy.id))
        }
        indicators = {
            i.id: i.code
            for i in session.exec(select(Indicator).where(Indicator.strategy_id == strategy.id))
        }
        return {
            "initiatives": {
                i.code: (i.title, sectors[i.sector_id], agencies[i.agency_id], _value(i.status))
                for i in initiatives.values()
            },
            "budget": {
                (initiatives[b.initiative_id].code, b.year, _value(b.source)): b.planned_kopecks
                for b in session.exec(
                    select(BudgetLine).where(BudgetLine.initiative_id.in_(list(initiatives)))
                )
            },
            "targets": {
                (indicators[v.indicator_id], v.year): v.value
                for v in session.exec(
                    select(IndicatorValue).where(
                        IndicatorValue.indicator_id.in_(list(indicators)),
                        IndicatorValue.kind == ValueKind.target,
                    )
                )
            },
            "due": {
                t.code: t.due_on
                for t in session.exec(select(Task).where(Task.strategy_id == strategy.id))
            },
        }

    return in_region(backend, read, region)


def _changes(tmp_path: Path, *lines: str) -> list:
    path = tmp_path / "changes.yaml"
    body = "".join(f"  - {{{line}, reason: other, why: x}}\n" for line in lines)
    path.write_text("changes:\n" + body, "utf-8")
    return read_changes(path)


def _propose_and_accept(backend: Backend, tmp_path: Path, *lines: str) -> None:
    start_review(backend.settings, 2027, region_code="PRI", now=NOW)
    propose_changes(backend.settings, _changes(tmp_path, *lines), region_code="PRI", now=NOW)
    decide(backend.settings, list(range(1, len(lines) + 1)), True, region_code="PRI", now=NOW)


def test_each_kind_of_change_applies_exactly_and_only_in_its_region(
    store: Backend, tmp_path: Path
) -> None:
    _import_twice(store, tmp_path)
    before, other = _region_rows(store, "PRI"), _region_rows(store, "KAM")
    _propose_and_accept(
        store,
        tmp_path,
        "kind: add_initiative, initiative: {code: E-09, title: Новая школа, sector: education,"
        " agency: minobr, status: in_progress}",
        "kind: change_initiative, initiative: H-02, title: Другое название, sector: education,"
        " owner: minobr, status: in_progress",
        "kind: change_budget, initiative: H-02, year: 2030, source: regional, planned: 1234567.89",
        "kind: change_budget, initiative: H-02, year: 2027, source: federal, planned: 5000000",
        "kind: change_target, indicator: IT-INVEST, year: 2030, value: 42.5",
        "kind: change_target, indicator: DIGITAL-MATURITY, year: 2026, value: 61",
        "kind: move_date, task: T-002, due: 2027-03-01",
        "kind: drop_initiative, initiative: E-03",
    )
    close_review(store.settings, region_code="PRI", now=NOW)
    after = _region_rows(store, "PRI")

    expected = dict(before["initiatives"])
    expected["E-09"] = ("Новая школа", "education", "minobr", "in_progress")
    expected["H-02"] = ("Другое название", "education", "minobr", "in_progress")
    expected["E-03"] = (*before["initiatives"]["E-03"][:3], "dropped")
    assert after["initiatives"] == expected

    budget = dict(before["budget"])
    assert ("H-02", 2030, "regional") not in budget  # a new line, planned from nothing
    budget[("H-02", 2030, "regional")] = 123456789
    budget[("H-02", 2027, "federal")] = 500000000
    assert after["budget"] == budget

    targets = dict(before["targets"])
    assert ("IT-INVEST", 2030) not in targets
    targets[("IT-INVEST", 2030)] = 42.5
    targets[("DIGITAL-MATURITY", 2026)] = 61
    assert after["targets"] == targets

    due = dict(before["due"])
    due["T-002"] = date(2027, 3, 1)
    assert {code: after["due"][code] for code in before["due"]} == due  # and the review's own

    # The same codes in the other region are untouched.
    assert _region_rows(store, "KAM") == other
    assert Decimal(after["budget"][("H-02", 2030, "regional")]) / 100 == Decimal("1234567.89")


def test_conflicts_name_what_both_proposals_touch(loaded: Backend, tmp_path: Path) -> None:
    _propose_and_accept(
        loaded,
        tmp_path,
        # 1/2: one touches two fields, the next one of them.
        "kind: change_initiative, initiative: H-01, title: A, sector: education",
        "kind: change_initiative, initiative: H-01, sector: social",
        # 3/4: the second touches two fields, one of them the first's.
        "kind: change_initiative, initiative: H-02, status: done",
        "kind: change_initiative, initiative: H-02, title: B, status: in_progress",
        # 5/6: dropping an initiative conflicts with changing any of its fields.
        "kind: drop_initiative, initiative: E-01",
        "kind: change_initiative, initiative: E-01, owner: minsoc",
        "kind: change_initiative, initiative: E-02, title: C",
        "kind: drop_initiative, initiative: E-02",
        # Different years, sources or fields do not conflict.
        "kind: change_budget, initiative: H-01, year: 2027, source: federal, planned: 1",
        "kind: change_budget, initiative: H-01, year: 2028, source: federal, planned: 1",
        "kind: change_budget, initiative: H-01, year: 2027, source: regional, planned: 1",
        "kind: change_initiative, initiative: S-01, title: D",
        "kind: change_initiative, initiative: S-01, status: done",
        "kind: change_target, indicator: BROADBAND, year: 2027, value: 1",
        "kind: change_target, indicator: BROADBAND, year: 2028, value: 1",
    )
    before = loaded.fingerprint()
    set_locale("en")
    with pytest.raises(UserError) as caught:
        close_review(loaded.settings, region_code="PRI", now=NOW)
    assert str(caught.value) == (
        "Accepted proposals conflict, nothing was applied: "
        "#1 / #2: initiative:H-01.sector; #3 / #4: initiative:H-02.status; "
        "#5 / #6: initiative:E-01; #7 / #8: initiative:E-02.title. Reject one of each pair."
    )
    assert loaded.fingerprint() == before


def test_mistakes_name_the_code_and_its_kind(loaded: Backend, tmp_path: Path) -> None:
    from roadmap.stages.proposals import drop_initiative

    drop_initiative(loaded.settings, "E-03")
    start_review(loaded.settings, 2027, now=NOW)
    before = loaded.fingerprint()
    set_locale("en")
    changes = _changes(
        tmp_path,
        "kind: add_initiative, initiative: {code: H-01, title: x, sector: health, agency: minzdrav}",
        "kind: add_initiative, initiative: {code: N-1, title: x, sector: NOPE-S1, agency: NOPE-A1}",
        "kind: change_initiative, initiative: H-02, sector: NOPE-S2, owner: NOPE-A2",
        "kind: change_initiative, initiative: NOPE-I1, title: x",
        "kind: drop_initiative, initiative: E-03",
        "kind: change_budget, initiative: H-01, year: 2031, source: federal, planned: 1",
        "kind: move_date, task: NOPE-T, due: 2027-03-01",
        "kind: change_target, indicator: NOPE-X, year: 2027, value: 1",
        "kind: drop_initiative, initiative: H-01, agency: NOPE-A3",
    )
    with pytest.raises(UserError) as caught:
        propose_changes(loaded.settings, changes, now=NOW)
    assert str(caught.value).splitlines() == [
        "changes[0]: initiative H-01 already exists: use change_initiative",
        "changes[1]: unknown sector 'NOPE-S1'",
        "changes[1]: unknown agency 'NOPE-A1'",
        "changes[2]: unknown sector 'NOPE-S2'",
        "changes[2]: unknown agency 'NOPE-A2'",
        "changes[3]: unknown initiative 'NOPE-I1'",
        "changes[4]: initiative E-03 is already dropped",
        "changes[5]: year 2031 is outside the strategy horizon 2025–2030",
        "changes[6]: unknown task 'NOPE-T'",
        "changes[7]: unknown indicator 'NOPE-X'",
        "changes[8]: unknown agency 'NOPE-A3'",
    ]
    assert loaded.fingerprint() == before


@pytest.mark.parametrize("name", ["changes.yml", "changes.YAML"])
def test_change_files_are_yaml_by_any_usual_name(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(
        "changes:\n  - {kind: drop_initiative, initiative: H-01, reason: other, why: x}\n",
        "utf-8",
    )
    assert [c.initiative for c in read_changes(path)] == ["H-01"]


def test_a_change_file_that_is_not_yaml_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "changes.json"
    path.write_text('{"changes": []}', "utf-8")
    set_locale("en")
    with pytest.raises(UserError) as caught:
        read_changes(path)
    assert str(caught.value) == f"{path}: change proposals come as YAML (see docs/review.md)."

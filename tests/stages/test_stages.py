"""Stages: runs, due dates on the production calendar, gates and the stage logic."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from roadmap.config import HypothesisRules, load_stage_config
from roadmap.errors import UserError
from roadmap.plan.tasks import submit_tasks
from roadmap.settings import Settings
from roadmap.stages.analysis import ScoreIn, latest_selection, rank, record_scores, run_analysis
from roadmap.stages.architecture import DecisionIn, architecture_review, record_decisions
from roadmap.stages.interviews import (
    HypothesisIn,
    InterviewIn,
    add_hypotheses,
    add_interviews,
    hypotheses_list,
    hypothesis_verdict,
)
from roadmap.stages.proposals import ProposalIn, drop_initiative, propose_initiatives
from roadmap.stages.runs import (
    StageClosed,
    close_stage,
    stage_detail,
    stage_overview,
    start_stage,
)
from roadmap.store.models import StageStatus
from tests.support import Backend, in_region

NOW = datetime(2026, 12, 28, 1, 0, tzinfo=UTC)  # 11:00 in Vladivostok


def _config_with(tmp_path: Path, settings: Settings, replace: dict[str, str]) -> Settings:
    text = (settings.config_dir / "stages.toml").read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new, 1)
    config = tmp_path / "config"
    config.mkdir()
    (config / "stages.toml").write_text(text, encoding="utf-8")
    (config / "sectors.toml").write_text(
        (settings.config_dir / "sectors.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    return settings.model_copy(update={"config_dir": config})


def test_due_date_crosses_the_new_year_holidays(loaded: Backend, tmp_path: Path) -> None:
    settings = _config_with(tmp_path, loaded.settings, {"duration_days = 15": "duration_days = 5"})
    result = start_stage(settings, "initiatives", on=date(2026, 12, 28), now=NOW)
    assert result.due_on == date(2027, 1, 13)
    tasks = stage_detail(settings, "initiatives").tasks_by_agency
    assert {t.due for t in tasks} == {date(2027, 1, 13)}


def test_start_creates_one_task_per_agency_and_twice_creates_nothing(loaded: Backend) -> None:
    first = start_stage(loaded.settings, "initiatives", on=date(2026, 12, 1), now=NOW)
    agencies = 11
    assert first.tasks_created == first.tasks == agencies
    before = loaded.fingerprint()
    again = start_stage(loaded.settings, "initiatives", now=NOW)
    assert again.tasks_created == 0 and again.tasks == agencies
    assert again.started_on == date(2026, 12, 1)
    assert loaded.fingerprint() == before
    detail = stage_detail(loaded.settings, "initiatives")
    assert all(t.assignee for t in detail.tasks_by_agency)  # each goes to the emissary


def test_start_defaults_to_the_regions_local_date(loaded: Backend) -> None:
    late_evening_utc = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)  # 06:00 on 2 Dec in Vladivostok
    result = start_stage(loaded.settings, "initiatives", now=late_evening_utc)
    assert result.started_on == date(2026, 12, 2)


def test_a_stage_waits_for_the_previous_one(loaded: Backend) -> None:
    with pytest.raises(UserError, match="initiatives"):
        start_stage(loaded.settings, "interviews", now=NOW)
    with pytest.raises(UserError, match="nonsense"):
        start_stage(loaded.settings, "nonsense", now=NOW)
    with pytest.raises(UserError, match="initiatives"):
        close_stage(loaded.settings, "initiatives", now=NOW)


def test_gate_lists_exactly_what_is_missing(loaded: Backend) -> None:
    start_stage(loaded.settings, "initiatives", on=date(2026, 12, 1), now=NOW)
    detail = stage_detail(loaded.settings, "initiatives").tasks_by_agency
    minobr = next(t.code for t in detail if t.agency == "minobr")
    others = [t.code for t in detail if t.agency != "minobr"]
    submit_tasks(loaded.settings, others, now=NOW)

    refused = close_stage(loaded.settings, "initiatives", now=NOW)
    assert refused.status == "gate_failed"
    assert refused.missing == [f"minobr: поручение {minobr} не сдано"]
    overview = {row.key: row for row in stage_overview(loaded.settings)}
    assert overview["initiatives"].missing == refused.missing
    with pytest.raises(UserError):
        start_stage(loaded.settings, "interviews", now=NOW)

    submit_tasks(loaded.settings, [minobr], now=NOW)
    assert close_stage(loaded.settings, "initiatives", now=NOW).status == "closed"
    before = loaded.fingerprint()
    assert close_stage(loaded.settings, "initiatives", now=NOW).status == "closed"
    assert loaded.fingerprint() == before


def _through(settings: Settings, *keys: str) -> None:
    for key in keys:
        start_stage(settings, key, on=date(2026, 12, 28), now=NOW)
        submit_tasks(settings, stage=key, now=NOW)
        if key == "interviews":
            return
        assert close_stage(settings, key, now=NOW).status == "closed"


def test_interviews_gate_names_initiatives_without_a_confirmed_hypothesis(
    loaded: Backend,
) -> None:
    settings = loaded.settings
    propose_initiatives(
        settings,
        [
            ProposalIn(
                code="E-90",
                title="Электронная очередь в детские сады",
                sector="education",
                agency="minobr",
                problem="Очередь непрозрачна",
                expected_effect="Видна онлайн",
            ),
        ],
    )
    _through(settings, "initiatives", "interviews")
    missing = close_stage(settings, "interviews", now=NOW).missing
    assert "minobr: у инициативы E-90 нет подтверждённой гипотезы" in missing

    add_hypotheses(
        settings,
        [
            HypothesisIn(
                initiative="E-90", code="HYP-1", statement="Родителям нужна прозрачная очередь"
            )
        ],
    )
    votes = [True, True, True, True, False]  # 4 of 5 = 0.8 ≥ 0.6 with 5 interviews
    verdicts = add_interviews(
        settings,
        [
            InterviewIn(
                initiative="E-90",
                hypothesis="HYP-1",
                respondent=f"R-{n}",
                held_on=date(2026, 12, 10),
                respondent_group="родители",
                supports=vote,
            )
            for n, vote in enumerate(votes)
        ],
    ).verdicts
    assert verdicts == {"E-90/HYP-1": "confirmed"}
    missing = close_stage(settings, "interviews", now=NOW).missing
    assert not any("E-90" in item for item in missing)
    # The example's other candidates still lack hypotheses until they are dropped.
    for item in missing:
        code = item.split("инициативы ")[1].split(" ")[0]
        drop_initiative(settings, code)
    assert close_stage(settings, "interviews", now=NOW).status == "closed"


def test_interviewing_the_same_respondent_again_does_not_count_twice(loaded: Backend) -> None:
    settings = loaded.settings
    add_hypotheses(settings, [HypothesisIn(initiative="U-02", code="HYP-1", statement="x")])
    item = InterviewIn(
        initiative="U-02",
        hypothesis="HYP-1",
        respondent="R-1",
        held_on=date(2026, 12, 10),
        respondent_group="жители",
        supports=True,
    )
    add_interviews(settings, [item])
    again = add_interviews(settings, [item])
    assert again.created == 0
    rows = {r.code: r for r in hypotheses_list(settings) if r.initiative == "U-02"}
    assert rows["HYP-1"].interviews == 1 and rows["HYP-1"].status == "pending"


RULES = HypothesisRules(min_interviews=5, min_support_share=0.6)


@given(st.lists(st.booleans(), max_size=30))
def test_hypothesis_rule(votes: list[bool]) -> None:
    verdict = hypothesis_verdict(len(votes), sum(votes), RULES)
    if len(votes) < 5:
        assert verdict == "pending"
    elif sum(votes) / len(votes) >= 0.6:
        assert verdict == "confirmed"
    else:
        assert verdict == "rejected"


def test_hypothesis_rule_edges() -> None:
    assert hypothesis_verdict(5, 3, RULES) == "confirmed"  # exactly 0.6
    assert hypothesis_verdict(5, 2, RULES) == "rejected"
    assert hypothesis_verdict(4, 4, RULES) == "pending"


def test_ranking_weights_ties_and_cuts() -> None:
    weights = {"effect": 0.5, "cost": 0.5}
    scores = {
        "A": {"effect": 10, "cost": 2},  # 6.0
        "B": {"effect": 6, "cost": 6},  # 6.0, ties with A: by code
        "C": {"effect": 9, "cost": 9},  # 9.0
        "D": {"effect": 1, "cost": 1},  # 1.0
    }
    by_count = rank(scores, weights, cut_count=2)
    assert [(r.initiative, r.total, r.rank) for r in by_count] == [
        ("C", 9.0, 1),
        ("A", 6.0, 2),
        ("B", 6.0, 3),
        ("D", 1.0, 4),
    ]
    assert [r.initiative for r in by_count if r.selected] == ["C", "A"]
    budgets = {"C": Decimal(700), "A": Decimal(400), "B": Decimal(300), "D": Decimal(1)}
    by_budget = rank(scores, weights, budgets=budgets, cut_budget=Decimal(1000))
    # A does not fit after C (1100 > 1000), B still does: the cut skips, it does not stop.
    assert [r.initiative for r in by_budget if r.selected] == ["C", "B"]


def test_analysis_records_the_selection_with_its_scores(loaded: Backend) -> None:
    settings = loaded.settings
    confirmed = ["A-01", "D-01", "TR-03"]  # confirmed in the example
    criteria = load_stage_config(settings).rules.analysis.criteria
    with pytest.raises(UserError, match="A-01: effect"):
        run_analysis(settings, cut_count=2, now=NOW)  # no scores yet
    record_scores(
        settings,
        [
            ScoreIn(initiative=code, **{c: value for c in criteria})
            for code, value in zip(confirmed, (5, 9, 7), strict=True)
        ],
    )
    result = run_analysis(settings, cut_count=2, now=NOW)
    assert [(r.initiative, r.selected) for r in result.results] == [
        ("D-01", True),
        ("TR-03", True),
        ("A-01", False),
    ]
    latest = latest_selection(settings)
    assert latest is not None and latest.cut == "count:2"
    assert latest.results[0].scores == {c: 9 for c in criteria}
    statuses = {r.initiative: r.selected for r in latest.results}
    assert statuses == {"D-01": True, "TR-03": True, "A-01": False}
    initiatives = {i.code: i.status for i in _initiatives(loaded)}
    assert (initiatives["D-01"], initiatives["A-01"]) == ("selected", "confirmed")
    with pytest.raises(UserError, match="quality"):
        record_scores(settings, [ScoreIn(initiative="A-01", quality=5)])
    with pytest.raises(UserError, match="11"):
        record_scores(settings, [ScoreIn(initiative="A-01", effect=11)])


def _initiatives(backend: Backend) -> list:
    from roadmap.plan.queries import list_initiatives

    return in_region(backend, list_initiatives)


def test_architecture_review_flags_duplicates_and_gostekh_candidates(loaded: Backend) -> None:
    report = architecture_review(loaded.settings, now=NOW)
    duplicate = report.duplicates[0]
    assert duplicate.function == "document_management"
    assert {s.code for s in duplicate.systems} == {"IS-EDO-REG", "IS-EDO-VLD"}
    candidates = {c.code: c for c in report.gostekh_candidates}
    assert "IS-RPGU" not in candidates  # already on Gostekh
    assert candidates["IS-EDO-VLD"].due == date(2028, 12, 31)
    assert candidates["IS-EDO-VLD"].due_proposed
    assert candidates["IS-MED"].due == date(2027, 6, 30) and not candidates["IS-MED"].due_proposed

    # The gate needs a decision for every agency.
    record_decisions(loaded.settings, [DecisionIn(agency="minzdrav", decision="МИС на ГосТех")])
    report = architecture_review(loaded.settings, now=NOW)
    decided = {a.agency: a.decision for a in report.agencies}
    assert decided["minzdrav"] == "МИС на ГосТех" and decided["minobr"] is None


def test_stage_config_errors_name_the_file(loaded: Backend, tmp_path: Path) -> None:
    settings = _config_with(tmp_path, loaded.settings, {"duration_days = 15": "duration_days = 0"})
    with pytest.raises(UserError, match=r"stages.toml: stage\.0\.duration_days"):
        start_stage(settings, "initiatives", now=NOW)


def test_a_returned_task_blocks_the_gate_and_is_listed(loaded: Backend) -> None:
    """A task the coordinator sent back is not done: the stage stays open and names it."""
    from roadmap.store.models import Task

    start_stage(loaded.settings, "initiatives", on=date(2026, 12, 1), now=NOW)
    detail = stage_detail(loaded.settings, "initiatives").tasks_by_agency
    minobr = next(t.code for t in detail if t.agency == "minobr")
    submit_tasks(loaded.settings, now=NOW)

    def send_back(session, region) -> None:
        task = session.exec(select(Task).where(Task.code == minobr)).one()
        task.status = "returned"
        session.add(task)

    in_region(loaded, send_back)
    refused = close_stage(loaded.settings, "initiatives", now=NOW)
    assert refused.status == "gate_failed"
    assert refused.missing == [f"minobr: поручение {minobr} не сдано"]


def _to_analysis(loaded: Backend, tmp_path: Path) -> Settings:
    """The analysis stage open, its tasks handed in, the confirmed initiatives scored and
    analysed (the interviews gate is left out here: hypotheses are another test's matter)."""
    settings = _config_with(
        tmp_path,
        loaded.settings,
        {'gate = ["tasks_submitted", "hypotheses_confirmed"]': 'gate = ["tasks_submitted"]'},
    )
    for key in ("initiatives", "interviews", "analysis"):
        start_stage(settings, key, on=date(2026, 12, 28), now=NOW)
        submit_tasks(settings, stage=key, now=NOW)
        if key != "analysis":
            assert close_stage(settings, key, now=NOW).status == "closed"
    criteria = load_stage_config(settings).rules.analysis.criteria
    record_scores(
        settings,
        [
            ScoreIn(initiative=code, **{c: value for c in criteria})
            for code, value in (("A-01", 5), ("D-01", 9), ("TR-03", 7))
        ],
    )
    run_analysis(settings, cut_count=2, now=NOW)
    return settings


def test_scores_changed_after_the_analysis_keep_the_stage_open(
    loaded: Backend, tmp_path: Path
) -> None:
    settings = _to_analysis(loaded, tmp_path)
    criteria = load_stage_config(settings).rules.analysis.criteria
    later = NOW + timedelta(hours=1)
    record_scores(settings, [ScoreIn(initiative="A-01", **{c: 10 for c in criteria})])

    refused = close_stage(settings, "analysis", now=later)
    assert refused.status == "gate_failed"
    assert refused.missing == [
        "оценки инициатив A-01 изменены после анализа: проведите его снова (`roadmap analysis run`)"
    ]
    from roadmap.i18n import set_locale

    set_locale("en")
    assert close_stage(settings, "analysis", now=later).missing == [
        "scores of A-01 changed since the analysis: run it again (`roadmap analysis run`)"
    ]
    set_locale(None)

    # Scoring again with the same values changes nothing; running the analysis again does.
    record_scores(settings, [ScoreIn(initiative="A-01", **{c: 10 for c in criteria})])
    assert close_stage(settings, "analysis", now=later).status == "gate_failed"
    ranked = run_analysis(settings, cut_count=2, now=later)
    assert ranked.results[0].initiative == "A-01"
    assert close_stage(settings, "analysis", now=later).status == "closed"


def test_an_unchanged_analysis_closes_its_stage(loaded: Backend, tmp_path: Path) -> None:
    settings = _to_analysis(loaded, tmp_path)
    assert close_stage(settings, "analysis", now=NOW) == StageClosed(
        stage="analysis", status=StageStatus.closed, missing=[]
    )

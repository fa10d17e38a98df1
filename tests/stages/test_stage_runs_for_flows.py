"""What the stage flow asks of the stage services: the waiting organisations' tasks in one
transaction (or one organisation's at a time), a claim for the flow run that carries the
stage, the gate without writing, and which flow runs a change concerns. The flow itself
runs through Prefect in tests/flows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from roadmap.plan.tasks import submit_tasks
from roadmap.stages.runs import (
    close_stage,
    followed_runs,
    issue_to_waiting,
    stage_detail,
    stage_gate,
    stage_participants,
    start_stage,
)
from tests.support import PRIMORYE, Backend

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 11:00 in Vladivostok
ON = date(2026, 12, 1)
RUN_A = "00000000-0000-4000-8000-00000000000a"
RUN_B = "00000000-0000-4000-8000-00000000000b"


def _tasks(backend: Backend) -> list[tuple[str, str, date]]:
    detail = stage_detail(backend.settings, "initiatives", now=NOW)
    return sorted((t.agency, t.title, t.due) for t in detail.tasks_by_agency)


def test_one_organisation_at_a_time_gives_what_the_command_line_gives(loaded: Backend) -> None:
    settings = loaded.settings
    opened = start_stage(settings, "initiatives", on=ON, now=NOW, agencies=[], flow_run_id=RUN_A)
    assert (opened.tasks_created, opened.tasks, opened.claimed) == (0, 0, True)
    assert (opened.flow_run_id, opened.region) == (RUN_A, "PRI")
    participants = stage_participants(settings)
    assert len(participants) == 11
    assert all(p.emissary for p in participants)
    for p in participants:
        one = start_stage(settings, "initiatives", now=NOW, agencies=[p.agency], flow_run_id=RUN_A)
        assert one.tasks_created == 1
        # Issued again (a resumed run whose cache is gone): nothing twice.
        again = start_stage(
            settings, "initiatives", now=NOW, agencies=[p.agency], flow_run_id=RUN_A
        )
        assert again.tasks_created == 0
    by_flow = _tasks(loaded)
    # The command line's start finds nothing left to issue, and the tasks are those it
    # would have issued: one per organisation, due on the run's due date.
    cli = start_stage(settings, "initiatives", now=NOW)
    assert cli.tasks_created == 0 and cli.tasks == 11
    assert [a for a, _, _ in by_flow] == sorted(p.agency for p in participants)
    assert {due for _, _, due in by_flow} == {opened.due_on}


def add_organisation(backend: Backend, tmp_path: Path) -> None:
    """A municipality joins the region (the example file with one more, imported)."""
    from roadmap.plan.importer import import_roadmap

    joined = PRIMORYE.read_text("utf-8").replace(
        "agencies:\n",
        "agencies:\n"
        "  - code: mo-artem\n"
        "    name: Артёмовский городской округ\n"
        "    kind: municipality\n"
        "    emissary: {code: e-artem, name: Ким Д. В., email: e-artem@example.org}\n"
        "    responsible: {code: r-artem, name: Орлова Е. П., email: r-artem@example.org}\n",
        1,
    )
    path = tmp_path / "joined.yaml"
    path.write_text(joined, "utf-8")
    import_roadmap(backend.settings, path)


def test_the_flow_issues_to_every_waiting_organisation_in_one_go(
    loaded: Backend, tmp_path: Path
) -> None:
    settings = loaded.settings
    start_stage(settings, "initiatives", on=ON, now=NOW, agencies=[], flow_run_id=RUN_A)
    issued = issue_to_waiting(settings, "initiatives", flow_run_id=RUN_A, now=NOW)
    participants = stage_participants(settings)
    assert [(i.agency, i.name, i.emissary) for i in issued] == [
        (p.agency, p.name, p.emissary) for p in participants
    ]
    # Each organisation's new tasks by code, the same as one at a time would give.
    by_agency = {t.agency: [t.code] for t in stage_detail(settings, "initiatives").tasks_by_agency}
    assert {i.agency: i.codes for i in issued} == by_agency
    assert {due for _, _, due in _tasks(loaded)} == {
        start_stage(settings, "initiatives", now=NOW).due_on
    }

    # A resumed run finds nobody waiting and writes nothing.
    before = loaded.fingerprint()
    assert issue_to_waiting(settings, "initiatives", flow_run_id=RUN_A, now=NOW) == []
    assert loaded.fingerprint() == before

    # An organisation that joined since is the only one waiting, and gets its task.
    add_organisation(loaded, tmp_path)
    [joined] = issue_to_waiting(settings, "initiatives", flow_run_id=RUN_A, now=NOW)
    assert (joined.agency, joined.emissary, len(joined.codes)) == ("mo-artem", "Ким Д. В.", 1)
    assert len(_tasks(loaded)) == 12


def test_the_flow_issues_nothing_for_a_stage_another_run_carries_or_closed(
    loaded: Backend, tmp_path: Path
) -> None:
    settings = loaded.settings
    start_stage(settings, "initiatives", on=ON, now=NOW, agencies=[], flow_run_id=RUN_A)
    before = loaded.fingerprint()
    waiting = issue_to_waiting(settings, "initiatives", flow_run_id=RUN_B, now=NOW)
    assert len(waiting) == 11 and all(i.codes == [] for i in waiting)
    assert loaded.fingerprint() == before

    start_stage(settings, "initiatives", now=NOW, flow_run_id=RUN_A)
    submit_tasks(settings, stage="initiatives", now=NOW)
    assert close_stage(settings, "initiatives", now=NOW).status == "closed"
    add_organisation(loaded, tmp_path)
    before = loaded.fingerprint()
    [joined] = issue_to_waiting(settings, "initiatives", flow_run_id=RUN_A, now=NOW)
    assert (joined.agency, joined.codes) == ("mo-artem", [])
    assert loaded.fingerprint() == before


def test_a_stage_not_started_has_nothing_to_issue(loaded: Backend) -> None:
    from roadmap.errors import UserError

    with pytest.raises(UserError, match="initiatives"):
        issue_to_waiting(loaded.settings, "initiatives", flow_run_id=RUN_A, now=NOW)


def test_a_second_flow_run_is_told_which_run_carries_the_stage(loaded: Backend) -> None:
    settings = loaded.settings
    start_stage(settings, "initiatives", on=ON, now=NOW, agencies=[], flow_run_id=RUN_A)
    before = loaded.fingerprint()
    other = start_stage(settings, "initiatives", now=NOW, flow_run_id=RUN_B)
    assert (other.claimed, other.flow_run_id, other.tasks_created) == (False, RUN_A, 0)
    assert loaded.fingerprint() == before
    # A run that ended without closing the stage is replaced by the one that asks.
    taken = start_stage(settings, "initiatives", now=NOW, flow_run_id=RUN_B, replacing=RUN_A)
    assert (taken.claimed, taken.flow_run_id, taken.tasks_created) == (True, RUN_B, 11)
    # The command line needs no claim and takes none.
    assert start_stage(settings, "initiatives", now=NOW).flow_run_id == RUN_B


def test_the_gate_is_read_without_writing_and_agrees_with_close(loaded: Backend) -> None:
    settings = loaded.settings
    start_stage(settings, "initiatives", on=ON, now=NOW)
    before = loaded.fingerprint()
    missing = stage_gate(settings, "initiatives", now=NOW)
    assert len(missing) == 11 and loaded.fingerprint() == before
    assert close_stage(settings, "initiatives", now=NOW).missing == missing
    submit_tasks(settings, stage="initiatives", now=NOW)
    assert stage_gate(settings, "initiatives", now=NOW) == []
    assert close_stage(settings, "initiatives", now=NOW).status == "closed"
    assert stage_gate(settings, "initiatives", now=NOW) == []


def test_a_change_concerns_the_flow_runs_of_its_stage_runs(loaded: Backend) -> None:
    settings = loaded.settings
    assert followed_runs(settings) == []
    start_stage(settings, "initiatives", on=ON, now=NOW)
    # A stage run no flow run carries is nobody's to signal.
    assert followed_runs(settings) == []
    start_stage(settings, "initiatives", now=NOW, flow_run_id=RUN_A)
    codes = [t.code for t in stage_detail(settings, "initiatives").tasks_by_agency]
    [run] = followed_runs(settings, task_codes=codes[:1])
    assert (run.region, run.stage, run.flow_run_id) == ("PRI", "initiatives", RUN_A)
    assert followed_runs(settings, task_codes=["T-999"]) == []
    assert [r.stage for r in followed_runs(settings)] == ["initiatives"]
    submit_tasks(settings, stage="initiatives", now=NOW)
    close_stage(settings, "initiatives", now=NOW)
    # Closed: no longer among the open ones, still found by its stage (a close from the
    # command line completes the waiting run) and by its tasks.
    assert followed_runs(settings) == []
    assert [r.flow_run_id for r in followed_runs(settings, stage="initiatives")] == [RUN_A]
    assert len(followed_runs(settings, task_codes=codes)) == 1


def test_a_regions_own_days_move_due_dates_and_quiet_the_sweep(
    loaded: Backend, tmp_path, monkeypatch
) -> None:
    """config/calendar.toml: a regional holiday on 29 December 2026 (a Tuesday) is a day off
    for stage due dates, working days left and the sweep, in that region only."""
    import shutil

    from roadmap.alerts.sweep import sweep
    from roadmap.calendar import RegionCalendar
    from roadmap.plan.queries import list_tasks
    from roadmap.settings import get_settings
    from tests.support import in_region

    config = tmp_path / "config"
    shutil.copytree(loaded.settings.config_dir, config)
    (config / "calendar.toml").write_text("[regions.PRI]\ndays_off = [2026-12-29]\n", "utf-8")
    monkeypatch.setenv("ROADMAP_CONFIG_DIR", str(config))
    get_settings.cache_clear()
    own = get_settings()
    federal = RegionCalendar("Asia/Vladivostok")

    started = start_stage(own, "initiatives", on=date(2026, 12, 28), now=NOW)
    assert started.due_on == federal.add_working_days(date(2026, 12, 30), 14)
    assert started.due_on > federal.add_working_days(date(2026, 12, 28), 15)
    # Working days left count it too (seen from the 28th: one fewer than federally).
    moment = datetime(2026, 12, 28, 1, 0, tzinfo=UTC)
    rows = in_region(loaded, lambda s, r: list_tasks(s, r, now=moment))
    left = {
        r.working_days_left for r in rows if r.stage == "initiatives" and r.due == started.due_on
    }
    assert left == {federal.working_days_between(date(2026, 12, 28), started.due_on) - 1}
    # On the regional holiday at 10:00 the sweep plans nothing in that region.
    holiday = datetime(2026, 12, 29, 0, 0, tzinfo=UTC)  # 10:00 in Vladivostok
    assert sweep(own, now=holiday, dry_run=True).regions[0].status != "swept"
    plain = own.model_copy(update={"config_dir": loaded.settings.config_dir})
    assert sweep(plain, now=holiday, dry_run=True).regions[0].status == "swept"
    get_settings.cache_clear()

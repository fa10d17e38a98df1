"""The yearly review flow and the demo end to end through Prefect (the package's server).

Every moment is fixed (`now`, `start_on`), so nothing depends on today's date. The review
rules themselves are tested in tests/review; the demo's stages in tests/stages.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest

from tests.support import Backend

NOW = "2027-01-15T10:00"


def test_annual_review_flow_opens_the_cycle_once(prefect_server: None, loaded: Backend) -> None:
    from flows.review import annual_review_flow
    from roadmap.errors import UserError
    from roadmap.plan.queries import list_tasks
    from roadmap.review.cycle import review_status
    from tests.support import in_region

    opened = annual_review_flow(year=2027, now=NOW)
    assert (opened.year, opened.status, opened.baseline_version, opened.tasks_created) == (
        2027,
        "open",
        1,
        11,
    )
    # Scheduled runs pass no year: it is the year of `now` in the region; nothing new.
    state = annual_review_flow(now=NOW, return_state=True)
    assert state.is_completed(), state.message
    assert state.result().tasks_created == 0

    status = review_status(loaded.settings, year=2027)
    assert (status.year, status.status, list(status.proposals)) == (2027, "open", [])
    tasks = [
        t for t in in_region(loaded, lambda s, r: list_tasks(s, r)) if t.stage == "annual_update"
    ]
    assert len(tasks) == 11
    # Due 20 working days (the annual_update stage) after 15 January 2027, not after today.
    assert {t.due for t in tasks} == {date(2027, 2, 12)}

    # A user error fails the run with its message (Russian by default).
    before = loaded.fingerprint()
    failed = annual_review_flow(year=1999, now=NOW, return_state=True)
    assert failed.is_failed()
    assert "1999" in (failed.message or "") and "год должен быть" in (failed.message or "")
    with pytest.raises(UserError, match="1999"):
        annual_review_flow(year=1999, now=NOW)
    assert loaded.fingerprint() == before


def test_demo_runs_and_reports_the_outcome(
    prefect_server: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`make demo` on a store of its own: all eight stages, then the 2027 review as version 2."""
    from flows.runtime import local_prefect_env
    from roadmap.cli.demo import run_demo
    from roadmap.review.snapshots import versions
    from roadmap.settings import get_settings

    store = tmp_path / "demo" / "roadmap.db"
    # run_demo points the environment at its own store and Prefect home: restored afterwards.
    monkeypatch.setenv("ROADMAP_DATABASE_URL", "unset")
    for key, value in local_prefect_env(store.parent / "prefect").items():
        monkeypatch.setenv(key, value)
    progress = logging.getLogger("prefect.flow_runs")
    saved = (progress.level, list(progress.handlers), progress.propagate)
    try:
        run_demo(store, start_on="2026-02-02", review_now=NOW)
    finally:
        progress.setLevel(saved[0])
        progress.handlers[:] = saved[1]
        progress.propagate = saved[2]
        get_settings.cache_clear()
    out = capsys.readouterr().out

    assert f"1. Демонстрационное хранилище: {store.resolve()}" in out
    assert "2. Загружен examples/primorye.yaml: region +1" in out
    assert "3. Этапы через Prefect:" in out
    assert "4. Ежегодная актуализация 2027 через Prefect:" in out
    assert "предложений: 6; противоречий: 1" in out
    assert "Актуализация 2027: версия 2, применено изменений: 5." in out
    assert "принято 0, отменено 11. Начат цикл этапов 2." in out
    assert "Добавлены: H-05" in out and "Исключены: TR-02" in out

    # The stage table: all eight closed with every task done, the first from 2 February.
    assert out.count("│ closed │ 11/11") == 8
    assert "(initiatives)" in out and "│ 2026-02-02 │ 2026-02-24 │ 2026-02-24 │" in out
    assert "Пройдено этапов: 8 из 8." in out

    settings = get_settings().model_copy(update={"database_url": f"sqlite:///{store}"})
    history = versions(settings)
    assert [v.version for v in history] == [1, 2]
    assert history[1].reasons == {"federal_task": 1, "national_project": 2, "regional_policy": 2}

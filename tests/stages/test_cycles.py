"""A year of use: eight stages closed, the yearly update closed, the next cycle begun."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from roadmap.config import load_stage_config
from roadmap.plan.tasks import submit_tasks
from roadmap.review.cycle import close_review, start_review
from roadmap.stages.runs import close_stage, stage_history, stage_overview, start_stage
from roadmap.stages.simulation import simulate_stage_work
from roadmap.store.models import OPEN_TASK_STATUSES, StageStatus, Task, TaskEvent, TaskStatus
from tests.support import Backend, in_region

START = datetime(2027, 2, 1, 1, 0, tzinfo=UTC)  # Monday 11:00 in Vladivostok


def _open_tasks_per_agency_and_stage(backend: Backend) -> Counter:
    def count(session, region):
        tasks = session.exec(select(Task).where(Task.status.in_(OPEN_TASK_STATUSES)))
        return Counter((task.agency_id, task.stage, task.template) for task in tasks)

    return in_region(backend, count)


def _run_all_stages(settings, now: datetime) -> datetime:
    """Start, work and close every stage in order, a week apart; returns the moment after."""
    for stage in load_stage_config(settings).stage:
        start_stage(settings, stage.key, now=now)
        simulate_stage_work(settings, stage.key, now=now)
        now += timedelta(days=7)
        assert close_stage(settings, stage.key, now=now).status == StageStatus.closed
    return now


def test_a_year_keeps_every_closed_stage_and_opens_the_next_cycle(loaded: Backend) -> None:
    settings = loaded.settings
    keys = [stage.key for stage in load_stage_config(settings).stage]
    now = _run_all_stages(settings, START)
    first = {row.key: row for row in stage_overview(settings, now=now)}
    assert all(row.status == StageStatus.closed and row.cycle == 1 for row in first.values())

    # The yearly update; one working group hands in, the others never do.
    review_now = now + timedelta(days=1)
    started = start_review(settings, 2028, now=review_now)
    assert started.tasks_created == 11
    wg = in_region(
        loaded,
        lambda s, r: sorted(
            t.code for t in s.exec(select(Task).where(Task.template == "review-2028"))
        ),
    )
    submit_tasks(settings, wg[:1], by="e-minobr", now=review_now)
    closed = close_review(settings, by="coord", now=review_now)
    assert (closed.tasks_accepted, closed.tasks_cancelled, closed.cycle) == (1, 10, 2)

    statuses = in_region(
        loaded,
        lambda s, r: Counter(
            t.status for t in s.exec(select(Task).where(Task.template == "review-2028"))
        ),
    )
    assert statuses == Counter({TaskStatus.accepted: 1, TaskStatus.cancelled: 10})
    events = in_region(
        loaded,
        lambda s, r: [
            (e.action, e.by, bool(e.why))
            for e in s.exec(select(TaskEvent).join(Task).where(Task.template == "review-2028"))
        ],
    )
    assert Counter(events) == Counter(
        {
            ("submit", "e-minobr", False): 1,
            ("accept", "coord", False): 1,
            ("cancel", "coord", True): 10,
        }
    )

    # The new cycle starts afresh; the first cycle's runs stay with their dates.
    current = stage_overview(settings, now=review_now)
    assert {row.status for row in current} == {StageStatus.pending}
    assert {row.cycle for row in current} == {2}
    next_start = review_now + timedelta(days=3)
    result = start_stage(settings, keys[0], now=next_start)
    assert result.tasks_created == result.tasks == 11
    history = stage_history(settings, now=next_start)
    old = [row for row in history if row.cycle == 1]
    assert [row.key for row in old] == keys
    for row in old:
        assert row.status == StageStatus.closed
        assert row.started_on == first[row.key].started_on
        assert row.closed_on == first[row.key].closed_on is not None
        assert row.tasks == row.tasks_done > 0
    new = [row for row in history if row.cycle == 2]
    assert [(row.key, row.status) for row in new][:2] == [
        (keys[0], StageStatus.active),
        (keys[1], StageStatus.pending),
    ]
    assert new[0].started_on == next_start.date() == date(2027, 4, 2)
    assert max(_open_tasks_per_agency_and_stage(loaded).values()) == 1


def test_a_stage_running_at_the_yearly_update_carries_over_without_a_second_task(
    loaded: Backend,
) -> None:
    settings = loaded.settings
    keys = [stage.key for stage in load_stage_config(settings).stage]
    start_stage(settings, keys[0], now=START)  # still running when the update closes
    start_review(settings, 2027, now=START)
    close_review(settings, now=START)

    rows = {row.key: row for row in stage_overview(settings, now=START)}
    assert rows[keys[0]].status == StageStatus.active and rows[keys[0]].cycle == 2
    assert rows[keys[0]].started_on == START.date()
    again = start_stage(settings, keys[0], now=START + timedelta(days=1))
    assert (again.tasks_created, again.tasks) == (0, 11)
    assert max(_open_tasks_per_agency_and_stage(loaded).values()) == 1
    assert [row.cycle for row in stage_history(settings, now=START) if row.key == keys[0]] == [2]


def test_an_agency_still_on_a_stage_task_gets_no_second_one_in_the_next_cycle(
    loaded: Backend, tmp_path
) -> None:
    """A region whose gate does not wait for the tasks: the stage closes with tasks open,
    and the next cycle's run of the stage gives only the agencies that handed theirs in a new one."""
    from tests.stages.test_stages import _config_with

    settings = _config_with(
        tmp_path,
        loaded.settings,
        {'gate = ["tasks_submitted", "initiatives_proposed"]': 'gate = ["initiatives_proposed"]'},
    )
    first = start_stage(settings, "initiatives", now=START)
    assert first.tasks_created == 11
    codes = in_region(
        loaded,
        lambda s, r: sorted(
            t.code for t in s.exec(select(Task).where(Task.template == "proposals"))
        ),
    )
    submit_tasks(settings, codes[:4], by="e", now=START)
    assert close_stage(settings, "initiatives", now=START).status == StageStatus.closed
    start_review(settings, 2027, now=START)
    close_review(settings, now=START)
    again = start_stage(settings, "initiatives", now=START + timedelta(days=1))
    assert (again.tasks_created, again.tasks) == (4, 4)
    assert max(_open_tasks_per_agency_and_stage(loaded).values()) == 1


def test_two_starts_of_one_stage_at_once_make_one_run(loaded: Backend) -> None:
    """On PostgreSQL two starts at once once failed with a raw unique violation: now the
    second waits for the first and reports the run it made."""
    if loaded.name != "postgres":
        import pytest

        pytest.skip("SQLite takes the write lock when a transaction begins")
    import threading
    import time

    import sqlalchemy as sa
    from sqlmodel import Session

    from roadmap.store.unit_of_work import lock_region

    results: list = []
    errors: list = []

    def start() -> None:
        try:
            results.append(start_stage(loaded.settings, "initiatives", now=START))
        except BaseException as exc:
            errors.append(exc)

    engine = sa.create_engine(loaded.url)
    try:
        with Session(engine) as holder:
            lock_region(holder, "PRI")
            threads = [threading.Thread(target=start) for _ in range(2)]
            for thread in threads:
                thread.start()
            waiting = 0
            for _ in range(600):
                waiting = (
                    holder.connection()
                    .execute(
                        sa.text(
                            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                        )
                    )
                    .scalar()
                )
                if waiting == 2:
                    break
                time.sleep(0.1)
            assert waiting == 2
            holder.rollback()
        for thread in threads:
            thread.join(60)
    finally:
        engine.dispose()
    assert errors == []
    assert sorted(r.tasks_created for r in results) == [0, 11]
    assert all(r.tasks == 11 for r in results)
    assert max(_open_tasks_per_agency_and_stage(loaded).values()) == 1

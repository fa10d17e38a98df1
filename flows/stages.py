"""Prefect flows for the roadmap stages: a stage is one flow run from start to close.

`stage_flow` (deployed once per stage by flows/serve.py) opens the stage in the store,
issues the tasks of every organisation that has none of the stage run yet in one
transaction and shows each such organisation as a task run of its own (named by the
organisation and its emissary, its result the codes of its new tasks), publishes two
artifacts (a table of tasks and a markdown page of what the gate still misses) and checks
the gate. When the gate holds, the stage closes and the run completes; when it does not,
the run suspends (no process is held) with what is missing as its state's message. A
submission (`roadmap task submit`, which signals the run through a Prefect event; see
flows/events.py) or the coordinator's Resume button runs the flow again from the top: task
runs only for organisations added since (the store says who has tasks, so nothing is
issued twice and no result needs persisting), a fresh gate check, updated artifacts, then
close or suspend again.

A flow run opens the store once (`shared_store`): its steps and task runs share one
engine, each step a transaction of its own, none open across a call to Prefect. One
transaction for all organisations and no persisted result per task run: a stage start for
50 organisations costs about a quarter of what a transaction and a persisted result per
task run did (benchmarks/stage_start.py).

The store is the only source of truth: the flow calls the same services as
`roadmap stage start/close`, and a stage closed from the command line completes the run
at its next resume. A second start of a stage that a live flow run carries reports that
run and does nothing; a run that ended without closing its stage is taken over.

The store comes from the environment (`ROADMAP_DATABASE_URL`, read by
`roadmap.settings.get_settings`), never from a flow parameter: parameters are stored by the
Prefect server and shown in its UI, and a database URL may carry a password.

`run_roadmap_flow` is the demo: a parent run with one stage run per stage under it, each
with its organisations' task runs, the emissaries' work simulated inside the stage run.
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import UTC, date, datetime, time
from typing import Any, Literal
from uuid import UUID

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed, Failed, State

from flows.runtime import run_logger
from roadmap.calendar import parse_day
from roadmap.config import load_stage_config, stage_keys_in_order
from roadmap.i18n import current_locale, localized, t
from roadmap.settings import get_settings
from roadmap.stages.runs import (
    StageClosed,
    StageStart,
    close_stage,
    issue_to_waiting,
    stage_detail,
    stage_gate,
    stage_participants,
    start_stage,
)
from roadmap.store.models import StageStatus
from roadmap.store.unit_of_work import shared_store

# The configured stages, as the choice the run form offers (config/stages.toml, read once
# when the flows are loaded: a served process is restarted after the stages change).
StageKey = Literal[tuple(stage_keys_in_order(get_settings()))]  # type: ignore[valid-type]

# Messages of the demo flow only; the stage messages are the CLI's (roadmap.i18n).
_DEMO_MESSAGES: dict[str, dict[str, str]] = {
    "simulated": {
        "ru": "Этап {key}: смоделирована работа цифровых эмиссаров: {work}.",
        "en": "Stage {key}: the digital emissaries' work simulated: {work}.",
    },
    "progress": {
        "ru": "Пройдено этапов: {done} из {total}.",
        "en": "Stages done: {done} of {total}.",
    },
}

# The demo's clock, in the region's local time (the services read a moment without an offset
# in the region's timezone): the first stage starts at 09:00, each stage's work is done on
# its due date at 12:00, it closes at 17:00 and the next stage starts at that moment.
_FIRST_START_AT = time(9, 0)
_WORK_DONE_AT = time(12, 0)
_CLOSE_AT = time(17, 0)

# Where the flows' own progress lines go (Prefect's run logger); the demo listens to it.
PROGRESS_LOGGER = "prefect.flow_runs"

# Prefect states a flow run is still alive in: a stage it carries is not taken over.
_LIVE_STATES = {"SCHEDULED", "PENDING", "RUNNING", "PAUSED", "CANCELLING"}


def _demo_say(message: str, /, **values: object) -> str:
    return _DEMO_MESSAGES[message][current_locale()].format(**values)


def _started(result: StageStart) -> str:
    return t(
        "stage.started",
        key=result.stage,
        status=result.status,
        started=result.started_on,
        due=result.due_on,
        created=result.tasks_created,
        total=result.tasks,
    )


def _as_data(result: Any) -> Any:
    """A flow's result as plain data (a typed result's statuses and dates as text)."""
    return json.loads(json.dumps(asdict(result), ensure_ascii=False, default=str))


def _day(value: str | None, option: str) -> date | None:
    return None if value is None else parse_day(value, option)


def _moment(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


# --- names a person reads in the Prefect UI ------------------------------------------------


def stage_title(key: str) -> str:
    """'Этап 1. Формирование перечня основных инициатив' (the key itself if unknown)."""
    try:
        stage = load_stage_config(get_settings()).get(key)
    except Exception:  # a name must never fail a run
        return key
    return t(
        "flow.stage_run_name", order=stage.order, title=localized(stage.title_ru, stage.title_en)
    )


def _stage_run_name() -> str:
    from prefect.runtime import flow_run

    parameters = flow_run.parameters
    region = parameters.get("region")
    name = stage_title(str(parameters.get("key")))
    return f"{name} · {region}" if region else name


def artifact_key(region: str, stage: str, kind: str) -> str:
    """A stable artifact key per region, stage and kind (Prefect allows a-z, 0-9 and '-')."""
    raw = f"{region}-{stage}-{kind}".lower()
    return "".join(c if c.isascii() and (c.isalnum() or c == "-") else "-" for c in raw)


# --- the steps, shared by the production stage run and the demo ----------------------------


@task(
    name="issue-agency-tasks",
    task_run_name="{agency} — {emissary}",
    # Nothing to persist or cache: the store keeps a resumed run from issuing twice (it
    # makes task runs only for organisations without tasks of the stage run).
    persist_result=False,
    cache_policy=NO_CACHE,
)
def agency_tasks_issued(key: str, agency: str, emissary: str, codes: list[str]) -> list[str]:
    """One organisation's part of the stage's start, as a task run of its own (its
    parameters show the stage too): the codes of the tasks issued to its emissary."""
    return codes


def issue_all(key: str, flow_run_id: str, region: str | None, now: str | None) -> int:
    """Issue the tasks of every organisation that has none of this stage run yet (a resumed
    run: only of those added since) in one transaction, then show each such organisation
    as a task run of its own; returns how many tasks were created in all.

    One transaction for all, not one per task run: a transaction per organisation was most
    of the cost of a stage start through Prefect (benchmarks/stage_start.py)."""
    issued = issue_to_waiting(
        get_settings(), key, flow_run_id=flow_run_id, region_code=region, now=_moment(now)
    )
    return sum(
        len(agency_tasks_issued(key, one.agency, one.emissary or t("flow.no_emissary"), one.codes))
        for one in issued
    )


def publish_board(key: str, region: str, missing: list[str], now: str | None = None) -> None:
    """The stage's two artifacts: its tasks by organisation, and what its gate misses."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    settings = get_settings()
    detail = stage_detail(settings, key, region_code=region, now=_moment(now))
    names = {p.agency: p.name for p in stage_participants(settings, region_code=region)}
    title = localized(detail.title_ru, detail.title_en)
    rows = [
        {
            t("flow.col_agency"): task_.agency,
            t("flow.col_emissary"): task_.assignee or t("flow.no_emissary"),
            t("flow.col_task"): task_.code,
            t("flow.col_due"): task_.due.isoformat(),
            t("flow.col_status"): t(f"status.{task_.status}"),
            t("flow.col_agency_name"): names.get(task_.agency, ""),
            t("flow.col_title"): task_.title,
        }
        for task_ in detail.tasks_by_agency
    ]
    create_table_artifact(
        key=artifact_key(region, key, "tasks"),
        table=rows,
        description=t("flow.artifact_tasks", title=title),
    )
    checked = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC") if now is None else now
    lines = [
        t("flow.gate_heading", order=detail.order, title=title),
        "",
        t(
            "flow.gate_summary",
            status=t(f"status.{detail.status}"),
            done=detail.tasks_done,
            total=detail.tasks,
            due=detail.due_on,
            at=checked,
        ),
        "",
    ]
    if missing:
        lines += [t("flow.gate_missing_heading", count=len(missing)), ""]
        lines += [f"- {item}" for item in missing]
        lines += ["", t("flow.gate_how")]
    else:
        lines.append(t("flow.gate_met"))
    create_markdown_artifact(
        key=artifact_key(region, key, "gate"),
        markdown="\n".join(lines),
        description=t("flow.artifact_gate", title=title),
    )


def check_gate(key: str, region: str, now: str | None = None) -> StageClosed:
    """Close the stage if its gate holds; otherwise say what is missing. The gate is read
    without writing first, so a waiting run does not mark its stage `gate_failed` at every
    check (only `roadmap stage close` records a refusal); `close_stage` checks it again."""
    settings = get_settings()
    missing = stage_gate(settings, key, region_code=region, now=_moment(now))
    if not missing:
        closed = close_stage(settings, key, region_code=region, now=_moment(now))
        if closed.status == StageStatus.closed:
            return closed
        missing = closed.missing
    return StageClosed(stage=key, status=StageStatus.active, missing=missing)


# --- the production stage run --------------------------------------------------------------


def _flow_run_state(flow_run_id: str) -> str | None:
    """The Prefect state type of a flow run, or None if the server does not know it."""
    from prefect import get_client
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            run = client.read_flow_run(UUID(flow_run_id))
        except (ObjectNotFound, ValueError):
            return None
    return run.state.type.value if run.state else None


def _suspend(message: str, key: str) -> None:
    """Suspend this flow run with `message` on its state: no process is held until a resume.

    Prefect's `suspend_flow_run` takes no message, so this proposes the same Suspended state
    with one (the gate's missing items, shown on the run page). Each suspension has a key of
    its own: a resumed run that finds the gate still unmet suspends again.
    """
    from prefect._flow_run_suspension import mark_flow_run_suspension_requested
    from prefect.client.orchestration import get_client
    from prefect.context import FlowRunContext
    from prefect.exceptions import Pause
    from prefect.states import Suspended
    from prefect.utilities.engine import propose_state_sync

    context = FlowRunContext.get()
    run = context.flow_run
    taken = run.empirical_policy.pause_keys or set()
    pause_key = f"{key}-gate-{len(taken) + 1}"
    proposed = Suspended(timeout_seconds=None, pause_key=pause_key, message=message)
    with get_client(sync_client=True) as client:
        state = propose_state_sync(client=client, state=proposed, flow_run_id=run.id)
    if not state.is_paused():
        raise RuntimeError(f"Flow run cannot be suspended: {state}")
    mark_flow_run_suspension_requested(run.id, state)
    raise Pause(state=state)


def _can_suspend() -> bool:
    """A run of a deployment, not a subflow: only such a run can wait suspended."""
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    run = context.flow_run if context else None
    return bool(run and run.deployment_id and not run.parent_task_run_id)


@flow(
    name="roadmap-stage",
    flow_run_name=_stage_run_name,
    description=(
        "Этап дорожной карты от начала до закрытия: поручения эмиссарам всех органов власти,"
        " таблица поручений и условия закрытия; запуск ждёт сдачи результатов и закрывает этап."
    ),
    persist_result=True,
)
def stage_flow(key: StageKey, region: str | None = None, on: str | None = None) -> State:
    """Провести этап: выдать поручения, ждать результатов, закрыть этап.

    Args:
        key: этап дорожной карты; в развёртывании этапа уже выбран.
        region: код региона; нужен, только если в хранилище несколько регионов.
        on: дата начала этапа ГГГГ-ММ-ДД по календарю региона; по умолчанию сегодня.
    """
    # One opened store for the run and its task runs (each step its own transaction).
    with shared_store(get_settings()):
        return _carry_stage(key, region, on)


def _carry_stage(key: str, region: str | None, on: str | None) -> State:
    from prefect.runtime import flow_run

    settings = get_settings()
    logger = run_logger()
    me = str(flow_run.id)
    opened = start_stage(
        settings, key, on=_day(on, "on"), region_code=region, agencies=[], flow_run_id=me
    )
    if not opened.claimed and opened.flow_run_id:
        other = opened.flow_run_id
        state = _flow_run_state(other)
        if state in _LIVE_STATES:
            message = t("flow.followed_by_other", key=key, run=other, state=state)
            logger.info(message)
            return Completed(name=t("flow.state_followed"), message=message)
        logger.warning(t("flow.taking_over", key=key, run=other, state=state))
        opened = start_stage(
            settings, key, region_code=region, agencies=[], flow_run_id=me, replacing=other
        )
    region_code = opened.region
    if opened.status == StageStatus.closed:
        publish_board(key, region_code, [])
        return Completed(name=t("flow.state_already_closed"), message=t("stage.closed", key=key))
    created = issue_all(key, me, region_code, None)
    started = _with_issued(opened, created)
    logger.info(_started(started))
    result = check_gate(key, region_code)
    publish_board(key, region_code, result.missing)
    if result.status == StageStatus.closed:
        logger.info(t("stage.closed", key=key))
        if started_next := start_next_stage(key, region_code, me):
            logger.info(t("flow.next_started", key=started_next))
        return Completed(name=t("flow.state_closed"), message=t("stage.closed", key=key))
    message = t("flow.waiting", missing="; ".join(result.missing))
    logger.info(t("flow.waiting_log", key=key, count=len(result.missing)))
    if _can_suspend():
        _suspend(message, key)
    return Failed(name=t("flow.state_gate_not_met"), message=message)


def start_next_stage(key: str, region: str, flow_run_id: str) -> str | None:
    """When the stage is configured to (`start_next_on_close`), start the next stage's run
    from its deployment, once per closing run; returns the next stage's key, or None."""
    config = load_stage_config(get_settings())
    following = config.next(key)
    if following is None or not config.get(key).start_next_on_close or not _can_suspend():
        return None
    from prefect.deployments import run_deployment

    run_deployment(
        f"{stage_flow.name}/{stage_title(following.key)}",
        parameters={"region": region},
        timeout=0,
        as_subflow=False,
        idempotency_key=f"roadmap-next-{flow_run_id}-{following.key}",
    )
    return following.key


def _with_issued(opened: StageStart, created: int) -> StageStart:
    """The stage's start as one result: the run as opened, with the tasks its organisations'
    task runs created."""
    return replace(opened, tasks_created=created, tasks=opened.tasks + created)


# --- the demo ------------------------------------------------------------------------------


def _demo_stage_name() -> str:
    from prefect.runtime import flow_run

    return stage_title(str(flow_run.parameters.get("key")))


@task(name="simulate-emissaries", task_run_name="работа эмиссаров (моделирование)")
def _simulate(key: str, at: str) -> dict[str, int]:
    from roadmap.stages.simulation import simulate_stage_work

    return simulate_stage_work(get_settings(), key, now=datetime.fromisoformat(at))


@flow(
    name="roadmap-stage-demo",
    flow_run_name=_demo_stage_name,
    description="Демонстрация одного этапа: поручения, смоделированная работа эмиссаров, закрытие.",
)
def demo_stage_flow(key: str, start_at: str, region: str | None = None) -> dict[str, Any]:
    """One stage of the demo as its own run: the same steps as `stage_flow`, with the
    emissaries' work simulated on the due date and the gate checked at 17:00 that day."""
    with shared_store(get_settings()):
        return _demo_stage(key, start_at, region)


def _demo_stage(key: str, start_at: str, region: str | None) -> dict[str, Any] | State:
    from prefect.runtime import flow_run

    logger = run_logger()
    settings = get_settings()
    moment = datetime.fromisoformat(start_at)
    me = str(flow_run.id)
    opened = start_stage(
        settings,
        key,
        on=moment.date(),
        region_code=region,
        now=moment,
        agencies=[],
        flow_run_id=me,
    )
    created = issue_all(key, me, opened.region, start_at)
    started = _with_issued(opened, created)
    logger.info(_started(started))
    publish_board(
        key, opened.region, stage_gate(settings, key, region_code=region, now=moment), start_at
    )
    work = _simulate(key, datetime.combine(opened.due_on, _WORK_DONE_AT).isoformat())
    logger.info(
        _demo_say("simulated", key=key, work=", ".join(f"{k} {v}" for k, v in work.items()))
    )
    close_at = datetime.combine(opened.due_on, _CLOSE_AT).isoformat()
    closed = check_gate(key, opened.region, close_at)
    publish_board(key, opened.region, closed.missing, close_at)
    if closed.status != StageStatus.closed:
        heading = t("stage.gate_failed", key=key, count=len(closed.missing))
        return Failed(
            name=t("flow.state_gate_not_met"), message=f"{heading} {'; '.join(closed.missing)}"
        )
    logger.info(t("stage.closed", key=key))
    return {
        "stage": key,
        "started": _as_data(started),
        "work": work,
        "closed": _as_data(closed),
        "close_at": close_at,
    }


def _demo_run_name() -> str:
    from prefect.runtime import flow_run

    region = flow_run.parameters.get("region")
    return t("flow.demo_run_name", region=region) if region else t("flow.demo_run_name_any")


@flow(
    name="run-roadmap",
    flow_run_name=_demo_run_name,
    description="Демонстрация: все этапы по порядку, каждый своим запуском, с моделированием работы эмиссаров.",
)
def run_roadmap_flow(
    start_on: str | None = None, region: str | None = None
) -> list[dict[str, Any]]:
    """Demo only: every stage in order, each as a stage run under this one.

    Each stage's work is done on its due date, the stage closes that afternoon and the next
    one starts at that moment (region time), so the store ends with a plausible history.
    Not deployed: in production the work is done by people.

    Args:
        start_on: start date of the first stage, YYYY-MM-DD; default today.
        region: region code; needed only when the store holds several regions.

    Returns:
        One item a stage: {"stage", "started", "work", "closed"} with the services' results.
    """
    from roadmap.stages.runs import region_today

    settings = get_settings()
    logger = run_logger()
    keys = stage_keys_in_order(settings)
    first_day = _day(start_on, "start_on")
    if first_day is None:
        first_day = region_today(settings, region_code=region)
    moment = datetime.combine(first_day, _FIRST_START_AT).isoformat()
    results: list[dict[str, Any]] = []
    for done, key in enumerate(keys, start=1):
        state = demo_stage_flow(key, moment, region=region, return_state=True)
        if not state.is_completed():
            return state
        result = state.result()
        logger.info(_demo_say("progress", done=done, total=len(keys)))
        moment = result.pop("close_at")
        results.append(result)
    return results

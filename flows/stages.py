"""Prefect flows for the roadmap stages: each one calls `roadmap.stages` and nothing deeper.

The store comes from the environment (`ROADMAP_DATABASE_URL`, read by
`roadmap.settings.get_settings`), never from a flow parameter: parameters are stored by the
Prefect server and shown in its UI, and a database URL may carry a password. A process that
runs these flows (a `flows/serve.py` process, a test, the demo) sets the variable.

A `UserError` (unknown stage, previous stage not closed, bad date, unknown region, store
not initialised) is not caught: the flow run fails with its message and the caller gets
the same exception. A stage whose gate does not pass is a failed run of
`close_stage_flow` too, with what is missing in the message: the stage was not closed.
Flows return the services' typed results as plain data (statuses and dates as text).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime, time
from typing import Any

from prefect import flow

from flows.runtime import run_logger
from roadmap.calendar import parse_day
from roadmap.config import stage_keys_in_order
from roadmap.errors import UserError
from roadmap.i18n import current_locale, t
from roadmap.settings import get_settings
from roadmap.stages.runs import StageClosed, StageStart, close_stage, start_stage
from roadmap.store.models import StageStatus

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


def _check_closed(result: StageClosed) -> None:
    """A gate that did not pass fails the run, with everything that is missing."""
    if result.status != StageStatus.closed:
        missing = result.missing
        heading = t("stage.gate_failed", key=result.stage, count=len(missing))
        raise UserError(f"{heading} {'; '.join(missing)}")


@flow(
    name="start-stage",
    flow_run_name="начать {key}",
    description="Начать этап дорожной карты: поручения цифровым эмиссарам всех органов власти.",
)
def start_stage_flow(key: str, on: str | None = None, region: str | None = None) -> dict[str, Any]:
    """Start stage `key` (idempotent: a started or closed stage gets no new tasks).

    Args:
        key: stage key from config/stages.toml, e.g. "interviews".
        on: start date YYYY-MM-DD in the region's calendar; default today.
        region: region code; needed only when the store holds several regions.
    """
    result = start_stage(get_settings(), key, on=_day(on, "on"), region_code=region)
    run_logger().info(_started(result))
    return _as_data(result)


@flow(
    name="close-stage",
    flow_run_name="закрыть {key}",
    description="Закрыть этап дорожной карты, если выполнены условия его завершения.",
)
def close_stage_flow(key: str, region: str | None = None) -> dict[str, Any]:
    """Close stage `key` if its gate passes; the run fails and names what is missing if not.

    Args:
        key: stage key from config/stages.toml, e.g. "interviews".
        region: region code; needed only when the store holds several regions.
    """
    result = close_stage(get_settings(), key, region_code=region)
    _check_closed(result)
    run_logger().info(t("stage.closed", key=key))
    return _as_data(result)


@flow(
    name="run-roadmap",
    description="Демонстрация: все этапы по порядку с моделированием работы эмиссаров.",
)
def run_roadmap_flow(
    start_on: str | None = None, region: str | None = None
) -> list[dict[str, Any]]:
    """Demo only: run every stage in order, simulating what the emissaries do in each.

    Each stage's work is done on its due date, the stage closes that afternoon and the next
    one starts at that moment (region time), so the store ends with a plausible history.
    Not deployed: in production the work is done by people.

    Args:
        start_on: start date of the first stage, YYYY-MM-DD; default today.
        region: region code; needed only when the store holds several regions.

    Returns:
        One item a stage: {"stage", "started", "work", "closed"} with the services' results.
    """
    from roadmap.stages.simulation import simulate_stage_work

    settings = get_settings()
    logger = run_logger()
    keys = stage_keys_in_order(settings)
    first_day = _day(start_on, "start_on")
    # None: the first stage starts now, on today's date in the region.
    moment = None if first_day is None else datetime.combine(first_day, _FIRST_START_AT)
    results: list[dict[str, Any]] = []
    for done, key in enumerate(keys, start=1):
        started = start_stage(
            settings,
            key,
            on=None if moment is None else moment.date(),
            region_code=region,
            now=moment,
        )
        logger.info(_started(started))
        due_on = started.due_on
        work = simulate_stage_work(settings, key, now=datetime.combine(due_on, _WORK_DONE_AT))
        logger.info(
            _demo_say("simulated", key=key, work=", ".join(f"{k} {v}" for k, v in work.items()))
        )
        moment = datetime.combine(due_on, _CLOSE_AT)
        closed = close_stage(settings, key, region_code=region, now=moment)
        _check_closed(closed)
        logger.info(t("stage.closed", key=key))
        logger.info(_demo_say("progress", done=done, total=len(keys)))
        results.append(
            {"stage": key, "started": _as_data(started), "work": work, "closed": _as_data(closed)}
        )
    return results

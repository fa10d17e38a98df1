"""Signals from the store to the Prefect runs that carry stages.

A command that changes what a stage's gate looks at (a task handed in, accepted, returned
or cancelled; a stage closed from the command line; interviews, scores or architecture
decisions recorded) emits one Prefect event per stage run that a flow run carries:
`roadmap.stage.changed`, about the resource `roadmap.stage.<region>.<stage>`, with the flow
run as a related resource. The automation that `roadmap serve` sets up
(flows/operations.py) resumes that run; the run checks the gate again in the store and
closes the stage or suspends again. The event carries no data the run relies on: the store
is the only source of truth, and the coordinator's Resume button does the same.

The event is posted to the Prefect API over HTTP (`POST {PREFECT_API_URL}/events`), so a
command does not pay for importing Prefect (about a second). Nothing is sent without
PREFECT_API_URL in the environment. A server that does not answer is a warning, never a
failure of the command: its change is in the store already, and the transaction is over
before anything is sent.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import uuid4

if TYPE_CHECKING:
    from roadmap.settings import Settings
    from roadmap.stages.runs import FollowedRun

EVENT = "roadmap.stage.changed"
# Seconds to wait for the Prefect server: a command must not hang on it.
TIMEOUT = 5.0


def stage_resource_id(region: str, stage: str) -> str:
    return f"roadmap.stage.{region}.{stage}"


def stage_events(runs: list[FollowedRun], reason: str) -> list[dict[str, Any]]:
    """The events for these runs, in the Prefect events API's shape."""
    occurred = datetime.now(UTC).isoformat()
    return [
        {
            "id": str(uuid4()),
            "occurred": occurred,
            "event": EVENT,
            "resource": {
                "prefect.resource.id": stage_resource_id(run.region, run.stage),
                "prefect.resource.name": f"{run.region} {run.stage}",
                "roadmap.region": run.region,
                "roadmap.stage": run.stage,
            },
            "related": [
                {
                    "prefect.resource.id": f"prefect.flow-run.{run.flow_run_id}",
                    "prefect.resource.role": "flow-run",
                }
            ],
            "payload": {"reason": reason},
        }
        for run in runs
    ]


def post_events(events: list[dict[str, Any]], api_url: str) -> None:
    """POST the events to a Prefect server; raises httpx.HTTPError if it does not take them."""
    import httpx

    headers = {}
    if key := os.environ.get("PREFECT_API_KEY"):
        headers["Authorization"] = f"Bearer {key}"
    response = httpx.post(
        api_url.rstrip("/") + "/events", json=events, headers=headers, timeout=TIMEOUT
    )
    response.raise_for_status()


def signal_stage_runs(
    settings: Settings,
    reason: str,
    *,
    region_code: str | None = None,
    task_codes: list[str] | None = None,
    stage: str | None = None,
) -> str | None:
    """Signal the flow runs carrying the stages a change concerns (see
    `roadmap.stages.runs.followed_runs`). Returns a warning for the user, or None."""
    api_url = os.environ.get("PREFECT_API_URL")
    if not api_url:
        return None
    from roadmap.i18n import t
    from roadmap.stages.runs import followed_runs

    runs = followed_runs(settings, region_code=region_code, task_codes=task_codes, stage=stage)
    if not runs:
        return None
    import httpx

    try:
        post_events(stage_events(runs, reason), api_url)
    except httpx.HTTPError as exc:
        return t("flow.signal_failed", count=len(runs), error=type(exc).__name__)
    return None

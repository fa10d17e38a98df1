"""Prefect for one local process: isolated, quiet, with a temporary (ephemeral) server.

Used by the demo and the tests, never by `flows/serve.py` (a served deployment talks to a
real Prefect server and keeps Prefect's defaults).

Prefect reads its settings from the environment once, when it is imported, so call
`configure_local_prefect` first and import `prefect` (or `flows.stages`) afterwards::

    from flows.runtime import configure_local_prefect, heartbeats_off

    configure_local_prefect(Path(".demo/prefect"))
    from flows.stages import run_roadmap_flow

    with heartbeats_off():
        run_roadmap_flow()

Measured with Prefect 3.8.8 on the development machine: `import prefect` takes 0.7–0.9 s;
the first flow run in a fresh process starts the temporary server and takes 9–12 s; later
runs in the same process take about 0.1 s plus their own work, or 1 s more while flow-run
heartbeats are on (see `heartbeats_off`); the process waits about 1.3 s at exit while
Prefect stops the server.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Settings that would point a run somewhere other than the fresh PREFECT_HOME: a real
# server, another profile, another Prefect database. They are removed from the environment.
_REMOVED_PREFIXES = (
    "PREFECT_API_URL",
    "PREFECT_API_KEY",
    "PREFECT_PROFILE",  # also PREFECT_PROFILES_PATH
    "PREFECT_SERVER_DATABASE_",
    "PREFECT_API_DATABASE_",  # legacy names of the same settings
    # Flow-run heartbeats (see heartbeats_off); the notes ask to leave them unset.
    "PREFECT_FLOWS_HEARTBEAT_FREQUENCY",
    "PREFECT_RUNNER_HEARTBEAT_FREQUENCY",
)


def local_prefect_env(home: Path) -> dict[str, str]:
    """The environment variables `configure_local_prefect` sets, for a given PREFECT_HOME."""
    home = home.resolve()
    return {
        # Profiles, the temporary server's SQLite database and anything else Prefect keeps
        # on disk live under this directory, so nothing leaks between runs that use
        # different directories.
        "PREFECT_HOME": str(home),
        "PREFECT_LOCAL_STORAGE_PATH": str(home / "storage"),
        "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
        # Quiet: no analytics, warnings and errors only on the console.
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        # The task run recorder stays on: a stage run's task runs (one per organisation)
        # are what a coordinator reads on the run page.
        # The temporary server took 6–17 s to start on the development and CI machines;
        # Prefect's default limit is 20 s.
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    }


def configure_local_prefect(home: Path) -> None:
    """Point Prefect in this process at a fresh, private PREFECT_HOME with quiet settings.

    Call it before `prefect` is imported. If Prefect is already imported, its process-wide
    settings are re-read from the environment; a temporary server that this process has
    already started keeps running with its old settings, though.
    """
    home.mkdir(parents=True, exist_ok=True)
    for key in list(os.environ):
        if key.startswith(_REMOVED_PREFIXES):
            del os.environ[key]
    os.environ.update(local_prefect_env(home))
    if "prefect.context" in sys.modules:
        from prefect.context import refresh_global_settings_context

        refresh_global_settings_context()


@contextmanager
def heartbeats_off() -> Iterator[None]:
    """Run flows in this block without flow-run heartbeats.

    A synchronous flow run waits up to a second for its heartbeat thread when it ends
    (measured: 1.1 s a run instead of 0.1 s). Heartbeats let a Prefect server notice a
    crashed run of a deployment; a flow called in-process does not need them. In Prefect
    3.8.8 they default to every 180 s and cannot be switched off through the environment
    (PREFECT_FLOWS_HEARTBEAT_FREQUENCY accepts only integers >= 30), hence this context.
    """
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


def run_logger() -> Any:
    """The flow run's logger (its lines reach the Prefect UI), or a plain one when a flow's
    function is called directly (`.fn()`) outside a run. Shared by every flow module."""
    from prefect import get_run_logger
    from prefect.exceptions import MissingContextError
    from prefect.logging import get_logger

    try:
        return get_run_logger()
    except MissingContextError:
        return get_logger("roadmap.flows")

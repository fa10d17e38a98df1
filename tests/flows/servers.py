"""A real `prefect server start` and a real `roadmap serve` process, for the tests that need
what only a server gives: deployments, suspended runs, events and automations.

Both run as child processes on loopback with a private PREFECT_HOME; `stop()` ends them.
Waiting is bounded (a generous limit that fails the test with what the process printed),
and nothing is timed.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

VENV_BIN = Path(sys.executable).parent
# Generous: the server takes 3–11 s to start on the development machine, a run's process
# about as long; the limit only stops a broken test from hanging.
LIMIT_SECONDS = 180.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _same_clock(env: dict[str, str]) -> None:
    """Under `faketime -f '@…'` every new process starts at the given moment, so a child
    started a minute later would be a minute behind the server: Prefect's scheduling
    compares clocks across processes. Children get this process's clock instead, as an
    offset from the real one (libfaketime's relative form)."""
    if "FAKETIME" not in os.environ:
        return
    unfaked = {
        k: v
        for k, v in os.environ.items()
        if k not in ("LD_PRELOAD", "FAKETIME", "FAKETIME_SHARED")
    }
    real = subprocess.run(
        ["date", "+%s.%N"], env=unfaked, capture_output=True, text=True, check=True
    ).stdout
    env["FAKETIME"] = f"{time.time() - float(real):+.0f}"


def quiet_prefect_env(home: Path) -> dict[str, str]:
    """A private, quiet Prefect for a child process (no analytics, nothing in ~/.prefect),
    on this process's clock."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    _same_clock(env)
    env.update(
        {
            "PREFECT_HOME": str(home),
            "PREFECT_LOCAL_STORAGE_PATH": str(home / "storage"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            "PREFECT_LOGGING_LEVEL": "WARNING",
        }
    )
    return env


def wait_for(
    check: Callable[[], Any], what: str | Callable[[], str], *, limit: float = LIMIT_SECONDS
) -> Any:
    """Poll `check` until it returns something truthy; fail with `what` (a text, or a
    function that tells what was seen) after `limit` seconds."""
    deadline = time.monotonic() + limit
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what() if callable(what) else what}")
        time.sleep(0.5)


@dataclass
class Child:
    """A child process whose output goes to a file (read back when a test fails)."""

    name: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text("utf-8", errors="replace")[-6000:]

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start_child(name: str, args: list[str], env: dict[str, str], logs: Path) -> Child:
    log = logs / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Child(name, process, log)


@dataclass
class PrefectServer:
    home: Path
    port: int = field(default_factory=free_port)
    child: Child | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def env(self) -> dict[str, str]:
        env = quiet_prefect_env(self.home)
        env["PREFECT_API_URL"] = self.api_url
        return env

    def start(self, extra_env: dict[str, str] | None = None) -> PrefectServer:
        self.home.mkdir(parents=True, exist_ok=True)
        env = quiet_prefect_env(self.home)
        # The UI asks the server where its API is: this port, not the default 4200.
        env["PREFECT_UI_API_URL"] = self.api_url
        env["PREFECT_SERVER_API_PORT"] = str(self.port)
        env.update(extra_env or {})
        self.child = start_child(
            "prefect-server",
            [
                str(VENV_BIN / "prefect"),
                "server",
                "start",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            env,
            self.home,
        )
        wait_for(self._healthy, f"the Prefect server on port {self.port}")
        return self

    def _healthy(self) -> bool:
        assert self.child is not None
        if self.child.process.poll() is not None:
            raise AssertionError(f"the Prefect server exited:\n{self.child.output()}")
        try:
            return httpx.get(f"{self.api_url}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        if self.child is not None:
            self.child.stop()


def start_roadmap_serve(server: PrefectServer, store_url: str, logs: Path, **env: str) -> Child:
    """`roadmap serve` against the server and the store, polling for work every second."""
    environment = server.env()
    environment.update(
        {
            "ROADMAP_DATABASE_URL": store_url,
            "PREFECT_RUNNER_POLL_FREQUENCY": "1",
            **env,
        }
    )
    return start_child("roadmap-serve", [str(VENV_BIN / "roadmap"), "serve"], environment, logs)

"""Real delivery sinks on loopback: an HTTP server (Apprise json:// and gotify://) and an
SMTP server (aiosmtpd, Apprise mailto://)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from roadmap.settings import Settings


@dataclass
class HttpSink:
    port: int
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, body)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def paths(self) -> list[str]:
        with self.lock:
            return [path for path, _ in self.requests]

    def bodies(self, prefix: str) -> list[str]:
        with self.lock:
            return [body for path, body in self.requests if path.startswith(prefix)]


@pytest.fixture
def http_sink() -> Iterator[HttpSink]:
    sink = HttpSink(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", "replace")
            with sink.lock:
                sink.requests.append((self.path, body))
            if self.path.startswith("/slow"):
                time.sleep(2.5)  # past the target timeout
            if self.path.startswith("/delay"):
                time.sleep(0.5)  # slow, but within it
            code = 500 if self.path.startswith("/fail") else 200
            try:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")
            except OSError:
                pass  # the client gave up

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    sink.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield sink
    server.shutdown()
    server.server_close()


@dataclass
class SmtpSink:
    port: int
    messages: list = field(default_factory=list)


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    from aiosmtpd.controller import Controller

    sink = SmtpSink(port=0)

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            sink.messages.append(envelope)
            return "250 OK"

    import socket

    with socket.socket() as probe:  # aiosmtpd needs a concrete port
        probe.bind(("127.0.0.1", 0))
        sink.port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=sink.port)
    controller.start()
    yield sink
    controller.stop()


def alert_settings(settings: Settings, tmp_path: Path, targets: dict[str, list[str]]) -> Settings:
    """Settings with an Apprise config of `targets` (person code -> URLs) and fast retries."""
    config_dir = tmp_path / "config"
    config_dir.mkdir(exist_ok=True)
    for name in ("stages.toml", "sectors.toml"):
        (config_dir / name).write_text((settings.config_dir / name).read_text("utf-8"), "utf-8")
    alerts = (settings.config_dir / "alerts.toml").read_text("utf-8")
    alerts = (
        alerts.replace("max_attempts = 4", "max_attempts = 3")
        .replace("backoff_seconds = 300", "backoff_seconds = 0")
        .replace("timeout_seconds = 10", "timeout_seconds = 1")
    )
    (config_dir / "alerts.toml").write_text(alerts, "utf-8")
    lines = ["urls:"]
    for person, urls in targets.items():
        for url in urls:
            lines += [f'  - "{url}":', f"      - tag: {person}"]
    apprise_file = tmp_path / "apprise.yml"
    apprise_file.write_text("\n".join(lines) + "\n", "utf-8")
    return settings.model_copy(
        update={"config_dir": config_dir, "apprise_config": apprise_file if targets else None}
    )

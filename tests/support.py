"""Shared test helpers: the example files, the store under test (`Backend`), reading state
in a region, the loopback delivery sinks and settings that deliver to them.

Fixtures live in `tests/conftest.py`; everything a test imports by name lives here.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa

from roadmap.settings import Settings

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PRIMORYE = EXAMPLES / "primorye.yaml"
POSTGRES_URL = os.environ.get("ROADMAP_TEST_POSTGRES_URL")

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not POSTGRES_URL, reason="ROADMAP_TEST_POSTGRES_URL is not set"),
        ],
    ),
]


@dataclass
class Backend:
    name: str
    url: str
    settings: Settings
    schema: str | None = None  # PostgreSQL: the test's own schema

    def fingerprint(self) -> str:
        """What a user could see change: the SQLite file's bytes, or every row on PostgreSQL."""
        if self.name == "sqlite":
            path = Path(sa.engine.make_url(self.url).database)
            return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "absent"
        engine = sa.create_engine(self.url)
        digest = hashlib.sha256()
        try:
            with engine.connect() as connection:
                tables = sa.inspect(connection).get_table_names()
                for table in sorted(tables):
                    rows = connection.execute(sa.text(f'SELECT * FROM "{table}" ORDER BY 1'))
                    digest.update(f"{table}:{[tuple(r) for r in rows]}".encode())
        finally:
            engine.dispose()
        return digest.hexdigest()


def in_region(backend: Backend, body, region: str | None = None):
    """Run `body(session, region)` on the backend's store, for reading state in tests."""
    from roadmap.store.unit_of_work import region_session

    with region_session(backend.settings, region) as (session, found):
        return body(session, found)


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


@dataclass
class SmtpSink:
    port: int
    messages: list = field(default_factory=list)


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

"""Fixtures: an isolated, migrated store per test, on SQLite and (when configured) PostgreSQL.

PostgreSQL runs when ROADMAP_TEST_POSTGRES_URL is set (CI sets it when the local server
answers); each test then gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings

from roadmap.settings import Settings, get_settings
from tests.support import BACKENDS, POSTGRES_URL, PRIMORYE, Backend, HttpSink, SmtpSink

# No wall-clock deadlines and no "too slow" health check: a property example that takes
# 600 ms on a busy 2-core machine is not a failure. ROADMAP_HYPOTHESIS_PROFILE=dev for fewer examples.
settings.register_profile(
    "ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile("dev", parent=settings.get_profile("ci"), max_examples=20)
settings.load_profile(os.environ.get("ROADMAP_HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test reads the developer's real store or settings."""
    for key in list(os.environ):
        if key.startswith("ROADMAP_") and key != "ROADMAP_TEST_POSTGRES_URL":
            monkeypatch.delenv(key)
    monkeypatch.setenv("ROADMAP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    from roadmap.i18n import set_locale

    set_locale(None)
    yield
    get_settings.cache_clear()
    set_locale(None)


def _postgres_schema_url(schema: str) -> str:
    url = sa.engine.make_url(POSTGRES_URL)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


def _create_schema(schema: str) -> None:
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()


def _drop_schema(schema: str) -> None:
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Backend]:
    """An empty, not yet initialised store; ROADMAP_DATABASE_URL points at it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store' / 'roadmap.db'}"
        (tmp_path / "store").mkdir()
        schema = None
    else:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        _create_schema(schema)
        url = _postgres_schema_url(schema)
    monkeypatch.setenv("ROADMAP_DATABASE_URL", url)
    get_settings.cache_clear()
    yield Backend(request.param, url, get_settings(), schema)
    if schema is not None:
        _drop_schema(schema)


class StoreTemplates:
    """Stores built once per test session and copied into each test's own store.

    Migrating with Alembic and importing the example roadmap are the slow part of a store
    test; a template of each ("migrated", "loaded") is built on first use and copied per test.
    SQLite: a template file, copied byte for byte. PostgreSQL: a template schema, dumped
    once with pg_dump (schema, constraints, sequences with their values, rows, and the
    alembic_version table) and dropped; each test's schema is restored from the dump.
    """

    def __init__(self, root: Path):
        self.root = root
        self._files: dict[str, Path] = {}
        self._dumps: dict[str, tuple[str, str]] = {}  # kind -> (template schema, SQL)

    @staticmethod
    def _fill(kind: str, settings: Settings) -> None:
        from roadmap.store.unit_of_work import init_store

        init_store(settings)
        if kind == "loaded":
            from roadmap.plan.importer import import_roadmap

            import_roadmap(settings, PRIMORYE)

    def sqlite_file(self, kind: str, settings: Settings) -> Path:
        if kind not in self._files:
            path = self.root / f"{kind}.db"
            building = self.root / f"{kind}.building.db"
            url = f"sqlite:///{building}"
            self._fill(kind, settings.model_copy(update={"database_url": url}))
            building.replace(path)  # only a complete template is ever used
            self._files[kind] = path
        return self._files[kind]

    def postgres_dump(self, kind: str, settings: Settings) -> tuple[str, str]:
        if kind not in self._dumps:
            schema = f"tpl_{uuid.uuid4().hex}"
            _create_schema(schema)
            try:
                url = _postgres_schema_url(schema)
                self._fill(kind, settings.model_copy(update={"database_url": url}))
                libpq = sa.engine.make_url(POSTGRES_URL).set(drivername="postgresql")
                dumped = subprocess.run(
                    [
                        "pg_dump",
                        f"--dbname={libpq.render_as_string(hide_password=False)}",
                        f"--schema={schema}",
                        "--no-owner",
                        "--no-privileges",
                        "--inserts",
                        "--rows-per-insert=1000",
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
            finally:
                _drop_schema(schema)
            # psql meta-commands (\restrict …) are not SQL; the rest runs as one script.
            sql = "\n".join(line for line in dumped.splitlines() if not line.startswith("\\"))
            self._dumps[kind] = (schema, sql)
        return self._dumps[kind]

    def copy_into(self, kind: str, backend: Backend) -> None:
        if backend.name == "sqlite":
            target = Path(sa.engine.make_url(backend.url).database)
            shutil.copyfile(self.sqlite_file(kind, backend.settings), target)
            return
        import psycopg

        template, sql = self.postgres_dump(kind, backend.settings)
        schema = backend.schema
        libpq = sa.engine.make_url(POSTGRES_URL).set(drivername="postgresql")
        with psycopg.connect(libpq.render_as_string(hide_password=False)) as connection:
            # One transaction: the empty schema is replaced by the template's copy.
            connection.execute(f'DROP SCHEMA "{schema}"')
            connection.execute(sql.replace(template, schema))


@pytest.fixture(scope="session")
def store_templates(tmp_path_factory: pytest.TempPathFactory) -> StoreTemplates:
    return StoreTemplates(tmp_path_factory.mktemp("store-templates"))


@pytest.fixture
def store(backend: Backend, store_templates: StoreTemplates) -> Backend:
    """An initialised (migrated) empty store: a copy of the session's migrated template."""
    store_templates.copy_into("migrated", backend)
    return backend


@pytest.fixture
def loaded(backend: Backend, store_templates: StoreTemplates) -> Backend:
    """A store holding the Primorye example roadmap: a copy of the session's loaded template."""
    store_templates.copy_into("loaded", backend)
    return backend


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
            reply = b"{}"
            if self.path.startswith("/echo") or '"topic": "echo"' in body:
                # A server that refuses the credential and quotes it back in its error,
                # as some do: whatever reaches a log from here must be masked. (ntfy posts
                # to / with the topic in the body: ntfy://…/echo lands here.)
                code = 401
                quoted = f"rejected: {self.headers.get('Authorization')}"
                reply = json.dumps({"error": quoted}).encode()
            try:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(reply)
            except OSError:
                pass  # the client gave up

        def log_message(self, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 64  # the dispatcher's threads connect at once (default 5)

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    sink.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield sink
    server.shutdown()
    server.server_close()


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

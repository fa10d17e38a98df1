"""Fixtures: an isolated, migrated store per test, on SQLite and (when configured) PostgreSQL.

PostgreSQL runs when ROADMAP_TEST_POSTGRES_URL is set (CI sets it when the local server
answers); each test then gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings

from roadmap.settings import Settings, get_settings

# No wall-clock deadlines and no "too slow" health check: a property example that takes
# 600 ms on a busy 2-core machine is not a failure. ROADMAP_HYPOTHESIS_PROFILE=dev for fewer examples.
settings.register_profile(
    "ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile("dev", parent=settings.get_profile("ci"), max_examples=20)
settings.load_profile(os.environ.get("ROADMAP_HYPOTHESIS_PROFILE", "ci"))

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
        admin = sa.create_engine(POSTGRES_URL)
        with admin.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        url = _postgres_schema_url(schema)
    monkeypatch.setenv("ROADMAP_DATABASE_URL", url)
    get_settings.cache_clear()
    yield Backend(request.param, url, get_settings())
    if schema is not None:
        admin = sa.create_engine(POSTGRES_URL)
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def store(backend: Backend) -> Backend:
    """An initialised (migrated) empty store."""
    from roadmap.store.unit_of_work import init_store

    init_store(backend.settings)
    return backend


@pytest.fixture
def loaded(store: Backend) -> Backend:
    """A store holding the Primorye example roadmap."""
    from roadmap.plan.importer import import_roadmap

    import_roadmap(store.settings, PRIMORYE)
    return store


def in_region(backend: Backend, body, region: str | None = None):
    """Run `body(session, region)` on the backend's store, for reading state in tests."""
    from roadmap.store.unit_of_work import region_session

    with region_session(backend.settings, region) as (session, found):
        return body(session, found)

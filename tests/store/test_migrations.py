"""Migrations are append-only, and a store made by any released revision upgrades to the
newest with every row kept."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa

from roadmap.store.engine import MIGRATIONS_DIR
from tests.support import PRIMORYE, Backend

# The released migrations, byte for byte: released history is never edited or deleted.
# A new migration is added here once it lands.
RELEASED = {
    "0001_initial_schema.py": "8d573656b9f4ccb9373e5ae0d51228bb82608cdb80c8ae87ea644c51dbb27fa1",
    "0002_stages.py": "334f7e5540b376c654f3a34c6a8a75343f505cfc3970fad44ae9c9ed3050590a",
    "0003_alerts_and_yearly_review.py": (
        "e2bd0344043d4bea64edc10fff81dbdbdf600c7366c1213d5cb70b2b6c814a4f"
    ),
    "0004_alert_due_on_and_about_alert.py": (
        "3d037f4a843e3e3d326f8c686f53930482fea8e1f9054ce028f74b9c4d4d07f9"
    ),
    "0005_stage_cycles_and_task_history.py": (
        "2e0eadf131e6f8e4a1afff2c299e58f880fcab779a3af2db8ede03c9e40605ff"
    ),
    "0006_stage_run_flow_run.py": (
        "4f4f611dd1cc99fc8fdadb22a395db7b961ba39ec848119a21e58fd456c8c9a2"
    ),
    "0007_alert_task_index.py": (
        "8238d70e567c669ff64e117c49193d2e5ddf80dfa4c2ea5d9d36d869ec21e280"
    ),
    "0008_task_agency_count_index.py": (
        "3b8c12c2cda656b22159c90d2e3c52c6f7affb43a2b7f6c402efbc5336d51068"
    ),
    "0009_reports_indicator_records_sessions.py": (
        "d0a396db8f4f5eb5318ae20dcd345384ab89c6dacfdaa694ef9a229e68e6cc1b"
    ),
    "0010_web_portal.py": ("16b8cb214cb6efcd63eca80c9818b789c70427d801fdeb5087cbe20227d08b65"),
}


def test_released_migrations_are_never_edited_or_deleted() -> None:
    present = {p.name: p for p in (MIGRATIONS_DIR / "versions").glob("*.py")}
    for name, digest in RELEASED.items():
        assert name in present, f"released migration {name} was deleted"
        actual = hashlib.sha256(present[name].read_bytes()).hexdigest()
        assert actual == digest, f"released migration {name} was edited: add a new one instead"
    assert set(present) == set(RELEASED), "a new migration: add its checksum to RELEASED"


def _counts(connection: sa.Connection) -> dict[str, int]:
    tables = [t for t in sa.inspect(connection).get_table_names() if t != "alembic_version"]
    return {t: connection.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}


def test_a_store_of_every_released_revision_upgrades_with_its_rows(backend: Backend) -> None:
    """Filled at the newest revision (roadmap, stage run, alerts, a closed yearly update),
    taken down to each released revision, and upgraded again: every row of every table
    that revision had is still there."""
    from alembic import command

    from roadmap.alerts.sweep import sweep
    from roadmap.plan.importer import import_roadmap
    from roadmap.review.cycle import close_review, start_review
    from roadmap.stages.runs import start_stage
    from roadmap.store.engine import _alembic_config, head_revision, migrate

    settings = backend.settings
    migrate(backend.url)
    import_roadmap(settings, PRIMORYE)
    now = datetime(2026, 12, 4, 0, 0, tzinfo=UTC)
    start_stage(settings, "initiatives", now=now)
    sweep(settings, now=now)
    start_review(settings, 2027, now=now)
    close_review(settings, now=now)
    engine = sa.create_engine(backend.url)
    try:
        for revision in [name[:4] for name in sorted(RELEASED)][:-1]:
            with engine.connect() as connection:
                command.downgrade(_alembic_config(connection), revision)
                connection.commit()
                before = _counts(connection)
            assert sum(before.values()) > 0
            with engine.connect() as connection:
                command.upgrade(_alembic_config(connection), "head")
                connection.commit()
                after = _counts(connection)
                version = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
                assert version.scalar() == head_revision()
            assert {t: after[t] for t in before} == before, f"rows lost upgrading from {revision}"
    finally:
        engine.dispose()

"""Faults of the environment are one message each, with a non-zero exit and no traceback."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from roadmap.cli.app import app
from roadmap.store.engine import sqlite_path
from tests.support import Backend

runner = CliRunner()


def run(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_a_file_that_is_not_a_database_is_one_message(loaded: Backend) -> None:
    path = sqlite_path(loaded.url)
    if path is None:
        pytest.skip("PostgreSQL keeps its own files")
    path.write_bytes(b"not a database, a text file saved over it\n" * 200)
    for command in (["init"], ["tasks", "list"], ["sweep", "--dry-run"]):
        result = run(*command)
        assert result.exit_code == 2, command
        assert "file is not a database" in result.stderr and "roadmap check" in result.stderr


def test_check_finds_damaged_pages(loaded: Backend) -> None:
    assert run("check").exit_code == 0
    path = sqlite_path(loaded.url)
    if path is None:
        pytest.skip("PostgreSQL keeps its own files")
    data = bytearray(path.read_bytes())
    data[30000:60000] = b"A" * 30000  # pages of tables and indexes overwritten
    path.write_bytes(bytes(data))
    result = run("check")
    assert result.exit_code == 4 and "повреждено" in result.stderr


def test_a_store_from_an_unknown_release_is_refused_by_init(loaded: Backend) -> None:
    engine = sa.create_engine(loaded.url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    before = loaded.fingerprint()
    result = run("init")
    assert result.exit_code == 2 and "9999" in result.stderr
    assert loaded.fingerprint() == before


def test_a_postgresql_url_without_a_driver_works(loaded: Backend, monkeypatch) -> None:
    if loaded.name != "postgres":
        pytest.skip("a PostgreSQL URL")
    from roadmap.settings import get_settings

    plain = loaded.url.replace("postgresql+psycopg://", "postgresql://", 1)
    assert plain != loaded.url
    monkeypatch.setenv("ROADMAP_DATABASE_URL", plain)
    get_settings.cache_clear()
    result = run("tasks", "list", "--json")
    assert result.exit_code == 0, result.output


def test_a_read_only_store_is_one_message_and_nothing_is_written(loaded: Backend) -> None:
    import shutil
    import subprocess

    path = sqlite_path(loaded.url)
    if path is None or shutil.which("chattr") is None:
        pytest.skip("needs a SQLite file and chattr")
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("this file system has no immutable flag")
    try:
        before = path.read_bytes()
        result = run("task", "submit", "T-002", "--now", "2026-12-01T10:00")
        assert result.exit_code == 2
        assert "readonly database" in result.stderr and "Ничего не записано" in result.stderr
        assert path.read_bytes() == before
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_full_disk_is_one_message_and_nothing_is_written(
    loaded: Backend, tmp_path, monkeypatch
) -> None:
    """The store on a small file system filled to the last byte: a write fails, is rolled
    back, and the user reads one message."""
    import shutil
    import subprocess

    path = sqlite_path(loaded.url)
    if path is None:
        pytest.skip("needs a SQLite file")
    mount = tmp_path / "small"
    mount.mkdir()
    size = path.stat().st_size + 256 * 1024
    if subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], capture_output=True
    ).returncode:
        pytest.skip("cannot mount a small file system here")
    try:
        store = mount / "roadmap.db"
        shutil.copyfile(path, store)
        with (mount / "filler").open("wb", buffering=0) as filler:  # every byte left
            try:
                while True:
                    filler.write(b"\0" * 4096)
            except OSError:
                pass
        before = store.read_bytes()
        monkeypatch.setenv("ROADMAP_DATABASE_URL", f"sqlite:///{store}")
        from roadmap.settings import get_settings

        get_settings.cache_clear()
        result = run("stage", "start", "initiatives", "--now", "2026-12-01T10:00")
        assert result.exit_code == 2, result.output
        assert "full" in result.stderr and "Ничего не записано" in result.stderr
        assert store.read_bytes() == before
    finally:
        subprocess.run(["umount", str(mount)], check=False)

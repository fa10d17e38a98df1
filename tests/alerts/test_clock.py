"""The one rule for "now" (roadmap.store.clock): an offset is a moment, a bare value is the
region's local time, and with several regions a bare value needs --region."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from roadmap.cli.app import app
from roadmap.errors import UserError
from roadmap.store.clock import read_now, utc_moment
from roadmap.store.models import Region
from roadmap.store.unit_of_work import open_store
from tests.support import Backend


def _second_region(backend: Backend) -> None:
    store = open_store(backend.settings)
    try:
        with store.session() as session:
            session.add(Region(code="KLD", name="Калининград", timezone="Europe/Kaliningrad"))
    finally:
        store.dispose()


def test_an_offset_is_the_moment_itself(loaded: Backend) -> None:
    moment = read_now(loaded.settings, "2026-12-04T10:00+10:00")
    assert moment == datetime(2026, 12, 4, 0, 0, tzinfo=UTC)
    assert read_now(loaded.settings, "2026-12-04T00:00Z") == moment


def test_a_bare_value_is_the_regions_local_time(loaded: Backend) -> None:
    # Primorye runs on Asia/Vladivostok (UTC+10).
    assert read_now(loaded.settings, "2026-12-04T10:00") == datetime(2026, 12, 4, 0, 0, tzinfo=UTC)
    assert read_now(loaded.settings, "2026-12-04") == datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


def test_without_a_value_it_is_the_wall_clock_in_utc(store: Backend) -> None:
    moment = read_now(store.settings, None)
    assert moment.tzinfo is UTC or moment.utcoffset().total_seconds() == 0
    with pytest.raises(ValueError, match="offset"):
        utc_moment(datetime(2026, 12, 4, 10, 0))


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_several_regions_need_region_for_a_bare_value(loaded: Backend) -> None:
    _second_region(loaded)
    with pytest.raises(UserError, match="--region"):
        read_now(loaded.settings, "2026-12-04T10:00")
    assert read_now(loaded.settings, "2026-12-04T10:00", "KLD") == datetime(
        2026, 12, 4, 8, 0, tzinfo=UTC
    )
    assert read_now(loaded.settings, "2026-12-04T10:00+10:00") == datetime(
        2026, 12, 4, 0, 0, tzinfo=UTC
    )
    before = loaded.fingerprint()
    for command in (
        ["sweep"],
        ["dispatch"],
        ["review", "start", "2027"],
        ["tasks", "list"],
        ["summary"],
        ["task", "submit", "T-002"],
        ["stage", "start", "initiatives"],
        ["architecture", "review"],
    ):
        result = CliRunner().invoke(app, [*command, "--now", "2026-12-04T10:00"])
        assert result.exit_code == 2, (command, result.output)
        assert "--region" in result.stderr
    assert loaded.fingerprint() == before

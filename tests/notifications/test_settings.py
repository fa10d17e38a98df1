"""The delivery settings of alerts.toml: a bad `concurrency` is one message naming the
file and the key, exit 2, and nothing is planned or sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from roadmap.alerts.config import delivery_settings
from roadmap.cli.app import app
from tests.support import Backend, HttpSink, alert_settings

NOW = "2026-12-04T10:00:00+10:00"  # T-002 and T-003 are due: a sweep would plan alerts


@pytest.mark.parametrize("value", ["0", "65", "2.5", '"8"', "true", "-1"])
def test_a_bad_concurrency_is_refused_before_anything_is_written(
    loaded: Backend, tmp_path: Path, http_sink: HttpSink, monkeypatch, value: str
) -> None:
    settings = alert_settings(
        loaded.settings, tmp_path, {"e-minobr": [f"json://127.0.0.1:{http_sink.port}/hook"]}
    )
    path = settings.config_dir / "alerts.toml"
    path.write_text(
        path.read_text("utf-8").replace("concurrency = 8", f"concurrency = {value}"), "utf-8"
    )
    monkeypatch.setenv("ROADMAP_APPRISE_CONFIG", str(settings.apprise_config))
    monkeypatch.setenv("ROADMAP_CONFIG_DIR", str(settings.config_dir))
    from roadmap.settings import get_settings

    get_settings.cache_clear()
    before = loaded.fingerprint()
    for command in (["sweep", "--now", NOW], ["dispatch", "--now", NOW]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 2, result.output
        message = result.stderr.strip()
        assert str(path) in message and "[delivery]" in message and "concurrency" in message
        assert len(message.splitlines()) == 1 and "Traceback" not in result.output
    assert loaded.fingerprint() == before  # nothing planned, claimed or sent
    assert http_sink.requests == []


def test_concurrency_defaults_to_eight_and_takes_a_whole_number(
    backend: Backend, tmp_path: Path
) -> None:
    settings = alert_settings(backend.settings, tmp_path, {})
    assert delivery_settings(settings).concurrency == 8
    path = settings.config_dir / "alerts.toml"
    without = "\n".join(
        line for line in path.read_text("utf-8").splitlines() if "concurrency" not in line
    )
    path.write_text(without, "utf-8")
    assert delivery_settings(settings).concurrency == 8
    path.write_text(without.replace("[delivery]", "[delivery]\nconcurrency = 1"), "utf-8")
    assert delivery_settings(settings).concurrency == 1

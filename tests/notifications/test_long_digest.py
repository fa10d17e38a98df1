"""A person with more alerts than `digest_items` gets one message: the most urgent items,
then a count of the rest; every alert of it is recorded as sent."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from notifications.dispatcher import dispatch
from roadmap.alerts.outbox import list_alerts
from roadmap.alerts.sweep import sweep
from roadmap.plan.importer import import_roadmap
from tests.support import Backend, HttpSink, alert_settings

NOW = datetime.fromisoformat("2026-12-04T00:30:00+00:00")  # Friday 10:30 in Vladivostok


def test_a_long_digest_shows_the_most_urgent_and_counts_the_rest(
    loaded: Backend, tmp_path: Path, http_sink: HttpSink
) -> None:
    # T-002 (examples/primorye.yaml) and four more are due today for e-minobr; T-901 is due
    # on Monday (a reminder: less urgent than those due today, though its code is first).
    extra = tmp_path / "tasks.csv"
    rows = ["code;agency;title;due", "T-901;minobr;Напоминание;2026-12-07"]
    # (Listed in reverse: the store's order is not the digest's.)
    rows += [f"T-90{n};minobr;Сегодня {n};2026-12-04" for n in range(5, 1, -1)]
    extra.write_text("\n".join(rows) + "\n", "utf-8")
    import_roadmap(loaded.settings, extra)
    settings = alert_settings(
        loaded.settings,
        tmp_path,
        {"e-minobr": [f"json://127.0.0.1:{http_sink.port}/hook/e-minobr"]},
    )
    path = settings.config_dir / "alerts.toml"
    text = path.read_text("utf-8")
    assert "digest_items = 20" in text
    path.write_text(text.replace("digest_items = 20", "digest_items = 2"), "utf-8")
    sweep(settings, now=NOW)
    mine = sorted((r.task, r.kind) for r in list_alerts(settings, person="e-minobr"))
    assert mine == [("T-002", "due"), ("T-901", "reminder")] + [
        (f"T-90{n}", "due") for n in range(2, 6)
    ]

    counts = dispatch(settings, now=NOW)

    (message,) = [json.loads(b) for b in http_sink.bodies("/hook/e-minobr")]
    assert message["title"] == "Сроки поручений: 6"
    listed = [line.split()[1] for line in message["message"].splitlines() if line.startswith("• ")]
    assert listed == ["T-002", "T-902"]
    assert "И ещё поручений: 4." in message["message"]
    assert counts.sent == 6
    assert {r.status for r in list_alerts(settings, person="e-minobr")} == {"sent"}

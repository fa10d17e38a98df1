"""Dispatch throughput for `make bench`: the dispatcher delivering a sweep's digests to a
loopback HTTP sink, side by side with a bare HTTP client posting the very same payloads to
the same sink with the same number of threads.

The store is the Primorye example with N open tasks added by a bulk insert (as in
benchmarks/federal.py: 2 % overdue by up to 60 days, 0.2 % due within a week), swept once
at 11:00 in Vladivostok on a Friday: a few thousand alerts for the region's people, one
JSON webhook (Apprise `json://`) per person. The sink is a separate process (a threading
HTTP server that answers 200 at once and records each request). Each run starts from a copy
of the swept store, so every run delivers the same digests.

- measured: `notifications.dispatcher.dispatch` (claim, load, re-check, render, send,
  record), digests per second, Apprise and the store's drivers imported beforehand;
- baseline: the bodies the sink received from the dispatcher, posted again with
  `http.client` (a connection per POST, as Apprise does) by as many threads as the
  dispatcher's `concurrency`.

The ratio is the dispatcher's throughput over the bare client's (target: at least 0.5).
A second scenario has many people with a few alerts each, where the cost per digest
dominates. Run alone: `.venv/bin/python benchmarks/dispatch.py [N]`.
"""

from __future__ import annotations

import http.client
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
NOW = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)  # 11:00 in Vladivostok, a Friday
TODAY = date(2026, 12, 4)
LATENCY = 0.05  # seconds: the sink's answer on /wait/… paths, like a webhook across the internet

_SINK = r"""
import json, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

requests, lock = [], threading.Lock()
LATENCY = float(sys.argv[1])

class Handler(BaseHTTPRequestHandler):
    # The reply in one write, with no Nagle delay: the sink's own cost stays out of both
    # figures as far as it can.
    disable_nagle_algorithm = True
    wbufsize = 65536

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/wait/"):
            time.sleep(LATENCY)  # a remote webhook's round trip
        if self.path == "/reset":
            with lock:
                requests.clear()
        elif self.path == "/dump":
            with lock:
                body = json.dumps(requests).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        else:
            with lock:
                requests.append((self.path, body.decode("utf-8")))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass

class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default 5 drops connections of 8 threads at once

server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


class Sink:
    """The loopback HTTP sink, in a process of its own (it shares no GIL with the sender)."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [PYTHON, "-c", _SINK, str(LATENCY)], stdout=subprocess.PIPE, text=True
        )
        self.port = int(self.process.stdout.readline())

    def _post(self, path: str) -> bytes:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("POST", path, body=b"")
            return connection.getresponse().read()
        finally:
            connection.close()

    def reset(self) -> None:
        self._post("/reset")

    def requests(self) -> list[tuple[str, str]]:
        return [tuple(r) for r in json.loads(self._post("/dump"))]

    def close(self) -> None:
        self.process.terminate()
        self.process.wait()


def build_store(path: Path, open_tasks: int, extra_people: int = 0) -> str:
    """The example with `open_tasks` more open tasks, as benchmarks/federal.py builds it
    (no alert history); with `extra_people`, that many more organisations (an emissary
    each) share the tasks."""
    from benchmarks.federal import build_store as federal_store

    return federal_store(
        f"sqlite:///{path}", open_tasks, extra_agencies=extra_people, history=False
    )


def delivery_settings_for(
    url: str, work: Path, port: int, concurrency: int | None, prefix: str = ""
):
    """Settings whose Apprise config gives every person of the store a JSON webhook on the
    sink, and whose alerts.toml sets `concurrency`."""
    import sqlalchemy as sa

    from roadmap.settings import Settings

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        codes = [c for (c,) in connection.execute(sa.text("SELECT code FROM person"))]
    engine.dispose()
    config = work / f"config-{concurrency}"
    config.mkdir(exist_ok=True)
    for name in ("stages.toml", "sectors.toml", "calendar.toml"):
        if (ROOT / "config" / name).exists():
            shutil.copy(ROOT / "config" / name, config / name)
    alerts = (ROOT / "config" / "alerts.toml").read_text("utf-8")
    if concurrency is not None:
        alerts = "\n".join(
            line for line in alerts.splitlines() if not line.startswith("concurrency")
        ).replace("[delivery]", f"[delivery]\nconcurrency = {concurrency}")
    (config / "alerts.toml").write_text(alerts, "utf-8")
    lines = ["urls:"]
    for code in codes:
        lines += [f'  - "json://127.0.0.1:{port}{prefix}/hook/{code}":', f"      - tag: {code}"]
    apprise_file = work / f"apprise{prefix.replace('/', '-')}.yml"
    apprise_file.write_text("\n".join(lines) + "\n", "utf-8")
    return Settings(database_url=url, config_dir=config, apprise_config=apprise_file)


def swept_store(work: Path, name: str, open_tasks: int, extra_people: int, sink: Sink) -> Path:
    """A store with the sweep's alerts planned (nothing delivered yet); returns its file."""
    from roadmap.alerts.sweep import sweep

    path = work / f"{name}.db"
    url = build_store(path, open_tasks, extra_people)
    sweep(delivery_settings_for(url, work, sink.port, None), now=NOW)
    return path


def time_dispatch(
    template: Path, work: Path, sink: Sink, concurrency: int, repeat: int, prefix: str = ""
):
    """Median seconds of one dispatch from a fresh copy of the swept store, the counts and
    the requests the sink received in the last run."""
    from notifications.dispatcher import dispatch
    from notifications.job import make_sender

    samples, counts, received = [], None, []
    for n in range(repeat):
        copy = work / f"run-{n}.db"
        shutil.copy(template, copy)
        settings = delivery_settings_for(f"sqlite:///{copy}", work, sink.port, concurrency, prefix)
        sender = make_sender(settings)  # as the deadline job does, before its sweep
        sink.reset()
        start = time.perf_counter()
        counts = dispatch(settings, now=NOW, sender=sender)
        samples.append(time.perf_counter() - start)
        received = sink.requests()
        copy.unlink()
    return statistics.median(samples), counts, received


def time_bare_client(port: int, payloads: list[tuple[str, str]], threads: int, repeat: int):
    """Median seconds for `threads` threads to POST every payload with http.client, a
    connection per POST (what Apprise does), the way the dispatcher's pool shares them."""

    def post(path: str, body: str) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request(
                "POST", path, body=body.encode(), headers={"Content-Type": "application/json"}
            )
            response = connection.getresponse()
            response.read()
            assert response.status == 200
        finally:
            connection.close()

    from concurrent.futures import ThreadPoolExecutor

    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=threads) as pool:
            for result in [pool.submit(post, path, body) for path, body in payloads]:
                result.result()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def time_apprise_alone(
    settings, payloads: list[tuple[str, str]], threads: int, repeat: int
) -> float:
    """Median seconds for the product's Sender (Apprise) alone to deliver the same digests
    on as many threads: what delivery through Apprise costs before any store work."""
    from concurrent.futures import ThreadPoolExecutor

    from notifications.job import make_sender

    sender = make_sender(settings)
    jobs = []
    for path, body in payloads:
        sent = json.loads(body)
        (target,) = sender.targets(path.rsplit("/", 1)[-1], None)
        jobs.append((target, sent["title"], sent["message"]))
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=threads) as pool:
            assert all(e is None for e in pool.map(lambda job: sender.send(*job), jobs))
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def time_store_floor(template: Path, work: Path, repeat: int) -> float:
    """Median seconds of the store work no dispatch can do without, as hand-written SQL
    through the driver (sqlite3) on a fresh copy of the swept store: one UPDATE claiming
    the due rows, one read of them with their tasks and agencies, one UPDATE recording them
    sent, the two writes committed. No Python per alert beyond fetching the rows."""
    import sqlite3

    moment = NOW.replace(tzinfo=None).isoformat(" ", "microseconds")
    samples = []
    for n in range(repeat):
        copy = work / f"floor-{n}.db"
        shutil.copy(template, copy)
        connection = sqlite3.connect(copy, isolation_level=None)
        connection.execute("PRAGMA foreign_keys=ON")
        start = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "UPDATE alert SET status = 'sending', claim_token = 'floor', claimed_at = ?"
            " WHERE status IN ('pending', 'failed') AND next_attempt_at <= ?",
            (moment, moment),
        )
        rows = connection.execute(
            "SELECT a.id, a.person_id, a.task_id, a.kind, a.level, a.due_on, a.working_days,"
            " a.local_date, a.attempts, a.delivered_to, t.code, t.title, t.due_on, t.status,"
            " t.stage, g.name FROM alert a LEFT JOIN task t ON t.id = a.task_id"
            " LEFT JOIN agency g ON g.id = t.agency_id"
            " WHERE a.status = 'sending' AND a.claim_token = 'floor'"
        ).fetchall()
        connection.execute("COMMIT")
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "UPDATE alert SET status = 'sent', claim_token = NULL, sent_at = ?,"
            " delivered_to = '[\"x\"]' WHERE status = 'sending' AND claim_token = 'floor'",
            (moment,),
        )
        connection.execute("COMMIT")
        samples.append(time.perf_counter() - start)
        connection.close()
        copy.unlink()
        assert rows
    return statistics.median(samples)


def _row(what: str, took: float, base: float, baseline: str, digests: int, target_min=0.5):
    """A row for benchmarks/federal.py's table(): throughputs in digests per second, higher
    is better, so `target_min` bounds value / base (at least half the bare client's)."""
    return {
        "what": what,
        "value": digests / took,
        "baseline": f"{baseline}: {base:.3f} s",
        "base": digests / base,
        "target_min": target_min,
        "unit": "digests/s",
    }


def measure(open_tasks: int = 100_000, concurrency: int = 8, repeat: int = 3) -> list[dict]:
    """Rows in benchmarks/federal.py's shape: the dispatcher against a bare http.client
    posting the same digests with as many threads, for the example's people on a store of
    `open_tasks` and for 500 more people, on a sink that answers at once and on one that
    answers in LATENCY; Apprise alone and the store work alone (hand-written SQL) against
    the same client, to show the floor under the dispatcher's figure."""
    import apprise  # noqa: F401  (imported before timing, like http.client for the baseline)

    from roadmap.calendar import RegionCalendar

    RegionCalendar("Asia/Vladivostok").is_working_day(TODAY)  # the calendar, loaded once
    rows = []
    sink = Sink()
    bare_label = f"http.client, the same bodies, {concurrency} threads"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            scenarios = [
                ("region", open_tasks, 0, "the example's people", ""),
                ("people", open_tasks // 10, 500, "500 more people", ""),
                ("people", open_tasks // 10, 500, "500 more people", "/wait"),
            ]
            templates: dict[str, Path] = {}
            for name, tasks, extra, who, prefix in scenarios:
                if name not in templates:
                    templates[name] = swept_store(work, name, tasks, extra, sink)
                took, counts, received = time_dispatch(
                    templates[name], work, sink, concurrency, repeat, prefix
                )
                payloads = [(p, body) for p, body in received if "/hook/" in p]
                assert counts.digests == len(payloads), (counts, len(payloads))
                bare = time_bare_client(sink.port, payloads, concurrency, repeat)
                answer = (
                    f"a sink answering in {LATENCY * 1000:.0f} ms"
                    if prefix
                    else "a loopback sink answering at once"
                )
                scenario = (
                    f"{tasks:,} open tasks, {who}: {counts.sent:,} alerts in {len(payloads)}"
                    f" digests, {concurrency} threads, {answer}"
                )
                rows.append(_row(f"dispatch, {scenario}", took, bare, bare_label, len(payloads)))
                if prefix:
                    continue
                settings = delivery_settings_for(
                    f"sqlite:///{templates[name]}", work, sink.port, concurrency
                )
                alone = time_apprise_alone(settings, payloads, concurrency, repeat)
                rows.append(
                    _row(
                        f"Apprise alone (the product's Sender, no store), {scenario}",
                        alone,
                        bare,
                        bare_label,
                        len(payloads),
                        target_min=None,
                    )
                )
                floor = time_store_floor(templates[name], work, repeat)
                rows.append(
                    _row(
                        f"store work alone (hand-written SQL: claim UPDATE, one read, sent"
                        f" UPDATE, two commits; nothing sent), {scenario}",
                        floor,
                        bare,
                        bare_label,
                        len(payloads),
                        target_min=None,
                    )
                )
    finally:
        sink.close()
    return rows


def table(rows: list[dict]) -> str:
    """The rows as benchmarks/federal.py's table() prints them."""
    lines = [
        "| what | measured | baseline | baseline value | ratio | target | met |",
        "|---|---:|---|---:|---:|---|---|",
    ]
    for row in rows:
        ratio = row["value"] / row["base"]
        target, met = "(see note)", ""
        if row["target_min"] is not None:
            target = f"≥ {row['target_min']}×"
            met = "yes" if ratio >= row["target_min"] else "**no**"
        lines.append(
            f"| {row['what']} | {row['value']:.1f} {row['unit']} | {row['baseline']} |"
            f" {row['base']:.1f} | {ratio:.2f}× | {target} | {met} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    print(table(measure(size)))

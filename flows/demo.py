"""`make demo` (`roadmap demo`): the main job on a demo SQLite store of its own.

Loads the Primorye example, runs all eight stages through Prefect (a temporary local
server) with simulated emissaries' work, and prints what came of it. The store and the
Prefect home live under `.demo/` and are recreated on every run; the user's real store is
never touched.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from roadmap.settings import PROJECT_DIR, get_settings

EXAMPLE = PROJECT_DIR / "examples" / "primorye.yaml"


def run_demo(store: Path) -> None:
    from roadmap.cli import _console

    console = _console()
    started = time.perf_counter()
    store = store.resolve()
    home = store.parent / "prefect"
    for leftover in (store, store.with_name(store.name + "-journal")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(home, ignore_errors=True)
    store.parent.mkdir(parents=True, exist_ok=True)
    # The flows read the store from the environment: point it at the demo store only.
    os.environ["ROADMAP_DATABASE_URL"] = f"sqlite:///{store}"
    get_settings.cache_clear()
    settings = get_settings()

    from flows.runtime import configure_local_prefect

    configure_local_prefect(home)
    from roadmap import services

    console.rule("roadmap demo")
    console.print(f"1. Демонстрационное хранилище: {store}")
    services.init_store(settings)
    report = services.import_roadmap(settings, EXAMPLE)
    console.print(f"2. Загружен {EXAMPLE.relative_to(PROJECT_DIR)}: {report.summary()}")
    with console.status("3. Запуск Prefect (временный локальный сервер)…"):
        from flows.runtime import heartbeats_off
        from flows.stages import run_roadmap_flow

        _show_flow_progress(console)
    console.print("3. Этапы через Prefect:")
    with heartbeats_off():
        run_roadmap_flow()
    print_outcome(console, settings)
    console.print("4. Ежегодная актуализация 2027 через Prefect:")
    yearly_update(console, settings)
    console.print(f"Готово за {time.perf_counter() - started:.0f} с.")


CHANGES = PROJECT_DIR / "examples" / "changes-2027.yaml"


def yearly_update(console: Console, settings: Any) -> None:
    """Open the 2027 review (flow), take the working groups' proposals, accept all but the
    one that conflicts, close it as version 2 and print the diff."""
    from flows.review import annual_review_flow
    from flows.runtime import heartbeats_off
    from roadmap import review
    from roadmap.cli_review import print_diff

    with heartbeats_off():
        annual_review_flow(year=2027)
    proposed = review.propose_changes(settings, review.read_changes(CHANGES))
    console.print(
        f"   предложений: {len(proposed['created'])}; противоречий: {len(proposed['conflicts'])}"
    )
    rejected = {pair["proposals"][1] for pair in proposed["conflicts"]}
    accepted = [n for n in proposed["created"] if n not in rejected]
    review.decide(settings, accepted, True, by="coord")
    if rejected:
        review.decide(settings, sorted(rejected), False, by="coord")
    closed = review.close_review(settings)
    console.print(f"   версия {closed['version']}: применено изменений {closed['applied']}")
    print_diff(review.diff(settings, closed["version"] - 1, closed["version"]))


class _ProgressHandler(logging.Handler):
    """Prints the flows' progress lines (they log at INFO, which Prefect keeps quiet here)."""

    def __init__(self, console: Console):
        super().__init__(logging.INFO)
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        # Only our flows' lines, not Prefect's own "Beginning flow run …" ones.
        if record.levelno == logging.INFO and record.pathname.endswith("stages.py"):
            self.console.print(f"   {record.getMessage()}", soft_wrap=True)


def _show_flow_progress(console: Console) -> None:
    import flows.stages as stages

    logger = logging.getLogger(stages.PROGRESS_LOGGER)
    logger.setLevel(logging.INFO)
    logger.addHandler(_ProgressHandler(console))
    logger.propagate = False  # Prefect's own console lines stay at WARNING


def print_outcome(console: Console, settings: Any) -> None:
    from roadmap import services, workflow
    from roadmap.cli import print_summary

    overview = workflow.stage_overview(settings)
    table = Table(title="Этапы", title_justify="left")
    for header in ("№", "Этап", "Начат", "Срок", "Закрыт", "Итог", "Поручения"):
        table.add_column(header, no_wrap=header != "Этап")
    for row in overview:
        table.add_row(
            str(row["order"]),
            f"{row['title_ru']} ({row['key']})",
            row["started_on"] or "",
            row["due_on"] or "",
            row["closed_on"] or "",
            row["status"],
            f"{row['tasks_done']}/{row['tasks']}",
        )
    console.print(table)

    selection = workflow.latest_selection(settings)
    if selection:
        criteria = list(selection["weights"])
        table = Table(
            title=f"Отбор инициатив ({selection['cut']}; веса: "
            + ", ".join(f"{c} {w}" for c, w in selection["weights"].items())
            + ")",
            title_justify="left",
        )
        for header in ("№", "Код", "Инициатива", *criteria, "Итог", "Отобрана"):
            table.add_column(header, no_wrap=header != "Инициатива")
        for r in selection["results"]:
            table.add_row(
                str(r["rank"]),
                r["initiative"],
                r["title"],
                *[f"{r['scores'][c]:g}" for c in criteria],
                f"{r['total']:.2f}",
                "✔" if r["selected"] else "",
            )
        console.print(table)

    db = services.open_store(settings)
    try:
        with db.session() as session:
            region = services.resolve_region(session, None)
            tasks = services.list_tasks(session, region)
            by_agency: dict[str, Counter[str]] = defaultdict(Counter)
            for task in tasks:
                by_agency[task["agency"]][task["status"]] += 1
            statuses = sorted({task["status"] for task in tasks})
            table = Table(title="Поручения по органам", title_justify="left")
            table.add_column("Орган")
            for status in statuses:
                table.add_column(status, justify="right")
            for agency in sorted(by_agency):
                table.add_row(agency, *[str(by_agency[agency][s]) for s in statuses])
            console.print(table)
            print_summary(services.summary(session, region))
    finally:
        db.dispose()

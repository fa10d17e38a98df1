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
from typing import TYPE_CHECKING, Annotated, Any

import typer

from roadmap.cli.common import handles_user_errors
from roadmap.i18n import localized, t

if TYPE_CHECKING:
    from rich.console import Console

# Top-level commands of this module; the composition root (app.py) mounts them.
commands = typer.Typer()


@commands.command("demo")
@handles_user_errors
def demo_command(
    store: Annotated[
        Path, typer.Option("--store", help="Файл демонстрационного хранилища (пересоздаётся).")
    ] = Path(".demo/roadmap.db"),
) -> None:
    """Демонстрация на отдельном хранилище SQLite: пример Приморья, восемь этапов через Prefect."""
    run_demo(store)


# The project's directory (as roadmap.settings.PROJECT_DIR, without importing the settings
# machinery for `roadmap --help`).
PROJECT_DIR = Path(__file__).resolve().parent.parent.parent
EXAMPLE = PROJECT_DIR / "examples" / "primorye.yaml"


def run_demo(store: Path, *, start_on: str | None = None, review_now: str | None = None) -> None:
    """The demo on `store`; the first stage starts on `start_on` (default today) and the
    2027 review runs at `review_now` (ISO 8601, default now): fixed in tests."""
    from roadmap.cli.render import get_console

    console = get_console()
    started = time.perf_counter()
    store = store.resolve()
    home = store.parent / "prefect"
    for leftover in (store, store.with_name(store.name + "-journal")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(home, ignore_errors=True)
    store.parent.mkdir(parents=True, exist_ok=True)
    # The flows read the store from the environment: point it at the demo store only.
    os.environ["ROADMAP_DATABASE_URL"] = f"sqlite:///{store}"
    from roadmap.settings import get_settings

    get_settings.cache_clear()
    settings = get_settings()

    from flows.runtime import configure_local_prefect

    configure_local_prefect(home)
    from roadmap.plan.importer import import_roadmap
    from roadmap.store.unit_of_work import init_store

    console.rule("roadmap demo")
    console.print(f"1. Демонстрационное хранилище: {store}")
    init_store(settings)
    report = import_roadmap(settings, EXAMPLE)
    console.print(f"2. Загружен {EXAMPLE.relative_to(PROJECT_DIR)}: {report.summary()}")
    with console.status("3. Запуск Prefect (временный локальный сервер)…"):
        from flows.runtime import heartbeats_off
        from flows.stages import run_roadmap_flow

        _show_flow_progress(console)
    console.print("3. Этапы через Prefect:")
    with heartbeats_off():
        run_roadmap_flow(start_on=start_on)
    print_outcome(console, settings)
    console.print("4. Ежегодная актуализация 2027 через Prefect:")
    yearly_update(console, settings, now=review_now)
    console.print(f"Готово за {time.perf_counter() - started:.0f} с.")
    console.print(t("demo.where_to_look", home=_shown(home)), soft_wrap=True)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


CHANGES = PROJECT_DIR / "examples" / "changes-2027.yaml"


def yearly_update(console: Console, settings: Any, now: str | None = None) -> None:
    """Open the 2027 review (flow), take the working groups' proposals, accept all but the
    one that conflicts, close it as version 2 and print the diff; at `now` (default: now)."""
    from flows.review import demo_review_flow
    from flows.runtime import heartbeats_off
    from roadmap.cli.review import print_diff
    from roadmap.review.changes import read_changes
    from roadmap.review.cycle import close_review, decide, propose_changes
    from roadmap.review.snapshots import diff
    from roadmap.store.clock import read_now

    moment = read_now(settings, now, option="now")
    with heartbeats_off():
        demo_review_flow(year=2027, now=now)
    proposed = propose_changes(settings, read_changes(CHANGES), now=moment)
    console.print(
        f"   предложений: {len(proposed.created)}; противоречий: {len(proposed.conflicts)}"
    )
    rejected = {pair.proposals[1] for pair in proposed.conflicts}
    accepted = [n for n in proposed.created if n not in rejected]
    decide(settings, accepted, True, by="coord", now=moment)
    if rejected:
        decide(settings, sorted(rejected), False, by="coord", now=moment)
    closed = close_review(settings, now=moment)
    console.print(
        "   "
        + t("review.closed_into", year=closed.year, version=closed.version, applied=closed.applied)
    )
    console.print(
        "   "
        + t(
            "review.closed_tasks",
            accepted=closed.tasks_accepted,
            cancelled=closed.tasks_cancelled,
            cycle=closed.cycle,
        )
    )
    print_diff(diff(settings, closed.version - 1, closed.version))


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
    from roadmap.cli.plan import print_summary
    from roadmap.plan.queries import list_tasks, summary
    from roadmap.stages.analysis import latest_selection
    from roadmap.stages.runs import stage_overview
    from roadmap.store.unit_of_work import open_store, resolve_region

    console.print(_stages_table(stage_overview(settings)))
    selection = latest_selection(settings)
    if selection:
        console.print(_selection_table(selection))
    db = open_store(settings)
    try:
        with db.session() as session:
            region = resolve_region(session, None)
            console.print(_tasks_table(list_tasks(session, region)))
            print_summary(summary(session, region))
    finally:
        db.dispose()


def _table(title: str, headers: list[str], wrap: str | None = None) -> Any:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for header in headers:
        table.add_column(header, no_wrap=header != wrap)
    return table


def _stages_table(overview: list[Any]) -> Any:
    stage = t("demo.stage")
    headers = ["№", stage, t("demo.started"), t("demo.due"), t("demo.closed")]
    table = _table(t("demo.stages"), [*headers, t("demo.outcome"), t("demo.tasks")], stage)
    for row in overview:
        table.add_row(
            str(row.order),
            f"{localized(row.title_ru, row.title_en)} ({row.key})",
            str(row.started_on or ""),
            str(row.due_on or ""),
            str(row.closed_on or ""),
            row.status,
            f"{row.tasks_done}/{row.tasks}",
        )
    return table


def _selection_table(selection: Any) -> Any:
    criteria = list(selection.weights)
    weights = ", ".join(f"{c} {w}" for c, w in selection.weights.items())
    initiative = t("demo.initiative")
    headers = ["№", t("demo.code"), initiative, *criteria, t("demo.total"), t("demo.selected")]
    table = _table(t("demo.selection", cut=selection.cut, weights=weights), headers, initiative)
    for r in selection.results:
        table.add_row(
            str(r.rank),
            r.initiative,
            r.title,
            *[f"{r.scores[c]:g}" for c in criteria],
            f"{r.total:.2f}",
            "✔" if r.selected else "",
        )
    return table


def _tasks_table(tasks: list[Any]) -> Any:
    """Tasks per agency and status."""
    from rich.table import Table

    by_agency: dict[str, Counter[str]] = defaultdict(Counter)
    for task in tasks:
        by_agency[task.agency][task.status] += 1
    statuses = sorted({task.status for task in tasks})
    table = Table(title=t("demo.tasks_by_agency"), title_justify="left")
    table.add_column(t("demo.agency"))
    for status in statuses:
        table.add_column(status, justify="right")
    for agency in sorted(by_agency):
        table.add_row(agency, *[str(by_agency[agency][s]) for s in statuses])
    return table

"""`make demo`: the main job on a demo SQLite store of its own, recreated on every run."""

from __future__ import annotations

from pathlib import Path

from roadmap.settings import PROJECT_DIR, get_settings

EXAMPLE = PROJECT_DIR / "examples" / "primorye.yaml"


def run_demo(store: Path) -> None:
    from rich.console import Console

    from roadmap import services
    from roadmap.cli import print_agencies, print_summary

    console = Console(highlight=False)
    store = store.resolve()
    for leftover in (store, store.with_name(store.name + "-journal")):
        leftover.unlink(missing_ok=True)
    # The demo never touches the user's real store: it gets its own URL.
    settings = get_settings().model_copy(update={"database_url": f"sqlite:///{store}"})
    console.rule("roadmap demo")
    console.print(f"1. Хранилище: {store}")
    services.init_store(settings)
    console.print(f"2. Загрузка {EXAMPLE.relative_to(PROJECT_DIR)}")
    report = services.import_roadmap(settings, EXAMPLE)
    console.print(f"   {report.summary()}")
    console.print("3. Сводка дорожной карты")
    db = services.open_store(settings)
    try:
        with db.session() as session:
            region = services.resolve_region(session, None)
            print_summary(services.summary(session, region))
            print_agencies(services.list_agencies(session, region))
    finally:
        db.dispose()

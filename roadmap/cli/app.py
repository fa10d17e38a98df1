"""The `roadmap` command's composition root: the main Typer app, the global options, and the
one place where every sub-command module is mounted.

Exit codes: 0 done, 2 bad input (one clear message, nothing written), 3 a stage gate refused
to close, 1 our own failure. Sub-command modules import nothing heavy at import time, so
`roadmap --help` loads neither SQLAlchemy nor Prefect.
"""

from __future__ import annotations

from typing import Annotated

import typer

# report_rating is imported for its commands: `report progress` and `report rating`.
from roadmap.cli import alerts, demo, plan, report_rating, reports, review, stages  # noqa: F401
from roadmap.cli import calendar as calendar_feed
from roadmap.cli import indicators as indicator_commands
from roadmap.cli import sessions as session_commands  # and `report sessions|services`
from roadmap.cli import web as web_commands  # `roadmap web`, `roadmap person token`
from roadmap.cli.render import escape, get_console
from roadmap.i18n import set_locale

app = typer.Typer(
    help="Дорожная карта цифровой трансформации региона / a region's digital-transformation roadmap.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def _root(
    lang: Annotated[
        str | None, typer.Option("--lang", help="Язык сообщений: ru или en (ROADMAP_LOCALE).")
    ] = None,
) -> None:
    if lang is not None:
        if lang not in ("ru", "en"):
            get_console(stderr=True).print(
                f"[red]--lang: '{escape(lang)}' — допустимо: ru, en.[/red]"
            )
            raise typer.Exit(2)
        set_locale(lang)


for module in (plan, stages, alerts, review, demo, calendar_feed, web_commands):
    app.add_typer(module.commands)
for group, name in (
    (plan.regions_app, "regions"),
    (plan.agencies_app, "agencies"),
    (plan.initiatives_app, "initiatives"),
    (plan.tasks_app, "tasks"),
    (plan.task_app, "task"),
    (stages.stage_app, "stage"),
    (stages.initiative_app, "initiative"),
    (stages.hypothesis_app, "hypothesis"),
    (stages.interview_app, "interview"),
    (stages.analysis_app, "analysis"),
    (stages.architecture_app, "architecture"),
    (alerts.alerts_app, "alerts"),
    (review.review_app, "review"),
    (reports.report_app, "report"),
    (indicator_commands.indicator_app, "indicator"),
    (session_commands.session_app, "session"),
    (web_commands.person_app, "person"),
):
    app.add_typer(group, name=name)
plan.task_app.add_typer(alerts.task_commands)  # `roadmap task ack` beside `task submit`


def main() -> None:
    import sys

    from roadmap.cli.quick import run

    if not run(sys.argv[1:]):  # the most used lists start without Typer's parsing
        app()

"""`roadmap calendar PERSON`: the person's due dates as an iCalendar file (.ics) on stdout or
in a file (roadmap.reports.calendar_feed)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from roadmap.cli.common import (
    NowOpt,
    RegionOpt,
    current_settings,
    handles_user_errors,
    read_in_region,
    read_now_option,
)
from roadmap.cli.render import escape, get_console
from roadmap.i18n import t

# Top-level commands of this module; the composition root (app.py) mounts them.
commands = typer.Typer()


@commands.command("calendar")
@handles_user_errors
def calendar_command(
    person: Annotated[
        str, typer.Argument(help="Код человека: эмиссара, ответственного лица, координатора.")
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Записать календарь в файл .ics (иначе — в stdout).", dir_okay=False
        ),
    ] = None,
    include_submitted: Annotated[
        bool, typer.Option("--all", help="Также сданные поручения, ждущие приёмки.")
    ] = False,
    region: RegionOpt = None,
    now: NowOpt = None,
) -> None:
    """Календарь сроков человека (iCalendar): событие на весь день в срок каждого поручения."""
    from roadmap.config import load_stage_config
    from roadmap.reports.calendar_feed import StageTitles, calendar_feed
    from roadmap.reports.output import _save, check_output_path

    if out is not None:
        check_output_path("--out", out)
    titles = StageTitles.from_config(load_stage_config(current_settings()).stage)
    moment = read_now_option(now, region)
    feed = read_in_region(
        region,
        lambda session, r: calendar_feed(
            session, r, person, now=moment, include_submitted=include_submitted, titles=titles
        ),
    )
    data = feed.to_ical()
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    _save(out, lambda target: Path(target).write_bytes(data))
    get_console(stderr=True).print(
        t("calendar.written", path=escape(str(out)), count=len(feed.events))
    )

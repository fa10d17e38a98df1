"""`roadmap report …`: every report in one of its formats. Thin: read the options, compute
the report (roadmap.reports), write it (roadmap.reports.output).

Every report takes the same output options: a table on the terminal by default, `--json`
or `--csv` on stdout, and `--xlsx PATH` / `--html PATH` files (with or without the others).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from roadmap.cli.common import (
    JsonOpt,
    NowOpt,
    RegionOpt,
    handles_user_errors,
    read_in_region,
    read_now_option,
)
from roadmap.cli.render import escape, get_console
from roadmap.errors import UserError
from roadmap.i18n import t

report_app = typer.Typer(
    help="Отчёты проектного офиса / the project office's reports.", no_args_is_help=True
)

CsvOpt = Annotated[
    bool, typer.Option("--csv", help="CSV для Excel (UTF-8 с BOM, разделитель «;»).")
]
XlsxOpt = Annotated[
    Path | None, typer.Option("--xlsx", help="Записать книгу Excel в файл.", dir_okay=False)
]
HtmlOpt = Annotated[
    Path | None,
    typer.Option("--html", help="Записать страницу HTML с графиками в файл.", dir_okay=False),
]
YearOpt = Annotated[int | None, typer.Option("--year", help="Год отчёта.")]


def checked_year(value: int | None, option: str = "--year") -> int | None:
    if value is not None and not 2000 <= value <= 2100:
        raise UserError(t("report.bad_year", option=option, value=value))
    return value


def emit_report(
    compute: Callable[[Any, Any, Any], Any],
    *,
    region: str | None,
    now: str | None,
    as_json: bool,
    as_csv: bool,
    xlsx: Path | None,
    html: Path | None,
) -> None:
    """Check the outputs, compute the report in one read of the region (`compute(session,
    region, moment)`), then write it where asked. Files are written whole or not at all."""
    from roadmap.reports import output

    if as_json and as_csv:
        raise UserError(t("report.one_format"))
    if xlsx is not None:
        output.check_output_path("--xlsx", xlsx)
    if html is not None:
        output.check_output_path("--html", html)
    moment = read_now_option(now, region)
    report = read_in_region(region, lambda session, r: compute(session, r, moment))
    if xlsx is not None:
        output.write_xlsx(report, xlsx)
    if html is not None:
        output.write_html(report, html)
    if as_json:
        output.write_json(report, sys.stdout)
    elif as_csv:
        sys.stdout.reconfigure(encoding="utf-8", newline="")
        output.write_csv(report, sys.stdout)
    elif xlsx is None and html is None:
        output.print_report(report, get_console())
    if (xlsx or html) and not (as_json or as_csv):
        console = get_console(stderr=True)
        for path in (xlsx, html):
            if path is not None:
                console.print(t("report.written", path=escape(str(path))))


@report_app.command("budget")
@handles_user_errors
def budget_command(
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="Группировка через запятую: sector, source, year, agency, initiative (по умолчанию sector).",
        ),
    ] = None,
    year: YearOpt = None,
    region: RegionOpt = None,
    now: NowOpt = None,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    xlsx: XlsxOpt = None,
    html: HtmlOpt = None,
) -> None:
    """Бюджет: план, факт и исполнение по отраслям, источникам, годам, органам, инициативам."""
    from roadmap.reports.budget import budget_report, parse_grouping

    grouping = parse_grouping(by)
    year = checked_year(year)
    emit_report(
        lambda session, r, moment: budget_report(
            session, r, grouping=grouping, year=year, now=moment, charts=html is not None
        ),
        region=region,
        now=now,
        as_json=as_json,
        as_csv=as_csv,
        xlsx=xlsx,
        html=html,
    )

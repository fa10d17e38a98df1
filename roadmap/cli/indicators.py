"""Indicator commands: `roadmap indicator record` (one value, or many from a CSV file) and
`roadmap report indicators` (registered on the report group)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from roadmap.cli.common import (
    JsonOpt,
    NowOpt,
    RegionOpt,
    current_settings,
    handles_user_errors,
    read_now_option,
)
from roadmap.cli.render import escape, get_console, print_json
from roadmap.cli.reports import (
    CsvOpt,
    HtmlOpt,
    XlsxOpt,
    YearOpt,
    checked_year,
    emit_report,
    report_app,
)
from roadmap.errors import UserError
from roadmap.i18n import t

indicator_app = typer.Typer(help="Показатели / indicators.", no_args_is_help=True)


@indicator_app.command("record")
@handles_user_errors
def record_command(
    code: Annotated[str | None, typer.Argument(help="Код показателя, например SRV-ONLINE.")] = None,
    period: Annotated[
        str | None, typer.Argument(help="Период: год (2026) или квартал (2026-Q1).")
    ] = None,
    value: Annotated[str | None, typer.Argument(help="Фактическое значение: 64 или 64,5.")] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="Много значений сразу: CSV со столбцами code;period;value."),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Кто записывает (код или имя); по умолчанию ROADMAP_USER."),
    ] = None,
    region: RegionOpt = None,
    now: NowOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Записать фактическое значение показателя за период; закрывает поручение отчитаться."""
    from roadmap.plan.indicator_records import (
        RecordLine,
        number_text,
        read_record_file,
        record_indicator_values,
    )

    given = [part for part in (code, period, value) if part is not None]
    if (file is None) == (not given) or (file is None and len(given) != 3):
        raise UserError(t("indicator.args_or_file"))
    problems: list[str] = []
    if file is not None:
        lines, problems = read_record_file(file)
    else:
        lines = [RecordLine(code, period, value)]  # type: ignore[arg-type]
    results = record_indicator_values(
        current_settings(),
        lines,
        problems=problems,
        by=by,
        region_code=region,
        now=read_now_option(now, region),
    )
    if as_json:
        print_json(results)
        return
    console = get_console()
    for result in results:
        console.print(
            escape(
                t(
                    "indicator.recorded",
                    code=result.code,
                    period=result.period,
                    value=number_text(result.value),
                    year=result.year,
                    actual=number_text(result.year_actual),
                )
            )
        )
        if result.task is not None:
            console.print(
                escape(
                    t(
                        "indicator.task_closed",
                        task=result.task,
                        status=t(f"status.{result.task_status}"),
                    )
                )
            )


@report_app.command("indicators")
@handles_user_errors
def indicators_command(
    year: YearOpt = None,
    region: RegionOpt = None,
    now: NowOpt = None,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    xlsx: XlsxOpt = None,
    html: HtmlOpt = None,
) -> None:
    """Показатели: цель, факт, прогресс от базы к цели и статус по годам."""
    from roadmap.reports.indicators import indicators_report

    year = checked_year(year)
    emit_report(
        lambda session, r, moment: indicators_report(session, r, year=year, now=moment),
        region=region,
        now=now,
        as_json=as_json,
        as_csv=as_csv,
        xlsx=xlsx,
        html=html,
    )

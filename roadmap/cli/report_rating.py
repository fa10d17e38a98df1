"""`roadmap report progress` and `roadmap report rating`: how each organisation's tasks
stand, and the organisations ranked by the pace of their digital development. Thin: read
the options, compute the report (roadmap.reports.progress / .rating), write it."""

from __future__ import annotations

from typing import Annotated

import typer

from roadmap.cli.common import (
    JsonOpt,
    NowOpt,
    RegionOpt,
    current_settings,
    handles_user_errors,
)
from roadmap.cli.reports import (
    CsvOpt,
    HtmlOpt,
    XlsxOpt,
    YearOpt,
    checked_year,
    emit_report,
    report_app,
)

KindOpt = Annotated[
    str | None,
    typer.Option(
        "--kind",
        help="Только органы исполнительной власти (body) или только муниципалитеты (municipality).",
    ),
]


@report_app.command("progress")
@handles_user_errors
def progress_command(
    year: Annotated[
        int | None, typer.Option("--year", help="Поручения со сроком в этом году.")
    ] = None,
    kind: KindOpt = None,
    region: RegionOpt = None,
    now: NowOpt = None,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    xlsx: XlsxOpt = None,
    html: HtmlOpt = None,
) -> None:
    """Ход поручений: по этапам и органам — открыто, сдано, принято, возвращено, просрочено."""
    from roadmap.reports.organisations import parse_kind
    from roadmap.reports.progress import progress_report

    year = checked_year(year)
    kind_value = parse_kind(kind)
    settings = current_settings()
    emit_report(
        lambda session, r, moment: progress_report(
            session, r, year=year, kind=kind_value, now=moment, settings=settings
        ),
        region=region,
        now=now,
        as_json=as_json,
        as_csv=as_csv,
        xlsx=xlsx,
        html=html,
    )


@report_app.command("rating")
@handles_user_errors
def rating_command(
    year: YearOpt = None,
    kind: KindOpt = None,
    previous_year: Annotated[
        int | None,
        typer.Option("--previous-year", help="С каким годом сравнить (по умолчанию предыдущий)."),
    ] = None,
    region: RegionOpt = None,
    now: NowOpt = None,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    xlsx: XlsxOpt = None,
    html: HtmlOpt = None,
) -> None:
    """Рейтинг органов и муниципалитетов по темпам цифрового развития (веса в config/rating.toml)."""
    from roadmap.reports.organisations import parse_kind
    from roadmap.reports.rating import rating_report
    from roadmap.reports.rating_config import load_rating_config

    year = checked_year(year)
    previous_year = checked_year(previous_year, "--previous-year")
    kind_value = parse_kind(kind)
    config = load_rating_config(current_settings())
    emit_report(
        lambda session, r, moment: rating_report(
            session,
            r,
            config=config,
            year=year,
            previous_year=previous_year,
            kind=kind_value,
            now=moment,
        ),
        region=region,
        now=now,
        as_json=as_json,
        as_csv=as_csv,
        xlsx=xlsx,
        html=html,
    )

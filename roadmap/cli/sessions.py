"""`roadmap session …` (strategy sessions and the ideas proposed at them) and the reports
`roadmap report sessions` and `roadmap report services`. Thin: read the options, call the
use case (roadmap.stages.sessions) or compute the report (roadmap.reports)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from roadmap.cli.common import (
    JsonOpt,
    NowOpt,
    RegionOpt,
    checked_choice,
    current_settings,
    handles_user_errors,
    options_error,
    signal_stage_runs,
)
from roadmap.cli.render import get_console, print_json
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
from roadmap.store.enums import SessionKind

session_app = typer.Typer(
    help="Стратегические сессии и предложения участников / strategy sessions and their proposals.",
    no_args_is_help=True,
)

KindOpt = Annotated[
    str | None, typer.Option("--kind", help="sectoral (отраслевая) или territorial (с МО).")
]


@session_app.command("add")
@handles_user_errors
def session_add(
    code: Annotated[str, typer.Argument(help="Код сессии, например SS-HEALTH-2026.")],
    title: Annotated[str | None, typer.Option("--title", help="Название сессии.")] = None,
    kind: KindOpt = None,
    held_on: Annotated[
        str | None, typer.Option("--date", help="Дата проведения, ГГГГ-ММ-ДД.")
    ] = None,
    sector: Annotated[
        str | None, typer.Option("--sector", help="Отрасль (для отраслевой сессии).")
    ] = None,
    municipality: Annotated[
        str | None,
        typer.Option("--municipality", help="Код МО (для территориальной сессии)."),
    ] = None,
    participants: Annotated[
        str | None, typer.Option("--participants", help="Число участников.")
    ] = None,
    region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Добавить стратегическую сессию: отраслевую (--sector) или территориальную (--municipality)."""
    from pydantic import ValidationError

    from roadmap.roadmap_file.schema import SessionFields
    from roadmap.stages.sessions import add_session

    checked_choice("--kind", kind, SessionKind)
    values: dict[str, Any] = {
        "code": code,
        "title": title,
        "kind": kind,
        "held_on": held_on,
        "sector": sector,
        "municipality": municipality,
        "participants": participants,
    }
    if held_on is not None:
        from roadmap.calendar import parse_day

        values["held_on"] = parse_day(held_on, "--date")
    try:
        fields = SessionFields.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        error = options_error(exc, values, names={"held_on": "date"})
        raise UserError(str(error).replace("--code:", "CODE:")) from None  # the argument
    row = add_session(current_settings(), fields, region_code=region)
    if as_json:
        print_json(row)
        return
    get_console().print(t("session.added", code=row.code, kind=t(f"session.kind.{row.kind}")))


@session_app.command("list")
@handles_user_errors
def session_list(region: RegionOpt = None, as_json: JsonOpt = False) -> None:
    """Стратегические сессии стратегии: вид, отрасль или МО, дата, участники, предложения."""
    from roadmap.stages.sessions import list_sessions

    rows = list_sessions(current_settings(), region_code=region)
    if as_json:
        print_json(rows)
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(title=t("session.list.title", count=len(rows)), title_justify="left")
    for key in ("code", "title", "kind", "place", "date", "participants", "proposals"):
        numeric = key in ("participants", "proposals")
        table.add_column(
            t(f"session.col.{key}"),
            justify="right" if numeric else "left",
            no_wrap=key != "title",
        )
    for row in rows:
        table.add_row(
            *(
                Text(str(value))
                for value in (
                    row.code,
                    row.title,
                    t(f"session.kind.{row.kind}"),
                    row.sector or row.municipality or "",
                    row.held_on.isoformat(),
                    row.participants,
                    f"{row.proposals} ({row.initiatives})",
                )
            )
        )
    console = get_console()
    console.print(table)
    if not rows:
        console.print(t("report.no_rows"))
    else:
        console.print(t("session.list.note"))


@session_app.command("propose")
@handles_user_errors
def session_propose(
    session: Annotated[str, typer.Argument(help="Код сессии.")],
    title: Annotated[str | None, typer.Option("--title", help="Суть предложения.")] = None,
    author: Annotated[str | None, typer.Option("--author", help="Кто предложил.")] = None,
    code: Annotated[
        str | None, typer.Option("--code", help="Код предложения (по умолчанию P1, P2, …).")
    ] = None,
    initiative: Annotated[
        str | None,
        typer.Option("--initiative", help="Инициатива, которой стало предложение."),
    ] = None,
    sector: Annotated[
        str | None, typer.Option("--sector", help="Отрасль новой инициативы.")
    ] = None,
    agency: Annotated[str | None, typer.Option("--agency", help="Орган новой инициативы.")] = None,
    problem: Annotated[
        str | None, typer.Option("--problem", help="Проблема, которую решает новая инициатива.")
    ] = None,
    effect: Annotated[
        str | None, typer.Option("--effect", help="Ожидаемый эффект новой инициативы.")
    ] = None,
    region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Записать предложение участника сессии; с --initiative — связать с инициативой, с
    --sector/--agency/--problem/--effect — предложить новую инициативу (этап «Инициативы»)."""
    from pydantic import ValidationError

    from roadmap.roadmap_file.schema import SessionProposalIn
    from roadmap.stages.proposals import ProposalIn
    from roadmap.stages.sessions import propose_at_session

    # Without --code the session's next code is given; the placeholder only lets the
    # other options be checked by the file format's own rules.
    values = {"code": code or "P1", "title": title, "author": author, "initiative": initiative}
    try:
        proposal = SessionProposalIn.model_validate(
            {k: v for k, v in values.items() if v is not None}
        )
    except ValidationError as exc:
        raise options_error(exc, values) from None
    new = {"sector": sector, "agency": agency, "problem": problem, "expected_effect": effect}
    new_initiative = None
    if any(v is not None for v in new.values()):
        if initiative is not None:
            raise UserError(t("session.initiative_or_new"))
        single = {"title": title, **new}
        try:
            new_initiative = ProposalIn.model_validate(
                {k: v for k, v in single.items() if v is not None}
            )
        except ValidationError as exc:
            raise options_error(exc, single, names={"expected_effect": "effect"}) from None
    result = propose_at_session(
        current_settings(),
        session,
        title=proposal.title,
        author=proposal.author,
        code=proposal.code if code is not None else None,
        initiative=proposal.initiative,
        new_initiative=new_initiative,
        region_code=region,
    )
    if new_initiative is not None:
        signal_stage_runs("stage.input", region=region)
    if as_json:
        print_json(result)
        return
    key = (
        "session.proposed_new"
        if result.created
        else "session.proposed_linked"
        if result.initiative
        else "session.proposed"
    )
    get_console().print(
        t(key, code=result.code, session=result.session, initiative=result.initiative)
    )


# --- reports --------------------------------------------------------------------------------


@report_app.command("sessions")
@handles_user_errors
def sessions_report_command(
    year: YearOpt = None,
    kind: KindOpt = None,
    region: RegionOpt = None,
    now: NowOpt = None,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    xlsx: XlsxOpt = None,
    html: HtmlOpt = None,
) -> None:
    """Стратегические сессии: предложения, ставшие инициативами, и отобранные из них."""
    from roadmap.reports.sessions import sessions_report

    year = checked_year(year)
    checked_choice("--kind", kind, SessionKind)
    emit_report(
        lambda session, r, moment: sessions_report(session, r, year=year, kind=kind, now=moment),
        region=region,
        now=now,
        as_json=as_json,
        as_csv=as_csv,
        xlsx=xlsx,
        html=html,
    )


@report_app.command("services")
@handles_user_errors
def services_report_command(
    year: Annotated[
        int | None,
        typer.Option(
            "--year", help="Год цели перевода в электронный вид (по умолчанию — конец стратегии)."
        ),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option("--target", help="Целевая доля услуг онлайн, 0–1 (по умолчанию 0.95)."),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="Группировка: agency (по умолчанию), sector или обе через запятую, в заданном порядке.",
        ),
    ] = None,
    region: RegionOpt = None,
    now: NowOpt = None,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    xlsx: XlsxOpt = None,
    html: HtmlOpt = None,
) -> None:
    """Госуслуги: онлайн сейчас и к году Y по органам, МО и отраслям; кандидаты для ИИ."""
    from roadmap.reports.services import parse_grouping, parse_target, services_report

    year = checked_year(year)
    share = parse_target(target)
    grouping = parse_grouping(by)
    emit_report(
        lambda session, r, moment: services_report(
            session, r, year=year, target=share, grouping=grouping, now=moment
        ),
        region=region,
        now=now,
        as_json=as_json,
        as_csv=as_csv,
        xlsx=xlsx,
        html=html,
    )

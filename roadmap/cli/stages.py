"""Coordinator and emissary commands for the stages: `roadmap stage …`, `initiative …`,
`hypothesis …`, `interview …`, `analysis …`, `architecture …`.

Each command with many possible rows also takes `--file` (YAML list or CSV), so nobody
types hundreds of lines. Heavy imports stay inside the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from roadmap.cli.common import (
    JsonOpt,
    NowOpt,
    RegionOpt,
    current_settings,
    handles_user_errors,
    options_error,
    read_now_option,
    signal_stage_runs,
)
from roadmap.cli.render import escape, get_console, jsonable, print_json, print_table
from roadmap.errors import UserError
from roadmap.i18n import localized, t

# Top-level commands of this module; the composition root (app.py) mounts them.
commands = typer.Typer()
stage_app = typer.Typer(help="Этапы дорожной карты / roadmap stages.", no_args_is_help=True)
initiative_app = typer.Typer(help="Одна инициатива / one initiative.", no_args_is_help=True)
hypothesis_app = typer.Typer(help="Гипотезы инициатив / hypotheses.", no_args_is_help=True)
interview_app = typer.Typer(help="Интервью с жителями / interviews.", no_args_is_help=True)
analysis_app = typer.Typer(help="Анализ и отбор инициатив / analysis.", no_args_is_help=True)
architecture_app = typer.Typer(
    help="Оценка архитектуры и инфраструктуры / architecture review.", no_args_is_help=True
)

FileOpt = Annotated[
    Path | None, typer.Option("--file", help="Много записей сразу: YAML-список или CSV.")
]


def _records(path: Path | None, model: type, list_name: str, single: dict[str, Any] | None):
    """Records from --file, or the one record given by options."""
    from roadmap.roadmap_file.readers import read_records

    if path is not None:
        return read_records(path, model, list_name)
    if single is None:
        raise UserError(t("records.none"))
    from pydantic import ValidationError

    try:
        return [model.model_validate({k: v for k, v in single.items() if v is not None})]
    except ValidationError as exc:
        raise options_error(exc, single, names=_OPTION_NAMES) from None


# Record fields whose command-line option has another name.
_OPTION_NAMES = {"expected_effect": "effect", "held_on": "on", "respondent_group": "group"}


def _day(value: str | None, option: str):
    if value is None:
        return None
    from roadmap.calendar import parse_day

    return parse_day(value, option)


# --- stage ----------------------------------------------------------------------------------


def _title(row: Any) -> str:
    return localized(row.title_ru, row.title_en)


@stage_app.command("list")
@handles_user_errors
def stage_list(region: RegionOpt = None, as_json: JsonOpt = False) -> None:
    """Этапы текущего цикла по порядку: статус, даты начала, срока и закрытия, сдано."""
    from roadmap.stages.runs import stage_overview

    rows = stage_overview(current_settings(), region_code=region)
    if as_json:
        print_json(rows)
        return
    _print_stage_rows(rows, with_cycle=False)


@stage_app.command("history")
@handles_user_errors
def stage_history_command(region: RegionOpt = None, as_json: JsonOpt = False) -> None:
    """Все запуски этапов всех циклов (каждая ежегодная актуализация начинает новый цикл)."""
    from roadmap.stages.runs import stage_history

    rows = stage_history(current_settings(), region_code=region)
    if as_json:
        print_json(rows)
        return
    _print_stage_rows(rows, with_cycle=True)


def _print_stage_rows(rows: list[Any], *, with_cycle: bool) -> None:
    columns = [
        ("order", "№"),
        ("key", "Ключ"),
        ("name", "Этап"),
        ("duration_days", "Раб. дней"),
        ("status", "Статус"),
        ("started_on", "Начат"),
        ("due_on", "Срок"),
        ("closed_on", "Закрыт"),
        ("progress", "Сдано"),
    ]
    if with_cycle:
        columns.insert(0, ("cycle", "Цикл"))
    print_table(
        [
            jsonable(row)
            | {
                "name": _title(row),
                "progress": f"{row.tasks_done}/{row.tasks}" if row.tasks else "",
            }
            for row in rows
        ],
        columns,
    )


@stage_app.command("start")
@handles_user_errors
def stage_start(
    key: Annotated[str, typer.Argument(help="Ключ этапа, например initiatives.")],
    on: Annotated[
        str | None, typer.Option("--on", help="Дата начала ГГГГ-ММ-ДД (по умолчанию сегодня).")
    ] = None,
    now: NowOpt = None,
    region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Начать этап: поручения эмиссарам всех органов со сроком в рабочих днях."""
    from roadmap.stages.runs import start_stage

    result = start_stage(
        current_settings(),
        key,
        on=_day(on, "--on"),
        region_code=region,
        now=read_now_option(now, region),
    )
    if as_json:
        print_json(result)
        return
    get_console().print(
        t(
            "stage.started",
            key=key,
            status=result.status,
            started=result.started_on,
            due=result.due_on,
            created=result.tasks_created,
            total=result.tasks,
        )
    )


@stage_app.command("close")
@handles_user_errors
def stage_close(
    key: Annotated[str, typer.Argument(help="Ключ этапа.")],
    now: NowOpt = None,
    region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Закрыть этап, если выполнены условия перехода; иначе показать, чего не хватает."""
    from roadmap.stages.runs import close_stage

    result = close_stage(
        current_settings(), key, region_code=region, now=read_now_option(now, region)
    )
    if not result.missing:
        signal_stage_runs("stage.close", region=region, stage=key)
    if as_json:
        print_json(result)
    elif result.missing:
        console = get_console()
        console.print(t("stage.gate_failed", key=key, count=len(result.missing)))
        for item in result.missing:
            console.print(f"  • {escape(item)}", soft_wrap=True)
    else:
        get_console().print(t("stage.closed", key=key))
    if result.missing:
        raise typer.Exit(3)


@stage_app.command("status")
@handles_user_errors
def stage_status(
    key: Annotated[str | None, typer.Argument(help="Ключ этапа; без него — все этапы.")] = None,
    region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Состояние этапов или одного этапа с поручениями по органам."""
    from roadmap.stages.runs import stage_detail

    if key is None:
        stage_list(region=region, as_json=as_json)
        return
    detail = stage_detail(current_settings(), key, region_code=region)
    if as_json:
        print_json(detail)
        return
    console = get_console()
    console.print(
        f"[bold]{detail.order}. {escape(_title(detail))}[/bold] ({detail.key}): "
        f"{detail.status}, {detail.started_on or '—'} → {detail.due_on or '—'}"
    )
    for item in detail.missing:
        console.print(f"  • {escape(item)}", soft_wrap=True)
    print_table(
        [jsonable(task) for task in detail.tasks_by_agency],
        [
            ("agency", "Орган"),
            ("code", "Код"),
            ("assignee", "Эмиссар"),
            ("due", "Срок"),
            ("status", "Статус"),
        ],
        title_key="tasks",
    )


# --- initiatives stage --------------------------------------------------------------------------


@initiative_app.command("propose")
@handles_user_errors
def initiative_propose(
    title: Annotated[str | None, typer.Option("--title", help="Название инициативы.")] = None,
    sector: Annotated[str | None, typer.Option("--sector", help="Код отрасли.")] = None,
    agency: Annotated[str | None, typer.Option("--agency", help="Код органа.")] = None,
    problem: Annotated[str | None, typer.Option("--problem", help="Какую проблему решает.")] = None,
    effect: Annotated[str | None, typer.Option("--effect", help="Ожидаемый эффект.")] = None,
    code: Annotated[str | None, typer.Option("--code", help="Код (по умолчанию P-NNN).")] = None,
    file: FileOpt = None,
    region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Предложить инициативу (эмиссар): входит в стратегию как proposed."""
    from roadmap.stages.proposals import ProposalIn, propose_initiatives

    single = None
    if file is None:
        single = {
            "code": code,
            "title": title,
            "sector": sector,
            "agency": agency,
            "problem": problem,
            "expected_effect": effect,
        }
    items = _records(file, ProposalIn, "proposals", single)
    result = propose_initiatives(current_settings(), items, region_code=region)
    signal_stage_runs("stage.input", region=region)
    if as_json:
        print_json(result)
        return
    get_console().print(
        t("records.saved", created=result.created, updated=result.updated)
        + " "
        + ", ".join(result.codes)
    )


@initiative_app.command("drop")
@handles_user_errors
def initiative_drop(
    code: Annotated[str, typer.Argument(help="Код инициативы.")],
    region: RegionOpt = None,
) -> None:
    """Исключить инициативу (например, гипотеза не подтвердилась)."""
    from roadmap.stages.proposals import drop_initiative

    result = drop_initiative(current_settings(), code, region_code=region)
    signal_stage_runs("stage.input", region=region)
    get_console().print(f"{result.code}: {result.status}")


# --- interviews stage ----------------------------------------------------------------------------


@hypothesis_app.command("add")
@handles_user_errors
def hypothesis_add(
    initiative: Annotated[str | None, typer.Argument(help="Код инициативы (без --file).")] = None,
    code: Annotated[
        str | None, typer.Option("--code", help="Код гипотезы, например HYP-1.")
    ] = None,
    statement: Annotated[
        str | None, typer.Option("--statement", help="Формулировка гипотезы.")
    ] = None,
    file: FileOpt = None,
    region: RegionOpt = None,
) -> None:
    """Добавить гипотезу к инициативе."""
    from roadmap.stages.interviews import HypothesisIn, add_hypotheses

    single = None
    if file is None:
        single = {"initiative": initiative, "code": code, "statement": statement}
    result = add_hypotheses(
        current_settings(), _records(file, HypothesisIn, "hypotheses", single), region_code=region
    )
    signal_stage_runs("stage.input", region=region)
    get_console().print(t("records.saved", created=result.created, updated=result.updated))


@hypothesis_app.command("list")
@handles_user_errors
def hypothesis_list(region: RegionOpt = None, as_json: JsonOpt = False) -> None:
    """Гипотезы с числом интервью, долей поддержки и решением."""
    from roadmap.stages.interviews import hypotheses_list

    rows = hypotheses_list(current_settings(), region_code=region)
    if as_json:
        print_json(rows)
        return
    print_table(
        [
            jsonable(row) | {"support": f"{row.supporting}/{row.interviews}", "name": row.statement}
            for row in rows
        ],
        [
            ("initiative", "Инициатива"),
            ("code", "Код"),
            ("name", "Гипотеза"),
            ("support", "За/всего"),
            ("status", "Решение"),
        ],
    )


@interview_app.command("add")
@handles_user_errors
def interview_add(
    initiative: Annotated[str | None, typer.Argument(help="Код инициативы (без --file).")] = None,
    hypothesis: Annotated[str | None, typer.Option("--hypothesis", help="Код гипотезы.")] = None,
    respondent: Annotated[
        str | None, typer.Option("--respondent", help="Обезличенный код респондента.")
    ] = None,
    on: Annotated[str | None, typer.Option("--on", help="Дата интервью ГГГГ-ММ-ДД.")] = None,
    group: Annotated[
        str | None, typer.Option("--group", help="Группа респондентов (пенсионеры, …).")
    ] = None,
    supports: Annotated[
        bool | None,
        typer.Option("--supports/--opposes", help="Поддерживает ли респондент гипотезу."),
    ] = None,
    notes: Annotated[str | None, typer.Option("--notes", help="Заметки.")] = None,
    file: FileOpt = None,
    region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Записать интервью; гипотеза решается правилом из config/stages.toml."""
    from roadmap.stages.interviews import InterviewIn, add_interviews

    single = None
    if file is None:
        single = {
            "initiative": initiative,
            "hypothesis": hypothesis,
            "respondent": respondent,
            "held_on": on,
            "respondent_group": group,
            "supports": supports,
            "notes": notes,
        }
    result = add_interviews(
        current_settings(), _records(file, InterviewIn, "interviews", single), region_code=region
    )
    signal_stage_runs("stage.input", region=region)
    if as_json:
        print_json(result)
        return
    console = get_console()
    console.print(t("records.saved", created=result.created, updated=result.updated))
    for key, verdict in sorted(result.verdicts.items()):
        console.print(f"  {key}: {verdict}")


# --- analysis stage ---------------------------------------------------------------------------


@analysis_app.command("score")
@handles_user_errors
def analysis_score(
    initiative: Annotated[str | None, typer.Argument(help="Код инициативы (без --file).")] = None,
    values: Annotated[
        list[str] | None,
        typer.Argument(help="Оценки 0–10: критерий=значение, например effect=8 cost=5."),
    ] = None,
    file: FileOpt = None,
    region: RegionOpt = None,
) -> None:
    """Оценить инициативу по критериям (веса — в config/stages.toml)."""
    from roadmap.stages.analysis import ScoreIn, record_scores

    if file is not None:
        items = _records(file, ScoreIn, "scores", None)
    else:
        if initiative is None or not values:
            raise UserError(t("records.none"))
        pairs = {}
        for value in values:
            name, sep, number = value.partition("=")
            if not sep:
                raise UserError(t("score.bad_pair", value=value))
            pairs[name.strip()] = number.strip()
        if "initiative" in pairs:
            raise UserError(t("score.bad_pair", value="initiative=…"))
        items = _records(None, ScoreIn, "scores", {"initiative": initiative, **pairs})
    result = record_scores(current_settings(), items, region_code=region)
    signal_stage_runs("stage.input", region=region)
    get_console().print(t("records.scores", count=result.scores))


@analysis_app.command("run")
@handles_user_errors
def analysis_run(
    count: Annotated[int | None, typer.Option("--count", min=1, help="Отобрать N лучших.")] = None,
    budget: Annotated[
        str | None, typer.Option("--budget", help="Отобрать лучших в пределах бюджета, руб.")
    ] = None,
    now: NowOpt = None,
    region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Ранжировать инициативы по взвешенным оценкам и отобрать лучшие."""
    from roadmap.roadmap_file.schema import parse_money
    from roadmap.stages.analysis import run_analysis

    if count is not None and budget is not None:
        raise UserError(t("analysis.one_cut"))
    cut_budget = None
    if budget is not None:
        try:
            cut_budget = parse_money(budget)
        except ValueError as exc:
            raise UserError(f"--budget: {exc}") from None
        if cut_budget <= 0:
            raise UserError(f"--budget: {budget} ≤ 0")
    result = run_analysis(
        current_settings(),
        cut_count=count,
        cut_budget=cut_budget,
        region_code=region,
        now=read_now_option(now, region),
    )
    signal_stage_runs("stage.input", region=region)
    if as_json:
        print_json(result)
        return
    print_ranking(result)


def print_ranking(result: Any) -> None:
    criteria = list(result.weights)
    rows = []
    for r in result.results:
        row = {
            "rank": r.rank,
            "initiative": r.initiative,
            "name": r.title,
            "total": f"{r.total:.2f}",
            "selected": "✔" if r.selected else "",
        }
        row.update({c: f"{r.scores[c]:g}" for c in criteria})
        rows.append(row)
    print_table(
        rows,
        [("rank", "№"), ("initiative", "Код"), ("name", "Инициатива")]
        + [(c, c) for c in criteria]
        + [("total", "Итог"), ("selected", "Отобрана")],
    )
    get_console().print(
        f"{result.cut}; " + ", ".join(f"{c}×{w}" for c, w in result.weights.items())
    )


# --- architecture review ------------------------------------------------------------------------


@architecture_app.command("review")
@handles_user_errors
def architecture_show(
    region: RegionOpt = None, as_json: JsonOpt = False, now: NowOpt = None
) -> None:
    """Информационные системы по органам, дубли и кандидаты на переход в ГосТех."""
    from roadmap.stages.architecture import architecture_review

    report = architecture_review(
        current_settings(), region_code=region, now=read_now_option(now, region)
    )
    if as_json:
        print_json(report)
        return
    console = get_console()
    for dup in report.duplicates:
        systems = ", ".join(f"{s.code} ({s.agency})" for s in dup.systems)
        console.print(f"[yellow]{t('architecture.duplicate')}[/yellow] {dup.function}: {systems}")
    rows = [
        jsonable(c) | {"due": f"{c.due}{' *' if c.due_proposed else ''}"}
        for c in report.gostekh_candidates
    ]
    print_table(
        rows,
        [
            ("code", "Код"),
            ("agency", "Орган"),
            ("name", "Система"),
            ("platform", "Платформа"),
            ("due", "Срок перехода"),
        ],
    )
    rows = [
        {"agency": a.agency, "systems": ", ".join(a.systems), "decision": a.decision or "—"}
        for a in report.agencies
    ]
    print_table(rows, [("agency", "Орган"), ("systems", "Системы"), ("decision", "Решение")])


@architecture_app.command("decide")
@handles_user_errors
def architecture_decide(
    agency: Annotated[str | None, typer.Argument(help="Код органа (без --file).")] = None,
    decision: Annotated[
        str | None, typer.Option("--decision", help="Решение по итогам оценки.")
    ] = None,
    file: FileOpt = None,
    region: RegionOpt = None,
) -> None:
    """Записать решение по архитектуре органа (нужно для закрытия этапа)."""
    from roadmap.stages.architecture import DecisionIn, record_decisions

    single = None if file is not None else {"agency": agency, "decision": decision}
    result = record_decisions(
        current_settings(), _records(file, DecisionIn, "decisions", single), region_code=region
    )
    signal_stage_runs("stage.input", region=region)
    get_console().print(t("records.saved", created=result.created, updated=result.updated))

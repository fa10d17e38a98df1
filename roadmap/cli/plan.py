"""Plan commands (init, import, export, lists, summary, tasks). Thin: parse, call roadmap.plan, print.

Exit codes: 0 ok, 2 bad input (one clear message, nothing written), 1 our own failure.
Heavy modules (SQLAlchemy, Prefect) are imported inside commands, so `--help` stays fast.
"""

from __future__ import annotations

from pathlib import Path
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
    read_in_region,
    read_now_option,
    signal_stage_runs,
)
from roadmap.cli.render import (
    escape,
    fmt_millions,
    fmt_money,
    get_console,
    jsonable,
    print_json,
    print_json_rows,
    print_table,
    shorten,
    write_csv,
)
from roadmap.errors import UserError
from roadmap.i18n import t

# Top-level commands of this module; the composition root (app.py) mounts them.
commands = typer.Typer()
agencies_app = typer.Typer(help="Органы власти (ОИВ) / executive bodies.", no_args_is_help=True)
initiatives_app = typer.Typer(help="Инициативы / initiatives.", no_args_is_help=True)
tasks_app = typer.Typer(help="Поручения / tasks.", no_args_is_help=True)
task_app = typer.Typer(help="Одно поручение / one task.", no_args_is_help=True)
regions_app = typer.Typer(help="Регионы в хранилище / regions in the store.", no_args_is_help=True)


@commands.command("init")
@handles_user_errors
def init_command() -> None:
    """Создать или обновить схему хранилища (миграции Alembic)."""
    from roadmap.store.unit_of_work import init_store

    info = init_store(current_settings())
    get_console().print(t("store.initialised", store=info.store, revision=info.revision))


@commands.command("check")
@handles_user_errors
def check_command() -> None:
    """Проверить целостность хранилища (SQLite: PRAGMA quick_check)."""
    from roadmap.store.engine import check_integrity, redacted

    settings = current_settings()
    problems = check_integrity(settings.store_url)
    store = redacted(settings.store_url)
    if problems:
        err = get_console(stderr=True)
        for problem in problems:
            err.print(f"[red]{escape(problem)}[/red]", soft_wrap=True)
        err.print(t("store.check_failed", store=store, count=len(problems)))
        raise typer.Exit(4)
    get_console().print(t("store.check_ok", store=store))


@commands.command("import")
@handles_user_errors
def import_command(
    path: Annotated[Path, typer.Argument(help="Файл дорожной карты: .yaml, .xlsx или .csv.")],
    prune: Annotated[
        bool, typer.Option("--prune", help="Удалить строки, которых нет в файле.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Проверить и показать изменения, не записывая.")
    ] = False,
    list_name: Annotated[
        str | None,
        typer.Option(
            "--list", help="Какой список в CSV: initiatives, budget, tasks, services, systems."
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option("--encoding", help="Кодировка CSV (по умолчанию UTF-8 или cp1251 — сама)."),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Отклонить сроки на нерабочие дни, а не переносить.")
    ] = False,
    region: RegionOpt = None,
    as_json: JsonOpt = False,
    now: NowOpt = None,
) -> None:
    """Загрузить дорожную карту (формат 1). Неверный файл отклоняется целиком."""
    from roadmap.calendar import parse_now
    from roadmap.plan.importer import import_roadmap
    from roadmap.plan.indicator_tasks import ensure_region_indicator_tasks

    if now is not None:
        parse_now(now)  # a bad --now is refused before anything is written
    report = import_roadmap(
        current_settings(),
        path,
        prune=prune,
        dry_run=dry_run,
        region_code=region,
        list_name=list_name,
        encoding=encoding,
        strict=strict,
    )
    # The loaded roadmap's indicators get their report tasks (roadmap/plan/indicator_tasks.py).
    created = []
    if not dry_run:
        moment = read_now_option(now, report.region)
        created = ensure_region_indicator_tasks(current_settings(), report.region, moment)
    if as_json:
        print_json(report.as_dict() | {"indicator_tasks": len(created)})
        return
    err = get_console(stderr=True)
    for warning in report.warnings:
        err.print(f"[yellow]{escape(warning)}[/yellow]", soft_wrap=True)
    key = "import.dry_run" if dry_run else "import.done"
    get_console().print(t(key, region=report.region, summary=report.summary()))
    if created:
        get_console().print(t("indicator.tasks_created", count=len(created)))


@commands.command("export")
@handles_user_errors
def export_command(
    path: Annotated[Path, typer.Argument(help="Куда записать: .yaml или .xlsx.")],
    region: RegionOpt = None,
) -> None:
    """Выгрузить дорожную карту региона в файл формата 1."""
    from roadmap.plan.exporter import export_roadmap

    code = export_roadmap(current_settings(), path, region)
    get_console().print(t("export.written", region=code, path=path))


@regions_app.command("list")
@handles_user_errors
def regions_list(as_json: JsonOpt = False) -> None:
    """Регионы в хранилище."""
    from roadmap.plan.reads import regions
    from roadmap.store.reader import open_reader, read_settings

    with open_reader(read_settings()) as reader:
        rows = regions(reader)
    if as_json:
        print_json(rows)
        return
    print_table(rows, [("code", "Код"), ("name", "Регион"), ("timezone", "Часовой пояс")])


@agencies_app.command("list")
@handles_user_errors
def agencies_list(region: RegionOpt = None, as_json: JsonOpt = False) -> None:
    """Органы власти, их эмиссары и ответственные лица."""
    from roadmap.plan.reads import agencies
    from roadmap.store.reader import open_reader, read_settings

    with open_reader(read_settings()) as reader:
        found = reader.region(region)
        rows = agencies(reader, found, reader.strategy_id(found))
    if as_json:
        print_json(rows)
        return
    print_agencies(rows)


@initiatives_app.command("list")
@handles_user_errors
def initiatives_list(
    sector: Annotated[str | None, typer.Option("--sector", help="Код отрасли.")] = None,
    agency: Annotated[str | None, typer.Option("--agency", help="Код органа.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="Статус инициативы.")] = None,
    region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Инициативы стратегии с бюджетом (план и факт, руб.)."""
    from roadmap.plan.queries import list_initiatives
    from roadmap.store.models import InitiativeStatus

    checked_choice("--status", status, InitiativeStatus)
    rows = read_in_region(
        region,
        lambda s, r: list_initiatives(s, r, sector=sector, agency=agency, status=status),
    )
    if as_json:
        print_json(rows)
        return
    print_table(
        [
            jsonable(row) | {"planned": fmt_money(row.planned), "actual": fmt_money(row.actual)}
            for row in rows
        ],
        [
            ("code", "Код"),
            ("title", "Инициатива"),
            ("sector", "Отрасль"),
            ("agency", "Орган"),
            ("status", "Статус"),
            ("planned", "План, ₽"),
            ("actual", "Факт, ₽"),
        ],
        title_key="initiatives",
    )


# Rows a person-facing table shows before it counts the rest.
TABLE_ROWS = 200


@tasks_app.command("list")
@handles_user_errors
def tasks_list(
    agency: Annotated[str | None, typer.Option("--agency", help="Код органа.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="Статус поручения.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Только просроченные.")] = False,
    show_all: Annotated[
        bool, typer.Option("--all", help=f"Все строки (по умолчанию первые {TABLE_ROWS}).")
    ] = False,
    now: NowOpt = None,
    region: RegionOpt = None,
    as_json: JsonOpt = False,
    as_csv: Annotated[
        bool,
        typer.Option("--csv", help="Все строки в CSV для Excel (UTF-8 с BOM, разделитель «;»)."),
    ] = False,
) -> None:
    """Поручения органам: срок, статус, рабочие дни до срока."""
    from roadmap.plan import reads
    from roadmap.store.enums import TaskStatus
    from roadmap.store.reader import (
        moment_in_store,
        open_reader,
        parse_moment,
        read_settings,
        region_calendar,
    )

    if as_json and as_csv:
        raise UserError(t("option.json_or_csv"))
    checked_choice("--status", status, TaskStatus)
    settings = read_settings()
    moment = parse_moment(now)  # a bad --now is reported before the store is opened
    with open_reader(settings) as reader:
        at = moment_in_store(reader, moment, now, region)
        found = reader.region(region)
        strategy_id = reader.strategy_id(found)
        query = reads.tasks(
            reader,
            found,
            strategy_id,
            region_calendar(settings, found),
            now=at,
            agency=agency,
            status=status,
            overdue=overdue,
        )
        # --json and --csv stream every row as it comes from the store.
        if as_json:
            print_json_rows(reads.TASK_FIELDS, query.rows())
            return
        if as_csv:
            write_csv(t("csv.tasks").split(";"), _csv_rows(query.rows()))
            return
        limit = None if show_all else TABLE_ROWS
        rows = [reads.task_row(values) for values in query.rows(limit)]
        total = query.count() if limit is not None and len(rows) == limit else len(rows)
    print_table(
        [jsonable(row) | {"left": _days_left(row)} for row in rows],
        [
            ("code", "Код"),
            ("title", "Поручение"),
            ("agency", "Орган"),
            ("assignee", "Эмиссар"),
            ("due", "Срок"),
            ("status", "Статус"),
            ("left", "Раб. дней"),
        ],
        title_key="tasks",
        markup_columns={"left"},
        limit=limit,
        total=total,
    )


def _csv_rows(rows: Any) -> Any:
    from roadmap.plan.reads import TASK_FIELDS

    yes, no = t("csv.yes"), t("csv.no")
    overdue = TASK_FIELDS.index("overdue")
    for row in rows:
        row = list(row)
        row[overdue] = yes if row[overdue] else no
        yield row


def _days_left(row: Any) -> str:
    left = row.working_days_left
    return "" if left is None else (f"[red]{left}[/red]" if row.overdue else str(left))


ByOpt = Annotated[
    str | None,
    typer.Option("--by", help="Кто действует (код или имя); по умолчанию ROADMAP_USER."),
]
TaskFileOpt = Annotated[
    Path | None,
    typer.Option("--file", help="Много поручений сразу: YAML-список `tasks:` или CSV."),
]
CodeArg = Annotated[str | None, typer.Argument(help="Код поручения, например T-001.")]
WhyOpt = Annotated[str | None, typer.Option("--why", help="Причина.")]


def _change_tasks(
    action: str,
    code: str | None,
    file: Path | None,
    fields: dict[str, Any],
    *,
    by: str | None,
    now: str | None,
    region: str | None,
    as_json: bool,
    strict: bool = False,
) -> None:
    """One task from the argument and options, or many from --file: all or nothing."""
    from pydantic import ValidationError

    from roadmap.plan.lifecycle import RECORDS, change_tasks
    from roadmap.roadmap_file.readers import read_placed_records
    from roadmap.store.models import TaskAction

    kind = TaskAction(action)
    model = RECORDS[kind]
    if (code is None) == (file is None):
        raise UserError(t("task.code_or_file"))
    if file is not None:
        records = read_placed_records(file, model, "tasks")
    else:
        values = {"code": code, **{k: v for k, v in fields.items() if v is not None}}
        try:
            records = [(model.model_validate(values), "")]
        except ValidationError as exc:
            raise options_error(exc, values) from None
    result = change_tasks(
        current_settings(),
        kind,
        records,
        by=by,
        strict=strict,
        region_code=region,
        now=read_now_option(now, region),
    )
    err = get_console(stderr=True)
    for warning in result.warnings:
        err.print(f"[yellow]{escape(warning)}[/yellow]", soft_wrap=True)
    signal_stage_runs(f"task.{action}", region=region, task_codes=[t_.code for t_ in result.tasks])
    if as_json:
        print_json(result)
        return
    console = get_console()
    for task in result.tasks:
        console.print(
            t(
                "task.changed",
                code=task.code,
                before=task.from_status,
                after=task.to_status,
                due=task.due,
                when=task.at,
            )
        )


@task_app.command("submit")
@handles_user_errors
def task_submit(
    code: CodeArg = None,
    note: Annotated[str | None, typer.Option("--note", help="Что сделано (кратко).")] = None,
    link: Annotated[str | None, typer.Option("--link", help="Ссылка на результат.")] = None,
    stage: Annotated[
        str | None, typer.Option("--stage", help="Сдать все открытые поручения этапа.")
    ] = None,
    file: TaskFileOpt = None,
    by: ByOpt = None,
    now: NowOpt = None,
    region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Сдать поручение (эмиссар представил результат): open/returned → submitted."""
    if stage is not None:
        from roadmap.plan.tasks import submit_tasks

        if code is not None or file is not None:
            raise UserError(t("task.code_or_file"))
        settings = current_settings()
        config_stage = _known_stage(settings, stage)
        count = submit_tasks(
            settings,
            stage=config_stage,
            by=by,
            region_code=region,
            now=read_now_option(now, region),
        )
        signal_stage_runs("task.submit", region=region, stage=config_stage)
        if as_json:
            print_json({"stage": stage, "submitted": count})
            return
        get_console().print(t("task.stage_submitted", stage=stage, count=count))
        return
    _change_tasks(
        "submit",
        code,
        file,
        {"note": note, "link": link},
        by=by,
        now=now,
        region=region,
        as_json=as_json,
    )


def _known_stage(settings: Any, key: str) -> str:
    from roadmap.config import load_stage_config

    return load_stage_config(settings).get(key).key


@task_app.command("accept")
@handles_user_errors
def task_accept(
    code: CodeArg = None,
    note: Annotated[str | None, typer.Option("--note", help="Замечание к приёмке.")] = None,
    file: TaskFileOpt = None,
    by: ByOpt = None,
    now: NowOpt = None,
    region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Принять сданный результат: submitted → accepted."""
    _change_tasks(
        "accept", code, file, {"note": note}, by=by, now=now, region=region, as_json=as_json
    )


@task_app.command("return")
@handles_user_errors
def task_return(
    code: CodeArg = None,
    due: Annotated[
        str | None, typer.Option("--due", help="Новый срок ГГГГ-ММ-ДД (рабочий день).")
    ] = None,
    why: WhyOpt = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Отказать, если срок выпал на нерабочий день.")
    ] = False,
    file: TaskFileOpt = None,
    by: ByOpt = None,
    now: NowOpt = None,
    region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Вернуть на доработку с новым сроком: submitted/accepted → returned; напоминания
    начинаются заново."""
    _change_tasks(
        "return",
        code,
        file,
        {"due": due, "why": why},
        by=by,
        now=now,
        region=region,
        as_json=as_json,
        strict=strict,
    )


@task_app.command("cancel")
@handles_user_errors
def task_cancel(
    code: CodeArg = None,
    why: WhyOpt = None,
    file: TaskFileOpt = None,
    by: ByOpt = None,
    now: NowOpt = None,
    region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Отменить поручение с причиной: open/returned/submitted → cancelled."""
    _change_tasks(
        "cancel", code, file, {"why": why}, by=by, now=now, region=region, as_json=as_json
    )


@task_app.command("show")
@handles_user_errors
def task_show(
    code: Annotated[str, typer.Argument(help="Код поручения, например T-001.")],
    now: NowOpt = None,
    region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Поручение и его история: кто, когда и почему менял статус."""
    from roadmap.plan.tasks import task_card

    card = task_card(current_settings(), code, region_code=region, now=read_now_option(now, region))
    if as_json:
        print_json(card)
        return
    task = card.task
    console = get_console()
    console.print(f"[bold]{escape(task.code)}[/bold] {escape(task.title)}", soft_wrap=True)
    left = "" if task.working_days_left is None else f" ({_days_left(task)})"
    console.print(
        t(
            "task.card",
            agency=task.agency,
            assignee=task.assignee or "—",
            stage=task.stage or "—",
            due=task.due,
            status=task.status,
            left=left,
        ),
        soft_wrap=True,
    )
    if not card.history:
        console.print(t("task.no_history"))
        return
    print_table(
        [jsonable(event) for event in card.history],
        [
            ("at", "Когда"),
            ("action", "Действие"),
            ("from_status", "Было"),
            ("to_status", "Стало"),
            ("by", "Кто"),
            ("why", "Причина"),
            ("note", "Результат"),
            ("link", "Ссылка"),
            ("due", "Новый срок"),
        ],
        title_key="history",
    )


@commands.command("summary")
@handles_user_errors
def summary_command(now: NowOpt = None, region: RegionOpt = None, as_json: JsonOpt = False) -> None:
    """Сводка дорожной карты: инициативы, бюджет, показатели, поручения."""
    from roadmap.plan.queries import summary

    moment = read_now_option(now, region)
    data = read_in_region(region, lambda s, r: summary(s, r, now=moment))
    if as_json:
        print_json(data)
        return
    print_summary(data)


# --- rendering ------------------------------------------------------------------------------


# The stage commands register themselves on `app`.


def print_agencies(rows: list[Any]) -> None:
    print_table(
        [jsonable(row) for row in rows],
        [
            ("code", "Код"),
            ("name", "Орган"),
            ("emissary", "Цифровой эмиссар"),
            ("responsible", "Ответственный"),
            ("initiatives", "Инициатив"),
            ("open_tasks", "Открытых поручений"),
        ],
        title_key="agencies",
    )


def print_summary(data: Any) -> None:
    """The roadmap at a glance (a `roadmap.plan.queries.Summary`)."""
    console = get_console()
    _print_summary_head(console, data)
    console.print(_budget_table(data))
    if data.budget_excluded:
        console.print(t("summary.excluded", amount=fmt_millions(data.budget_excluded)))
    console.print(_indicator_table(console, data))
    tasks = ", ".join(f"{k}: {v}" for k, v in sorted(data.tasks.items())) or "—"
    overdue = data.overdue_tasks
    shown = f"[red]{overdue}[/red]" if overdue else f"{overdue}"
    console.print(t("summary.tasks", tasks=tasks, overdue=shown, today=data.today))


def _print_summary_head(console: Any, data: Any) -> None:
    region, strategy = data.region, data.strategy
    console.print(
        t(
            "summary.head",
            name=escape(region.name),
            code=region.code,
            timezone=region.timezone,
            title=escape(strategy.title),
            start=strategy.start_year,
            end=strategy.end_year,
            version=strategy.version,
        )
    )
    console.print(
        t(
            "summary.counts",
            agencies=data.agencies,
            initiatives=sum(data.initiatives.values()),
            by_status=", ".join(f"{k}: {v}" for k, v in sorted(data.initiatives.items())),
            services=data.services,
            systems=data.systems,
        )
    )


def _budget_table(data: Any) -> Any:
    from decimal import Decimal

    from rich.table import Table

    years = sorted({y for source in data.budget.values() for y in source})
    table = Table(title=t("summary.budget"), title_justify="left")
    table.add_column(t("summary.source"))
    for year in years:
        table.add_column(str(year), justify="right")
    table.add_column(t("summary.total"), justify="right")
    for source, by_year in sorted(data.budget.items()):
        values = [by_year.get(year, Decimal("0")) for year in years]
        table.add_row(source, *[fmt_millions(v) for v in values], fmt_millions(sum(values)))
    table.add_row(
        "[bold]Σ[/bold]", *["" for _ in years], f"[bold]{fmt_millions(data.budget_total)}[/bold]"
    )
    return table


def _indicator_table(console: Any, data: Any) -> Any:
    from rich.table import Table

    table = Table(title=t("summary.indicators"), title_justify="left")
    for key in ("code", "indicator", "baseline", "actual", "target"):
        table.add_column(t(f"summary.{key}"), no_wrap=True)
    # The name gets what the other columns leave of the terminal's width.
    room = max(16, console.width - 66)

    def pair(value: tuple[int, float] | None) -> str:
        return "" if not value else f"{value[1]:g} ({value[0]})"

    for ind in data.indicators:
        table.add_row(
            ind.code,
            escape(shorten(f"{ind.name}, {ind.unit}", room)),
            pair(ind.baseline),
            pair(ind.last_actual),
            pair(ind.target),
        )
    return table

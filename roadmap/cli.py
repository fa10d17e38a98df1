"""The `roadmap` command. Thin: parses arguments, calls roadmap.services, prints.

Exit codes: 0 ok, 2 bad input (one clear message, nothing written), 1 our own failure.
Heavy modules (SQLAlchemy, Prefect) are imported inside commands, so `--help` stays fast.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from roadmap.errors import InvalidFile, UserError
from roadmap.i18n import current_locale, problems_word, set_locale, t

app = typer.Typer(
    help="Дорожная карта цифровой трансформации региона / a region's digital-transformation roadmap.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
agencies_app = typer.Typer(help="Органы власти (ОИВ) / executive bodies.", no_args_is_help=True)
initiatives_app = typer.Typer(help="Инициативы / initiatives.", no_args_is_help=True)
tasks_app = typer.Typer(help="Поручения / tasks.", no_args_is_help=True)
task_app = typer.Typer(help="Одно поручение / one task.", no_args_is_help=True)
regions_app = typer.Typer(help="Регионы в хранилище / regions in the store.", no_args_is_help=True)
app.add_typer(agencies_app, name="agencies")
app.add_typer(initiatives_app, name="initiatives")
app.add_typer(tasks_app, name="tasks")
app.add_typer(task_app, name="task")
app.add_typer(regions_app, name="regions")

RegionOpt = Annotated[
    str | None,
    typer.Option("--region", help="Код региона; нужен, только если в хранилище их несколько."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Вывод в JSON для скриптов.")]
NowOpt = Annotated[
    str | None,
    typer.Option("--now", help="Момент ISO 8601; без смещения — время региона."),
]


def _console(stderr: bool = False):
    import os

    from rich.console import Console

    console = Console(stderr=stderr, highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = 160  # piped into a file or a pager: no terminal to wrap for
    return console


def handles_user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Bad input becomes one message on stderr and exit code 2; our bugs keep tracebacks."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InvalidFile as exc:
            err = _console(stderr=True)
            for problem in exc.problems:
                err.print(f"[red]{_escape(str(problem))}[/red]", soft_wrap=True)
            hidden = exc.total - len(exc.problems)
            if hidden > 0:
                err.print(t("file.more_problems", count=hidden, word=problems_word(hidden)))
            err.print(t("file.rejected", count=exc.total, word=problems_word(exc.total)))
            raise typer.Exit(2) from None
        except UserError as exc:
            _console(stderr=True).print(f"[red]{_escape(str(exc))}[/red]", soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _settings():
    from roadmap.settings import get_settings

    return get_settings()


def _money(value: Any) -> str:
    from decimal import Decimal

    return f"{Decimal(value):,.2f}".replace(",", "\u202f")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _millions(value: Any) -> str:
    from decimal import Decimal

    return f"{Decimal(value) / 1_000_000:,.1f}".replace(",", "\u202f")


def _choice(option: str, value: str | None, enum: type) -> str | None:
    if value is None:
        return None
    allowed = [member.value for member in enum]
    if value not in allowed:
        raise UserError(
            t("option.bad_choice", option=option, value=value, known=", ".join(allowed))
        )
    return value


def _read_session(region_code: str | None, body: Callable[..., Any]) -> Any:
    from roadmap import services

    with services.region_session(_settings(), region_code) as (session, region):
        return body(session, region)


def _now(value: str | None):
    from roadmap.calendar import parse_now

    return parse_now(value) if value is not None else None


def _region_now(region, value: str | None):
    """--now in the region's timezone when it has no offset."""
    from datetime import UTC, datetime

    from roadmap.services import calendar_for

    moment = _now(value)
    return calendar_for(region).aware(moment) if moment else datetime.now(UTC)


@app.callback()
def _root(
    lang: Annotated[
        str | None, typer.Option("--lang", help="Язык сообщений: ru или en (ROADMAP_LOCALE).")
    ] = None,
) -> None:
    if lang is not None:
        if lang not in ("ru", "en"):
            _console(stderr=True).print(
                f"[red]--lang: '{_escape(lang)}' — допустимо: ru, en.[/red]"
            )
            raise typer.Exit(2)
        set_locale(lang)


@app.command("init")
@handles_user_errors
def init_command() -> None:
    """Создать или обновить схему хранилища (миграции Alembic)."""
    from roadmap.services import init_store

    store, revision = init_store(_settings())
    _console().print(t("store.initialised", store=store, revision=revision))


@app.command("import")
@handles_user_errors
def import_command(
    path: Annotated[Path, typer.Argument(help="Файл дорожной карты: .yaml, .xlsx или .csv.")],
    prune: Annotated[
        bool, typer.Option("--prune", help="Удалить строки, которых нет в файле.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Проверить и показать изменения, не записывая.")
    ] = False,
    region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Загрузить дорожную карту (формат 1). Неверный файл отклоняется целиком."""
    from roadmap.services import import_roadmap

    report = import_roadmap(_settings(), path, prune=prune, dry_run=dry_run, region_code=region)
    if as_json:
        _print_json(report.as_dict())
        return
    key = "import.dry_run" if dry_run else "import.done"
    _console().print(t(key, region=report.region, summary=report.summary()))


@app.command("export")
@handles_user_errors
def export_command(
    path: Annotated[Path, typer.Argument(help="Куда записать: .yaml или .xlsx.")],
    region: RegionOpt = None,
) -> None:
    """Выгрузить дорожную карту региона в файл формата 1."""
    from roadmap.services import export_roadmap

    code = export_roadmap(_settings(), path, region)
    _console().print(t("export.written", region=code, path=path))


@regions_app.command("list")
@handles_user_errors
def regions_list(as_json: JsonOpt = False) -> None:
    """Регионы в хранилище."""
    from sqlmodel import select

    from roadmap import services
    from roadmap.models import Region

    store = services.open_store(_settings())
    try:
        with store.session() as session:
            rows = [
                {"code": r.code, "name": r.name, "timezone": r.timezone}
                for r in session.exec(select(Region).order_by(Region.code))
            ]
    finally:
        store.dispose()
    if as_json:
        _print_json(rows)
        return
    _table(rows, [("code", "Код"), ("name", "Регион"), ("timezone", "Часовой пояс")])


@agencies_app.command("list")
@handles_user_errors
def agencies_list(region: RegionOpt = None, as_json: JsonOpt = False) -> None:
    """Органы власти, их эмиссары и ответственные лица."""
    from roadmap.services import list_agencies

    rows = _read_session(region, list_agencies)
    if as_json:
        _print_json(rows)
        return
    print_agencies(rows)


def print_agencies(rows: list[dict[str, Any]]) -> None:
    _table(
        rows,
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
    from roadmap.models import InitiativeStatus
    from roadmap.services import list_initiatives

    _choice("--status", status, InitiativeStatus)
    rows = _read_session(
        region,
        lambda s, r: list_initiatives(s, r, sector=sector, agency=agency, status=status),
    )
    if as_json:
        _print_json(rows)
        return
    for row in rows:
        row["planned"] = _money(row["planned"])
        row["actual"] = _money(row["actual"])
    _table(
        rows,
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


@tasks_app.command("list")
@handles_user_errors
def tasks_list(
    agency: Annotated[str | None, typer.Option("--agency", help="Код органа.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="Статус поручения.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Только просроченные.")] = False,
    now: NowOpt = None,
    region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Поручения органам: срок, статус, рабочие дни до срока."""
    from roadmap.models import TaskStatus
    from roadmap.services import list_tasks

    _choice("--status", status, TaskStatus)
    _now(now)  # a bad --now is reported before the store is opened
    rows = _read_session(
        region,
        lambda s, r: list_tasks(
            s, r, agency=agency, status=status, overdue=overdue, now=_region_now(r, now)
        ),
    )
    if as_json:
        _print_json(rows)
        return
    for row in rows:
        left = row["working_days_left"]
        row["left"] = (
            "" if left is None else (f"[red]{left}[/red]" if row["overdue"] else str(left))
        )
    _table(
        rows,
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
    )


@task_app.command("submit")
@handles_user_errors
def task_submit(
    code: Annotated[str, typer.Argument(help="Код поручения, например T-001.")],
    now: NowOpt = None,
    region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Отметить поручение сданным (эмиссар представил результат)."""
    from roadmap.services import submit_task

    result = submit_task(_settings(), code, region_code=region, now=_now(now))
    if as_json:
        _print_json(result)
        return
    _console().print(t("task.submitted", code=result["code"], when=result["submitted_local"]))


@app.command("summary")
@handles_user_errors
def summary_command(now: NowOpt = None, region: RegionOpt = None, as_json: JsonOpt = False) -> None:
    """Сводка дорожной карты: инициативы, бюджет, показатели, поручения."""
    from roadmap.services import summary

    _now(now)
    data = _read_session(region, lambda s, r: summary(s, r, now=_region_now(r, now)))
    if as_json:
        _print_json(data)
        return
    print_summary(data)


@app.command("demo")
@handles_user_errors
def demo_command(
    store: Annotated[
        Path, typer.Option("--store", help="Файл демонстрационного хранилища (пересоздаётся).")
    ] = Path(".demo/roadmap.db"),
) -> None:
    """Демонстрация на отдельном хранилище SQLite: пример Приморья, восемь этапов через Prefect."""
    from flows.demo import run_demo  # the only command that starts Prefect

    run_demo(store)


# --- rendering ------------------------------------------------------------------------------

_TITLES = {
    "agencies": ("Органы власти", "Executive bodies"),
    "initiatives": ("Инициативы", "Initiatives"),
    "tasks": ("Поручения", "Tasks"),
}


def _table(
    rows: list[dict[str, Any]],
    columns: list[tuple[str, str]],
    title_key: str | None = None,
    markup_columns: set[str] = frozenset(),
) -> None:
    """One line per row; the first long text column ("name", "title") is cut to fit."""
    from rich.table import Table
    from rich.text import Text

    console = _console()
    en = current_locale() == "en"
    title = None
    if title_key:
        ru_title, en_title = _TITLES[title_key]
        title = f"{en_title if en else ru_title}: {len(rows)}"
    headers = [key if en else header for key, header in columns]
    cells = [
        [
            Text.from_markup(str(row[key]))
            if key in markup_columns
            else Text(str(row[key]))
            if row.get(key) is not None
            else Text("")
            for key, _ in columns
        ]
        for row in rows
    ]
    wide = next((i for i, (key, _) in enumerate(columns) if key in ("name", "title")), None)
    table = Table(title=title, title_justify="left")
    for i, header in enumerate(headers):
        # Codes, dates and numbers stay on one line; the long text column wraps.
        table.add_column(header, no_wrap=i != wide, min_width=20 if i == wide else None)
    for c in cells:
        table.add_row(*c)
    console.print(table)


def print_summary(data: dict[str, Any]) -> None:
    from rich.table import Table

    console = _console()
    en = current_locale() == "en"
    strategy = data["strategy"]
    console.print(
        f"[bold]{_escape(data['region']['name'])}[/bold] ({data['region']['code']}, "
        f"{data['region']['timezone']}) — {_escape(strategy['title'])}, "
        f"{strategy['start_year']}–{strategy['end_year']}, "
        f"{'version' if en else 'версия'} {strategy['version']}"
    )
    initiatives = ", ".join(f"{k}: {v}" for k, v in sorted(data["initiatives"].items()))
    console.print(
        f"{'Agencies' if en else 'Органов'}: {data['agencies']}; "
        f"{'initiatives' if en else 'инициатив'}: {sum(data['initiatives'].values())} "
        f"({initiatives}); {'services' if en else 'услуг'}: {data['services']}; "
        f"{'systems' if en else 'ИС'}: {data['systems']}"
    )
    years = sorted({int(y) for source in data["budget"].values() for y in source})
    table = Table(
        title=(
            "Budget plan by source and year, million RUB" if en else "План финансирования, млн ₽"
        ),
        title_justify="left",
    )
    table.add_column("source" if en else "Источник")
    for year in years:
        table.add_column(str(year), justify="right")
    table.add_column("total" if en else "Итого", justify="right")
    from decimal import Decimal

    for source, by_year in sorted(data["budget"].items()):
        values = [Decimal(by_year.get(year, by_year.get(str(year), "0"))) for year in years]
        table.add_row(source, *[_millions(v) for v in values], _millions(sum(values)))
    table.add_row(
        "[bold]Σ[/bold]", *["" for _ in years], f"[bold]{_millions(data['budget_total'])}[/bold]"
    )
    console.print(table)
    table = Table(title=("Indicators" if en else "Показатели"), title_justify="left")
    for (en_header, ru_header), width in (
        (("code", "Код"), None),
        (("indicator", "Показатель"), None),
        (("baseline", "База"), None),
        (("actual", "Факт"), None),
        (("target", "Цель"), None),
    ):
        table.add_column(en_header if en else ru_header, no_wrap=True, min_width=width)
    # The name gets what the other columns leave of the terminal's width.
    room = max(16, console.width - 66)

    def pair(value: list[Any] | None) -> str:
        return "" if not value else f"{value[1]:g} ({value[0]})"

    for ind in data["indicators"]:
        table.add_row(
            ind["code"],
            _escape(_shorten(f"{ind['name']}, {ind['unit']}", room)),
            pair(ind["baseline"]),
            pair(ind["last_actual"]),
            pair(ind["target"]),
        )
    console.print(table)
    tasks = ", ".join(f"{k}: {v}" for k, v in sorted(data["tasks"].items())) or "—"
    overdue = data["overdue_tasks"]
    console.print(
        f"{'Tasks' if en else 'Поручения'}: {tasks}; "
        f"{'overdue' if en else 'просрочено'} {'[red]' if overdue else ''}{overdue}"
        f"{'[/red]' if overdue else ''} ({'as of' if en else 'на'} {data['today']})"
    )


# The stage commands register themselves on `app`.
from roadmap import cli_alerts, cli_review, cli_stages  # noqa: E402, F401


def main() -> None:
    app()


if __name__ == "__main__":
    main()

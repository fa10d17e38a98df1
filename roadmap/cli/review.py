"""Yearly update commands: `roadmap review …`, `roadmap versions`, `roadmap diff`."""

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
)
from roadmap.cli.render import (
    escape,
    fmt_millions,
    get_console,
    jsonable,
    print_json,
    print_table,
)
from roadmap.errors import UserError
from roadmap.i18n import t

# Top-level commands of this module; the composition root (app.py) mounts them.
commands = typer.Typer()
review_app = typer.Typer(
    help="Ежегодная актуализация стратегии / yearly strategy update.", no_args_is_help=True
)

YearOpt = Annotated[int | None, typer.Option("--year", help="Год цикла (по умолчанию последний).")]
ByOpt = Annotated[str | None, typer.Option("--by", help="Кто решил (имя или код).")]


@review_app.command("start")
@handles_user_errors
def review_start(
    year: Annotated[int, typer.Argument(help="Год актуализации, например 2027.")],
    now: NowOpt = None,
    region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Открыть цикл: текущая версия — база, рабочим группам органов — поручения."""
    from roadmap.review.cycle import start_review

    settings = current_settings()
    result = start_review(settings, year, region_code=region, now=read_now_option(now, region))
    if as_json:
        print_json(result)
        return
    get_console().print(
        t(
            "review.started",
            year=year,
            status=result.status,
            baseline=result.baseline_version,
            created=result.tasks_created,
        )
    )


@review_app.command("propose")
@handles_user_errors
def review_propose(
    file: Annotated[
        Path | None, typer.Option("--file", help="Предложения изменений (YAML, docs/review.md).")
    ] = None,
    drop: Annotated[
        str | None, typer.Option("--drop", help="Исключить инициативу с этим кодом.")
    ] = None,
    move: Annotated[
        str | None, typer.Option("--move", help="Перенести срок: КОД_ПОРУЧЕНИЯ=ГГГГ-ММ-ДД.")
    ] = None,
    target: Annotated[
        str | None,
        typer.Option("--target", help="Изменить целевое значение: ПОКАЗАТЕЛЬ:ГОД=ЗНАЧЕНИЕ."),
    ] = None,
    reason: Annotated[
        str,
        typer.Option("--reason", help="regional_policy | national_project | federal_task | other"),
    ] = "other",
    why: Annotated[str | None, typer.Option("--why", help="Обоснование.")] = None,
    agency: Annotated[str | None, typer.Option("--agency", help="Предлагающий орган.")] = None,
    year: YearOpt = None,
    now: NowOpt = None,
    region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Внести предложения изменений (файлом или по одному) с причиной."""
    from roadmap.review.changes import read_placed_changes
    from roadmap.review.cycle import propose_changes

    if file is not None:
        placed = read_placed_changes(file)
    else:
        raw = {"reason": reason, "why": why, "agency": agency}
        option = "--drop" if drop else "--move" if move else "--target"
        placed = [(_one_change(raw, drop=drop, move=move, target=target), option)]
    settings = current_settings()
    result = propose_changes(
        settings,
        [change for change, _ in placed],
        places=[place for _, place in placed],
        year=year,
        region_code=region,
        now=read_now_option(now, region),
    )
    if as_json:
        print_json(result)
        return
    numbers = ", ".join(f"#{n}" for n in result.created)
    get_console().print(t("review.proposals", numbers=numbers))
    _print_conflicts(result.conflicts)


def _one_change(
    raw: dict[str, Any], *, drop: str | None, move: str | None, target: str | None
) -> Any:
    """One change from --drop, --move or --target (with --reason, --why, --agency)."""
    from pydantic import ValidationError

    from roadmap.review.changes import ChangeRecord

    if drop:
        raw.update(kind="drop_initiative", initiative=drop)
    elif move and "=" in move:
        code, _, due = move.partition("=")
        raw.update(kind="move_date", task=code, due=due)
    elif target and "=" in target and ":" in target:
        left, _, value = target.partition("=")
        code, _, year_text = left.partition(":")
        raw.update(kind="change_target", indicator=code, year=year_text, value=value)
    else:
        raise UserError(t("review.propose_what"))
    try:
        return ChangeRecord.model_validate({k: v for k, v in raw.items() if v}).root
    except ValidationError as exc:
        raise options_error(exc, raw, skip=1) from None


def _print_conflicts(conflicts: list[Any]) -> None:
    console = get_console()
    for c in conflicts:
        a, b = c.proposals
        console.print(f"[yellow]{t('review.conflict', a=a, b=b, touch=c.touch)}[/yellow]")


@review_app.command("decide")
@handles_user_errors
def review_decide(
    numbers: Annotated[list[int], typer.Argument(help="Номера предложений.")],
    accept: Annotated[
        bool | None, typer.Option("--accept/--reject", help="Принять или отклонить.")
    ] = None,
    by: ByOpt = None,
    year: YearOpt = None,
    now: NowOpt = None,
    region: RegionOpt = None,
) -> None:
    """Принять или отклонить предложения (координатор)."""
    from roadmap.review.cycle import decide

    if accept is None:
        raise UserError(t("review.accept_or_reject"))
    settings = current_settings()
    moment = read_now_option(now, region)
    result = decide(settings, numbers, accept, by=by, year=year, region_code=region, now=moment)
    get_console().print(f"{', '.join(f'#{n}' for n in result.decided)}: {result.status}")
    _print_conflicts(result.conflicts)


@review_app.command("status")
@handles_user_errors
def review_status_command(
    year: YearOpt = None, region: RegionOpt = None, as_json: JsonOpt = False
) -> None:
    """Предложения цикла, их решения и противоречия."""
    from roadmap.review.cycle import review_status

    data = review_status(current_settings(), year=year, region_code=region)
    if as_json:
        print_json(data)
        return
    get_console().print(
        f"{data.year}: {data.status} (v{data.baseline_version} → {data.result_version or '…'})"
    )
    print_table(
        [jsonable(row) | {"name": row.why} for row in data.proposals],
        [
            ("number", "№"),
            ("kind", "Вид"),
            ("target", "Что"),
            ("agency", "Орган"),
            ("reason", "Причина"),
            ("name", "Обоснование"),
            ("status", "Решение"),
        ],
    )
    _print_conflicts(data.conflicts)


@review_app.command("close")
@handles_user_errors
def review_close(
    by: ByOpt = None,
    year: YearOpt = None,
    now: NowOpt = None,
    region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Применить принятые предложения одной транзакцией как новую версию."""
    from roadmap.review.cycle import close_review

    settings = current_settings()
    result = close_review(
        settings, year=year, by=by, region_code=region, now=read_now_option(now, region)
    )
    if as_json:
        print_json(result)
        return
    console = get_console()
    console.print(
        t("review.closed_into", year=result.year, version=result.version, applied=result.applied)
    )
    if result.cycle is not None:
        console.print(
            t(
                "review.closed_tasks",
                accepted=result.tasks_accepted,
                cancelled=result.tasks_cancelled,
                cycle=result.cycle,
            )
        )


@commands.command("versions")
@handles_user_errors
def versions_command(region: RegionOpt = None, as_json: JsonOpt = False) -> None:
    """История версий стратегии: дата, кто утвердил, объём и причины изменений."""
    from roadmap.review.snapshots import versions

    rows = versions(current_settings(), region_code=region)
    if as_json:
        print_json(rows)
        return
    print_table(
        [
            jsonable(row)
            | {
                "budget": fmt_millions(row.budget_total),
                "why": ", ".join(f"{k} {v}" for k, v in row.reasons.items()) or "—",
            }
            for row in rows
        ],
        [
            ("version", "Версия"),
            ("approved_at", "Утверждена"),
            ("approved_by", "Кем"),
            ("initiatives", "Инициатив"),
            ("budget", "План, млн ₽"),
            ("targets", "Целей"),
            ("why", "Причины изменений"),
        ],
    )


@commands.command("diff")
@handles_user_errors
def diff_command(
    first: Annotated[
        int | None, typer.Argument(help="Версия «до» (по умолчанию последняя).")
    ] = None,
    second: Annotated[
        int | None, typer.Argument(help="Версия «после» (по умолчанию текущее состояние).")
    ] = None,
    region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Что изменилось между версиями: инициативы, бюджет, целевые значения, сроки."""
    from roadmap.review.snapshots import diff

    data = diff(current_settings(), first, second, region_code=region)
    if as_json:
        print_json(diff_json(data))
        return
    print_diff(data)


def diff_json(data: Any) -> dict[str, Any]:
    """The diff's JSON: the snapshot differences plus "from" and "to"."""
    return jsonable(data.changes) | {"from": data.from_version, "to": data.to_version}


def print_diff(data: Any) -> None:
    console = get_console()
    to = data.to_version if data.to_version == "current" else f"v{data.to_version}"
    console.print(f"[bold]v{data.from_version} → {to}[/bold]")
    if data.changes.horizon:
        (a_start, a_end), (b_start, b_end) = data.changes.horizon
        console.print(
            t("review.diff_horizon", before=f"{a_start}–{a_end}", after=f"{b_start}–{b_end}")
        )
    ini = data.changes.initiatives
    console.print(t("review.diff_added", codes=", ".join(ini.added) or "—"))
    console.print(t("review.diff_dropped", codes=", ".join(ini.dropped) or "—"))
    for item in ini.changed:
        fields = "; ".join(
            f"{k}: {escape(str(a))} → {escape(str(b))}" for k, (a, b) in item.changes.items()
        )
        console.print(f"~ {item.initiative}: {fields}")
    _print_budget(data.changes.budget)
    if data.changes.targets:
        print_table(
            [jsonable(row) for row in data.changes.targets],
            [("indicator", "Показатель"), ("year", "Год"), ("before", "Было"), ("after", "Стало")],
        )
    if data.changes.deadlines:
        print_table(
            [jsonable(row) for row in data.changes.deadlines],
            [("task", "Поручение"), ("before", "Было"), ("after", "Стало")],
        )


def _print_budget(budget: Any) -> None:
    rows = [
        {
            "sector": r.sector,
            "source": r.source,
            "before": fmt_millions(r.before),
            "after": fmt_millions(r.after),
            "delta": fmt_millions(r.delta),
        }
        for r in budget.by_sector_source
    ]
    rows.append(
        {
            "sector": "Σ",
            "source": "",
            "before": fmt_millions(budget.total_before),
            "after": fmt_millions(budget.total_after),
            "delta": fmt_millions(budget.total_delta),
        }
    )
    print_table(
        rows,
        [
            ("sector", "Отрасль"),
            ("source", "Источник"),
            ("before", "Было, млн ₽"),
            ("after", "Стало, млн ₽"),
            ("delta", "Δ"),
        ],
    )

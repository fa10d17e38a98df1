"""Yearly update commands: `roadmap review …`, `roadmap versions`, `roadmap diff`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from roadmap.cli import (
    JsonOpt,
    NowOpt,
    RegionOpt,
    _console,
    _escape,
    _millions,
    _now,
    _print_json,
    _settings,
    _table,
    app,
    handles_user_errors,
)
from roadmap.errors import UserError
from roadmap.i18n import current_locale

review_app = typer.Typer(
    help="Ежегодная актуализация стратегии / yearly strategy update.", no_args_is_help=True
)
app.add_typer(review_app, name="review")

YearOpt = Annotated[int | None, typer.Option("--year", help="Год цикла (по умолчанию последний).")]
ByOpt = Annotated[str | None, typer.Option("--by", help="Кто решил (имя или код).")]


def _say(ru: str, en: str) -> str:
    return en if current_locale() == "en" else ru


@review_app.command("start")
@handles_user_errors
def review_start(
    year: Annotated[int, typer.Argument(help="Год актуализации, например 2027.")],
    now: NowOpt = None,
    region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Открыть цикл: текущая версия — база, рабочим группам органов — поручения."""
    from roadmap.review import start_review

    result = start_review(_settings(), year, region_code=region, now=_now(now))
    if as_json:
        _print_json(result)
        return
    _console().print(
        _say(
            f"Актуализация {year}: {result['status']}, база — версия {result['baseline_version']}; "
            f"поручений рабочим группам создано: {result['tasks_created']}.",
            f"Review {year}: {result['status']}, baseline version {result['baseline_version']}; "
            f"working-group tasks created: {result['tasks_created']}.",
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
    region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Внести предложения изменений (файлом или по одному) с причиной."""
    from pydantic import ValidationError

    from roadmap.review import ChangeRecord, propose_changes, read_changes

    if file is not None:
        changes = read_changes(file)
    else:
        raw: dict[str, Any] = {"reason": reason, "why": why, "agency": agency}
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
            raise UserError(
                _say(
                    "Укажите --file, --drop КОД, --move КОД=ДАТА или --target КОД:ГОД=ЗНАЧЕНИЕ.",
                    "Give --file, --drop CODE, --move CODE=DATE or --target CODE:YEAR=VALUE.",
                )
            )
        try:
            changes = [ChangeRecord.model_validate({k: v for k, v in raw.items() if v}).root]
        except ValidationError as exc:
            raise UserError(
                "; ".join(f"{'.'.join(map(str, e['loc'][1:]))}: {e['msg']}" for e in exc.errors())
            ) from None
    result = propose_changes(_settings(), changes, year=year, region_code=region)
    if as_json:
        _print_json(result)
        return
    console = _console()
    console.print(
        _say("Предложения: ", "Proposals: ") + ", ".join(f"#{n}" for n in result["created"])
    )
    _print_conflicts(result["conflicts"])


def _print_conflicts(conflicts: list[dict[str, Any]]) -> None:
    console = _console()
    for c in conflicts:
        a, b = c["proposals"]
        console.print(
            "[yellow]"
            + _say(
                f"Противоречие: #{a} и #{b} меняют {c['touch']}",
                f"Conflict: #{a} and #{b} both change {c['touch']}",
            )
            + "[/yellow]"
        )


@review_app.command("decide")
@handles_user_errors
def review_decide(
    numbers: Annotated[list[int], typer.Argument(help="Номера предложений.")],
    accept: Annotated[
        bool | None, typer.Option("--accept/--reject", help="Принять или отклонить.")
    ] = None,
    by: ByOpt = None,
    year: YearOpt = None,
    region: RegionOpt = None,
) -> None:
    """Принять или отклонить предложения (координатор)."""
    from roadmap.review import decide

    if accept is None:
        raise UserError(_say("Укажите --accept или --reject.", "Give --accept or --reject."))
    result = decide(_settings(), numbers, accept, by=by, year=year, region_code=region)
    _console().print(f"{', '.join(f'#{n}' for n in result['decided'])}: {result['status']}")
    _print_conflicts(result["conflicts"])


@review_app.command("status")
@handles_user_errors
def review_status_command(
    year: YearOpt = None, region: RegionOpt = None, as_json: JsonOpt = False
) -> None:
    """Предложения цикла, их решения и противоречия."""
    from roadmap.review import review_status

    data = review_status(_settings(), year=year, region_code=region)
    if as_json:
        _print_json(data)
        return
    _console().print(
        f"{data['year']}: {data['status']} (v{data['baseline_version']} → "
        f"{data['result_version'] or '…'})"
    )
    for row in data["proposals"]:
        row["name"] = row["why"]
    _table(
        data["proposals"],
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
    _print_conflicts(data["conflicts"])


@review_app.command("close")
@handles_user_errors
def review_close(
    by: ByOpt = None, year: YearOpt = None, region: RegionOpt = None, as_json: JsonOpt = False
) -> None:
    """Применить принятые предложения одной транзакцией как новую версию."""
    from roadmap.review import close_review

    result = close_review(_settings(), year=year, by=by, region_code=region)
    if as_json:
        _print_json(result)
        return
    _console().print(
        _say(
            f"Актуализация {result['year']}: версия {result['version']}, применено изменений: {result['applied']}.",
            f"Review {result['year']}: version {result['version']}, changes applied: {result['applied']}.",
        )
    )


@app.command("versions")
@handles_user_errors
def versions_command(region: RegionOpt = None, as_json: JsonOpt = False) -> None:
    """История версий стратегии: дата, кто утвердил, объём и причины изменений."""
    from roadmap.review import versions

    rows = versions(_settings(), region_code=region)
    if as_json:
        _print_json(rows)
        return
    for row in rows:
        row["budget"] = _millions(row["budget_total"])
        row["why"] = ", ".join(f"{k} {v}" for k, v in row["reasons"].items()) or "—"
    _table(
        rows,
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


@app.command("diff")
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
    from roadmap.review import diff

    data = diff(_settings(), first, second, region_code=region)
    if as_json:
        _print_json(data)
        return
    print_diff(data)


def print_diff(data: dict[str, Any]) -> None:
    console = _console()
    console.print(
        f"[bold]v{data['from']} → {data['to'] if data['to'] == 'current' else 'v' + str(data['to'])}[/bold]"
    )
    ini = data["initiatives"]
    console.print(_say("Добавлены: ", "Added: ") + (", ".join(ini["added"]) or "—"))
    console.print(_say("Исключены: ", "Dropped: ") + (", ".join(ini["dropped"]) or "—"))
    for item in ini["changed"]:
        fields = "; ".join(
            f"{k}: {_escape(str(a))} → {_escape(str(b))}" for k, (a, b) in item["changes"].items()
        )
        console.print(f"~ {item['initiative']}: {fields}")
    rows = [
        dict(
            r,
            before=_millions(r["before"]),
            after=_millions(r["after"]),
            delta=_millions(r["delta"]),
        )
        for r in data["budget"]["by_sector_source"]
    ]
    rows.append(
        {
            "sector": "Σ",
            "source": "",
            "before": _millions(data["budget"]["total_before"]),
            "after": _millions(data["budget"]["total_after"]),
            "delta": _millions(data["budget"]["total_delta"]),
        }
    )
    _table(
        rows,
        [
            ("sector", "Отрасль"),
            ("source", "Источник"),
            ("before", "Было, млн ₽"),
            ("after", "Стало, млн ₽"),
            ("delta", "Δ"),
        ],
    )
    if data["targets"]:
        _table(
            data["targets"],
            [("indicator", "Показатель"), ("year", "Год"), ("before", "Было"), ("after", "Стало")],
        )
    if data["deadlines"]:
        _table(data["deadlines"], [("task", "Поручение"), ("before", "Было"), ("after", "Стало")])

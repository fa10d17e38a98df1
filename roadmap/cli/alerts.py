"""Deadline alert commands: `roadmap sweep`, `roadmap dispatch`, `roadmap alerts list`,
`roadmap task ack`."""

from __future__ import annotations

from typing import Annotated

import typer

from roadmap.cli.common import (
    JsonOpt,
    NowOpt,
    RegionOpt,
    checked_choice,
    current_settings,
    handles_user_errors,
    read_now_option,
)
from roadmap.cli.render import get_console, jsonable, print_json, print_table
from roadmap.i18n import t

# Top-level commands of this module; the composition root (app.py) mounts them.
commands = typer.Typer()
task_commands = typer.Typer()  # mounted under `roadmap task`
alerts_app = typer.Typer(help="Уведомления о сроках / deadline alerts.", no_args_is_help=True)


@commands.command("sweep")
@handles_user_errors
def sweep_command(
    now: NowOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Показать, что пора отправить, ничего не записывая.")
    ] = False,
    region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Найти наступившие сроки и отправить уведомления (в рабочие часы региона)."""
    from notifications.job import run_deadline_job

    report = run_deadline_job(
        current_settings(), read_now_option(now, region), region=region, dry_run=dry_run
    )
    if as_json:
        print_json(report)
        return
    console = get_console()
    for entry in report.regions:
        status = f"{entry.status} ({entry.local_time})"
        console.print(t("alerts.sweep", region=entry.region, status=status, planned=entry.planned))
    if report.dispatch is None:
        print_table(
            [jsonable(row) for row in report.planned],
            [
                ("task", "Поручение"),
                ("kind", "Вид"),
                ("rung", "Ступень"),
                ("working_days", "Раб. дней"),
            ],
        )
    else:
        console.print(t("alerts.dispatch", **jsonable(report.dispatch)))


@commands.command("dispatch")
@handles_user_errors
def dispatch_command(
    now: NowOpt = None,
    reclaim: Annotated[
        bool,
        typer.Option("--reclaim", help="Сразу забрать строки, оставленные упавшей отправкой."),
    ] = False,
    region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Доставить запланированные уведомления (дайджест на человека), повторить неудачные."""
    from notifications.dispatcher import dispatch
    from notifications.job import make_sender

    settings = current_settings()
    counts = dispatch(
        settings,
        now=read_now_option(now, region),
        reclaim_now=reclaim,
        sender=make_sender(settings),
    )
    if as_json:
        print_json(counts)
        return
    get_console().print(t("alerts.dispatch", **jsonable(counts)))


@alerts_app.command("list")
@handles_user_errors
def alerts_list(
    status: Annotated[str | None, typer.Option("--status", help="Статус уведомления.")] = None,
    person: Annotated[str | None, typer.Option("--person", help="Код получателя.")] = None,
    region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Очередь уведомлений и журнал доставки (без секретов адресов)."""
    from roadmap.alerts.outbox import list_alerts
    from roadmap.store.models import AlertStatus

    checked_choice("--status", status, AlertStatus)
    rows = list_alerts(current_settings(), status=status, person=person, region_code=region)
    if as_json:
        print_json(rows)
        return
    # The long column ("name") wraps, the others stay whole.
    print_table(
        [jsonable(row) | {"name": row.last_error} for row in rows],
        [
            ("id", "№"),
            ("task", "Поручение"),
            ("person", "Кому"),
            ("kind", "Вид"),
            ("local_date", "Дата"),
            ("status", "Статус"),
            ("attempts", "Попыток"),
            ("name", "Ошибка"),
        ],
    )


@task_commands.command("ack")
@handles_user_errors
def task_ack(
    code: Annotated[str, typer.Argument(help="Код поручения.")],
    by: Annotated[str, typer.Option("--by", help="Код ответственного лица или координатора.")],
    now: NowOpt = None,
    region: RegionOpt = None,
) -> None:
    """Принять эскалацию: дальнейшие эскалации на этом уровне прекращаются."""
    from roadmap.alerts.acknowledgements import acknowledge

    result = acknowledge(
        current_settings(), code, by, region_code=region, now=read_now_option(now, region)
    )
    get_console().print(
        t("task.acknowledged", code=result.code, person=result.person, level=result.level)
    )


@commands.command("serve")
@handles_user_errors
def serve_command(
    pool: Annotated[
        str | None,
        typer.Option(
            "--pool",
            help="Развернуть в пул процессов Prefect и выйти: запуски выполняют воркеры"
            " (`prefect worker start --pool ИМЯ`) на любых машинах.",
        ),
    ] = None,
) -> None:
    """Обслуживать развёртывания Prefect: этапы по кнопке, обход сроков по расписанию."""
    from flows.serve import main

    main(pool)

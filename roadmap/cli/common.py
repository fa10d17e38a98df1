"""Shared pieces of every command: the common options, reading settings and `--now`, and turning
a user's mistake into one message and exit code 2."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any

import typer

from roadmap.cli.render import escape, get_console
from roadmap.errors import InvalidFile, UserError
from roadmap.i18n import problems_word, t

RegionOpt = Annotated[
    str | None,
    typer.Option("--region", help="Код региона; нужен, только если в хранилище их несколько."),
]


JsonOpt = Annotated[bool, typer.Option("--json", help="Вывод в JSON для скриптов.")]


NowOpt = Annotated[
    str | None,
    typer.Option("--now", help="Момент ISO 8601; без смещения — время региона."),
]


def handles_user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Bad input becomes one message on stderr and exit code 2; our bugs keep tracebacks."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InvalidFile as exc:
            err = get_console(stderr=True)
            for problem in exc.problems:
                err.print(f"[red]{escape(str(problem))}[/red]", soft_wrap=True)
            hidden = exc.total - len(exc.problems)
            if hidden > 0:
                err.print(t("file.more_problems", count=hidden, word=problems_word(hidden)))
            err.print(t("file.rejected", count=exc.total, word=problems_word(exc.total)))
            raise typer.Exit(2) from None
        except UserError as exc:
            get_console(stderr=True).print(f"[red]{escape(str(exc))}[/red]", soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper


def signal_stage_runs(
    reason: str,
    *,
    region: str | None = None,
    task_codes: list[str] | None = None,
    stage: str | None = None,
) -> None:
    """After a change a stage's gate looks at: signal the Prefect runs that carry those
    stages (flows/events.py; nothing without PREFECT_API_URL), warning on stderr if the
    server does not answer. The change itself is saved already."""
    import os

    if not os.environ.get("PREFECT_API_URL"):
        return
    from flows.events import signal_stage_runs as signal

    warning = signal(
        current_settings(), reason, region_code=region, task_codes=task_codes, stage=stage
    )
    if warning:
        get_console(stderr=True).print(f"[yellow]{escape(warning)}[/yellow]", soft_wrap=True)


def current_settings():
    from roadmap.settings import get_settings

    return get_settings()


def checked_choice(option: str, value: str | None, enum: type) -> str | None:
    if value is None:
        return None
    allowed = [member.value for member in enum]
    if value not in allowed:
        raise UserError(
            t("option.bad_choice", option=option, value=value, known=", ".join(allowed))
        )
    return value


def read_in_region(region_code: str | None, body: Callable[..., Any]) -> Any:
    from roadmap.store.unit_of_work import region_session

    with region_session(current_settings(), region_code) as (session, region):
        return body(session, region)


def read_now_option(value: str | None, region_code: str | None):
    """--now by the one rule (roadmap.store.clock.read_now): an aware UTC moment, a bare value
    in the region's time; a bad value is reported before the store is opened."""
    from roadmap.store.clock import read_now

    return read_now(current_settings(), value, region_code)


def options_error(
    exc: Any, values: dict[str, Any], *, skip: int = 0, names: dict[str, str] | None = None
) -> UserError:
    """A record given by options failed validation: its problems in the file format's words
    (Russian by default), each naming the option to fix. `skip` drops leading parts of the
    error location (a union's tag); `names` maps fields to options named otherwise."""
    from roadmap.roadmap_file.places import Source, _pydantic_problem

    source = Source("--", values, {}, "--")
    names = names or {}
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"][skip:])
        problem = _pydantic_problem(source, (), dict(error, loc=loc))
        field = str(loc[0]) if loc else ""
        problems.append(f"--{names.get(field, field).replace('_', '-')}: {problem.message}")
    return UserError("; ".join(problems))

"""The web portal from the command line: `roadmap web` serves it; `roadmap person token
issue|revoke|list` manage a person's sign-in links (personal tokens)."""

from __future__ import annotations

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
from roadmap.cli.render import get_console, print_json, print_table
from roadmap.errors import UserError
from roadmap.i18n import t

commands = typer.Typer()  # `roadmap web`
person_app = typer.Typer(help="Люди / people.", no_args_is_help=True)
token_app = typer.Typer(
    help="Личные ссылки для входа на портал / personal sign-in links.", no_args_is_help=True
)
person_app.add_typer(token_app, name="token")

PersonArg = Annotated[str, typer.Argument(help="Код человека.")]


@commands.command("web")
@handles_user_errors
def web_command(
    host: Annotated[str, typer.Option("--host", help="Адрес, на котором слушать.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Порт (1–65535).")] = 8000,
    region: RegionOpt = None,
) -> None:
    """Запустить веб-портал (личные ссылки, поручения, этапы, отчёты, API под /api)."""
    if not 1 <= port <= 65535:
        raise UserError(t("web.cli.bad_port", port=port))
    import uvicorn

    from roadmap.store.unit_of_work import open_store, region_session
    from roadmap.web.app import create_app

    settings = current_settings()
    # A store that is not there, or an unknown --region, is a message before serving.
    if region is None:
        open_store(settings).dispose()
    else:
        with region_session(settings, region):
            pass
    console = get_console(stderr=True)
    if not settings.web_url:
        console.print(f"[yellow]{t('web.cli.no_url')}[/yellow]", soft_wrap=True)
    console.print(t("web.cli.serving", host=host, port=port), soft_wrap=True)
    uvicorn.run(
        create_app(settings, region_code=region),
        host=host,
        port=port,
        log_config=_log_config(),
        proxy_headers=True,
    )


def _log_config() -> dict:
    """Uvicorn's logging, with the sign-in tokens cut out of the access log."""
    from uvicorn.config import LOGGING_CONFIG

    config = {**LOGGING_CONFIG, "filters": {"tokens": {"()": "roadmap.web.security.HideTokens"}}}
    handlers = {name: dict(handler) for name, handler in LOGGING_CONFIG["handlers"].items()}
    handlers["access"]["filters"] = ["tokens"]
    config["handlers"] = handlers
    return config


@token_app.command("issue")
@handles_user_errors
def token_issue(
    person: PersonArg,
    days: Annotated[int, typer.Option("--days", help="Срок действия, дней.")] = 90,
    now: NowOpt = None,
    region: RegionOpt = None,
) -> None:
    """Выдать личную ссылку (показывается один раз; хранится только хэш токена)."""
    from roadmap.plan.tokens import find_person, issue_token, sign_in_link
    from roadmap.store.unit_of_work import region_session

    settings = current_settings()
    moment = read_now_option(now, region)
    if days < 1:
        raise UserError(t("token.bad_days", days=days))
    with region_session(settings, region) as (session, found):
        who = find_person(session, found, person)
        issued = issue_token(session, who, moment, days, created_by=settings.user)
    key = "token.issued" if settings.web_url else "token.issued_bare"
    console = get_console()
    console.print(t(key, person=person, expires=_moment(issued.expires_at)), soft_wrap=True)
    console.print(sign_in_link(settings.web_url, issued.token), soft_wrap=True, markup=False)


@token_app.command("revoke")
@handles_user_errors
def token_revoke(
    person: PersonArg,
    every: Annotated[bool, typer.Option("--all", help="Отозвать все токены человека.")] = False,
    token_id: Annotated[int | None, typer.Option("--id", help="Номер токена (см. list).")] = None,
    now: NowOpt = None,
    region: RegionOpt = None,
) -> None:
    """Отозвать токены человека; сессии, открытые по ним, завершаются."""
    from roadmap.plan.tokens import find_person, revoke_tokens
    from roadmap.store.unit_of_work import region_session

    if every == (token_id is not None):
        raise UserError(t("token.revoke_which"))
    moment = read_now_option(now, region)
    with region_session(current_settings(), region) as (session, found):
        who = find_person(session, found, person)
        revoked = revoke_tokens(session, who, moment, token_id)
    get_console().print(t("token.revoked", person=person, count=len(revoked)))


@token_app.command("list")
@handles_user_errors
def token_list(person: PersonArg, region: RegionOpt = None, as_json: JsonOpt = False) -> None:
    """Токены человека: выдан, срок, отозван, последний вход (сам токен не показывается)."""
    from roadmap.plan.tokens import ALERT_ISSUER, find_person, list_tokens
    from roadmap.store.unit_of_work import region_session

    with region_session(current_settings(), region) as (session, found):
        rows = list_tokens(session, find_person(session, found, person))
    if as_json:
        print_json(rows)
        return
    if not rows:
        get_console().print(t("token.none", person=person))
        return
    print_table(
        [
            {
                "id": row.id,
                "created": _moment(row.created_at),
                "expires": _moment(row.expires_at),
                "revoked": _moment(row.revoked_at),
                "last_used": _moment(row.last_used_at),
                "by": t("token.by_alert") if row.created_by == ALERT_ISSUER else row.created_by,
            }
            for row in rows
        ],
        [
            ("id", t("token.col_id")),
            ("created", t("token.col_created")),
            ("expires", t("token.col_expires")),
            ("revoked", t("token.col_revoked")),
            ("last_used", t("token.col_last_used")),
            ("by", t("token.col_by")),
        ],
    )


def _moment(value) -> str | None:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else None

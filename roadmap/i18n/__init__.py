"""The one message catalogue: Russian by default, English with ROADMAP_LOCALE=en or --lang en.

Every text a person sees goes through `t(key, **values)`. Messages live in a module per area
(core, file, plan, stages, alerts, review, cli, reports) as {"key": {"ru": ..., "en": ...}}; keys
are unique across them and both languages have the same placeholders (a test checks).
Data that carries both languages itself (a stage's title_ru/title_en) goes through
`localized(ru, en)`.
"""

from __future__ import annotations

import os
from contextvars import ContextVar, Token

from roadmap.i18n import alerts, calendar_feed, cli, core, file, plan, reports, review, stages
from roadmap.i18n import indicators as indicator_messages
from roadmap.i18n import rating as rating_messages
from roadmap.i18n import sessions as sessions_messages
from roadmap.i18n import web as web_messages
from roadmap.i18n import web_api as web_api_messages
from roadmap.i18n import web_pages as web_pages_messages

_locale: str | None = None
# A language for one context only (a web request): wins over set_locale and the environment.
_context_locale: ContextVar[str | None] = ContextVar("roadmap_context_locale", default=None)

MESSAGES: dict[str, dict[str, str]] = {}
for _module in (
    core,
    file,
    plan,
    stages,
    alerts,
    review,
    cli,
    reports,
    calendar_feed,
    indicator_messages,
    sessions_messages,
    rating_messages,
    web_messages,
    web_api_messages,
    web_pages_messages,
):
    _clash = MESSAGES.keys() & _module.MESSAGES.keys()
    assert not _clash, f"message keys defined twice: {sorted(_clash)}"
    MESSAGES.update(_module.MESSAGES)


def set_locale(locale: str | None) -> None:
    global _locale
    _locale = locale


def use_locale(locale: str | None) -> Token:
    """The language of the current context (one web request; its copies inherit it), until
    `_context_locale.reset(token)`; None falls back to set_locale and ROADMAP_LOCALE."""
    return _context_locale.set(locale if locale in ("ru", "en") else None)


def reset_locale(token: Token) -> None:
    _context_locale.reset(token)


def current_locale() -> str:
    loc = _context_locale.get() or _locale or os.environ.get("ROADMAP_LOCALE", "ru")
    return loc if loc in ("ru", "en") else "ru"


def t(key: str, /, **values: object) -> str:
    template = MESSAGES[key][current_locale()]
    return template.format(**values)


def translate(locale: str, key: str, /, **values: object) -> str:
    """A message in a given locale (not the process's): e.g. a digest in its reader's."""
    template = MESSAGES[key][locale if locale in ("ru", "en") else "ru"]
    return template.format(**values)


def problems_word(count: int) -> str:
    """'ошибка / ошибки / ошибок' by Russian plural rules; 'problem(s)' in English."""
    if current_locale() == "en":
        return "problem" if count == 1 else "problems"
    if count % 10 == 1 and count % 100 != 11:
        return "ошибка"
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return "ошибки"
    return "ошибок"


def localized(ru: str, en: str) -> str:
    """One of two texts that come as data in both languages."""
    return en if current_locale() == "en" else ru

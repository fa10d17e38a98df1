"""Alert messages: Russian by default, English for people with locale `en`; one digest per
person and dispatch. The texts are the catalogue's `digest.*` messages (roadmap.i18n)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from roadmap.i18n import translate
from roadmap.store.models import AlertKind


@dataclass(frozen=True)
class AlertItem:
    kind: str  # reminder | due | overdue | escalation | dead_letter
    level: int
    task: str
    title: str
    agency: str
    stage: str | None
    due_on: str
    working_days: int
    chain: tuple[str, ...]  # emissary, responsible official, coordinator (names)
    note: str | None = None  # for dead letters: what could not be delivered


def _what(item: AlertItem, locale: str) -> str:
    return translate(locale, f"digest.{item.kind}", n=abs(item.working_days))


# The order of urgency in a digest: what went wrong first, then the furthest overdue.
_URGENCY = {
    AlertKind.dead_letter: 0,
    AlertKind.escalation: 1,
    AlertKind.overdue: 2,
    AlertKind.due: 3,
    AlertKind.reminder: 4,
}


def urgency_of(kind: str, working_days: int, task: str) -> tuple[int, int, str]:
    """Sort key: kind of alert, then working days left (overdue ones are negative)."""
    return (_URGENCY.get(kind, 5), working_days, task)


def urgency(item: AlertItem) -> tuple[int, int, str]:
    return urgency_of(item.kind, item.working_days, item.task)


def render_digest(
    name: str,
    items: list[AlertItem],
    locale: str = "ru",
    limit: int | None = None,
    *,
    total: int | None = None,
    link: str | None = None,
) -> tuple[str, str]:
    """(subject, body) of one person's digest, in the person's locale: the items most
    urgent first; past `limit` of them, a line counts the rest (a digest of hundreds of
    tasks is no message a person reads). A caller that has already picked the most urgent
    items of a longer digest passes just those and the digest's length as `total`.
    With the person's sign-in `link` (the portal's address is set) the digest ends with it
    and says to act on the portal; without it, each item names the CLI command."""
    say = functools.partial(translate, "en" if locale == "en" else "ru")
    items = sorted(items, key=urgency)
    count = len(items) if total is None else max(total, len(items))
    if count == 1:
        subject = say("digest.subject_one", task=items[0].task, what=_what(items[0], locale))
    else:
        subject = say("digest.subject_many", count=count)
    lines = [say("digest.greeting", name=name), ""]
    shown = items if limit is None else items[:limit]
    for item in shown:
        lines += _item_lines(item, say, locale, web=link is not None)
    if count > len(shown):
        lines += ["", say("digest.more", count=count - len(shown))]
    if link is not None:
        lines += ["", say("digest.open_link", link=link)]
    return subject, "\n".join(lines)


def _item_lines(
    item: AlertItem, say: Callable[..., str], locale: str, *, web: bool = False
) -> list[str]:
    stage = say("digest.stage", stage=item.stage) if item.stage else ""
    line = say(
        "digest.line",
        task=item.task,
        title=item.title,
        agency=item.agency,
        stage=stage,
        due=item.due_on,
        what=_what(item, locale),
    )
    lines = [f"• {line}"]
    if item.note:
        lines.append(f"  {item.note}")
    todo = {AlertKind.escalation: "todo_escalation", AlertKind.dead_letter: "todo_dead"}.get(
        item.kind, "todo_emissary"
    )
    if web and item.kind != AlertKind.dead_letter:
        todo += "_web"
    lines.append("  " + say(f"digest.{todo}", task=item.task))
    if item.chain:
        lines.append("  " + say("digest.chain", chain=" → ".join(item.chain)))
    return lines

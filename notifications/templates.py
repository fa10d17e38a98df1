"""Alert messages: Russian by default, English for people with locale `en`; one digest per
person and dispatch."""

from __future__ import annotations

from dataclasses import dataclass


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


_T = {
    "ru": {
        "subject_one": "Поручение {task}: {what}",
        "subject_many": "Сроки поручений: {count}",
        "reminder": "до срока {n} раб. дн.",
        "due": "срок сегодня",
        "overdue": "просрочено на {n} раб. дн.",
        "escalation": "эскалация: просрочено на {n} раб. дн.",
        "dead_letter": "уведомление не доставлено",
        "line": "{task} «{title}» ({agency}{stage}), срок {due}: {what}.",
        "stage": ", этап {stage}",
        "todo_emissary": "Что сделать: представьте результат и отметьте поручение сданным "
        "(roadmap task submit {task}).",
        "todo_escalation": "Что сделать: свяжитесь с ответственными и подтвердите, что "
        "эскалация принята (roadmap task ack {task} --by КОД).",
        "todo_dead": "Что сделать: проверьте адрес получателя в конфигурации Apprise.",
        "chain": "Цепочка: {chain}.",
        "greeting": "Здравствуйте, {name}!",
    },
    "en": {
        "subject_one": "Task {task}: {what}",
        "subject_many": "Task deadlines: {count}",
        "reminder": "{n} working days left",
        "due": "due today",
        "overdue": "{n} working days overdue",
        "escalation": "escalation: {n} working days overdue",
        "dead_letter": "an alert could not be delivered",
        "line": "{task} '{title}' ({agency}{stage}), due {due}: {what}.",
        "stage": ", stage {stage}",
        "todo_emissary": "To do: hand in the result and mark the task submitted "
        "(roadmap task submit {task}).",
        "todo_escalation": "To do: contact those responsible and acknowledge the escalation "
        "(roadmap task ack {task} --by CODE).",
        "todo_dead": "To do: check the recipient's address in the Apprise configuration.",
        "chain": "Escalation chain: {chain}.",
        "greeting": "Hello, {name}!",
    },
}


def _what(item: AlertItem, words: dict[str, str]) -> str:
    template = words[item.kind]
    return template.format(n=abs(item.working_days))


def render_digest(name: str, items: list[AlertItem], locale: str = "ru") -> tuple[str, str]:
    """(subject, body) of one person's digest."""
    words = _T["en" if locale == "en" else "ru"]
    if len(items) == 1:
        subject = words["subject_one"].format(task=items[0].task, what=_what(items[0], words))
    else:
        subject = words["subject_many"].format(count=len(items))
    lines = [words["greeting"].format(name=name), ""]
    for item in items:
        stage = words["stage"].format(stage=item.stage) if item.stage else ""
        lines.append(
            "• "
            + words["line"].format(
                task=item.task,
                title=item.title,
                agency=item.agency,
                stage=stage,
                due=item.due_on,
                what=_what(item, words),
            )
        )
        if item.note:
            lines.append(f"  {item.note}")
        todo = {"escalation": "todo_escalation", "dead_letter": "todo_dead"}.get(
            item.kind, "todo_emissary"
        )
        lines.append("  " + words[todo].format(task=item.task))
        if item.chain:
            lines.append("  " + words["chain"].format(chain=" → ".join(item.chain)))
    return subject, "\n".join(lines)

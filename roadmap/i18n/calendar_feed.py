"""Messages of `roadmap calendar`: the feed's name and event texts (in the person's language)
and the command's own messages."""

MESSAGES: dict[str, dict[str, str]] = {
    "calendar.name": {
        "ru": "Сроки поручений: {name} ({region})",
        "en": "Task due dates: {name} ({region})",
    },
    "calendar.line.agency": {"ru": "Орган / МО: {agency}", "en": "Organisation: {agency}"},
    "calendar.line.emissary": {"ru": "Эмиссар: {name}", "en": "Emissary: {name}"},
    "calendar.line.stage": {"ru": "Этап: {stage}", "en": "Stage: {stage}"},
    "calendar.line.status": {"ru": "Статус: {status}", "en": "Status: {status}"},
    "calendar.line.overdue": {"ru": "Просрочено.", "en": "Overdue."},
    "calendar.nobody": {"ru": "не назначен", "en": "none named"},
    "calendar.unknown_person": {
        "ru": "PERSON: в регионе {region} нет человека с кодом '{person}' (коды эмиссаров и ответственных лиц — в `roadmap agencies list`).",
        "en": "PERSON: region {region} has no person with code '{person}' (the emissaries' and officials' codes are in `roadmap agencies list`).",
    },
    "calendar.written": {
        "ru": "Записано: {path} (событий: {count})",
        "en": "Written: {path} ({count} events)",
    },
}

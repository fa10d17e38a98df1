"""Messages of the portal's JSON API (/api): refusals and request problems."""

MESSAGES: dict[str, dict[str, str]] = {
    "web.api.task_elsewhere": {
        "ru": "Поручение {code} — другой организации: оно вам недоступно.",
        "en": "Task {code} belongs to another organisation: it is not yours to see or change.",
    },
    "web.api.agency_elsewhere": {
        "ru": "Организация {code} — не ваша: её поручения вам недоступны.",
        "en": "Organisation {code} is not yours: its tasks are not open to you.",
    },
    "web.api.unknown_field": {
        "ru": "неизвестное поле",
        "en": "unknown field",
    },
    "web.api.at_least": {
        "ru": "должно быть не меньше {limit}, получено {input!r}",
        "en": "must be at least {limit}, got {input!r}",
    },
    "web.api.above": {
        "ru": "должно быть больше {limit}, получено {input!r}",
        "en": "must be greater than {limit}, got {input!r}",
    },
    "web.api.at_most": {
        "ru": "должно быть не больше {limit}, получено {input!r}",
        "en": "must be at most {limit}, got {input!r}",
    },
    "web.api.below": {
        "ru": "должно быть меньше {limit}, получено {input!r}",
        "en": "must be less than {limit}, got {input!r}",
    },
    "web.api.pattern": {
        "ru": "недопустимое значение {input!r}",
        "en": "not a valid value: {input!r}",
    },
    "web.api.json": {
        "ru": "тело запроса — не JSON ({reason})",
        "en": "the request body is not JSON ({reason})",
    },
    "web.api.body_unreadable": {
        "ru": "тело запроса не читается: ожидается JSON в кодировке UTF-8",
        "en": "the request body cannot be read: expected JSON in UTF-8",
    },
}

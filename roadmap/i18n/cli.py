"""Messages of the command line: headings, labels and hints."""

MESSAGES: dict[str, dict[str, str]] = {
    "summary.head": {
        "ru": "[bold]{name}[/bold] ({code}, {timezone}) — {title}, {start}–{end}, версия {version}",
        "en": "[bold]{name}[/bold] ({code}, {timezone}) — {title}, {start}–{end}, version {version}",
    },
    "summary.counts": {
        "ru": "Органов: {agencies}; инициатив: {initiatives} ({by_status}); услуг: {services}; ИС: {systems}",
        "en": "Agencies: {agencies}; initiatives: {initiatives} ({by_status}); services: {services}; systems: {systems}",
    },
    "summary.budget": {
        "ru": "План финансирования, млн ₽",
        "en": "Budget plan by source and year, million RUB",
    },
    "summary.source": {"ru": "Источник", "en": "source"},
    "summary.total": {"ru": "Итого", "en": "total"},
    "summary.indicators": {"ru": "Показатели", "en": "Indicators"},
    "summary.code": {"ru": "Код", "en": "code"},
    "summary.indicator": {"ru": "Показатель", "en": "indicator"},
    "summary.baseline": {"ru": "База", "en": "baseline"},
    "summary.actual": {"ru": "Факт", "en": "actual"},
    "summary.target": {"ru": "Цель", "en": "target"},
    "summary.tasks": {
        "ru": "Поручения: {tasks}; просрочено {overdue} (на {today})",
        "en": "Tasks: {tasks}; overdue {overdue} (as of {today})",
    },
}

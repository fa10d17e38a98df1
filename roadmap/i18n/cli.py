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
    "summary.excluded": {
        "ru": "Не в итогах: {amount} — деньги исключённых инициатив.",
        "en": "Not in the totals: {amount} of dropped initiatives.",
    },
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
    "demo.stages": {"ru": "Этапы", "en": "Stages"},
    "table.more_rows": {
        "ru": "Показаны первые {shown}; ещё {more} — все строки: --all, --json или --csv.",
        "en": "The first {shown} shown; {more} more — every row: --all, --json or --csv.",
    },
    "option.json_or_csv": {
        "ru": "--json и --csv: выберите что-то одно.",
        "en": "--json and --csv: choose one.",
    },
    "csv.yes": {"ru": "да", "en": "yes"},
    "csv.no": {"ru": "нет", "en": "no"},
    "csv.tasks": {
        "ru": "Код;Поручение;Орган;Эмиссар;Этап;Срок;Статус;Просрочено;Рабочих дней до срока;Сдано (UTC)",
        "en": "code;title;agency;assignee;stage;due;status;overdue;working_days_left;submitted_at",
    },
    "demo.where_to_look": {
        "ru": "Запуски этапов, их поручения и артефакты — в интерфейсе Prefect: `PREFECT_HOME={home} .venv/bin/prefect server start`, затем http://127.0.0.1:4200/runs (запуск «Демонстрация: все этапы» и восемь этапов под ним).",
        "en": "The stage runs, their task runs and artifacts are in the Prefect UI: `PREFECT_HOME={home} .venv/bin/prefect server start`, then http://127.0.0.1:4200/runs (the run 'Demo: every stage' with eight stage runs under it).",
    },
    "demo.stage": {"ru": "Этап", "en": "Stage"},
    "demo.started": {"ru": "Начат", "en": "Started"},
    "demo.due": {"ru": "Срок", "en": "Due"},
    "demo.closed": {"ru": "Закрыт", "en": "Closed"},
    "demo.outcome": {"ru": "Итог", "en": "Outcome"},
    "demo.total": {"ru": "Итог", "en": "Total"},
    "demo.tasks": {"ru": "Поручения", "en": "Tasks"},
    "demo.selection": {
        "ru": "Отбор инициатив ({cut}; веса: {weights})",
        "en": "Selection of initiatives ({cut}; weights: {weights})",
    },
    "demo.code": {"ru": "Код", "en": "Code"},
    "demo.initiative": {"ru": "Инициатива", "en": "Initiative"},
    "demo.selected": {"ru": "Отобрана", "en": "Selected"},
    "demo.tasks_by_agency": {"ru": "Поручения по органам", "en": "Tasks by agency"},
    "demo.agency": {"ru": "Орган", "en": "Agency"},
}

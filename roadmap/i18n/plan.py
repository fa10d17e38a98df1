"""Messages of the plan: import, export, tasks."""

MESSAGES: dict[str, dict[str, str]] = {
    "task.unknown": {
        "ru": "Неизвестное поручение '{code}' в регионе {region}.",
        "en": "Unknown task '{code}' in region {region}.",
    },
    "task.transition_refused": {
        "ru": "Поручение {code}: действие «{action}» невозможно при статусе «{status}» (допустимо при: {allowed}).",
        "en": "Task {code}: '{action}' is not possible in status '{status}' (allowed from: {allowed}).",
    },
    "task.code_or_file": {
        "ru": "Укажите код поручения или --file с поручениями (одно из двух).",
        "en": "Give a task code or --file with tasks (one of the two).",
    },
    "task.changed": {
        "ru": "{code}: {before} → {after}, срок {due} ({when}).",
        "en": "{code}: {before} → {after}, due {due} ({when}).",
    },
    "task.stage_submitted": {
        "ru": "Этап {stage}: сдано поручений: {count}.",
        "en": "Stage {stage}: {count} tasks submitted.",
    },
    "task.card": {
        "ru": "Орган {agency}, эмиссар {assignee}, этап {stage}; срок {due}{left}; статус {status}.",
        "en": "Agency {agency}, emissary {assignee}, stage {stage}; due {due}{left}; status {status}.",
    },
    "task.no_history": {
        "ru": "История: статус не менялся.",
        "en": "History: the status has not changed.",
    },
    "task.twice": {
        "ru": "поручение {code} уже указано выше ({first}).",
        "en": "task {code} is already given above ({first}).",
    },
    "task.why_required": {
        "ru": "Поручение {code}: для действия «{action}» укажите причину (--why).",
        "en": "Task {code}: '{action}' needs a reason (--why).",
    },
    "task.due_required": {
        "ru": "Поручение {code}: при возврате укажите новый срок (--due ГГГГ-ММ-ДД).",
        "en": "Task {code}: a return needs a new due date (--due YYYY-MM-DD).",
    },
    "task.due_past": {
        "ru": "Поручение {code}: новый срок {due} раньше сегодняшнего дня региона ({today}).",
        "en": "Task {code}: the new due date {due} is before the region's today ({today}).",
    },
    "task.acknowledged": {
        "ru": "Эскалация по поручению {code} принята: {person} (уровень {level}).",
        "en": "Escalation of task {code} acknowledged by {person} (level {level}).",
    },
    "task.nothing_to_ack": {
        "ru": "По поручению {code} не было эскалации к {person} по текущему сроку: принимать нечего.",
        "en": "Task {code} has not been escalated to {person} for its current due date: nothing to acknowledge.",
    },
    "task.ack_not_allowed": {
        "ru": "{person} не может принять эскалацию по {code}: это делает ответственное лицо органа или координатор.",
        "en": "{person} cannot acknowledge {code}: only the agency's responsible official or the coordinator can.",
    },
    "import.older_base": {
        "ru": "{path}: хранилище изменилось после выгрузки этого файла; импорт заменил изменения, сделанные с тех пор ({summary}).",
        "en": "{path}: the store has changed since this file was exported; the import replaced the changes made since ({summary}).",
    },
    "export.written": {
        "ru": "Дорожная карта {region} записана в {path}.",
        "en": "Roadmap of {region} written to {path}.",
    },
    "import.region_mismatch": {
        "ru": "{path}: файл описывает регион {code}, а указан --region {option}.",
        "en": "{path}: the file describes region {code}, but --region {option} was given.",
    },
    "export.cannot_write": {
        "ru": "{path}: не удаётся записать файл: {reason}.",
        "en": "{path}: cannot write the file: {reason}.",
    },
    "import.done": {
        "ru": "Загружено в регион {region}: {summary}.",
        "en": "Imported into region {region}: {summary}.",
    },
    "import.dry_run": {
        "ru": "Пробный прогон, ничего не записано: {summary}.",
        "en": "Dry run, nothing written: {summary}.",
    },
    "import.unchanged": {
        "ru": "без изменений",
        "en": "no changes",
    },
    "import.csv_needs_region": {
        "ru": "{path}: CSV-файл дополняет уже загруженный регион, а в хранилище регионов нет.",
        "en": "{path}: a CSV file adds to an imported region, and the store holds none.",
    },
}

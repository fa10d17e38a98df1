"""Messages to users: Russian by default, English with ROADMAP_LOCALE=en or --lang en."""

from __future__ import annotations

import os

_locale: str | None = None

MESSAGES: dict[str, dict[str, str]] = {
    "settings.invalid": {
        "ru": "Неверная настройка: {problems}",
        "en": "Invalid setting: {problems}",
    },
    "store.not_initialised": {
        "ru": "Хранилище {store} не инициализировано: выполните `roadmap init`.",
        "en": "The store {store} is not initialised: run `roadmap init`.",
    },
    "store.outdated": {
        "ru": "Схема хранилища {store} устарела: выполните `roadmap init`, чтобы обновить её.",
        "en": "The store {store} has an old schema: run `roadmap init` to upgrade it.",
    },
    "store.newer": {
        "ru": "Схема хранилища {store} новее этой версии программы ({revision}): обновите roadmap.",
        "en": "The store {store} has a newer schema than this program ({revision}): upgrade roadmap.",
    },
    "store.bad_url": {
        "ru": "ROADMAP_DATABASE_URL: не удаётся разобрать адрес хранилища {store}: {reason}",
        "en": "ROADMAP_DATABASE_URL: cannot parse the store address {store}: {reason}",
    },
    "store.unreachable": {
        "ru": "ROADMAP_DATABASE_URL: нет связи с хранилищем {store}: {reason}",
        "en": "ROADMAP_DATABASE_URL: cannot reach the store {store}: {reason}",
    },
    "store.initialised": {
        "ru": "Хранилище готово: {store} (схема {revision}).",
        "en": "Store ready: {store} (schema {revision}).",
    },
    "region.none": {
        "ru": "В хранилище нет ни одного региона: загрузите дорожную карту (`roadmap import ФАЙЛ`).",
        "en": "The store holds no region yet: import a roadmap (`roadmap import FILE`).",
    },
    "region.ambiguous": {
        "ru": "В хранилище несколько регионов ({known}): укажите --region КОД.",
        "en": "The store holds several regions ({known}): pass --region CODE.",
    },
    "region.unknown": {
        "ru": "--region: неизвестный регион '{code}' (есть: {known}).",
        "en": "--region: unknown region '{code}' (known: {known}).",
    },
    "strategy.none": {
        "ru": "У региона {region} нет стратегии: загрузите дорожную карту.",
        "en": "Region {region} has no strategy: import a roadmap.",
    },
    "task.unknown": {
        "ru": "Неизвестное поручение '{code}' в регионе {region}.",
        "en": "Unknown task '{code}' in region {region}.",
    },
    "task.not_open": {
        "ru": "Поручение {code} нельзя сдать: его статус «{status}».",
        "en": "Task {code} cannot be submitted: its status is '{status}'.",
    },
    "task.submitted": {
        "ru": "Поручение {code} сдано {when}.",
        "en": "Task {code} submitted at {when}.",
    },
    "stage.unknown": {
        "ru": "Неизвестный этап '{key}' (есть: {known}).",
        "en": "Unknown stage '{key}' (known: {known}).",
    },
    "stage.previous_open": {
        "ru": "Этап {key} нельзя начать: предыдущий этап {previous} не закрыт (статус «{status}»).",
        "en": "Stage {key} cannot start: the previous stage {previous} is not closed (status '{status}').",
    },
    "stage.starts_before_previous": {
        "ru": "Этап {key} не может начаться {on}: предыдущий этап {previous} закрыт {closed}.",
        "en": "Stage {key} cannot start on {on}: the previous stage {previous} closed on {closed}.",
    },
    "stage.close_before_start": {
        "ru": "Этап {key} начинается {on}: закрыть его раньше нельзя.",
        "en": "Stage {key} starts on {on}: it cannot close before that.",
    },
    "stage.not_started": {
        "ru": "Этап {key} ещё не начат: `roadmap stage start {key}`.",
        "en": "Stage {key} has not started: `roadmap stage start {key}`.",
    },
    "stage.started": {
        "ru": "Этап {key}: {status}, с {started} по {due}; создано поручений: {created} (всего {total}).",
        "en": "Stage {key}: {status}, {started} to {due}; tasks created: {created} (of {total}).",
    },
    "stage.closed": {
        "ru": "Этап {key} закрыт.",
        "en": "Stage {key} closed.",
    },
    "stage.gate_failed": {
        "ru": "Этап {key} нельзя закрыть, не хватает ({count}):",
        "en": "Stage {key} cannot close, missing ({count}):",
    },
    "gate.task_open": {
        "ru": "поручение {code} не сдано",
        "en": "task {code} not submitted",
    },
    "gate.no_initiatives": {
        "ru": "не предложено ни одной инициативы",
        "en": "no initiative has been proposed",
    },
    "gate.no_hypothesis": {
        "ru": "у инициативы {code} нет подтверждённой гипотезы",
        "en": "initiative {code} has no confirmed hypothesis",
    },
    "gate.no_analysis": {
        "ru": "анализ не проведён на этом этапе: `roadmap analysis run`",
        "en": "no analysis run in this stage: `roadmap analysis run`",
    },
    "gate.no_decision": {
        "ru": "нет решения по архитектуре (`roadmap architecture decide`)",
        "en": "no architecture review decision (`roadmap architecture decide`)",
    },
    "initiative.unknown": {
        "ru": "Неизвестная инициатива '{code}'.",
        "en": "Unknown initiative '{code}'.",
    },
    "initiative.not_proposed": {
        "ru": "Инициатива {code} уже не предложение (статус «{status}»): выберите другой код.",
        "en": "Initiative {code} is past the proposal (status '{status}'): choose another code.",
    },
    "initiative.not_droppable": {
        "ru": "Инициативу {code} нельзя исключить на этапах планирования: её статус «{status}». Изменения идут через ежегодную актуализацию (roadmap review propose).",
        "en": "Initiative {code} cannot be dropped in planning: its status is '{status}'. Change it in the yearly review (roadmap review propose).",
    },
    "hypothesis.unknown": {
        "ru": "У инициативы {initiative} нет гипотезы '{code}': сначала `roadmap hypothesis add`.",
        "en": "Initiative {initiative} has no hypothesis '{code}': `roadmap hypothesis add` first.",
    },
    "score.unknown_criterion": {
        "ru": "Неизвестный критерий '{criterion}' (в config/stages.toml: {known}).",
        "en": "Unknown criterion '{criterion}' (config/stages.toml has: {known}).",
    },
    "score.bad_value": {
        "ru": "{code}: {criterion} = '{value}' — оценка должна быть числом от 0 до 10.",
        "en": "{code}: {criterion} = '{value}' — a score is a number from 0 to 10.",
    },
    "analysis.no_candidates": {
        "ru": "Нечего анализировать: нет инициатив с подтверждённой гипотезой.",
        "en": "Nothing to analyse: no initiative has a confirmed hypothesis.",
    },
    "analysis.missing_scores": {
        "ru": "Не хватает оценок: {items}.",
        "en": "Scores are missing: {items}.",
    },
    "records.none": {
        "ru": "Нечего записывать: укажите параметры записи или --file ФАЙЛ.",
        "en": "Nothing to record: give the record's options or --file FILE.",
    },
    "records.saved": {
        "ru": "Записано: новых {created}, изменено {updated}.",
        "en": "Saved: {created} new, {updated} changed.",
    },
    "records.scores": {
        "ru": "Оценок записано: {count}.",
        "en": "Scores saved: {count}.",
    },
    "score.bad_pair": {
        "ru": "'{value}': оценка задаётся как критерий=значение, например effect=8.",
        "en": "'{value}': a score is criterion=value, e.g. effect=8.",
    },
    "analysis.one_cut": {
        "ru": "Укажите либо --count, либо --budget.",
        "en": "Give either --count or --budget, not both.",
    },
    "architecture.duplicate": {
        "ru": "Дублирование функций:",
        "en": "Duplicate function:",
    },
    "alerts.no_config": {
        "ru": "ROADMAP_APPRISE_CONFIG: файл {path} не найден.",
        "en": "ROADMAP_APPRISE_CONFIG: no such file {path}.",
    },
    "alerts.bad_config": {
        "ru": "ROADMAP_APPRISE_CONFIG: {path} — не конфигурация Apprise (YAML с ключом urls).",
        "en": "ROADMAP_APPRISE_CONFIG: {path} is not an Apprise configuration (YAML with urls).",
    },
    "alerts.bad_smtp": {
        "ru": "ROADMAP_SMTP_URL: не адрес Apprise для почты (например, mailtos://user:pass@smtp.example.org).",
        "en": "ROADMAP_SMTP_URL: not an Apprise mail URL (e.g. mailtos://user:pass@smtp.example.org).",
    },
    "alerts.no_target": {
        "ru": "у {person} нет адреса: ни записи с тегом {person} в конфигурации Apprise, ни почты с ROADMAP_SMTP_URL",
        "en": "{person} has no target: no Apprise entry tagged {person}, and no email with ROADMAP_SMTP_URL",
    },
    "alerts.sweep": {
        "ru": "Обход {region}: {status}; запланировано уведомлений: {planned}.",
        "en": "Sweep of {region}: {status}; alerts planned: {planned}.",
    },
    "alerts.dispatch": {
        "ru": "Отправка: дайджестов {digests}, доставлено {sent}, повтор позже {failed}, не доставлено {dead}, нет адреса {undeliverable}, отменено {cancelled}, отложено до рабочего времени {postponed}.",
        "en": "Dispatch: {digests} digests, {sent} delivered, {failed} to retry, {dead} dead, {undeliverable} without a target, {cancelled} cancelled, {postponed} postponed to working hours.",
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
    "review.task_title": {
        "ru": "Рабочая группа {year}: предложения по актуализации стратегии",
        "en": "Working group {year}: proposals to update the strategy",
    },
    "review.none": {
        "ru": "Нет цикла актуализации ({year}): `roadmap review start ГОД`.",
        "en": "No review cycle ({year}): `roadmap review start YEAR`.",
    },
    "review.yaml_only": {
        "ru": "{path}: предложения изменений принимаются в YAML (см. docs/review.md).",
        "en": "{path}: change proposals come as YAML (see docs/review.md).",
    },
    "review.closed": {
        "ru": "Цикл актуализации {year} уже закрыт.",
        "en": "The {year} review cycle is already closed.",
    },
    "review.unknown": {
        "ru": "неизвестный код ({what}) '{code}'",
        "en": "unknown {what} '{code}'",
    },
    "review.exists": {
        "ru": "инициатива {code} уже есть: используйте change_initiative",
        "en": "initiative {code} already exists: use change_initiative",
    },
    "review.year_outside": {
        "ru": "год {year} вне горизонта стратегии",
        "en": "year {year} is outside the strategy horizon",
    },
    "review.unknown_proposal": {
        "ru": "Нет предложений с номерами {numbers} в цикле {year}.",
        "en": "No proposals numbered {numbers} in the {year} cycle.",
    },
    "review.conflicts": {
        "ru": "Принятые предложения противоречат друг другу, ничего не применено: {items}. Отклоните одно из каждой пары.",
        "en": "Accepted proposals conflict, nothing was applied: {items}. Reject one of each pair.",
    },
    "review.undecided": {
        "ru": "Не решены предложения {numbers}: примите или отклоните их (roadmap review decide).",
        "en": "Proposals {numbers} are undecided: accept or reject them (roadmap review decide).",
    },
    "review.other_open": {
        "ru": "Нельзя открыть актуализацию {year}: открыт цикл {other}, сначала закройте его.",
        "en": "Cannot open the {year} review: the {other} cycle is open, close it first.",
    },
    "review.stale_baseline": {
        "ru": "Цикл {year} начат от версии {baseline}, а стратегия уже в версии {current}: предложения устарели.",
        "en": "The {year} cycle started from version {baseline}, the strategy is at version {current}: the proposals are stale.",
    },
    "review.stale": {
        "ru": "Принятые предложения больше не применимы, ничего не изменено: {items}.",
        "en": "Accepted proposals no longer apply, nothing was changed: {items}.",
    },
    "review.already_dropped": {
        "ru": "инициатива {code} уже исключена",
        "en": "initiative {code} is already dropped",
    },
    "review.nothing_to_change": {
        "ru": "для {code} не указано, что изменить (title, sector, owner, status)",
        "en": "nothing to change given for {code} (title, sector, owner, status)",
    },
    "review.unknown_version": {
        "ru": "Нет версии {version} (есть: {known}).",
        "en": "No version {version} (known: {known}).",
    },
    "option.bad_datetime": {
        "ru": "{option}: '{value}' — не дата и время ISO 8601 (например, 2026-12-01T10:00+10:00).",
        "en": "{option}: '{value}' is not an ISO 8601 date-time (e.g. 2026-12-01T10:00+10:00).",
    },
    "option.bad_date": {
        "ru": "{option}: '{value}' — не дата ГГГГ-ММ-ДД.",
        "en": "{option}: '{value}' is not a YYYY-MM-DD date.",
    },
    "option.unknown_code": {
        "ru": "{option}: неизвестный код '{value}' (есть: {known}).",
        "en": "{option}: unknown code '{value}' (known: {known}).",
    },
    "option.bad_choice": {
        "ru": "{option}: '{value}' — допустимо: {known}.",
        "en": "{option}: '{value}' — allowed: {known}.",
    },
    "file.missing": {
        "ru": "{path}: файл не найден.",
        "en": "{path}: no such file.",
    },
    "file.too_big": {
        "ru": "{path}: файл слишком велик ({size} МБ, предел {limit} МБ).",
        "en": "{path}: file too big ({size} MB, limit {limit} MB).",
    },
    "file.bad_kind": {
        "ru": "{path}: неизвестный формат; ожидается .yaml, .yml, .xlsx или .csv.",
        "en": "{path}: unknown format; expected .yaml, .yml, .xlsx or .csv.",
    },
    "file.bad_kind_records": {
        "ru": "{path}: неизвестный формат; ожидается .yaml, .yml или .csv.",
        "en": "{path}: unknown format; expected .yaml, .yml or .csv.",
    },
    "file.more_problems": {
        "ru": "… и ещё {count} {word}.",
        "en": "… and {count} more {word}.",
    },
    "file.rejected": {
        "ru": "Файл отклонён целиком, ничего не записано ({count} {word}).",
        "en": "The file was rejected whole, nothing was written ({count} {word}).",
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
    "option.year_range": {
        "ru": "{option}: '{value}' — год должен быть от 2000 до 2100.",
        "en": "{option}: '{value}' — the year must be 2000–2100.",
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


def set_locale(locale: str | None) -> None:
    global _locale
    _locale = locale


def current_locale() -> str:
    loc = _locale or os.environ.get("ROADMAP_LOCALE", "ru")
    return loc if loc in ("ru", "en") else "ru"


def t(key: str, /, **values: object) -> str:
    template = MESSAGES[key][current_locale()]
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

"""Messages of the basics and the store: settings, the store, regions, options, files."""

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
    "store.fault": {
        "ru": "Хранилище {store} недоступно для работы: {reason}. Ничего не записано; проверьте место на диске, права на запись и целостность (roadmap check).",
        "en": "The store {store} cannot be used: {reason}. Nothing was written; check disk space, write permission and integrity (roadmap check).",
    },
    "store.check_ok": {
        "ru": "Хранилище {store} в порядке.",
        "en": "The store {store} is sound.",
    },
    "store.check_failed": {
        "ru": "Хранилище {store} повреждено ({count}): восстановите его из резервной копии.",
        "en": "The store {store} is damaged ({count}): restore it from a backup.",
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
    "option.bad_datetime": {
        "ru": "{option}: '{value}' — не дата и время ISO 8601 (например, 2026-12-01T10:00+10:00).",
        "en": "{option}: '{value}' is not an ISO 8601 date-time (e.g. 2026-12-01T10:00+10:00).",
    },
    "option.now_needs_region": {
        "ru": "{option}: '{value}' без смещения — это местное время региона, а регионов в хранилище несколько ({known}): укажите --region КОД или смещение (например, +10:00).",
        "en": "{option}: '{value}' has no offset, so it is a region's local time, and the store holds several regions ({known}): pass --region CODE or an offset (e.g. +10:00).",
    },
    "option.bad_date": {
        "ru": "{option}: '{value}' — не дата ГГГГ-ММ-ДД.",
        "en": "{option}: '{value}' is not a YYYY-MM-DD date.",
    },
    "due.day_off": {
        "ru": "{where}: срок {day} приходится на нерабочий день (без --strict он переносится на следующий рабочий).",
        "en": "{where}: due date {day} is not a working day (without --strict it moves to the next working day).",
    },
    "due.moved": {
        "ru": "{where}: срок {day} — нерабочий день, перенесён на {moved}.",
        "en": "{where}: due date {day} is not a working day; moved to {moved}.",
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
    "file.is_directory": {
        "ru": "{path}: это папка, а нужен файл.",
        "en": "{path}: this is a directory, not a file.",
    },
    "file.loop": {
        "ru": "{path}: символическая ссылка ведёт по кругу.",
        "en": "{path}: the symbolic link loops.",
    },
    "file.dangling": {
        "ru": "{path}: символическая ссылка ведёт к несуществующему файлу.",
        "en": "{path}: the symbolic link leads to no file.",
    },
    "file.not_regular": {
        "ru": "{path}: это не обычный файл (устройство, канал или сокет).",
        "en": "{path}: not a regular file (a device, a pipe or a socket).",
    },
    "file.unknown_encoding": {
        "ru": "--encoding: неизвестная кодировка '{encoding}' (например utf-8, cp1251).",
        "en": "--encoding: unknown encoding '{encoding}' (e.g. utf-8, cp1251).",
    },
    "file.unknown_list": {
        "ru": "--list: неизвестный список '{value}' (допустимо: {known}).",
        "en": "--list: unknown list '{value}' (allowed: {known}).",
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
    "option.year_range": {
        "ru": "{option}: '{value}' — год должен быть от 2000 до 2100.",
        "en": "{option}: '{value}' — the year must be 2000–2100.",
    },
}

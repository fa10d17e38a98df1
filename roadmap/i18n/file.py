"""Messages of the roadmap file format: reading and validation problems."""

MESSAGES: dict[str, dict[str, str]] = {
    "format.missing": {"ru": "обязательный ключ отсутствует", "en": "required key is missing"},
    "format.extra": {
        "ru": "неизвестный ключ (допустимо: {allowed})",
        "en": "unknown key (allowed: {allowed})",
    },
    "format.int": {
        "ru": "ожидается целое число, получено {input!r}",
        "en": "expected a whole number, got {input!r}",
    },
    "format.number": {
        "ru": "ожидается число, получено {input!r}",
        "en": "expected a number, got {input!r}",
    },
    "format.money": {
        "ru": "ожидается сумма в рублях (не больше двух знаков после запятой), получено {input!r}",
        "en": "expected an amount in roubles (at most two decimals), got {input!r}",
    },
    "format.negative": {
        "ru": "сумма не может быть отрицательной: {input}",
        "en": "amount cannot be negative: {input}",
    },
    "format.choice": {
        "ru": "допустимо: {expected}; получено {input!r}",
        "en": "allowed: {expected}; got {input!r}",
    },
    "format.text": {
        "ru": "ожидается текст, получено {input!r}",
        "en": "expected text, got {input!r}",
    },
    "format.empty": {"ru": "не может быть пустым", "en": "cannot be empty"},
    "format.too_long": {
        "ru": "слишком длинно (больше {max} символов)",
        "en": "too long (over {max} characters)",
    },
    "format.code": {
        "ru": "код может содержать только латинские буквы, цифры, '-', '_' и '.': {input!r}",
        "en": "a code may hold only Latin letters, digits, '-', '_' and '.': {input!r}",
    },
    "format.bool": {
        "ru": "ожидается true или false, получено {input!r}",
        "en": "expected true or false, got {input!r}",
    },
    "format.mapping": {
        "ru": "ожидается словарь (ключ: значение)",
        "en": "expected a mapping (key: value)",
    },
    "format.list": {"ru": "ожидается список", "en": "expected a list"},
    "format.date": {
        "ru": "ожидается дата ГГГГ-ММ-ДД, получено {input!r}",
        "en": "expected a date YYYY-MM-DD, got {input!r}",
    },
    "format.year": {
        "ru": "ожидается год от 2000 до 2100, получено {input!r}",
        "en": "expected a year 2000–2100, got {input!r}",
    },
    "format.email": {
        "ru": "не похоже на адрес почты: {input!r}",
        "en": "does not look like an email address: {input!r}",
    },
    "format.timezone": {
        "ru": "неизвестный часовой пояс {input!r} (ожидается имя IANA, например Asia/Vladivostok)",
        "en": "unknown time zone {input!r} (expected an IANA name, e.g. Asia/Vladivostok)",
    },
    "format.format": {
        "ru": "поддерживается только формат версии 1, получено {input!r}",
        "en": "only format version 1 is supported, got {input!r}",
    },
    "format.horizon": {
        "ru": "end_year {end} раньше start_year {start}",
        "en": "end_year {end} is before start_year {start}",
    },
    "format.unknown_ref": {
        "ru": "{what} {code!r} (есть: {known})",
        "en": "{what} {code!r} (known: {known})",
    },
    "format.duplicate": {
        "ru": "код {code!r} повторяется (впервые — {first})",
        "en": "duplicate code {code!r} (first at {first})",
    },
    "format.duplicate_task": {
        "ru": "поручение без кода {title!r} у этого органа уже есть ({first}): задайте code",
        "en": "a task without a code titled {title!r} already exists for this agency ({first}): give it a code",
    },
    "format.duplicate_budget": {
        "ru": "строка бюджета {initiative} / {year} / {source} повторяется (впервые — {first})",
        "en": "budget line {initiative} / {year} / {source} is repeated (first at {first})",
    },
    "format.person_clash": {
        "ru": "код сотрудника {code!r} уже задан для другого человека или роли ({first})",
        "en": "person code {code!r} is already used for another person or role ({first})",
    },
    "format.year_outside": {
        "ru": "год {year} вне горизонта стратегии {start}–{end}",
        "en": "year {year} is outside the strategy horizon {start}–{end}",
    },
    "format.yaml": {"ru": "ошибка синтаксиса YAML: {reason}", "en": "YAML syntax error: {reason}"},
    "format.too_many_nodes": {
        "ru": "слишком много значений (больше {max_nodes}): ссылки YAML (&, *) раздувают файл?",
        "en": "too many values (over {max_nodes}): do YAML aliases (&, *) blow the file up?",
    },
    "format.extra_cells": {
        "ru": "в строке больше ячеек, чем столбцов в заголовке: {value!r} без столбца",
        "en": "the row has more cells than the header has columns: {value!r} has no column",
    },
    "format.key_twice": {
        "ru": "ключ {column!r} повторяется (впервые — {first})",
        "en": "key {column!r} is repeated (first at {first})",
    },
    "format.sheet_key": {
        "ru": "неизвестный ключ {column!r} (допустимо: {allowed})",
        "en": "unknown key {column!r} (allowed: {allowed})",
    },
    "format.finite": {
        "ru": "ожидается конечное число, получено {input!r}",
        "en": "expected a finite number, got {input!r}",
    },
    "format.encoding": {
        "ru": "файл не в кодировке UTF-8 (байт {offset}): это не текстовый файл дорожной карты?",
        "en": "the file is not UTF-8 (byte {offset}): not a roadmap text file?",
    },
    "format.top": {
        "ru": "файл должен быть словарём с ключом format: 1",
        "en": "the file must be a mapping with format: 1",
    },
    "format.xlsx": {
        "ru": "не удаётся прочитать книгу XLSX: {reason}",
        "en": "cannot read the XLSX workbook: {reason}",
    },
    "format.xlsx_no_sheet": {
        "ru": "в книге нет листа {sheet!r} (есть: {known})",
        "en": "the workbook has no sheet {sheet!r} (has: {known})",
    },
    "format.xlsx_sheet_ignored": {
        "ru": "лист {sheet!r} пропущен: это не данные дорожной карты (листы с данными: {known})",
        "en": "sheet {sheet!r} skipped: not roadmap data (data sheets: {known})",
    },
    "format.column_unknown": {
        "ru": "неизвестный столбец {column!r} (допустимо: {allowed})",
        "en": "unknown column {column!r} (allowed: {allowed})",
    },
    "format.column_missing": {
        "ru": "нет обязательного столбца {column!r}",
        "en": "required column {column!r} is missing",
    },
    "format.column_twice": {
        "ru": "столбец {column!r} повторяется",
        "en": "column {column!r} appears twice",
    },
    "format.csv_list": {
        "ru": "не понять, какой это список: ни имя файла, ни заголовок его не называют; укажите --list ({known}) или назовите файл, например tasks.csv или Задачи.csv",
        "en": "cannot tell which list this is: neither the file name nor the header says; give --list ({known}) or name the file, e.g. tasks.csv",
    },
    "format.due_day_off": {
        "ru": "срок {day} приходится на нерабочий день (без --strict он переносится на следующий рабочий)",
        "en": "due date {day} is not a working day (without --strict it moves to the next working day)",
    },
    "format.due_moved": {
        "ru": "срок {day} — нерабочий день, перенесён на {moved}",
        "en": "due date {day} is not a working day; moved to {moved}",
    },
    "format.control_char": {
        "ru": "управляющий символ {code} в тексте: удалите его",
        "en": "control character {code} in the text: remove it",
    },
    "format.encoding_unknown": {
        "ru": "файл не в UTF-8 и не в Windows-1251 (байт {offset}); сохраните его как «CSV UTF-8» или укажите --encoding",
        "en": 'the file is neither UTF-8 nor Windows-1251 (byte {offset}); save it as "CSV UTF-8" or give --encoding',
    },
    "format.encoding_forced": {
        "ru": "файл не читается в кодировке {encoding} (байт {offset})",
        "en": "the file cannot be read as {encoding} (byte {offset})",
    },
    "format.csv": {"ru": "ошибка CSV: {reason}", "en": "CSV error: {reason}"},
    "format.no_header": {"ru": "нет строки заголовков", "en": "no header row"},
    "format.records": {
        "ru": "ожидается список записей (или ключ {key}: со списком)",
        "en": "expected a list of records (or a {key}: key holding one)",
    },
    "format.unknown_agency": {"ru": "неизвестный орган", "en": "unknown agency"},
    "format.unknown_sector": {"ru": "неизвестная отрасль", "en": "unknown sector"},
    "format.unknown_initiative": {"ru": "неизвестная инициатива", "en": "unknown initiative"},
    "format.unknown_stage": {"ru": "неизвестный этап", "en": "unknown stage"},
}

"""Messages of the reports: titles, column headers, notes, charts and their options."""

MESSAGES: dict[str, dict[str, str]] = {
    "report.no_rows": {"ru": "Нет данных.", "en": "No data."},
    "report.filters": {"ru": "Отбор: {filters}", "en": "Filters: {filters}"},
    "report.total": {"ru": "Итого", "en": "Total"},
    "report.about_sheet": {"ru": "Об отчёте", "en": "About"},
    "report.about.report": {"ru": "Отчёт", "en": "Report"},
    "report.about.region": {"ru": "Регион", "en": "Region"},
    "report.about.strategy": {"ru": "Стратегия", "en": "Strategy"},
    "report.about.generated": {"ru": "Сформирован", "en": "Generated"},
    "report.about.note": {"ru": "Примечание", "en": "Note"},
    "report.path_is_dir": {
        "ru": "{option}: {path} — это папка; укажите имя файла.",
        "en": "{option}: {path} is a folder; give a file name.",
    },
    "report.path_no_dir": {
        "ru": "{option}: папки для {path} нет.",
        "en": "{option}: the folder of {path} does not exist.",
    },
    "report.path_not_writable": {
        "ru": "{option}: в папку файла {path} нельзя записать.",
        "en": "{option}: the folder of {path} cannot be written to.",
    },
    "report.write_failed": {
        "ru": "Не удалось записать {path}: {reason}",
        "en": "Could not write {path}: {reason}",
    },
    "report.written": {
        "ru": "Записано: {path}",
        "en": "Written: {path}",
    },
    "report.one_format": {
        "ru": "Укажите один вывод: --json или --csv (файлы --xlsx и --html можно вместе с ними).",
        "en": "Give one output: --json or --csv (the --xlsx and --html files can go with either).",
    },
    "report.bad_year": {
        "ru": "{option}: {value} — ожидается год от 2000 до 2100.",
        "en": "{option}: {value}: a year from 2000 to 2100 is expected.",
    },
    "report.bad_by": {
        "ru": "--by: неизвестная группировка: {value} (допустимо: {known}).",
        "en": "--by: unknown grouping: {value} (known: {known}).",
    },
    "report.unit.millions": {"ru": "млн ₽", "en": "RUB m"},
    "report.unit.percent": {"ru": "%", "en": "%"},
    "report.kind.executive_body": {"ru": "ОИВ", "en": "Executive body"},
    "report.kind.municipality": {"ru": "МО", "en": "Municipality"},
    "report.source.federal": {"ru": "Федеральный", "en": "Federal"},
    "report.source.regional": {"ru": "Региональный", "en": "Regional"},
    "report.source.municipal": {"ru": "Муниципальный", "en": "Municipal"},
    "report.source.extrabudgetary": {"ru": "Внебюджетный", "en": "Extra-budgetary"},
    # columns shared by the reports
    "report.col.sector": {"ru": "Отрасль", "en": "Sector"},
    "report.col.sector_name": {"ru": "Название отрасли", "en": "Sector name"},
    "report.col.source": {"ru": "Источник", "en": "Source"},
    "report.col.year": {"ru": "Год", "en": "Year"},
    "report.col.agency": {"ru": "Орган / МО", "en": "Organisation"},
    "report.col.agency_name": {"ru": "Название", "en": "Name"},
    "report.col.agency_kind": {"ru": "Вид", "en": "Kind"},
    "report.col.initiative": {"ru": "Инициатива", "en": "Initiative"},
    "report.col.initiative_title": {"ru": "Название инициативы", "en": "Initiative title"},
    "report.col.planned": {"ru": "План, ₽", "en": "Planned, RUB"},
    "report.col.actual": {"ru": "Факт, ₽", "en": "Actual, RUB"},
    "report.col.execution": {"ru": "Исполнение", "en": "Execution"},
    "report.col.initiatives": {"ru": "Инициатив", "en": "Initiatives"},
    # budget
    "report.budget.title": {"ru": "Бюджет", "en": "Budget"},
    "report.budget.rule": {
        "ru": "Деньги плана без отменённых инициатив; исполнение — факт к плану тех же строк (строка без факта — 0).",
        "en": "The plan's money without dropped initiatives; execution is actual over planned of the same lines (a line without an actual counts as 0).",
    },
    "report.budget.excluded": {
        "ru": "Вне плана (отменены): {amount} ₽ — {initiatives}.",
        "en": "Out of the plan (dropped): RUB {amount} — {initiatives}.",
    },
    "report.budget.excluded_item": {
        "ru": "{code} ({amount} ₽)",
        "en": "{code} (RUB {amount})",
    },
    "report.chart.budget_by_sector_source": {
        "ru": "План по отраслям и источникам",
        "en": "Planned by sector and source",
    },
    "report.chart.budget_by_year": {
        "ru": "План и факт по годам",
        "en": "Planned and actual by year",
    },
}

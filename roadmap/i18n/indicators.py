"""Messages of indicators: recording values, report tasks, the indicators report."""

MESSAGES: dict[str, dict[str, str]] = {
    # periods and values
    "indicator.bad_period": {
        "ru": "Период '{value}': ожидается год (2026) или квартал (2026-Q1 … 2026-Q4).",
        "en": "Period '{value}': a year (2026) or a quarter (2026-Q1 … 2026-Q4) is expected.",
    },
    "indicator.yearly_only": {
        "ru": "Показатель {code} отчитывается за год: период {period} не подходит (квартальные — только у показателей с frequency: quarterly).",
        "en": "Indicator {code} is reported yearly: period {period} does not fit (quarters are for indicators with frequency: quarterly).",
    },
    "indicator.outside_horizon": {
        "ru": "Период {period} вне горизонта стратегии ({first}–{last}).",
        "en": "Period {period} is outside the strategy's horizon ({first}–{last}).",
    },
    "indicator.not_begun": {
        "ru": "Период {period} ещё не начался (сегодня {today}): фактическое значение записать нельзя.",
        "en": "Period {period} has not begun yet (today is {today}): no actual value can be recorded.",
    },
    "indicator.bad_value": {
        "ru": "Значение '{value}' — не число (ожидается, например, 64 или 64,5).",
        "en": "Value '{value}' is not a number (e.g. 64 or 64.5 is expected).",
    },
    "indicator.unknown": {
        "ru": "Неизвестный показатель '{code}' в регионе {region}.",
        "en": "Unknown indicator '{code}' in region {region}.",
    },
    "indicator.twice": {
        "ru": "Показатель {code} за {period} указан дважды (впервые: {first}).",
        "en": "Indicator {code} for {period} is given twice (first: {first}).",
    },
    "indicator.by_too_long": {
        "ru": "--by: не длиннее {max} символов.",
        "en": "--by: at most {max} characters.",
    },
    "indicator.args_or_file": {
        "ru": "Укажите либо CODE PERIOD VALUE, либо --file ФАЙЛ.csv.",
        "en": "Give either CODE PERIOD VALUE or --file FILE.csv.",
    },
    # the bulk file
    "indicator.file_not_utf8": {
        "ru": "{place}: файл не в кодировке UTF-8.",
        "en": "{place}: the file is not UTF-8 text.",
    },
    "indicator.file_header": {
        "ru": "{place}: заголовок '{found}' — ожидаются столбцы {expected} (разделитель «;» или «,»).",
        "en": "{place}: header '{found}': the columns {expected} are expected (separated by ';' or ',').",
    },
    "indicator.file_cells": {
        "ru": "ячеек {count}, ожидается {expected}.",
        "en": "{count} cells, {expected} expected.",
    },
    "indicator.file_empty": {
        "ru": "пусто: {columns}.",
        "en": "empty: {columns}.",
    },
    "indicator.file_no_lines": {
        "ru": "{place}: в файле нет ни одного значения.",
        "en": "{place}: the file holds no values.",
    },
    # recording
    "indicator.recorded": {
        "ru": "{code} за {period}: {value} (факт {year}: {actual})",
        "en": "{code} for {period}: {value} (actual {year}: {actual})",
    },
    "indicator.task_closed": {
        "ru": "  поручение {task}: {status}",
        "en": "  task {task}: {status}",
    },
    "indicator.recorded_note": {
        "ru": "записано значение {value} за {period}",
        "en": "recorded value {value} for {period}",
    },
    # report tasks
    "indicator.task_title": {
        "ru": "Представить значение показателя {code} за {period}",
        "en": "Report the value of indicator {code} for {period}",
    },
    "indicator.tasks_created": {
        "ru": "Поручений отчитаться по показателям: +{count}",
        "en": "Indicator report tasks: +{count}",
    },
    # the report
    "indicator.report.title": {"ru": "Показатели", "en": "Indicators"},
    "indicator.report.rule": {
        "ru": "Прогресс = (факт − база) / (цель − база); для «меньше — лучше» то же: (база − факт) / (база − цель). Статус: в норме — факт достиг цели; не достигнут — год прошёл, а цель нет; под угрозой — год идёт, отставание не больше {tolerance} % от |цель − база|; отстаёт — больше; нет данных — факта нет за прошедший или текущий год; план — год ещё не начался; нет цели — факт есть, цели на этот год нет.",
        "en": "Progress = (actual − baseline) / (target − baseline); the same for lower-is-better: (baseline − actual) / (baseline − target). Status: on track — the actual meets the target; missed — the year is over and it does not; at risk — the year is running and it falls short by at most {tolerance} % of |target − baseline|; off track — by more; no data — no actual for a past or the current year; not due — the year has not begun; no target — an actual without a target for the year.",
    },
    "indicator.report.counts": {"ru": "Статусы: {counts}.", "en": "Statuses: {counts}."},
    "indicator.report.count": {"ru": "{status} — {count}", "en": "{status}: {count}"},
    "indicator.status.on_track": {"ru": "в норме", "en": "on track"},
    "indicator.status.at_risk": {"ru": "под угрозой", "en": "at risk"},
    "indicator.status.off_track": {"ru": "отстаёт", "en": "off track"},
    "indicator.status.missed": {"ru": "не достигнут", "en": "missed"},
    "indicator.status.no_data": {"ru": "нет данных", "en": "no data"},
    "indicator.status.not_due": {"ru": "план", "en": "not due"},
    "indicator.status.no_target": {"ru": "нет цели", "en": "no target"},
    "indicator.direction.up": {"ru": "↑ больше — лучше", "en": "↑ higher is better"},
    "indicator.direction.down": {"ru": "↓ меньше — лучше", "en": "↓ lower is better"},
    "indicator.col.code": {"ru": "Показатель", "en": "Indicator"},
    "indicator.col.name": {"ru": "Название", "en": "Name"},
    "indicator.col.unit": {"ru": "Ед.", "en": "Unit"},
    "indicator.col.direction": {"ru": "Направление", "en": "Direction"},
    "indicator.col.baseline_year": {"ru": "Базовый год", "en": "Baseline year"},
    "indicator.col.baseline": {"ru": "База", "en": "Baseline"},
    "indicator.col.target": {"ru": "Цель", "en": "Target"},
    "indicator.col.actual": {"ru": "Факт", "en": "Actual"},
    "indicator.col.actual_period": {"ru": "Факт на", "en": "Actual as of"},
    "indicator.col.progress": {"ru": "Прогресс", "en": "Progress"},
    "indicator.col.status": {"ru": "Статус", "en": "Status"},
    "indicator.chart.progress": {
        "ru": "Прогресс к цели, {year}",
        "en": "Progress toward the target, {year}",
    },
    "indicator.chart.by_year": {
        "ru": "{code}: цель и факт по годам, {unit}",
        "en": "{code}: target and actual by year, {unit}",
    },
}

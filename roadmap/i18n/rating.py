"""Messages of the progress and rating reports: titles, column headers, notes, charts and
their options."""

MESSAGES: dict[str, dict[str, str]] = {
    # progress
    "progress.title": {"ru": "Ход исполнения поручений", "en": "Task progress"},
    "progress.no_stage": {"ru": "вне этапов (план)", "en": "no stage (plan)"},
    "progress.col.stage": {"ru": "Этап", "en": "Stage"},
    "progress.col.stage_title": {"ru": "Название этапа", "en": "Stage title"},
    "progress.col.tasks": {"ru": "Всего", "en": "Tasks"},
    "progress.col.open": {"ru": "Открыто", "en": "Open"},
    "progress.col.submitted": {"ru": "Сдано", "en": "Submitted"},
    "progress.col.accepted": {"ru": "Принято", "en": "Accepted"},
    "progress.col.returned": {"ru": "Возвращено", "en": "Returned"},
    "progress.col.overdue": {"ru": "Просрочено", "en": "Overdue"},
    "progress.col.cancelled": {"ru": "Отменено", "en": "Cancelled"},
    "progress.col.accepted_share": {"ru": "Доля принятых", "en": "Accepted share"},
    "progress.rule": {
        "ru": "Просрочено — открытые и возвращённые поручения со сроком раньше {today} (дата региона); доля принятых — от поручений без отменённых.",
        "en": "Overdue: open and returned tasks due before {today} (the region's date); the accepted share is of the tasks that are not cancelled.",
    },
    "progress.year_rule": {
        "ru": "Поручения со сроком в {year} году.",
        "en": "Tasks due in {year}.",
    },
    "progress.chart.title": {
        "ru": "Поручения по органам и статусам",
        "en": "Tasks by organisation and status",
    },
    "progress.chart.open_in_time": {"ru": "Открыто, в срок", "en": "Open, in time"},
    "progress.chart.returned_in_time": {
        "ru": "Возвращено, в срок",
        "en": "Returned, in time",
    },
    "progress.unit.tasks": {"ru": "поручений", "en": "tasks"},
    # rating
    "rating.title": {
        "ru": "Рейтинг цифрового развития, {year}",
        "en": "Digital development rating, {year}",
    },
    "rating.bad_kind": {
        "ru": "--kind: {value} — допустимо: {known}.",
        "en": "--kind: {value}: expected one of {known}.",
    },
    "rating.bad_previous_year": {
        "ru": "--previous-year: {previous} — ожидается год раньше {year}.",
        "en": "--previous-year: {previous}: a year before {year} is expected.",
    },
    "rating.component.on_time": {"ru": "В срок", "en": "On time"},
    "rating.component.delay": {"ru": "Задержка", "en": "Delay"},
    "rating.component.initiatives": {"ru": "Инициативы", "en": "Initiatives"},
    "rating.component.budget": {"ru": "Бюджет", "en": "Budget"},
    "rating.component.indicators": {"ru": "Показатели", "en": "Indicators"},
    "rating.col.rank": {"ru": "Место", "en": "Rank"},
    "rating.col.score": {"ru": "Балл", "en": "Score"},
    "rating.col.overdue": {"ru": "Просрочено", "en": "Overdue"},
    "rating.col.explanation": {"ru": "Пояснение", "en": "Explanation"},
    "rating.col.previous_rank": {"ru": "Место в {year}", "en": "Rank in {year}"},
    "rating.col.previous_score": {"ru": "Балл в {year}", "en": "Score in {year}"},
    "rating.col.change": {"ru": "Изменение", "en": "Change"},
    "rating.change.new": {"ru": "новый", "en": "new"},
    "rating.explain.no_data": {"ru": "нет данных за период", "en": "no data for the period"},
    "rating.explain.on_time": {
        "ru": "в срок {on_time}/{counted}",
        "en": "on time {on_time}/{counted}",
    },
    "rating.explain.delay": {
        "ru": "задержка {days} р.д. (поручений: {late})",
        "en": "delay {days} working days ({late} tasks)",
    },
    "rating.explain.no_delay": {"ru": "без задержек", "en": "no delays"},
    "rating.explain.initiatives": {
        "ru": "инициативы в работе {active}/{funded}",
        "en": "initiatives under way {active}/{funded}",
    },
    "rating.explain.budget": {"ru": "бюджет {share}", "en": "budget {share}"},
    "rating.explain.indicators": {
        "ru": "показатели {share} (показателей: {count})",
        "en": "indicators {share} ({count} indicators)",
    },
    "rating.explain.missing": {
        "ru": "нет данных: {components} (веса пересчитаны)",
        "en": "no data: {components} (weights renormalised)",
    },
    "rating.note.formula": {
        "ru": "Балл = Σ вес × компонент / Σ весов компонентов с данными. Веса: {weights}; задержка даёт 0 при средней задержке {cap} р.д.",
        "en": "Score = Σ weight × component / Σ weights of the components with data. Weights: {weights}; delay scores 0 at a mean delay of {cap} working days.",
    },
    "rating.note.period": {
        "ru": "Период: {year} год (сравнение с {previous}); данные на {today}.",
        "en": "Period: {year} (compared with {previous}); data as of {today}.",
    },
    "rating.note.rules": {
        "ru": "В срок — доля сданных не позже срока (дата региона) среди сданных и просроченных поручений со сроком в году; задержка — в рабочих днях календаря региона; инициативы — доля в работе или завершённых среди финансируемых в году; бюджет — факт к плану года, не больше 100 %; показатели — средний прогресс от базы к цели года.",
        "en": "On time: the share handed in by the due date (the region's date) of the handed-in and overdue tasks due in the year; delay in working days of the region's calendar; initiatives: the share under way or done of those funded in the year; budget: actual over planned of the year, at most 100 %; indicators: the mean progress from the baseline to the year's target.",
    },
    "rating.note.ties": {
        "ru": "При равном балле выше тот, у кого больше доля в срок, затем меньше просроченных, затем код по алфавиту. Изменение: ▲ — поднялся, ▼ — опустился, = — то же место, «новый» — не было места в прошлом периоде.",
        "en": 'Equal scores: the higher on-time share first, then fewer overdue tasks, then the code. Change: ▲ up, ▼ down, = same place, "new": no rank in the previous period.',
    },
    "rating.chart.title": {"ru": "Балл рейтинга, {year}", "en": "Rating score, {year}"},
}

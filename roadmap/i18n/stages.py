"""Messages of the stages: stage runs, gates, proposals, hypotheses, analysis, architecture."""

MESSAGES: dict[str, dict[str, str]] = {
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
    "gate.rescored": {
        "ru": "оценки инициатив {codes} изменены после анализа: проведите его снова (`roadmap analysis run`)",
        "en": "scores of {codes} changed since the analysis: run it again (`roadmap analysis run`)",
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
}

"""Messages of the stages: stage runs, gates, proposals, hypotheses, analysis, architecture."""

MESSAGES: dict[str, dict[str, str]] = {
    "status.open": {"ru": "открыто", "en": "open"},
    "status.submitted": {"ru": "сдано", "en": "submitted"},
    "status.accepted": {"ru": "принято", "en": "accepted"},
    "status.returned": {"ru": "возвращено", "en": "returned"},
    "status.cancelled": {"ru": "отменено", "en": "cancelled"},
    "status.pending": {"ru": "не начат", "en": "pending"},
    "status.active": {"ru": "идёт", "en": "active"},
    "status.gate_failed": {"ru": "условия не выполнены", "en": "gate not met"},
    "status.closed": {"ru": "закрыт", "en": "closed"},
    "flow.stage_run_name": {
        "ru": "Этап {order}. {title}",
        "en": "Stage {order}. {title}",
    },
    "flow.issue_task_name": {
        "ru": "{agency} — {emissary}",
        "en": "{agency} — {emissary}",
    },
    "flow.no_emissary": {
        "ru": "эмиссар не назначен",
        "en": "no emissary named",
    },
    "flow.followed_by_other": {
        "ru": "Этап {key} уже ведёт запуск Prefect {run} ({state}): новый запуск ничего не делает.",
        "en": "Stage {key} is already carried by Prefect run {run} ({state}): this run does nothing.",
    },
    "flow.taking_over": {
        "ru": "Запуск {run}, который вёл этап {key}, завершился ({state}) без закрытия этапа: этап продолжает этот запуск.",
        "en": "Run {run}, which carried stage {key}, ended ({state}) without closing it: this run carries on.",
    },
    "flow.waiting": {
        "ru": "Ожидает: {missing}",
        "en": "Waiting for: {missing}",
    },
    "flow.waiting_log": {
        "ru": "Этап {key} ждёт ({count}); запуск приостановлен до сдачи результатов или «Resume» координатора.",
        "en": "Stage {key} waits ({count}); the run is suspended until results come in or the coordinator resumes it.",
    },
    "flow.state_closed": {
        "ru": "Этап закрыт",
        "en": "Stage closed",
    },
    "flow.state_already_closed": {
        "ru": "Этап уже закрыт",
        "en": "Stage already closed",
    },
    "flow.state_followed": {
        "ru": "Этап уже ведётся",
        "en": "Stage already carried",
    },
    "flow.state_gate_not_met": {
        "ru": "Условия этапа не выполнены",
        "en": "Stage gate not met",
    },
    "flow.artifact_tasks": {
        "ru": "Поручения этапа «{title}»: органы власти, эмиссары, сроки и статусы.",
        "en": "Tasks of the stage '{title}': bodies, emissaries, due dates and statuses.",
    },
    "flow.artifact_gate": {
        "ru": "Условия закрытия этапа «{title}»: что ещё не выполнено.",
        "en": "Exit criteria of the stage '{title}': what is still missing.",
    },
    "flow.gate_heading": {
        "ru": "## Этап {order}. {title}",
        "en": "## Stage {order}. {title}",
    },
    "flow.gate_summary": {
        "ru": "Статус: **{status}**; сдано поручений {done} из {total}; срок {due}. Проверено {at}.",
        "en": "Status: **{status}**; tasks handed in {done} of {total}; due {due}. Checked {at}.",
    },
    "flow.gate_missing_heading": {
        "ru": "### Не выполнено ({count})",
        "en": "### Missing ({count})",
    },
    "flow.gate_met": {
        "ru": "Все условия этапа выполнены.",
        "en": "Every exit criterion of the stage is met.",
    },
    "flow.gate_how": {
        "ru": "Этап закроется сам, когда эмиссары сдадут результаты (`roadmap task submit`), или по кнопке «Resume» этого запуска.",
        "en": "The stage closes by itself once the emissaries hand in their results (`roadmap task submit`), or with this run's Resume button.",
    },
    "flow.col_agency": {"ru": "Орган власти", "en": "Body"},
    "flow.col_emissary": {"ru": "Эмиссар", "en": "Emissary"},
    "flow.col_agency_name": {"ru": "Наименование органа", "en": "Body's name"},
    "flow.col_task": {"ru": "Поручение", "en": "Task"},
    "flow.col_title": {"ru": "Содержание", "en": "Title"},
    "flow.col_due": {"ru": "Срок", "en": "Due"},
    "flow.col_status": {"ru": "Статус", "en": "Status"},
    "flow.no_api_url": {
        "ru": "PREFECT_API_URL не задан: запустите сервер Prefect (`prefect server start`) и укажите его адрес, например PREFECT_API_URL=http://127.0.0.1:4200/api",
        "en": "PREFECT_API_URL is not set: start a Prefect server (`prefect server start`) and give its address, e.g. PREFECT_API_URL=http://127.0.0.1:4200/api",
    },
    "flow.api_unreachable": {
        "ru": "Сервер Prefect {url} не отвечает ({error}): запустите его или исправьте PREFECT_API_URL.",
        "en": "The Prefect server {url} does not answer ({error}): start it or correct PREFECT_API_URL.",
    },
    "flow.deployed_to_pool": {
        "ru": "Развёртываний в пуле «{pool}»: {count}. Запустите на каждой машине: prefect worker start --pool {pool}",
        "en": "Deployments in the pool '{pool}': {count}. On each machine run: prefect worker start --pool {pool}",
    },
    "flow.next_started": {
        "ru": "Запущен следующий этап: {key}.",
        "en": "The next stage started: {key}.",
    },
    "flow.signal_failed": {
        "ru": "Изменение сохранено, но сервер Prefect не получил сигнал для запусков этапов ({count}): {error}. Нажмите «Resume» у запуска этапа или повторите позже.",
        "en": "The change is saved, but the Prefect server did not take the signal for stage runs ({count}): {error}. Press Resume on the stage run or try again later.",
    },
    "flow.all_regions": {"ru": "все регионы", "en": "every region"},
    "flow.sweep_run_name": {
        "ru": "Обход сроков · {region} · {day}",
        "en": "Deadline sweep · {region} · {day}",
    },
    "flow.rehearsal_run_name": {
        "ru": "Репетиция обхода · {region} · на {now}",
        "en": "Sweep rehearsal · {region} · at {now}",
    },
    "flow.dispatch_run_name": {
        "ru": "Повтор доставки · {at}",
        "en": "Delivery retry · {at}",
    },
    "flow.review_run_name": {
        "ru": "Ежегодная актуализация {year}",
        "en": "Yearly update {year}",
    },
    "flow.review_year_needed": {
        "ru": "Укажите год актуализации (параметр year): запуск вручную не берёт год из даты, чтобы не открыть не тот цикл.",
        "en": "Give the update's year (parameter year): a run started by hand does not take the year from the date, so as not to open the wrong cycle.",
    },
    "flow.retry_scheduled": {
        "ru": "Следующий повтор доставки назначен на {at}.",
        "en": "The next delivery retry is scheduled for {at}.",
    },
    "flow.state_nobody_reached": {
        "ru": "Никому не доставлено",
        "en": "Nobody reached",
    },
    "flow.state_partly_reached": {
        "ru": "Доставлено не всем",
        "en": "Not everyone reached",
    },
    "flow.rehearsal_artifact": {
        "ru": "Репетиция на {now}: уведомлений было бы запланировано {count}; ничего не записано и не отправлено.",
        "en": "Rehearsal at {now}: {count} alerts would be planned; nothing was written or sent.",
    },
    "flow.col_kind": {"ru": "Вид", "en": "Kind"},
    "flow.col_rung": {"ru": "Ступень", "en": "Rung"},
    "flow.col_working_days": {"ru": "Раб. дней", "en": "Working days"},
    "flow.demo_run_name_any": {
        "ru": "Демонстрация: все этапы",
        "en": "Demo: every stage",
    },
    "flow.demo_run_name": {
        "ru": "Демонстрация: все этапы ({region})",
        "en": "Demo: every stage ({region})",
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

"""Messages of the yearly review: the cycle, proposals, versions and the diff."""

MESSAGES: dict[str, dict[str, str]] = {
    "review.task_title": {
        "ru": "Рабочая группа {year}: предложения по актуализации стратегии",
        "en": "Working group {year}: proposals to update the strategy",
    },
    "review.task_closed_why": {
        "ru": "Актуализация {year} закрыта до сдачи результата.",
        "en": "The {year} update was closed before the result was handed in.",
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
        "ru": "год {year} вне горизонта стратегии {start}–{end}",
        "en": "year {year} is outside the strategy horizon {start}–{end}",
    },
    "review.due_day_off": {
        "ru": "новый срок {day} приходится на нерабочий день; ближайший рабочий — {moved}",
        "en": "the new due date {day} is not a working day; the next working day is {moved}",
    },
    "review.horizon_before_start": {
        "ru": "новый год окончания {end} раньше начала стратегии {start}",
        "en": "the new end year {end} is before the strategy's start {start}",
    },
    "review.horizon_same": {
        "ru": "стратегия и так рассчитана до {end} года",
        "en": "the strategy already ends in {end}",
    },
    "review.horizon_cuts": {
        "ru": "после {end} года остаются плановые деньги или целевые значения ({years}): сначала измените их",
        "en": "planned money or targets remain after {end} ({years}): change those first",
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
    "review.started": {
        "ru": "Актуализация {year}: {status}, база — версия {baseline}; поручений рабочим группам создано: {created}.",
        "en": "Review {year}: {status}, baseline version {baseline}; working-group tasks created: {created}.",
    },
    "review.proposals": {
        "ru": "Предложения: {numbers}",
        "en": "Proposals: {numbers}",
    },
    "review.propose_what": {
        "ru": "Укажите --file, --drop КОД, --move КОД=ДАТА или --target КОД:ГОД=ЗНАЧЕНИЕ.",
        "en": "Give --file, --drop CODE, --move CODE=DATE or --target CODE:YEAR=VALUE.",
    },
    "review.conflict": {
        "ru": "Противоречие: #{a} и #{b} меняют {touch}",
        "en": "Conflict: #{a} and #{b} both change {touch}",
    },
    "review.accept_or_reject": {
        "ru": "Укажите --accept или --reject.",
        "en": "Give --accept or --reject.",
    },
    "review.closed_into": {
        "ru": "Актуализация {year}: версия {version}, применено изменений: {applied}.",
        "en": "Review {year}: version {version}, changes applied: {applied}.",
    },
    "review.closed_tasks": {
        "ru": "Поручения рабочих групп: принято {accepted}, отменено {cancelled}. Начат цикл этапов {cycle}.",
        "en": "Working-group tasks: {accepted} accepted, {cancelled} cancelled. Stage cycle {cycle} begins.",
    },
    "review.diff_horizon": {
        "ru": "Горизонт стратегии: {before} → {after}",
        "en": "Strategy horizon: {before} → {after}",
    },
    "review.diff_added": {
        "ru": "Добавлены: {codes}",
        "en": "Added: {codes}",
    },
    "review.diff_dropped": {
        "ru": "Исключены: {codes}",
        "en": "Dropped: {codes}",
    },
}

"""Messages of strategy sessions and public services: the file's `sessions:` list, the
`roadmap session` commands and the `sessions` and `services` reports."""

MESSAGES: dict[str, dict[str, str]] = {
    # the roadmap file's sessions (format.* keys: roadmap.roadmap_file.schema._msg)
    "format.sessions.count": {
        "ru": "ожидается целое число участников от 0, получено {input!r}",
        "en": "expected a whole number of participants from 0, got {input!r}",
    },
    "format.sessions.needs_sector": {
        "ru": "отраслевая сессия (kind: sectoral) должна указать отрасль (sector)",
        "en": "a sectoral session (kind: sectoral) must name its sector (sector)",
    },
    "format.sessions.needs_municipality": {
        "ru": "территориальная сессия (kind: territorial) должна указать муниципальное образование (municipality)",
        "en": "a territorial session (kind: territorial) must name its municipality (municipality)",
    },
    "format.sessions.no_sector": {
        "ru": "у территориальной сессии нет отрасли: укажите только municipality",
        "en": "a territorial session has no sector: give only municipality",
    },
    "format.sessions.no_municipality": {
        "ru": "у отраслевой сессии нет муниципального образования: укажите только sector",
        "en": "a sectoral session has no municipality: give only sector",
    },
    "format.sessions.not_municipality": {
        "ru": "{code!r} — орган исполнительной власти, а не муниципальное образование (МО: {known})",
        "en": "{code!r} is an executive body, not a municipality (municipalities: {known})",
    },
    "format.sessions.unknown_session": {"ru": "неизвестная сессия", "en": "unknown session"},
    "format.unknown_municipality": {
        "ru": "неизвестное муниципальное образование",
        "en": "unknown municipality",
    },
    # roadmap session …
    "session.kind.sectoral": {"ru": "отраслевая", "en": "sectoral"},
    "session.kind.territorial": {"ru": "территориальная", "en": "territorial"},
    "session.exists": {
        "ru": "Сессия {code} уже есть.",
        "en": "Session {code} already exists.",
    },
    "session.unknown": {
        "ru": "Сессии {code} нет (есть: {known}).",
        "en": "No session {code} (known: {known}).",
    },
    "session.proposal_exists": {
        "ru": "--code: предложение {code} на сессии {session} уже записано.",
        "en": "--code: proposal {code} of session {session} is recorded already.",
    },
    "session.initiative_or_new": {
        "ru": "Укажите --initiative (инициатива уже есть) или --sector, --agency, --problem и --effect (новая инициатива), но не то и другое.",
        "en": "Give --initiative (an existing initiative) or --sector, --agency, --problem and --effect (a new one), not both.",
    },
    "session.added": {
        "ru": "Сессия {code} добавлена ({kind}).",
        "en": "Session {code} added ({kind}).",
    },
    "session.proposed": {
        "ru": "Предложение {code} записано на сессии {session}.",
        "en": "Proposal {code} recorded at session {session}.",
    },
    "session.proposed_linked": {
        "ru": "Предложение {code} записано на сессии {session} и связано с инициативой {initiative}.",
        "en": "Proposal {code} recorded at session {session} and linked to initiative {initiative}.",
    },
    "session.proposed_new": {
        "ru": "Предложение {code} записано на сессии {session}; предложена новая инициатива {initiative}.",
        "en": "Proposal {code} recorded at session {session}; new initiative {initiative} proposed.",
    },
    "session.list.title": {
        "ru": "Стратегические сессии: {count}",
        "en": "Strategy sessions: {count}",
    },
    "session.list.note": {
        "ru": "Предложения: всего (из них стали инициативами).",
        "en": "Proposals: all (of them became initiatives).",
    },
    "session.col.code": {"ru": "Код", "en": "Code"},
    "session.col.title": {"ru": "Название", "en": "Title"},
    "session.col.kind": {"ru": "Вид", "en": "Kind"},
    "session.col.place": {"ru": "Отрасль / МО", "en": "Sector / municipality"},
    "session.col.date": {"ru": "Дата", "en": "Date"},
    "session.col.participants": {"ru": "Участников", "en": "Participants"},
    "session.col.proposals": {"ru": "Предложений", "en": "Proposals"},
    # roadmap report sessions
    "report.sessions.title": {"ru": "Стратегические сессии", "en": "Strategy sessions"},
    "report.sessions.count": {"ru": "Сессий: {count}", "en": "Sessions: {count}"},
    "report.sessions.col.code": {"ru": "Сессия", "en": "Session"},
    "report.sessions.col.title": {"ru": "Название", "en": "Title"},
    "report.sessions.col.kind": {"ru": "Вид", "en": "Kind"},
    "report.sessions.col.place": {"ru": "Отрасль / МО", "en": "Sector / municipality"},
    "report.sessions.col.place_name": {
        "ru": "Название отрасли / МО",
        "en": "Sector / municipality name",
    },
    "report.sessions.col.held_on": {"ru": "Дата", "en": "Date"},
    "report.sessions.col.participants": {"ru": "Участников", "en": "Participants"},
    "report.sessions.col.proposals": {"ru": "Предложений", "en": "Proposals"},
    "report.sessions.col.initiatives": {"ru": "В инициативы", "en": "Into initiatives"},
    "report.sessions.col.selected": {"ru": "Отобраны", "en": "Selected"},
    "report.sessions.col.selected_share": {"ru": "Доля отобранных", "en": "Selected share"},
    "report.sessions.rule": {
        "ru": "Счёт по предложениям: «в инициативы» — предложения, ставшие инициативами (связанные с ней); «отобраны» — из них те, чья инициатива отобрана, в работе или завершена; доля — отобранные к числу предложений.",
        "en": 'Counted by proposal: "into initiatives" are proposals that became initiatives (linked to one); "selected" are those whose initiative is selected, in progress or done; the share is selected over proposals.',
    },
    "report.sessions.chart": {
        "ru": "Предложения и отобранные по сессиям",
        "en": "Proposals and selected by session",
    },
    # roadmap report services
    "report.services.title": {
        "ru": "Государственные услуги онлайн",
        "en": "Public services online",
    },
    "report.services.bad_target": {
        "ru": "--target: {value} — ожидается доля больше 0 и не больше 1, например 0.95.",
        "en": "--target: {value}: a share above 0 and at most 1 is expected, e.g. 0.95.",
    },
    "report.services.no_sector": {"ru": "без отрасли", "en": "no sector"},
    "report.services.yes": {"ru": "да", "en": "yes"},
    "report.services.no": {"ru": "нет", "en": "no"},
    "report.services.col.sectors": {"ru": "Отрасли услуг", "en": "Sectors of services"},
    "report.services.col.services": {"ru": "Услуг", "en": "Services"},
    "report.services.col.online": {"ru": "Онлайн", "en": "Online"},
    "report.services.col.planned": {"ru": "Переведут к {year}", "en": "Due by {year}"},
    "report.services.col.online_by": {"ru": "Онлайн к {year}", "en": "Online by {year}"},
    "report.services.col.ai": {"ru": "Для ИИ", "en": "For AI"},
    "report.services.col.online_share": {"ru": "Доля онлайн", "en": "Online share"},
    "report.services.col.online_by_share": {
        "ru": "Доля к {year}",
        "en": "Share by {year}",
    },
    "report.services.col.target_met": {"ru": "Цель к {year}", "en": "Target by {year}"},
    "report.services.rule": {
        "ru": "Онлайн к {year}: уже онлайн или переведут в электронный вид не позже {year} (online_target_year). Цель — {target} % услуг онлайн (национальная цель: 95 % массовых социально значимых услуг в электронном виде к 2030 году).",
        "en": "Online by {year}: online now or due online no later than {year} (online_target_year). Target: {target} % of services online (the national goal: 95 % of mass socially important services online by 2030).",
    },
    "report.services.unsectored": {
        "ru": "Услуг без отрасли: {count} (укажите sector: у услуги в файле дорожной карты).",
        "en": "Services without a sector: {count} (give the service a sector: in the roadmap file).",
    },
    "report.services.empty": {
        "ru": "Без услуг в перечне: {codes}.",
        "en": "No services listed: {codes}.",
    },
    "report.services.chart": {
        "ru": "Доля услуг онлайн: сейчас и к {year} (цель {target} %)",
        "en": "Share of services online: now and by {year} (target {target} %)",
    },
}

"""Messages of the deadline alerts: sweep, dispatch, acknowledgements, digests."""

MESSAGES: dict[str, dict[str, str]] = {
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
}

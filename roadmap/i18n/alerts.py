"""Messages of the deadline alerts: sweep, dispatch, acknowledgements, digests."""

MESSAGES: dict[str, dict[str, str]] = {
    "alerts.no_channel": {
        "ru": "Не настроен ни один канал доставки: укажите ROADMAP_APPRISE_CONFIG (файл Apprise с адресами по тегам) и/или ROADMAP_SMTP_URL (почта по адресам людей). Без канала уведомления были бы потеряны, поэтому ничего не запланировано.",
        "en": "No delivery channel is configured: set ROADMAP_APPRISE_CONFIG (an Apprise file with targets by tag) and/or ROADMAP_SMTP_URL (e-mail to people's addresses). Without a channel the alerts would be lost, so nothing was planned.",
    },
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
    # One person's digest, in the person's own locale (roadmap.i18n.translate).
    "digest.subject_one": {
        "ru": "Поручение {task}: {what}",
        "en": "Task {task}: {what}",
    },
    "digest.more": {
        "ru": "И ещё поручений: {count}. Полный список: `roadmap tasks list --agency …` или у координатора.",
        "en": "And {count} more tasks. The full list: `roadmap tasks list --agency …` or from the coordinator.",
    },
    "digest.subject_many": {
        "ru": "Сроки поручений: {count}",
        "en": "Task deadlines: {count}",
    },
    "digest.reminder": {
        "ru": "до срока {n} раб. дн.",
        "en": "{n} working days left",
    },
    "digest.due": {
        "ru": "срок сегодня",
        "en": "due today",
    },
    "digest.overdue": {
        "ru": "просрочено на {n} раб. дн.",
        "en": "{n} working days overdue",
    },
    "digest.escalation": {
        "ru": "эскалация: просрочено на {n} раб. дн.",
        "en": "escalation: {n} working days overdue",
    },
    "digest.dead_letter": {
        "ru": "уведомление не доставлено",
        "en": "an alert could not be delivered",
    },
    "digest.line": {
        "ru": "{task} «{title}» ({agency}{stage}), срок {due}: {what}.",
        "en": "{task} '{title}' ({agency}{stage}), due {due}: {what}.",
    },
    "digest.stage": {
        "ru": ", этап {stage}",
        "en": ", stage {stage}",
    },
    "digest.todo_emissary": {
        "ru": "Что сделать: представьте результат и отметьте поручение сданным (roadmap task submit {task}).",
        "en": "To do: hand in the result and mark the task submitted (roadmap task submit {task}).",
    },
    "digest.todo_escalation": {
        "ru": "Что сделать: свяжитесь с ответственными и подтвердите, что эскалация принята (roadmap task ack {task} --by КОД).",
        "en": "To do: contact those responsible and acknowledge the escalation (roadmap task ack {task} --by CODE).",
    },
    "digest.todo_emissary_web": {
        "ru": "Что сделать: сдайте результат на портале (ссылка ниже).",
        "en": "To do: hand in the result on the portal (link below).",
    },
    "digest.todo_escalation_web": {
        "ru": "Что сделать: свяжитесь с ответственными и примите эскалацию на портале (ссылка ниже).",
        "en": "To do: contact those responsible and take the escalation on the portal (link below).",
    },
    "digest.open_link": {
        "ru": "Открыть мои поручения: {link}",
        "en": "Open my tasks: {link}",
    },
    "digest.todo_dead": {
        "ru": "Что сделать: проверьте адрес получателя в конфигурации Apprise.",
        "en": "To do: check the recipient's address in the Apprise configuration.",
    },
    "digest.chain": {
        "ru": "Цепочка: {chain}.",
        "en": "Escalation chain: {chain}.",
    },
    "digest.greeting": {
        "ru": "Здравствуйте, {name}!",
        "en": "Hello, {name}!",
    },
}

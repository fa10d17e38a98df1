"""Messages of the web portal's frame and sign-in (keys "web."), and of personal tokens
("token."). The portal's pages and API may keep theirs in web_<area>.py modules."""

MESSAGES: dict[str, dict[str, str]] = {
    "web.title": {"ru": "Дорожная карта", "en": "Roadmap"},
    "web.role.emissary": {"ru": "цифровой эмиссар", "en": "digital emissary"},
    "web.role.responsible": {"ru": "ответственное лицо", "en": "responsible official"},
    "web.role.coordinator": {"ru": "координатор", "en": "coordinator"},
    "web.sign_out": {"ru": "Выйти", "en": "Sign out"},
    "web.sign_in.title": {"ru": "Вход", "en": "Sign in"},
    "web.sign_in.explain": {
        "ru": "Вход — по личной ссылке: она есть в каждом уведомлении о поручениях, её также выдаёт координатор. Откройте ссылку на этом устройстве.",
        "en": "You sign in with your personal link: every alert about your tasks carries it, and the coordinator can issue one. Open the link on this device.",
    },
    "web.sign_in.ask": {
        "ru": "Ссылка не работает? Попросите координатора выдать новую: roadmap person token issue.",
        "en": "The link does not work? Ask the coordinator for a new one: roadmap person token issue.",
    },
    "web.sign_in.invalid": {
        "ru": "Ссылка недействительна: она истекла, отозвана или набрана с ошибкой.",
        "en": "The link is not valid: it has expired, was revoked, or is mistyped.",
    },
    "web.sign_in.limited": {
        "ru": "Слишком много неудачных попыток входа с этого адреса. Повторите через {seconds} с.",
        "en": "Too many failed sign-ins from this address. Try again in {seconds} s.",
    },
    "web.auth.required": {
        "ru": "Нужен вход: сессия браузера или заголовок Authorization: Bearer с личным токеном.",
        "en": "Sign-in required: a browser session or an Authorization: Bearer header with a personal token.",
    },
    "web.auth.coordinator_only": {
        "ru": "Это действие доступно только координатору.",
        "en": "Only a coordinator may do this.",
    },
    "web.auth.not_yours": {
        "ru": "Нет доступа: это не ваша организация.",
        "en": "Forbidden: this is not your organisation.",
    },
    "web.auth.csrf": {
        "ru": "Форма устарела или отправлена не со страницы портала: обновите страницу и повторите.",
        "en": "The form is stale or was not sent from the portal's page: reload the page and try again.",
    },
    "web.error.title": {"ru": "Ошибка {status}", "en": "Error {status}"},
    "web.error.not_found": {"ru": "Страница не найдена.", "en": "Page not found."},
    "web.error.generic": {"ru": "Запрос не выполнен.", "en": "The request failed."},
    "web.cli.bad_port": {
        "ru": "--port: {port} — порт должен быть от 1 до 65535.",
        "en": "--port: {port} — a port is between 1 and 65535.",
    },
    "web.cli.serving": {
        "ru": "Портал: http://{host}:{port}/ (остановить: Ctrl+C).",
        "en": "Portal: http://{host}:{port}/ (stop with Ctrl+C).",
    },
    "web.cli.no_url": {
        "ru": "ROADMAP_WEB_URL не задан: в уведомлениях остаётся команда CLI вместо личной ссылки.",
        "en": "ROADMAP_WEB_URL is not set: alerts keep the CLI command instead of the personal link.",
    },
    "token.bad_days": {
        "ru": "--days: {days} — срок действия не меньше 1 дня.",
        "en": "--days: {days} — a token lasts at least 1 day.",
    },
    "token.unknown_id": {
        "ru": "--id: у {person} нет токена {id} (есть: {known}).",
        "en": "--id: {person} has no token {id} (known: {known}).",
    },
    "token.revoke_which": {
        "ru": "Укажите, что отозвать: --all (все токены человека) или --id N.",
        "en": "Say what to revoke: --all (every token of the person) or --id N.",
    },
    "token.issued": {
        "ru": "Личная ссылка для {person} (действует до {expires}; показывается один раз):",
        "en": "Personal link for {person} (valid until {expires}; shown only once):",
    },
    "token.issued_bare": {
        "ru": "Личный токен для {person} (действует до {expires}; показывается один раз; задайте ROADMAP_WEB_URL, чтобы получать ссылку):",
        "en": "Personal token for {person} (valid until {expires}; shown only once; set ROADMAP_WEB_URL to get a link):",
    },
    "token.revoked": {
        "ru": "Отозвано токенов {person}: {count}; их сессии завершены.",
        "en": "Tokens of {person} revoked: {count}; their sessions ended.",
    },
    "token.none": {"ru": "У {person} нет токенов.", "en": "{person} has no tokens."},
    "token.col_id": {"ru": "№", "en": "Id"},
    "token.col_created": {"ru": "Выдан", "en": "Created"},
    "token.col_expires": {"ru": "Действует до", "en": "Expires"},
    "token.col_revoked": {"ru": "Отозван", "en": "Revoked"},
    "token.col_last_used": {"ru": "Последний вход", "en": "Last used"},
    "token.col_by": {"ru": "Кем выдан", "en": "Issued by"},
    "token.by_alert": {"ru": "уведомление", "en": "alert"},
    "token.list_title": {"ru": "Токены {person}", "en": "Tokens of {person}"},
}

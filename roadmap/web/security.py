"""What every response of the portal carries, and the brake on guessing sign-in links.

- `SecurityHeaders`: an ASGI middleware adding the security headers (a strict Content
  Security Policy unless the route set its own, nosniff, no Referer at all — a sign-in URL
  carries a token —, no framing, no caching but for the static files) and choosing the page's language (?lang=ru|en, kept in a
  cookie) for the whole request.
- `FailureLimiter`: failed sign-ins per client address in a sliding minute, in memory.
- the session cookie's flags: HttpOnly, SameSite=Lax, Secure unless the request is plain
  http to a loopback address (a portal tried on the same machine).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from roadmap.i18n import reset_locale, use_locale

SESSION_COOKIE = "roadmap_session"
LANG_COOKIE = "roadmap_lang"
LOCALES = ("ru", "en")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})

# Only the portal's own scripts and styles (inline styles allowed), no plugins, no framing,
# forms post only to the portal.
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
# For a page with a report's Plotly charts (the script is inlined into the page): set it on
# that response, `response.headers["Content-Security-Policy"] = CHARTS_CSP`.
CHARTS_CSP = DEFAULT_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
# The interactive API documentation (FastAPI's Swagger UI loads its files from a CDN).
_DOCS_CDN = "https://cdn.jsdelivr.net"
DOCS_CSP = (
    f"default-src 'self'; script-src 'self' 'unsafe-inline' {_DOCS_CDN}; "
    f"style-src 'self' 'unsafe-inline' {_DOCS_CDN}; img-src 'self' data: https:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
DOCS_PATHS = ("/api/docs", "/api/docs/oauth2-redirect", "/api/redoc")

FIXED_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)


def chosen_language(scope: dict) -> tuple[str | None, bool]:
    """The language the request asks for: ?lang=… (then remembered in a cookie) or the
    cookie; (None, False) when it asks for none. The flag says whether to set the cookie."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    asked = (query.get("lang") or [None])[0]
    if asked in LOCALES:
        return asked, True
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            cookie = SimpleCookie()
            try:
                cookie.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header is no language
                continue
            if LANG_COOKIE in cookie and cookie[LANG_COOKIE].value in LOCALES:
                return cookie[LANG_COOKIE].value, False
    return None, False


class SecurityHeaders:
    """Pure ASGI middleware (no extra task: the language set here reaches the endpoint)."""

    def __init__(self, app, default_locale: str = "ru"):
        self.app = app
        self.default_locale = default_locale if default_locale in LOCALES else "ru"

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lang, remember = chosen_language(scope)
        scope.setdefault("state", {})["lang"] = lang
        token = use_locale(lang or self.default_locale)
        path = scope.get("path", "")
        csp = DOCS_CSP if path in DOCS_PATHS else DEFAULT_CSP

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", csp.encode()))
                headers.extend(h for h in FIXED_HEADERS if h[0] not in names)
                if b"cache-control" not in names and not path.startswith("/static/"):
                    # Pages show a person's own tasks: no shared cache keeps them.
                    headers.append((b"cache-control", b"no-store"))
                if remember:
                    headers.append(
                        (
                            b"set-cookie",
                            f"{LANG_COOKIE}={lang}; Path=/; Max-Age=31536000; "
                            "SameSite=Lax; HttpOnly".encode(),
                        )
                    )
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            reset_locale(token)


def secure_cookie(scheme: str, host: str | None) -> bool:
    """Whether the session cookie needs the Secure flag: always, except plain http to a
    loopback address (the browser would not send a Secure cookie there)."""
    return not (scheme == "http" and (host or "") in LOOPBACK_HOSTS)


class FailureLimiter:
    """At most `limit` failures per key (a client address) in any `window` seconds: a
    sliding window of the failures' moments, in memory (one process)."""

    MAX_KEYS = 10_000

    def __init__(
        self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ):
        self.limit = limit
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        moments = self._failures.get(key)
        if moments is None:
            return deque()
        while moments and moments[0] <= now - self.window:
            moments.popleft()
        if not moments:
            del self._failures[key]
        return moments

    def retry_after(self, key: str) -> int | None:
        """Seconds until `key` may try again, or None when it may try now."""
        with self._lock:
            now = self.clock()
            moments = self._recent(key, now)
            if len(moments) < self.limit:
                return None
            return max(1, int(moments[0] + self.window - now + 0.999))

    def fail(self, key: str) -> None:
        with self._lock:
            now = self.clock()
            if len(self._failures) >= self.MAX_KEYS:
                for stale in [k for k, v in self._failures.items() if v[-1] <= now - self.window]:
                    del self._failures[stale]
            self._recent(key, now)
            self._failures.setdefault(key, deque()).append(now)


_SIGN_IN_TOKEN = re.compile(r"(/sign-in/)[^\s/?#\"]+")


def hide_tokens(text: str) -> str:
    """A path or log line without the token of a sign-in link."""
    return _SIGN_IN_TOKEN.sub(r"\1…", text)


class HideTokens(logging.Filter):
    """A logging filter for the access log: the path of a sign-in link carries the token."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and "/sign-in/" in str(record.args):
            record.args = tuple(
                hide_tokens(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        elif isinstance(record.msg, str) and "/sign-in/" in record.msg:
            record.msg = hide_tokens(record.msg)
        return True

"""Delivery through Apprise, one target at a time, with secrets kept out of everything.

A person's targets are the entries of the Apprise config file (setting
ROADMAP_APPRISE_CONFIG) tagged with the person's code; a person without one but with an
email goes through the SMTP URL setting (ROADMAP_SMTP_URL), if set. Only the privacy form
of a URL (`url(privacy=True)`) and errors with every secret of the URL masked ever leave
this module.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from roadmap.errors import UserError
from roadmap.i18n import t


class _Redactor(logging.Filter):
    """Masks every known target's secrets (with `Target.redact`, the one way to mask) in
    the records of Apprise and of the HTTP pool it uses: their debug lines carry headers,
    request paths and servers' replies."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()  # every secret seen
        self.known: Target | None = None  # the same, longest first; rebuilt when one is added
        self.lock = threading.Lock()

    def add(self, target: Target) -> None:
        with self.lock:
            if not self.secrets.issuperset(target.secrets):
                self.secrets.update(target.secrets)
                self.known = None

    def _known(self) -> Target | None:
        with self.lock:
            if self.known is None and self.secrets:
                ordered = tuple(sorted(self.secrets, key=len, reverse=True))
                self.known = Target(id="", label="", plugin=None, secrets=ordered)
            return self.known

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        known = self._known()
        masked = known.redact(message) if known is not None else message
        # Apprise logs each URL as it loads the config, before any target is known here:
        # a URL in a message keeps its scheme and server only.
        masked = _URL.sub(_bare_url, masked)
        if masked != message:
            record.msg, record.args = masked, None
        return True


_URL = re.compile(r"\b([a-z][a-z0-9+.-]*)://([^\s'\"<>]*)")


def _bare_url(match: re.Match[str]) -> str:
    rest = match.group(2)
    server = re.split(r"[/?#]", rest, maxsplit=1)[0].rsplit("@", 1)[-1]
    host = server.rsplit(":", 1)[0] if server.count(":") == 1 else server
    if not ("." in host or host == "localhost"):
        server = "…"
    tail = "/…" if len(server) < len(rest) else ""
    return f"{match.group(1)}://{server}{tail}"


_REDACTOR = _Redactor()
for _name in ("apprise", "urllib3.connectionpool"):
    logging.getLogger(_name).addFilter(_REDACTOR)


class _Capture(logging.Handler):
    """Apprise's warnings about the delivery running in the current thread. (Apprise's own
    LogCapture adds a handler to its shared logger for the time of a `with` block: with
    deliveries on several threads each would read the others' lines, and so another
    target's reasons and unmasked secrets.) A delivery runs in one thread: Apprise calls
    a single target in the caller's thread."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.setFormatter(logging.Formatter("%(asctime)s - %(levelname)s - %(message)s"))
        self.local = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        lines = getattr(self.local, "lines", None)
        if lines is not None:
            lines.append(self.format(record))

    @contextmanager
    def lines(self) -> Iterator[list[str]]:
        self.local.lines = lines = []
        try:
            yield lines
        finally:
            self.local.lines = None


_CAPTURE = _Capture()
_capture_installed = threading.Lock()


def _install_capture() -> None:
    """Once per process: the capture on Apprise's logger, which lets warnings through."""
    with _capture_installed:
        logger = logging.getLogger("apprise")
        if _CAPTURE not in logger.handlers:
            logger.addHandler(_CAPTURE)
            if logger.getEffectiveLevel() > logging.WARNING:
                logger.setLevel(logging.WARNING)


@dataclass
class Target:
    id: str  # stable, secret-free: a hash of the full URL
    label: str  # scheme, server and the id: no part of the URL that can carry a credential
    plugin: Any
    secrets: tuple[str, ...]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "****")
        return text


# Apprise's own options: their values are settings, not credentials.
_SETTING_KEYS = frozenset(
    {
        "method", "format", "overflow", "retry", "wait", "optional", "image", "detect",
        "silent", "preview", "content", "mdv", "priority", "cto", "mode", "verify", "rto",
    }
)  # fmt: skip


def _label(raw: str, target_id: str) -> str:
    """How a target is shown and stored: its scheme, its server when the URL names one (a
    host with a dot, or localhost) and the id, e.g. `json://hooks.example.org:8443 #1a2b3c4d`.
    Paths, queries, users, passwords and headers never appear: any of them may be a token
    (`/hooks/<token>`, `?-apikey=…`, `?+X-Api-Token=…`, a Telegram bot token)."""
    from urllib.parse import urlsplit

    parts = urlsplit(raw)
    server = ""
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if host and ("." in host or host == "localhost" or ":" in host):
        server = f"[{host}]" if ":" in host else host
        server += f":{port}" if port else ""
    return f"{parts.scheme}://{server} #{target_id[:8]}"


def _secrets(raw: str, label: str, privacy: str) -> set[str]:
    """Every part of the URL that can carry a credential: user, password, each path
    segment, each value of a query that is not one of Apprise's settings (header `+…`
    and parameter `-…` values included), the server part when it is not a host name, and
    whatever Apprise's own privacy form hides."""
    from urllib.parse import parse_qsl, unquote, urlsplit

    parts = urlsplit(raw)
    pieces = {parts.username or "", parts.password or "", parts.fragment}
    pieces |= set(parts.path.split("/"))
    pieces |= {
        v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in _SETTING_KEYS
    }
    if "://" + parts.netloc.rsplit("@", 1)[-1] not in label:
        pieces |= set(re.split(r"[:@]", unquote(parts.netloc)))
    pieces |= {p for p in re.split(r"[/:@?&=,+]", raw) if p not in privacy}
    found = {p for p in pieces if len(p) >= 3}
    found |= {unquote(p) for p in found}
    return {p for p in found if len(p) >= 3 and p not in label}


def _target(plugin: Any, timeout: float) -> Target:
    raw = plugin.url(privacy=False)
    target_id = hashlib.sha256(raw.encode()).hexdigest()[:16]
    label = _label(raw, target_id)
    secrets = _secrets(raw, label, plugin.url(privacy=True))
    user, password = getattr(plugin, "user", None), getattr(plugin, "password", None)
    if user and password:  # as it travels in a Basic Authorization header
        secrets.add(base64.b64encode(f"{user}:{password}".encode()).decode())
    plugin.socket_connect_timeout = timeout
    plugin.socket_read_timeout = timeout
    target = Target(
        id=target_id,
        label=label,
        plugin=plugin,
        secrets=tuple(sorted(secrets, key=len, reverse=True)),
    )
    _REDACTOR.add(target)
    return target


_PLAIN_TAG = re.compile(r"[a-z0-9_.-]+")  # no list, priority or retry of Apprise's tag syntax


class Sender:
    """Finds a person's targets and delivers one message to one target."""

    def __init__(self, config_path: Path | None, smtp_url: str | None, timeout: float = 10):
        import apprise

        _install_capture()
        self.timeout = timeout
        self.smtp_url = smtp_url
        self.apprise = apprise.Apprise()
        self._index: dict[str, list[tuple[int, Any]]] | None = None  # tag -> entries
        self._targets: dict[int, Target] = {}
        if config_path is not None:
            if not config_path.is_file():
                raise UserError(t("alerts.no_config", path=config_path))
            config = apprise.AppriseConfig()
            # An empty or unreadable config would silently leave everyone without a target.
            if not config.add(str(config_path)) or not config.servers():
                raise UserError(t("alerts.bad_config", path=config_path))
            self.apprise.add(config)
        if smtp_url and not apprise.Apprise.instantiate(smtp_url):
            raise UserError(t("alerts.bad_smtp"))

    def _tagged(self, person_code: str) -> list[Any]:
        """The config's entries for a person, as `Apprise.find(tag=code)` finds them: those
        tagged with the code (any case, any priority) and those tagged `always`, in the
        config's order. Looked up in an index of the tags built once, not by matching
        every entry against every person (a federal config has thousands of entries); a
        code in Apprise's tag syntax (lists, priorities) is left to Apprise itself."""
        from apprise.common import MATCH_ALL_TAG, MATCH_ALWAYS_TAG

        code = person_code.lower()
        if not _PLAIN_TAG.fullmatch(code) or code == MATCH_ALL_TAG:
            return list(self.apprise.find(tag=person_code))
        if self._index is None:
            index: dict[str, list[tuple[int, Any]]] = {}
            for position, server in enumerate(self.apprise.find()):  # every entry
                for name in {str(tag).lower() for tag in server.tags}:
                    index.setdefault(name, []).append((position, server))
            self._index = index
        found = dict(self._index.get(code, ()))
        found.update(self._index.get(MATCH_ALWAYS_TAG, ()))
        return [found[position] for position in sorted(found)]

    def _target(self, plugin: Any) -> Target:
        """The target of a config entry, made once per entry (ids, labels and secrets)."""
        key = id(plugin)  # the entries live as long as this sender
        if key not in self._targets:
            self._targets[key] = _target(plugin, self.timeout)
        return self._targets[key]

    def targets(self, person_code: str, email: str | None) -> list[Target]:
        found = [self._target(p) for p in self._tagged(person_code)]
        if not found and email and self.smtp_url:
            import apprise

            joiner = "&" if "?" in self.smtp_url else "?"
            plugin = apprise.Apprise.instantiate(f"{self.smtp_url}{joiner}to={email}")
            if plugin:
                found.append(_target(plugin, self.timeout))
        return found

    def send(self, target: Target, subject: str, body: str) -> str | None:
        """Deliver; None when delivered, else the redacted reason. Safe to call from several
        threads at once (a target at a time per thread)."""
        import apprise

        with _CAPTURE.lines() as log:
            try:
                # Through an Apprise object, so the plain-text digest is converted for
                # targets that want HTML (line breaks kept, markup escaped).
                single = apprise.Apprise()
                single.add(target.plugin)
                ok = single.notify(body=body, title=subject, body_format=apprise.NotifyFormat.TEXT)
            except Exception as exc:  # a plugin's own bug must not stop other targets
                ok, extra = False, f"{type(exc).__name__}: {exc}"
            else:
                extra = ""
            lines = [line for entry in log for line in entry.splitlines() if line.strip()]
        if ok:
            return None
        reason = "; ".join([*lines[-3:], extra] if extra else lines[-3:]) or "delivery failed"
        return target.redact(reason)[:500]

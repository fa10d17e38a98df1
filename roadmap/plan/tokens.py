"""Personal tokens: a person's sign-in link to the web portal.

A token is 32 random bytes (URL-safe base64), shown once when issued; the store keeps only
its SHA-256, with an expiry and, once the coordinator revokes it, the moment it was revoked.
Revoking also ends the browser sessions opened with it. Tokens are issued by the coordinator
(`roadmap person token issue`) and by the alert dispatcher: every digest carries a fresh link
of its own (`personal_link`), valid `ROADMAP_WEB_LINK_DAYS` days and revoked with the rest.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, delete, select

from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.settings import Settings
from roadmap.store.models import Person, PersonToken, Region, WebSession

TOKEN_BYTES = 32
ALERT_ISSUER = "alert"  # created_by of the links the alert dispatcher issues
SIGN_IN_PATH = "/sign-in/"


def token_hash(token: str) -> str:
    """What the store keeps of a token (or of a session's cookie id): its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    id: int
    token: str  # shown once; never stored
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: int
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    created_by: str | None


def find_person(session: Session, region: Region, code: str, option: str = "PERSON") -> Person:
    """The region's person with this code; an unknown code names the known ones."""
    people = session.exec(
        select(Person).where(Person.region_id == region.id).order_by(Person.code)
    ).all()
    for person in people:
        if person.code == code:
            return person
    known = ", ".join(p.code for p in people)
    raise UserError(t("option.unknown_code", option=option, value=code, known=known))


def issue_token(
    session: Session, person: Person, now: datetime, days: int, created_by: str | None = None
) -> IssuedToken:
    """A new token for `person`, valid `days` days from `now` (flushed, not committed)."""
    if days < 1:
        raise UserError(t("token.bad_days", days=days))
    secret = new_secret()
    row = PersonToken(
        person_id=person.id,
        token_hash=token_hash(secret),
        created_at=now,
        expires_at=now + timedelta(days=days),
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    return IssuedToken(id=row.id, token=secret, expires_at=row.expires_at)


def sign_in_link(base_url: str | None, token: str) -> str:
    """The personal link (the portal's address + /sign-in/<token>), or the bare token when
    the portal's address is not set."""
    if not base_url:
        return token
    return base_url.rstrip("/") + SIGN_IN_PATH + token


def personal_link(
    session: Session, person: Person, now: datetime, settings: Settings | None = None
) -> str | None:
    """The sign-in link an alert to `person` carries, or None when ROADMAP_WEB_URL is not set.

    A token is shown only once, so each digest gets a fresh token of its own (valid
    ROADMAP_WEB_LINK_DAYS days, `created_by` "alert"): the link in an old e-mail stops working
    when it expires or when the coordinator revokes the person's tokens."""
    if settings is None:
        from roadmap.settings import get_settings

        settings = get_settings()
    if not settings.web_url:
        return None
    issued = issue_token(session, person, now, settings.web_link_days, ALERT_ISSUER)
    return sign_in_link(settings.web_url, issued.token)


def alert_links(
    connection: sa.Connection, person_ids: Iterable[int], now: datetime, settings: Settings
) -> dict[int, tuple[str, str]]:
    """For the alert dispatcher: a fresh link for each person (as `personal_link`), issued
    on the dispatch's own connection and transaction with one INSERT; person id ->
    (link, token). Empty when ROADMAP_WEB_URL is not set."""
    ids = list(dict.fromkeys(person_ids))
    if not settings.web_url or not ids:
        return {}
    expires = now + timedelta(days=settings.web_link_days)
    secrets_by_person = {person_id: new_secret() for person_id in ids}
    connection.execute(
        sa.insert(PersonToken),
        [
            {
                "person_id": person_id,
                "token_hash": token_hash(secret),
                "created_at": now,
                "expires_at": expires,
                "created_by": ALERT_ISSUER,
            }
            for person_id, secret in secrets_by_person.items()
        ],
    )
    return {
        person_id: (sign_in_link(settings.web_url, secret), secret)
        for person_id, secret in secrets_by_person.items()
    }


def valid_token(session: Session, token: str, now: datetime) -> PersonToken | None:
    """The stored token for this secret if it is neither expired nor revoked."""
    if not token or len(token) > 100:
        return None
    row = session.exec(
        select(PersonToken).where(PersonToken.token_hash == token_hash(token))
    ).first()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    return row


def revoke_tokens(
    session: Session, person: Person, now: datetime, token_id: int | None = None
) -> list[int]:
    """Revoke one of the person's tokens (`token_id`) or all that are not revoked yet, and
    end the browser sessions opened with them. Returns the ids revoked now."""
    query = select(PersonToken).where(PersonToken.person_id == person.id)
    if token_id is not None:
        row = session.exec(query.where(PersonToken.id == token_id)).first()
        if row is None:
            known = ", ".join(str(r.id) for r in session.exec(query.order_by(PersonToken.id)))
            raise UserError(
                t("token.unknown_id", id=token_id, person=person.code, known=known or "—")
            )
        rows = [row] if row.revoked_at is None else []
    else:
        rows = list(session.exec(query.where(col(PersonToken.revoked_at).is_(None))))
    ids = [row.id for row in rows]
    for row in rows:
        row.revoked_at = now
        session.add(row)
    if ids:
        session.exec(delete(WebSession).where(col(WebSession.token_id).in_(ids)))
    session.flush()
    return ids


def list_tokens(session: Session, person: Person) -> list[TokenInfo]:
    rows = session.exec(
        select(PersonToken).where(PersonToken.person_id == person.id).order_by(PersonToken.id)
    )
    return [
        TokenInfo(r.id, r.created_at, r.expires_at, r.revoked_at, r.last_used_at, r.created_by)
        for r in rows
    ]

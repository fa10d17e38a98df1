"""The outbox dispatcher: claim due alerts, deliver one digest per person through Apprise,
record the outcome, retry with backoff, dead-letter after the last try.

Claims are conditional UPDATEs (`status` must still be pending or failed), so two
dispatchers never take the same row, on SQLite and PostgreSQL alike. A row is marked
`sending` before delivery and its outcome recorded after, one person at a time: a
dispatcher killed mid-run leaves `sending` rows that the next run takes over once their
lease has run out (immediately with `reclaim_now=True`), and nothing is lost.

Each person's digest goes in three steps — prepare (one transaction), send (no
transaction: a network call never holds the store's lock), record (one transaction).
"""

from __future__ import annotations

import json
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from notifications.sender import Sender, Target
from notifications.templates import AlertItem, render_digest
from roadmap.alerts.acknowledgements import acknowledgements
from roadmap.alerts.config import Delivery, delivery_settings, ladder_for
from roadmap.alerts.rules import TaskDeadline, next_window_start, still_due
from roadmap.config import load_stage_config
from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.settings import Settings
from roadmap.store.clock import utc_moment
from roadmap.store.engine import Store
from roadmap.store.models import (
    OPEN_TASK_STATUSES,
    Agency,
    Alert,
    AlertDelivery,
    AlertKind,
    AlertStatus,
    Person,
    Region,
    Strategy,
    Task,
)
from roadmap.store.unit_of_work import calendar_for, open_store

RETRYABLE = (AlertStatus.pending.value, AlertStatus.failed.value)


@dataclass(frozen=True, slots=True)
class DispatchCounts:
    """What one dispatch did: digests tried, and alerts by outcome."""

    digests: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    undeliverable: int = 0
    cancelled: int = 0
    postponed: int = 0


@dataclass(frozen=True, slots=True)
class _Run:
    """One dispatch: who sends, with which settings, under which claim token, when."""

    settings: Settings
    sender: Sender
    delivery: Delivery
    stage_titles: dict[str, dict[str, str]]
    token: str
    now: datetime


@dataclass(frozen=True, slots=True)
class _Digest:
    """One person's digest, rendered, with the targets that still need it."""

    person_id: int
    alert_ids: tuple[int, ...]
    subject: str
    body: str
    targets: tuple[Target, ...]
    delivered: dict[int, frozenset[str]]  # alert id -> target ids that already got it


@dataclass(slots=True)
class _Sent:
    delivered: dict[int, set[str]]
    log: list[tuple[str, str | None]] = field(default_factory=list)  # (target label, error)
    errors: list[str] = field(default_factory=list)


def require_channel(settings: Settings) -> None:
    """Refuse to deliver when no channel is configured at all: neither an Apprise config
    (ROADMAP_APPRISE_CONFIG) nor an SMTP server for people's e-mails (ROADMAP_SMTP_URL)."""
    if settings.apprise_config is None and not settings.smtp_url:
        raise UserError(t("alerts.no_channel"))


def dispatch(
    settings: Settings,
    *,
    now: datetime | None = None,
    sender: Sender | None = None,
    reclaim_now: bool = False,
) -> DispatchCounts:
    """Deliver every due alert at `now` (aware; default the clock)."""
    delivery = delivery_settings(settings)
    if sender is None:
        require_channel(settings)
    run = _Run(
        settings=settings,
        sender=sender
        or Sender(settings.apprise_config, settings.smtp_url, timeout=delivery.timeout_seconds),
        delivery=delivery,
        stage_titles=_stage_titles(settings),
        token=uuid.uuid4().hex,
        now=utc_moment(now),
    )
    counts: Counter[str] = Counter()
    store = open_store(settings)
    try:
        _reclaim(store, run, reclaim_now)
        _revive(store, run)
        for person_id, alert_ids in _claim(store, run).items():
            counts["digests"] += 1
            counts.update(_deliver(store, run, person_id, alert_ids))
    finally:
        store.dispose()
    return DispatchCounts(**counts)


def _stage_titles(settings: Settings) -> dict[str, dict[str, str]]:
    stages = load_stage_config(settings).stage
    return {
        "ru": {stage.key: stage.title_ru for stage in stages},
        "en": {stage.key: stage.title_en for stage in stages},
    }


def _reclaim(store: Store, run: _Run, reclaim_now: bool) -> None:
    """Rows a crashed dispatcher left `sending` go back to the queue once their lease ran out."""
    lease = run.now - timedelta(seconds=0 if reclaim_now else run.delivery.lease_seconds)
    with store.transaction() as connection:
        connection.execute(
            sa.update(Alert)
            .where(Alert.status == AlertStatus.sending, Alert.claimed_at <= lease)
            .values(status=AlertStatus.failed.value, next_attempt_at=run.now, claim_token=None)
        )


def _revive(store: Store, run: _Run) -> None:
    """Alerts that found no target go back to the queue once their person has one: the
    newest alert of each task and person (an older rung is superseded by it). Whether it
    is still due (task still waiting, same due date, not acknowledged) is decided as for
    any alert when it is claimed: if not, it is cancelled, not sent."""
    with store.session() as session:
        waiting = list(
            session.exec(
                select(Alert, Person.code, Person.email)
                .join(Person, Alert.person_id == Person.id)
                .where(Alert.status == AlertStatus.undeliverable)
            )
        )
        if not waiting:
            return
        task_ids = {alert.task_id for alert, _, _ in waiting if alert.task_id is not None}
        newest: dict[tuple[int | None, int], date] = {}
        for task_id, person_id, day in session.exec(
            select(Alert.task_id, Alert.person_id, sa.func.max(Alert.local_date))
            .where(Alert.task_id.in_(task_ids))
            .group_by(Alert.task_id, Alert.person_id)
        ):
            newest[(task_id, person_id)] = day
    reachable: dict[int, bool] = {}
    revive = []
    for alert, code, email in waiting:
        if alert.person_id not in reachable:
            reachable[alert.person_id] = bool(run.sender.targets(code, email))
        latest = newest.get((alert.task_id, alert.person_id), alert.local_date)
        if reachable[alert.person_id] and alert.local_date >= latest:
            revive.append(alert.id)
    if revive:
        with store.transaction() as connection:
            connection.execute(
                sa.update(Alert)
                .where(Alert.id.in_(revive), Alert.status == AlertStatus.undeliverable)
                .values(status=AlertStatus.pending.value, next_attempt_at=run.now, last_error=None)
            )


def _claim(store: Store, run: _Run) -> dict[int, list[int]]:
    """Claim every due row with one conditional UPDATE; {person id: claimed alert ids}."""
    with store.transaction() as connection:
        connection.execute(
            sa.update(Alert)
            .where(Alert.status.in_(RETRYABLE), Alert.next_attempt_at <= run.now)
            .values(status=AlertStatus.sending.value, claim_token=run.token, claimed_at=run.now)
        )
    by_person: dict[int, list[int]] = defaultdict(list)
    with store.session() as session:
        for alert_id, person_id in session.exec(
            select(Alert.id, Alert.person_id)
            .where(Alert.claim_token == run.token)
            .order_by(Alert.id)
        ):
            by_person[person_id].append(alert_id)
    return by_person


def _deliver(store: Store, run: _Run, person_id: int, alert_ids: list[int]) -> Counter[str]:
    """One person's digest: prepare, send outside any transaction, record the outcome."""
    outcome: Counter[str] = Counter()
    with store.session() as session:
        digest = _prepare(session, run, person_id, alert_ids, outcome)
    if digest is None:
        return outcome
    digest = _still_ours(store, run, digest)
    if digest is None:
        return outcome  # reclaimed by another dispatcher: it delivers them, not us
    sent = _send(run, digest)
    with store.session() as session:
        _record(session, run, digest, sent, outcome)
    return outcome


def _still_ours(store: Store, run: _Run, digest: _Digest) -> _Digest | None:
    """Re-check the claim right before sending: a dispatcher that ran past its lease may
    have had these rows taken back and claimed by another, which then sends them. Only the
    rows still claimed with our token go out; a duplicate is then bounded to a digest
    whose rows are taken back in the moment between this check and the send."""
    with store.transaction() as connection:
        ours = set(
            connection.execute(
                sa.select(Alert.id).where(
                    Alert.id.in_(digest.alert_ids),
                    Alert.claim_token == run.token,
                    Alert.status == AlertStatus.sending,
                )
            ).scalars()
        )
    if len(ours) == len(digest.alert_ids):
        return digest
    if ours:  # the digest as rendered is no longer ours alone: give the rest back at once
        with store.transaction() as connection:
            connection.execute(
                sa.update(Alert)
                .where(Alert.id.in_(ours), Alert.claim_token == run.token)
                .values(status=AlertStatus.failed.value, next_attempt_at=run.now, claim_token=None)
            )
    return None


def _alerts(session: Session, ids: list[int] | tuple[int, ...]) -> list[Alert]:
    return list(session.exec(select(Alert).where(Alert.id.in_(ids)).order_by(Alert.id)))


def _prepare(
    session: Session, run: _Run, person_id: int, alert_ids: list[int], outcome: Counter[str]
) -> _Digest | None:
    """Postpone outside working hours, cancel what no longer stands, render the rest."""
    person = session.get(Person, person_id)
    alerts = _alerts(session, alert_ids)
    region = session.get(Region, person.region_id)
    opens = next_window_start(
        calendar_for(region, run.settings), ladder_for(run.settings, region.code), run.now
    )
    if opens > run.now:
        _postpone(session, alerts, opens)
        outcome["postponed"] += len(alerts)
        return None
    # A rung planned earlier may no longer stand: the task was handed in, re-dated, or the
    # escalation acknowledged. Such alerts are cancelled, not sent.
    stale = [alert for alert in alerts if not _still_due(session, alert)]
    _finish(session, stale, run.token, status=AlertStatus.cancelled)
    outcome["cancelled"] += len(stale)
    alerts = [alert for alert in alerts if alert not in stale]
    if not alerts:
        return None
    targets = run.sender.targets(person.code, person.email)
    if not targets:
        reason = t("alerts.no_target", person=person.code)
        _finish(session, alerts, run.token, status=AlertStatus.undeliverable, error=reason)
        outcome["undeliverable"] += len(alerts)
        return None
    titles = run.stage_titles["en" if person.locale == "en" else "ru"]
    items = [_item(session, alert, titles) for alert in alerts]
    subject, body = render_digest(
        person.name, items, person.locale, limit=run.delivery.digest_items
    )
    return _Digest(
        person_id=person_id,
        alert_ids=tuple(alert.id for alert in alerts),
        subject=subject,
        body=body,
        targets=tuple(targets),
        delivered={a.id: frozenset(json.loads(a.delivered_to or "[]")) for a in alerts},
    )


def _postpone(session: Session, alerts: list[Alert], opens: datetime) -> None:
    """Outside the region's working hours: back to the queue until the window opens."""
    for alert in alerts:
        alert.status, alert.claim_token = AlertStatus.pending.value, None
        alert.next_attempt_at = opens
        session.add(alert)


def _send(run: _Run, digest: _Digest) -> _Sent:
    """Deliver the digest to each target that does not have it yet; no store access here."""
    sent = _Sent(delivered={i: set(targets) for i, targets in digest.delivered.items()})
    for target in digest.targets:
        pending = [i for i in digest.alert_ids if target.id not in sent.delivered[i]]
        if not pending:
            continue
        error = run.sender.send(target, digest.subject, digest.body)
        sent.log.append((target.label, error))
        if error is None:
            for alert_id in pending:
                sent.delivered[alert_id].add(target.id)
        else:
            sent.errors.append(f"{target.label}: {error}")
    return sent


def _record(
    session: Session, run: _Run, digest: _Digest, sent: _Sent, outcome: Counter[str]
) -> None:
    """The delivery log, then each alert's outcome: sent, or failed / dead."""
    for label, error in sent.log:
        session.add(
            AlertDelivery(
                person_id=digest.person_id,
                alerts=json.dumps(list(digest.alert_ids)),
                target=label,
                ok=error is None,
                error=error,
                at=run.now,
            )
        )
    alerts = _alerts(session, digest.alert_ids)
    for alert in alerts:
        alert.delivered_to = json.dumps(sorted(sent.delivered[alert.id]))
        session.add(alert)
    if not sent.errors:
        _finish(session, alerts, run.token, status=AlertStatus.sent, sent_at=run.now)
        outcome["sent"] += len(alerts)
        return
    _failed(session, run, alerts, "; ".join(sent.errors)[:1000], outcome)


def _failed(
    session: Session, run: _Run, alerts: list[Alert], error: str, outcome: Counter[str]
) -> None:
    """Retry after backoff × 2^(attempt−1), or after the last try: dead, and a dead letter."""
    dead = []
    for alert in alerts:
        alert.attempts += 1
        if alert.attempts >= run.delivery.max_attempts:
            alert.status = AlertStatus.dead.value
            dead.append(alert)
            outcome["dead"] += 1
        else:
            alert.status = AlertStatus.failed.value
            wait = run.delivery.backoff_seconds * 2 ** (alert.attempts - 1)
            alert.next_attempt_at = run.now + timedelta(seconds=wait)
            outcome["failed"] += 1
        alert.last_error = error
        alert.claim_token = None
        session.add(alert)
    for alert in dead:
        _tell_coordinator(session, alert, run.now)


def _still_due(session, alert: Alert) -> bool:
    if alert.kind == AlertKind.dead_letter or alert.task_id is None:
        return True
    task = session.get(Task, alert.task_id)
    acknowledged = acknowledgements(session, [task.id])[(task.id, task.due_on)]
    deadline = TaskDeadline(task.due_on, task.status in OPEN_TASK_STATUSES, frozenset(acknowledged))
    return still_due(alert.due_on, alert.level, deadline)


def _finish(session, alerts, token, *, status, error=None, sent_at=None) -> None:
    for alert in alerts:
        if alert.claim_token != token:
            continue  # taken over by another dispatcher after our lease ran out
        alert.status = status.value
        alert.claim_token = None
        alert.last_error = error
        alert.sent_at = sent_at
        session.add(alert)


def _tell_coordinator(session, alert: Alert, now: datetime) -> None:
    """A dead alert becomes a dead-letter alert to the coordinator (not for their own)."""
    if alert.kind == AlertKind.dead_letter or alert.task_id is None:
        return
    task = session.get(Task, alert.task_id)
    strategy = session.get(Strategy, task.strategy_id)
    coordinator = strategy.coordinator_id
    if coordinator is None or coordinator == alert.person_id:
        return
    session.add(
        Alert(
            dedupe_key=f"dead:{alert.id}:p{coordinator}",
            task_id=alert.task_id,
            person_id=coordinator,
            rung=f"dead-letter:{alert.id}",
            kind=AlertKind.dead_letter.value,
            due_on=alert.due_on,
            about_alert_id=alert.id,
            level=2,
            working_days=alert.working_days,
            local_date=alert.local_date,
            next_attempt_at=now,
            created_at=now,
        )
    )


def _item(session, alert: Alert, stage_titles: dict[str, str]) -> AlertItem:
    task = session.get(Task, alert.task_id)
    agency = session.get(Agency, task.agency_id)
    strategy = session.get(Strategy, task.strategy_id)
    chain = tuple(
        p.name
        for p in (
            session.get(Person, pid)
            for pid in (
                task.assignee_id or agency.emissary_id,
                agency.responsible_id,
                strategy.coordinator_id,
            )
            if pid is not None
        )
        if p is not None
    )
    stage = stage_titles.get(task.stage, task.stage) if task.stage else None
    note = None
    if alert.kind == AlertKind.dead_letter:
        original = session.get(Alert, alert.about_alert_id) if alert.about_alert_id else None
        recipient = session.get(Person, original.person_id) if original else None
        note = f"{recipient.name if recipient else '?'}: {original.last_error if original else ''}"
    return AlertItem(
        kind=alert.kind,
        level=alert.level,
        task=task.code,
        title=task.title,
        agency=agency.name,
        stage=stage,
        due_on=task.due_on.strftime("%d.%m.%Y"),
        working_days=alert.working_days,
        chain=chain,
        note=note,
    )


def next_attempt(settings: Settings) -> datetime | None:
    """When the next queued alert (planned, postponed or waiting to be retried) is due to
    be tried, in UTC; None when nothing waits. The retry runs are scheduled by it."""
    store = open_store(settings)
    try:
        with store.session() as session:
            return session.exec(
                select(sa.func.min(Alert.next_attempt_at)).where(
                    Alert.status.in_([AlertStatus.pending.value, AlertStatus.failed.value])
                )
            ).one()
    finally:
        store.dispose()

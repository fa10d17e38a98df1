"""The outbox dispatcher: claim due alerts, deliver one digest per person through Apprise,
record the outcome, retry with backoff, dead-letter after the last try.

Claims are conditional UPDATEs (`status` must still be pending or failed), so two
dispatchers never take the same row, on SQLite and PostgreSQL alike. A row is marked
`sending` before delivery and its outcome recorded after, one person at a time: a
dispatcher killed mid-run leaves `sending` rows that the next run takes over once their
lease has run out (immediately with `reclaim_now=True`), and nothing is lost.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import select

from notifications.sender import Sender
from notifications.templates import AlertItem, render_digest
from roadmap.alerts.acknowledgements import acknowledgements
from roadmap.alerts.config import delivery_settings, ladder_for
from roadmap.alerts.rules import TaskDeadline, next_window_start, still_due
from roadmap.calendar import RegionCalendar
from roadmap.config import load_stage_config
from roadmap.i18n import t
from roadmap.settings import Settings
from roadmap.store.clock import utc_moment
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
from roadmap.store.unit_of_work import open_store

RETRYABLE = (AlertStatus.pending.value, AlertStatus.failed.value)


def dispatch(
    settings: Settings,
    *,
    now: datetime | None = None,
    sender: Sender | None = None,
    reclaim_now: bool = False,
) -> dict[str, int]:
    delivery = delivery_settings(settings)
    now = utc_moment(now)  # aware: callers read a user's --now with roadmap.store.clock
    sender = sender or Sender(
        settings.apprise_config, settings.smtp_url, timeout=delivery.timeout_seconds
    )
    stages = load_stage_config(settings).stage
    stage_titles = {
        "ru": {stage.key: stage.title_ru for stage in stages},
        "en": {stage.key: stage.title_en for stage in stages},
    }
    token = uuid.uuid4().hex
    store = open_store(settings)
    counts = {
        "digests": 0,
        "sent": 0,
        "failed": 0,
        "dead": 0,
        "undeliverable": 0,
        "cancelled": 0,
        "postponed": 0,
    }
    try:
        engine = store.engine
        with engine.begin() as connection:
            lease = now - timedelta(seconds=0 if reclaim_now else delivery.lease_seconds)
            # Rows a crashed dispatcher left behind go back to the queue.
            connection.execute(
                sa.update(Alert)
                .where(Alert.status == AlertStatus.sending, Alert.claimed_at <= lease)
                .values(status=AlertStatus.failed.value, next_attempt_at=now, claim_token=None)
            )
        with engine.begin() as connection:
            connection.execute(
                sa.update(Alert)
                .where(Alert.status.in_(RETRYABLE), Alert.next_attempt_at <= now)
                .values(status=AlertStatus.sending.value, claim_token=token, claimed_at=now)
            )
        with store.session() as session:
            claimed = list(
                session.exec(select(Alert).where(Alert.claim_token == token).order_by(Alert.id))
            )
        by_person: dict[int, list[Alert]] = defaultdict(list)
        for alert in claimed:
            by_person[alert.person_id].append(alert)
        for person_id, alerts in by_person.items():
            with store.session() as session:
                outcome = _deliver(
                    session,
                    sender,
                    settings,
                    person_id,
                    alerts,
                    token,
                    now,
                    delivery,
                    stage_titles,
                )
            counts["digests"] += 1
            for status, number in outcome.items():
                counts[status] = counts.get(status, 0) + number
    finally:
        store.dispose()
    return counts


def _deliver(
    session, sender, settings, person_id, alerts, token, now, delivery, stage_titles
) -> dict[str, int]:
    person = session.get(Person, person_id)
    outcome: dict[str, int] = defaultdict(int)
    region = session.get(Region, person.region_id)
    calendar = RegionCalendar(region.timezone)
    ladder = ladder_for(settings, region.code)
    opens = next_window_start(calendar, ladder, now)
    if opens > now:
        # Outside the region's working hours: back to the queue until the window opens.
        for alert in alerts:
            alert.status, alert.claim_token = AlertStatus.pending.value, None
            alert.next_attempt_at = opens
            session.add(alert)
        outcome["postponed"] += len(alerts)
        return outcome
    # A rung planned earlier may no longer stand: the task was handed in, re-dated, or the
    # escalation acknowledged. Such alerts are cancelled, not sent.
    stale = [alert for alert in alerts if not _still_due(session, alert)]
    _finish(session, stale, token, status=AlertStatus.cancelled)
    outcome["cancelled"] += len(stale)
    alerts = [alert for alert in alerts if alert not in stale]
    if not alerts:
        return outcome
    titles = stage_titles["en" if person.locale == "en" else "ru"]
    items = [_item(session, alert, titles) for alert in alerts]
    subject, body = render_digest(person.name, items, person.locale)
    targets = sender.targets(person.code, person.email)
    ids = [a.id for a in alerts]
    if not targets:
        reason = t("alerts.no_target", person=person.code)
        _finish(session, alerts, token, status=AlertStatus.undeliverable, error=reason)
        outcome["undeliverable"] += len(alerts)
        return outcome
    delivered = {a.id: set(json.loads(a.delivered_to or "[]")) for a in alerts}
    errors = []
    for target in targets:
        pending = [a for a in alerts if target.id not in delivered[a.id]]
        if not pending:
            continue
        error = sender.send(target, subject, body)
        session.add(
            AlertDelivery(
                person_id=person_id,
                alerts=json.dumps(ids),
                target=target.label,
                ok=error is None,
                error=error,
                at=now,
            )
        )
        if error is None:
            for alert in pending:
                delivered[alert.id].add(target.id)
        else:
            errors.append(f"{target.label}: {error}")
    for alert in alerts:
        alert.delivered_to = json.dumps(sorted(delivered[alert.id]))
    if not errors:
        _finish(session, alerts, token, status=AlertStatus.sent, sent_at=now)
        outcome["sent"] += len(alerts)
        return outcome
    dead = []
    for alert in alerts:
        alert.attempts += 1
        if alert.attempts >= delivery.max_attempts:
            alert.status = AlertStatus.dead.value
            dead.append(alert)
            outcome["dead"] += 1
        else:
            alert.status = AlertStatus.failed.value
            wait = delivery.backoff_seconds * 2 ** (alert.attempts - 1)
            alert.next_attempt_at = now + timedelta(seconds=wait)
            outcome["failed"] += 1
        alert.last_error = "; ".join(errors)[:1000]
        alert.claim_token = None
        session.add(alert)
    for alert in dead:
        _tell_coordinator(session, alert, now)
    return outcome


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

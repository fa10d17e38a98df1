"""The outbox dispatcher: claim due alerts, deliver one digest per person through Apprise,
record the outcome, retry with backoff, dead-letter after the last try.

Claims are conditional UPDATEs (`status` must still be pending or failed), so two
dispatchers never take the same row, on SQLite and PostgreSQL alike. A row is marked
`sending` before delivery and its outcome recorded after: a dispatcher killed mid-run
leaves `sending` rows that the next run takes over once their lease has run out
(immediately with `reclaim_now=True`), and nothing is lost.

One dispatch goes in three steps:

1. claim and prepare: one UPDATE claims every due row; one query reads the claimed rows
   with their tasks, agencies, strategies and the people of their chains, one more the
   acknowledgements of their tasks, one the recipients (whatever the number of alerts);
   what no longer stands is cancelled, what falls outside working hours postponed, and
   each person's digest rendered (only the items it shows) — with the take-back of
   expired claims and the revival of undeliverable rows, one transaction, one commit;
2. send: the digests go out on a pool of `concurrency` threads (alerts.toml), one person
   per thread at a time, with no transaction open and no store access in the threads;
   each digest is one message per target, as with one thread;
3. record: the main thread re-checks each digest's claim right before handing it to a
   free thread, and records each outcome in its own short transaction as soon as it is
   back (a kill loses at most the digests in flight, which then go out again).
"""

from __future__ import annotations

import heapq
import json
import uuid
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import select

from notifications.sender import Sender, Target
from notifications.templates import AlertItem, render_digest, urgency_of
from roadmap.alerts.config import Delivery, delivery_settings, ladder_for
from roadmap.alerts.rules import Level, TaskDeadline, next_window_start, still_due
from roadmap.config import load_stage_config
from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.plan.tokens import alert_links
from roadmap.settings import Settings
from roadmap.store.clock import utc_moment
from roadmap.store.engine import Store
from roadmap.store.models import (
    OPEN_TASK_STATUSES,
    Acknowledgement,
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
_CHUNK = 500  # ids per IN list (SQLite's limit on bound values is far above it)


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
class _Claimed:
    """One claimed alert with everything its re-check and its digest line need."""

    id: int
    person_id: int
    task_id: int | None
    kind: str
    level: int
    due_on: date | None  # the due date the rung was planned for
    working_days: int
    local_date: date
    attempts: int
    delivered_to: frozenset[str]
    about_alert_id: int | None
    task_code: str | None
    task_title: str | None
    task_due_on: date | None
    stands: bool  # the task still waits, with that due date, unacknowledged at that level
    task_stage: str | None
    agency: str | None
    chain: tuple[str, ...]  # emissary (or assignee), responsible official, coordinator
    coordinator_id: int | None
    note: str | None  # a dead letter: whom the original was for, and why it failed


@dataclass(frozen=True, slots=True)
class _Recipient:
    id: int
    code: str
    name: str
    email: str | None
    locale: str
    region_id: int


@dataclass(frozen=True, slots=True)
class _Digest:
    """One person's digest, rendered, with the targets that still need it."""

    person_id: int
    alerts: tuple[_Claimed, ...]
    subject: str
    body: str
    targets: tuple[Target, ...]
    secrets: tuple[str, ...] = ()  # the sign-in token the body carries: kept out of errors

    @property
    def alert_ids(self) -> tuple[int, ...]:
        return tuple(alert.id for alert in self.alerts)


@dataclass(slots=True)
class _Sent:
    # The targets an alert had before this send (its `delivered_to`) -> those it has now:
    # a digest's alerts share a few such sets (usually one), kept once, not per alert.
    delivered: dict[frozenset[str], set[str]]
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
        # Everything before the sends in one short transaction (one commit): take back
        # expired claims, revive, claim, read, cancel / postpone, render. No network here.
        with store.transaction() as connection:
            _reclaim(connection, run, reclaim_now)
            _revive(connection, run)
            digests = _prepare(connection, run, _claim(connection, run), counts)
        _deliver(store, run, digests, counts)
    finally:
        store.dispose()
    return DispatchCounts(**counts)


def _stage_titles(settings: Settings) -> dict[str, dict[str, str]]:
    stages = load_stage_config(settings).stage
    return {
        "ru": {stage.key: stage.title_ru for stage in stages},
        "en": {stage.key: stage.title_en for stage in stages},
    }


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ids = list(ids)
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _reclaim(connection: sa.Connection, run: _Run, reclaim_now: bool) -> None:
    """Rows a crashed dispatcher left `sending` go back to the queue once their lease ran out."""
    lease = run.now - timedelta(seconds=0 if reclaim_now else run.delivery.lease_seconds)
    connection.execute(
        sa.update(Alert)
        .where(Alert.status == AlertStatus.sending, Alert.claimed_at <= lease)
        .values(status=AlertStatus.failed.value, next_attempt_at=run.now, claim_token=None)
    )


def _revive(connection: sa.Connection, run: _Run) -> None:
    """Alerts that found no target go back to the queue once their person has one: the
    newest alert of each task and person (an older rung is superseded by it). Whether it
    is still due (task still waiting, same due date, not acknowledged) is decided as for
    any alert when it is claimed: if not, it is cancelled, not sent."""
    waiting = connection.execute(
        sa.select(
            Alert.id, Alert.task_id, Alert.person_id, Alert.local_date, Person.code, Person.email
        )
        .join(Person, Alert.person_id == Person.id)
        .where(Alert.status == AlertStatus.undeliverable)
    ).all()
    if not waiting:
        return
    reachable: dict[int, bool] = {}
    for _, _, person_id, _, code, email in waiting:
        if person_id not in reachable:
            reachable[person_id] = bool(run.sender.targets(code, email))
    waiting = [row for row in waiting if reachable[row.person_id]]
    task_ids = {row.task_id for row in waiting if row.task_id is not None}
    newest: dict[tuple[int | None, int], date] = {}
    for chunk in _chunks(task_ids):
        for task_id, person_id, day in connection.execute(
            sa.select(Alert.task_id, Alert.person_id, sa.func.max(Alert.local_date))
            .where(Alert.task_id.in_(chunk))
            .group_by(Alert.task_id, Alert.person_id)
        ):
            newest[(task_id, person_id)] = day
    revive = [
        row.id
        for row in waiting
        if row.local_date >= newest.get((row.task_id, row.person_id), row.local_date)
    ]
    for chunk in _chunks(revive):
        connection.execute(
            sa.update(Alert)
            .where(Alert.id.in_(chunk), Alert.status == AlertStatus.undeliverable)
            .values(status=AlertStatus.pending.value, next_attempt_at=run.now, last_error=None)
        )


def _ours(run: _Run):
    """The rows this dispatch holds: `sending` (on the status index) under its token."""
    return sa.and_(Alert.status == AlertStatus.sending, Alert.claim_token == run.token)


def _claim(connection: sa.Connection, run: _Run) -> tuple[list[_Claimed], dict[int, _Recipient]]:
    """Claim every due row with one conditional UPDATE, then read the claimed rows with
    what their digests need in three queries, however many rows there are."""
    connection.execute(
        sa.update(Alert)
        .where(Alert.status.in_(RETRYABLE), Alert.next_attempt_at <= run.now)
        .values(status=AlertStatus.sending.value, claim_token=run.token, claimed_at=run.now)
    )
    first, responsible, coordinator = aliased(Person), aliased(Person), aliased(Person)
    original, original_person = aliased(Alert), aliased(Person)
    rows = (
        sa.select(
            Alert.id,
            Alert.person_id,
            Alert.task_id,
            Alert.kind,
            Alert.level,
            Alert.due_on,
            Alert.working_days,
            Alert.local_date,
            Alert.attempts,
            Alert.delivered_to,
            Alert.about_alert_id,
            Task.code,
            Task.title,
            Task.due_on,
            Task.status,
            Task.stage,
            Agency.name,
            first.name,
            responsible.name,
            coordinator.name,
            Strategy.coordinator_id,
            original.id,
            original.last_error,
            original_person.name,
        )
        .select_from(Alert)
        .outerjoin(Task, Task.id == Alert.task_id)
        .outerjoin(Agency, Agency.id == Task.agency_id)
        .outerjoin(Strategy, Strategy.id == Task.strategy_id)
        .outerjoin(first, first.id == sa.func.coalesce(Task.assignee_id, Agency.emissary_id))
        .outerjoin(responsible, responsible.id == Agency.responsible_id)
        .outerjoin(coordinator, coordinator.id == Strategy.coordinator_id)
        .outerjoin(original, original.id == Alert.about_alert_id)
        .outerjoin(original_person, original_person.id == original.person_id)
        .where(_ours(run))
        .order_by(Alert.id)
    )
    ours = sa.select(Alert.task_id).where(_ours(run))
    acknowledged_query = sa.select(
        Acknowledgement.task_id, Acknowledgement.due_on, Acknowledgement.level
    ).where(Acknowledgement.task_id.in_(ours))
    people_query = sa.select(
        Person.id, Person.code, Person.name, Person.email, Person.locale, Person.region_id
    ).where(Person.id.in_(sa.select(Alert.person_id).where(_ours(run))))
    acknowledged: dict[tuple[int, date], set[Level]] = defaultdict(set)
    for task_id, due_on, level in connection.execute(acknowledged_query):
        acknowledged[(task_id, due_on)].add(Level(level))
    people = {row[0]: _Recipient(*row) for row in connection.execute(people_query)}
    claimed = [_claimed(row, acknowledged) for row in connection.execute(rows)]
    return claimed, people


_NONE: frozenset = frozenset()


def _claimed(row: Any, acknowledged: dict[tuple[int, date], set[Level]]) -> _Claimed:
    (
        alert_id, person_id, task_id, kind, level, due_on, working_days, local_date, attempts,
        delivered,
        about, code, title, task_due, status, stage, agency, *chain, coordinator_id,
        original_id, original_error, original_person,
    ) = row  # fmt: skip
    note = None
    if kind == AlertKind.dead_letter:
        note = f"{original_person or '?'}: {original_error or ''}" if original_id else "?: "
    stands = True
    if kind != AlertKind.dead_letter and task_id is not None:
        levels = acknowledged.get((task_id, task_due))
        deadline = TaskDeadline(
            task_due, status in OPEN_TASK_STATUSES, frozenset(levels) if levels else _NONE
        )
        stands = still_due(due_on, level, deadline)
    return _Claimed(
        id=alert_id,
        person_id=person_id,
        task_id=task_id,
        kind=kind,
        level=level,
        due_on=due_on,
        working_days=working_days,
        local_date=local_date,
        attempts=attempts,
        delivered_to=frozenset(json.loads(delivered)) if delivered else _NONE,
        about_alert_id=about,
        task_code=code,
        task_title=title,
        task_due_on=task_due,
        stands=stands,
        task_stage=stage,
        agency=agency,
        chain=tuple(name for name in chain if name is not None),
        coordinator_id=coordinator_id,
        note=note,
    )


def _prepare(
    connection: sa.Connection,
    run: _Run,
    claimed: tuple[list[_Claimed], dict[int, _Recipient]],
    outcome: Counter[str],
) -> list[_Digest]:
    """Per person: postpone outside working hours, cancel what no longer stands, find the
    targets, render the digest (the most urgent `digest_items` items and a count of the
    rest: only the items shown are made). The rows that go no further are written on the
    claim's connection, in its transaction."""
    alerts, people = claimed
    by_person: dict[int, list[_Claimed]] = defaultdict(list)
    for alert in alerts:
        by_person[alert.person_id].append(alert)
    opens: dict[int, datetime] = {}
    region_ids = {people[p].region_id for p in by_person}
    regions = {
        row.id: row
        for row in connection.execute(
            sa.select(Region.id, Region.code, Region.timezone).where(Region.id.in_(region_ids))
        )
    }
    postponed: list[dict] = []
    finished: list[dict] = []
    ready: list[tuple[_Recipient, list[_Claimed], list[Target]]] = []
    outcome["digests"] += len(by_person)
    for person_id, mine in by_person.items():
        person = people[person_id]
        if person.region_id not in opens:
            region = regions[person.region_id]
            opens[person.region_id] = next_window_start(
                calendar_for(region, run.settings), ladder_for(run.settings, region.code), run.now
            )
        window = opens[person.region_id]
        if window > run.now:
            # Outside the region's working hours: back to the queue until the window opens.
            postponed += [{"b_id": a.id, "b_next": window} for a in mine]
            outcome["postponed"] += len(mine)
            continue
        # A rung planned earlier may no longer stand: the task was handed in, re-dated, or
        # the escalation acknowledged. Such alerts are cancelled, not sent.
        stale = [a for a in mine if not a.stands]
        finished += [_finish(a, AlertStatus.cancelled) for a in stale]
        outcome["cancelled"] += len(stale)
        mine = [a for a in mine if a.stands]
        if not mine:
            continue
        targets = run.sender.targets(person.code, person.email)
        if not targets:
            reason = t("alerts.no_target", person=person.code)
            finished += [_finish(a, AlertStatus.undeliverable, error=reason) for a in mine]
            outcome["undeliverable"] += len(mine)
            continue
        ready.append((person, mine, targets))
    # Each digest carries a sign-in link of its own when the portal's address is set (a
    # token is shown once, so it is issued here, in this transaction, with one INSERT).
    links = alert_links(connection, [person.id for person, _, _ in ready], run.now, run.settings)
    digests = []
    for person, mine, targets in ready:
        titles = run.stage_titles["en" if person.locale == "en" else "ru"]
        limit = run.delivery.digest_items
        shown = mine if len(mine) <= limit else heapq.nsmallest(limit, mine, key=_urgency)
        link, secret = links.get(person.id, (None, None))
        subject, body = render_digest(
            person.name,
            [_item(a, titles) for a in shown],
            person.locale,
            limit=limit,
            total=len(mine),
            link=link,
        )
        digests.append(
            _Digest(
                person.id, tuple(mine), subject, body, tuple(targets), (secret,) if secret else ()
            )
        )
    if postponed:
        connection.execute(
            _update_ours(run).values(
                status=AlertStatus.pending.value,
                claim_token=None,
                next_attempt_at=sa.bindparam("b_next"),
            ),
            postponed,
        )
    if finished:
        connection.execute(_update_finished(run), finished)
    return digests


def _urgency(alert: _Claimed) -> tuple[int, int, str]:
    """The digest's order (templates.urgency) on a claimed row, before any item is made."""
    return urgency_of(alert.kind, alert.working_days, alert.task_code or "?")


def _update_ours(run: _Run):
    """An UPDATE of one row by `b_id`, only while this dispatch still holds it."""
    return sa.update(Alert).where(Alert.id == sa.bindparam("b_id"), Alert.claim_token == run.token)


def _update_finished(run: _Run):
    return _update_ours(run).values(
        status=sa.bindparam("b_status"),
        claim_token=None,
        last_error=sa.bindparam("b_error"),
        sent_at=sa.bindparam("b_sent_at"),
        delivered_to=sa.bindparam("b_delivered"),
    )


def _finish(
    alert: _Claimed,
    status: AlertStatus,
    *,
    error: str | None = None,
    sent_at: datetime | None = None,
    delivered: Iterable[str] | None = None,
) -> dict:
    targets = alert.delivered_to if delivered is None else delivered
    return {
        "b_id": alert.id,
        "b_status": status.value,
        "b_error": error,
        "b_sent_at": sent_at,
        "b_delivered": json.dumps(sorted(targets)) if targets else None,
    }


def _item(alert: _Claimed, stage_titles: dict[str, str]) -> AlertItem:
    stage = stage_titles.get(alert.task_stage, alert.task_stage) if alert.task_stage else None
    return AlertItem(
        kind=alert.kind,
        level=alert.level,
        task=alert.task_code or "?",
        title=alert.task_title or "",
        agency=alert.agency or "",
        stage=stage,
        due_on=alert.task_due_on.strftime("%d.%m.%Y") if alert.task_due_on else "",
        working_days=alert.working_days,
        chain=alert.chain,
        note=alert.note,
    )


def _deliver(store: Store, run: _Run, digests: list[_Digest], outcome: Counter[str]) -> None:
    """Send the digests on a bounded pool, one person per thread. The main thread alone
    touches the store, in short transactions: it re-checks the claim of the digests it
    hands to the threads that came free, right before, and records the outcomes that came
    back as soon as they are back (each group in one transaction)."""
    queue = deque(digests)
    in_flight: dict[Future[_Sent], _Digest] = {}
    threads = run.delivery.concurrency
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="roadmap-send") as pool:
        try:
            while queue or in_flight:
                results, error = [], None
                if in_flight and (len(in_flight) >= threads or not queue):
                    done = wait(in_flight, return_when=FIRST_COMPLETED)
                    results, error = _results(in_flight, done)
                if error is None and queue and len(in_flight) < threads:
                    # Threads came free: hand them the next digests first (after the
                    # re-check, a read: no commit to wait for), then record what came
                    # back while those are on their way.
                    group = [queue.popleft() for _ in range(threads - len(in_flight)) if queue]
                    with store.transaction() as connection:
                        group = _still_ours(connection, run, group)
                    for digest in group:
                        in_flight[pool.submit(_send, run, digest)] = digest
                if results:
                    with store.transaction() as connection:
                        _record(connection, run, results, outcome)
                if error is not None:
                    raise error
        finally:
            # Stopped by an error: what did go out is still recorded (the rest stays
            # `sending` and is taken over after the lease, as after a crash).
            if in_flight:
                results = _results(in_flight, wait(in_flight))[0]
                with store.transaction() as connection:
                    _record(connection, run, results, outcome)


def _results(
    in_flight: dict[Future[_Sent], _Digest], waited: Any
) -> tuple[list[tuple[_Digest, _Sent]], BaseException | None]:
    """The finished sends, taken out of `in_flight`, and the exception of one that raised
    (our bug, not a delivery failure: those are results), to raise once the others are
    recorded."""
    results, error = [], None
    for future in waited.done:
        digest = in_flight.pop(future)
        if future.exception() is None:
            results.append((digest, future.result()))
        else:
            error = future.exception()
    return results, error


def _still_ours(connection: sa.Connection, run: _Run, digests: list[_Digest]) -> list[_Digest]:
    """Re-check the claim right before sending: a dispatcher that ran past its lease may
    have had these rows taken back and claimed by another, which then sends them. Only a
    digest whose rows are all still claimed with our token goes out; a duplicate is then
    bounded to the digests whose rows are taken back in the moment between this check and
    their send. A digest that is ours only in part gives the rest back at once.

    One query for the group: the rows a person has `sending` under our token are exactly
    the digest's (the person's other claimed rows were finished without the token, and
    nobody else ever sets it), so counting them per person is enough."""
    if not digests:
        return []
    counts = dict(
        connection.execute(
            sa.select(Alert.person_id, sa.func.count())
            .where(_ours(run), Alert.person_id.in_([d.person_id for d in digests]))
            .group_by(Alert.person_id)
        ).all()
    )
    kept = [d for d in digests if counts.get(d.person_id, 0) == len(d.alerts)]
    partly = [d.person_id for d in digests if 0 < counts.get(d.person_id, 0) < len(d.alerts)]
    if partly:
        connection.execute(
            sa.update(Alert)
            .where(_ours(run), Alert.person_id.in_(partly))
            .values(status=AlertStatus.failed.value, next_attempt_at=run.now, claim_token=None)
        )
    return kept


def _send(run: _Run, digest: _Digest) -> _Sent:
    """Deliver the digest to each target that does not have it yet; no store access here
    (this runs on the pool's threads)."""
    sent = _Sent(
        delivered={before: set(before) for before in {a.delivered_to for a in digest.alerts}}
    )
    for target in digest.targets:
        pending = [got for got in sent.delivered.values() if target.id not in got]
        if not pending:
            continue
        error = run.sender.send(target, digest.subject, digest.body)
        for secret in digest.secrets if error else ():
            error = error.replace(secret, "****")  # a server may quote the message back
        sent.log.append((target.label, error))
        if error is None:
            for got in pending:
                got.add(target.id)
        else:
            sent.errors.append(f"{target.label}: {error}")
    return sent


def _record(
    connection: sa.Connection,
    run: _Run,
    results: list[tuple[_Digest, _Sent]],
    outcome: Counter[str],
) -> None:
    """The delivery log, then each alert's outcome — sent, or failed / dead — for the
    digests just back; a row another dispatcher took over meanwhile is left to it."""
    if not results:
        return
    log: list[dict] = []
    delivered: dict[str, list[int]] = defaultdict(list)  # delivered_to -> alert ids
    for digest, sent in results:
        ids = json.dumps(list(digest.alert_ids))
        log += [
            {"person_id": digest.person_id, "alerts": ids, "target": label,
             "ok": error is None, "error": error, "at": run.now}
            for label, error in sent.log
        ]  # fmt: skip
        if not sent.errors:
            text = _delivered_text(sent)
            for alert in digest.alerts:
                delivered[text[alert.delivered_to]].append(alert.id)
    if log:
        connection.execute(sa.insert(AlertDelivery), log)
    # Sent: one UPDATE per set of targets (usually one per group of digests), not per row.
    for targets, ids in delivered.items():
        for chunk in _chunks(ids):
            connection.execute(
                sa.update(Alert)
                .where(Alert.id.in_(chunk), Alert.claim_token == run.token)
                .values(
                    status=AlertStatus.sent.value,
                    claim_token=None,
                    last_error=None,
                    sent_at=run.now,
                    delivered_to=targets,
                )
            )
        outcome["sent"] += len(ids)
    for digest, sent in results:
        if sent.errors:
            _failed(connection, run, digest, sent, "; ".join(sent.errors)[:1000], outcome)


def _delivered_text(sent: _Sent) -> dict[frozenset[str], str]:
    """`delivered_to` as stored (a sorted JSON list), once per set of targets."""
    return {before: json.dumps(sorted(got)) for before, got in sent.delivered.items()}


def _failed(
    connection: sa.Connection,
    run: _Run,
    digest: _Digest,
    sent: _Sent,
    error: str,
    outcome: Counter[str],
) -> None:
    """Retry after backoff × 2^(attempt−1), or after the last try: dead, and a dead letter."""
    retry, dead = [], []
    text = _delivered_text(sent)
    for alert in digest.alerts:
        attempts = alert.attempts + 1
        row = {
            "b_id": alert.id,
            "b_attempts": attempts,
            "b_error": error,
            "b_delivered": text[alert.delivered_to],
        }
        if attempts >= run.delivery.max_attempts:
            dead.append((alert, row | {"b_status": AlertStatus.dead.value, "b_next": None}))
        else:
            wait_seconds = run.delivery.backoff_seconds * 2 ** (attempts - 1)
            next_at = run.now + timedelta(seconds=wait_seconds)
            retry.append(row | {"b_status": AlertStatus.failed.value, "b_next": next_at})
    statement = _update_ours(run).values(
        status=sa.bindparam("b_status"),
        attempts=sa.bindparam("b_attempts"),
        last_error=sa.bindparam("b_error"),
        delivered_to=sa.bindparam("b_delivered"),
        claim_token=None,
    )
    if retry:
        connection.execute(statement.values(next_attempt_at=sa.bindparam("b_next")), retry)
        outcome["failed"] += len(retry)
    for alert, row in dead:
        row.pop("b_next")
        if connection.execute(statement, row).rowcount:
            outcome["dead"] += 1
            _tell_coordinator(connection, run, alert)


def _tell_coordinator(connection: sa.Connection, run: _Run, alert: _Claimed) -> None:
    """A dead alert becomes a dead-letter alert to the coordinator (not for their own)."""
    if alert.kind == AlertKind.dead_letter or alert.task_id is None:
        return
    coordinator = alert.coordinator_id
    if coordinator is None or coordinator == alert.person_id:
        return
    connection.execute(
        sa.insert(Alert).values(
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
            status=AlertStatus.pending.value,
            attempts=0,
            next_attempt_at=run.now,
            created_at=run.now,
        )
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

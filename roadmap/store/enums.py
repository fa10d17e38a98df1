"""The values the store's tables hold (their CHECK constraints are built from these), as
enums without SQLAlchemy: a read path imports them without the table classes."""

from __future__ import annotations

from enum import StrEnum


class AgencyKind(StrEnum):
    executive_body = "executive_body"
    municipality = "municipality"


class PersonRole(StrEnum):
    emissary = "emissary"  # цифровой эмиссар
    responsible = "responsible"  # ответственное лицо
    coordinator = "coordinator"  # координатор / проектный офис


class InitiativeStatus(StrEnum):
    proposed = "proposed"
    confirmed = "confirmed"
    selected = "selected"
    in_progress = "in_progress"
    done = "done"
    dropped = "dropped"


class FundingSource(StrEnum):
    federal = "federal"
    regional = "regional"
    municipal = "municipal"
    extrabudgetary = "extrabudgetary"


class TaskStatus(StrEnum):
    open = "open"
    submitted = "submitted"
    accepted = "accepted"
    returned = "returned"
    cancelled = "cancelled"


class IndicatorFrequency(StrEnum):
    """How often an indicator's actual value is reported (since 0009)."""

    yearly = "yearly"
    quarterly = "quarterly"


class SessionKind(StrEnum):
    """A strategy session: on one sector, or with one municipality (since 0009)."""

    sectoral = "sectoral"
    territorial = "territorial"


class ValueKind(StrEnum):
    target = "target"
    actual = "actual"


class StrategyStatus(StrEnum):
    draft = "draft"
    approved = "approved"
    archived = "archived"


class TaskAction(StrEnum):
    submit = "submit"
    accept = "accept"
    return_ = "return"
    cancel = "cancel"


class StageStatus(StrEnum):
    pending = "pending"
    active = "active"
    gate_failed = "gate_failed"
    closed = "closed"


class HypothesisStatus(StrEnum):
    pending = "pending"
    confirmed = "confirmed"
    rejected = "rejected"


class AlertKind(StrEnum):
    reminder = "reminder"
    due = "due"
    overdue = "overdue"
    escalation = "escalation"
    dead_letter = "dead_letter"  # to the coordinator: another alert could not be delivered


class AlertStatus(StrEnum):
    pending = "pending"  # planned, not yet tried
    sending = "sending"  # claimed by a dispatcher; a crash leaves it for the next run
    failed = "failed"  # a try failed; retried after next_attempt_at
    sent = "sent"
    dead = "dead"  # every try failed; the coordinator is told
    undeliverable = "undeliverable"  # the person has no target at all
    cancelled = "cancelled"  # no longer due when its turn came: submitted, acknowledged, re-dated


class ReviewStatus(StrEnum):
    open = "open"
    closed = "closed"


class ProposalStatus(StrEnum):
    pending = "pending"
    accepted = "accepted"
    rejected = "rejected"
    applied = "applied"


class ReasonCategory(StrEnum):
    regional_policy = "regional_policy"
    national_project = "national_project"
    federal_task = "federal_task"
    other = "other"


#: Task statuses that still wait for the agency (deadlines apply).
OPEN_TASK_STATUSES = (TaskStatus.open, TaskStatus.returned)

"""What the JSON API under /api reads and writes: a Pydantic model for every request and
response, so the OpenAPI schema (/openapi.json) describes each of them exactly.

Request bodies use the roadmap file's own field types (Text, Day), so a note or a due date
is checked by the same rules as on the command line and in a file. Bodies refuse unknown
fields (a misspelt field is a 422, not silently ignored).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from roadmap.i18n import t
from roadmap.roadmap_file.schema import Day, Text
from roadmap.store.enums import (
    AgencyKind,
    AlertStatus,
    PersonRole,
    StageStatus,
    TaskAction,
    TaskStatus,
)


def _known_year(day: date) -> date:
    """The production calendar is known for 2000–2100: a date outside names no working day."""
    if not 2000 <= day.year <= 2100:
        raise ValueError(t("format.year", input=day.year))
    return day


#: A date as the roadmap file reads it, in the years the region's calendar knows.
KnownDay = Annotated[Day, AfterValidator(_known_year)]

#: The most rows one page of a list gives.
MAX_LIMIT = 500
DEFAULT_LIMIT = 100


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- errors ---------------------------------------------------------------------------------


class ErrorOut(_Out):
    """Every refusal: 401 (no or a dead token), 403 (not yours, or coordinators only),
    404 (no such task or stage), 409 (the action is not possible in the current state)."""

    detail: str = Field(description="What is wrong, in the viewer's language.")


class FieldProblem(_Out):
    loc: list[str | int] = Field(description="Where: body, query or path, then the field.")
    msg: str = Field(description="What is wrong with it, in the viewer's language.")
    type: str


class InvalidOut(_Out):
    """422: the request could not be used. `detail` is a list of field problems when the
    request does not match the schema, or one message when the values do not fit the
    roadmap (a due date in the past, an unknown organisation code)."""

    detail: list[FieldProblem] | str


class GateRefusedOut(_Out):
    """409 from closing a stage: its gate does not hold; `missing` says what keeps it open."""

    detail: str
    stage: str
    missing: list[str]


# --- the viewer -----------------------------------------------------------------------------


class OrganisationOut(_Out):
    code: str
    name: str
    kind: AgencyKind


class MeOut(_Out):
    code: str = Field(description="The person's code in the region.")
    name: str
    role: PersonRole
    locale: str = Field(description="ru or en: the language of messages.")
    region: str = Field(description="The region's code.")
    organisations: list[OrganisationOut] = Field(
        description="The organisations the person acts for (every one for a coordinator)."
    )


# --- tasks ----------------------------------------------------------------------------------


class TaskOut(_Out):
    code: str
    title: str
    agency: str = Field(description="The organisation's code.")
    assignee: str | None = Field(description="The emissary's name.")
    stage: str | None
    due: date
    status: TaskStatus
    overdue: bool = Field(description="Open and due before the region's today.")
    working_days_left: int | None = Field(
        description="Working days to the due date (negative after it); open tasks only."
    )
    submitted_at: str | None = Field(description="When it was handed in, ISO 8601 in UTC.")


class TaskPageOut(_Out):
    items: list[TaskOut]
    total: int = Field(description="How many tasks match the filters in all.")
    limit: int
    offset: int


class TaskEventOut(_Out):
    at: str = Field(description="Region time, to the minute, ISO 8601 with its offset.")
    action: TaskAction
    from_status: TaskStatus
    to_status: TaskStatus
    by: str | None
    why: str | None
    note: str | None
    link: str | None
    due: date | None = Field(description="The new due date a return set.")


class TaskCardOut(_Out):
    task: TaskOut
    history: list[TaskEventOut] = Field(description="Every status change, oldest first.")


class SubmitIn(_In):
    note: Text | None = Field(default=None, description="What was done, briefly.")
    link: Text | None = Field(default=None, description="A link to the result.")


class AcceptIn(_In):
    note: Text | None = Field(default=None, description="A remark on acceptance.")


class ReturnIn(_In):
    why: Text = Field(description="Why the result goes back.")
    due: KnownDay = Field(description="The new due date (YYYY-MM-DD), today or later.")
    strict: bool = Field(
        default=False,
        description="Refuse a due date on a day off instead of moving it to the next working day.",
    )


class TaskChangedOut(_Out):
    code: str
    from_status: TaskStatus
    to_status: TaskStatus
    due: date
    at: str = Field(description="Region time, to the minute, ISO 8601 with its offset.")
    warnings: list[str] = Field(
        default_factory=list,
        description="E.g. a due date moved off a day off, or a stage run not signalled.",
    )


class AcknowledgedOut(_Out):
    code: str = Field(description="The task.")
    person: str = Field(description="Who took the escalation (person code).")
    level: int = Field(description="1: the responsible official, 2: the coordinator.")


# --- stages ---------------------------------------------------------------------------------


class StageOut(_Out):
    key: str
    order: int
    title: str = Field(description="In the viewer's language.")
    duration_days: int = Field(description="Working days from start to due date.")
    gate: list[str] = Field(description="The gate's checks, by key.")
    cycle: int
    status: StageStatus
    started_on: date | None
    due_on: date | None
    closed_on: date | None
    tasks: int
    tasks_done: int
    missing: list[str] = Field(description="What the last gate check missed.")


class StageStartIn(_In):
    on: KnownDay | None = Field(
        default=None, description="Start date (default: the region's today)."
    )


class StageStartOut(_Out):
    stage: str
    status: StageStatus
    started_on: date
    due_on: date
    tasks_created: int
    tasks: int


class StageClosedOut(_Out):
    stage: str
    status: StageStatus
    warnings: list[str] = Field(default_factory=list)


# --- reports --------------------------------------------------------------------------------


Cell = str | int | float | bool | None


class ReportColumnOut(_Out):
    key: str
    title: str
    kind: str = Field(description="text, int, year, money, percent, number or date.")


class ReportOut(_Out):
    """A report as `roadmap report … --json` writes it: money in roubles as text, shares
    as fractions, dates in ISO 8601; rows keyed by column."""

    report: str
    title: str
    region: str
    strategy: str
    generated_at: str | None
    today: str | None
    filters: dict[str, Any]
    columns: list[ReportColumnOut]
    rows: list[dict[str, Cell]]
    totals: dict[str, Cell] | None
    notes: list[str]


# --- alerts ---------------------------------------------------------------------------------


class AlertOut(_Out):
    id: int
    task: str | None
    person: str
    kind: str
    rung: str
    local_date: str
    status: AlertStatus
    attempts: int
    sent_at: str | None
    last_error: str | None


class AlertPageOut(_Out):
    items: list[AlertOut]
    total: int
    limit: int
    offset: int

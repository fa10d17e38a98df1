"""The format-1 schema: field types and the pydantic models of every list in the file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from roadmap.i18n import t

FORMAT_VERSION = 1


MAX_FILE_MB = 20


MAX_PROBLEMS = 50


MAX_NODES = 500_000  # values in one file, far above any real roadmap


LIST_KEYS = (
    "agencies",
    "initiatives",
    "budget",
    "indicators",
    "tasks",
    "services",
    "systems",
    "sessions",
)


CSV_LISTS = ("initiatives", "budget", "tasks", "services", "systems")


def _msg(message: str, /, **values: Any) -> str:
    """A file-format message from the catalogue (roadmap/i18n/file.py, keys "format.*")."""
    return t(f"format.{message}", **values)


class _Fail(ValueError):
    """A validator's failure carrying an already translated message."""


_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _code(value: str) -> str:
    if not _CODE_RE.match(value):
        raise _Fail(_msg("code", input=value))
    return value


def _year(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | str | float):
        raise _Fail(_msg("year", input=value))
    try:
        year = int(str(value).strip()) if not isinstance(value, float) else int(value)
    except ValueError:
        raise _Fail(_msg("year", input=value)) from None
    if (isinstance(value, float) and value != year) or not 2000 <= year <= 2100:
        raise _Fail(_msg("year", input=value))
    return year


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise _Fail(_msg("date", input=str(value)))
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _Fail(_msg("date", input=value))


def parse_money(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise _Fail(_msg("money", input=value))
    try:
        if isinstance(value, float):
            amount = Decimal(repr(value))
            if amount.is_finite() and abs(amount - round(amount, 2)) < Decimal("1e-6"):
                amount = round(amount, 2)  # spreadsheet arithmetic noise, not a third decimal
        elif isinstance(value, int | Decimal):
            amount = Decimal(value)
        elif isinstance(value, str):
            amount = Decimal(value.strip().replace(" ", "").replace("\u00a0", "").replace(",", "."))
        else:
            raise _Fail(_msg("money", input=value))
        if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
            raise _Fail(_msg("money", input=value))
    except ArithmeticError:
        raise _Fail(_msg("money", input=value)) from None
    if amount < 0:
        raise _Fail(_msg("negative", input=value))
    if amount >= Decimal("1e15"):
        raise _Fail(_msg("money", input=value))
    return amount.quantize(Decimal("0.01"))


def _email(value: str) -> str:
    if not _EMAIL_RE.match(value):
        raise _Fail(_msg("email", input=value))
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise _Fail(_msg("timezone", input=value)) from None
    return value


def _code_text(value: Any) -> Any:
    # Spreadsheets turn a code such as 101 into a number.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value


Number = Annotated[float, Field(allow_inf_nan=False)]


def _printable(value: str) -> str:
    """No control characters (a NUL breaks PostgreSQL and spreadsheets); tabs and line
    breaks are text."""
    bad = next((c for c in value if (ord(c) < 32 and c not in "\t\n\r") or ord(c) == 127), None)
    if bad is not None:
        raise _Fail(_msg("control_char", code=f"U+{ord(bad):04X}"))
    return value


Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    AfterValidator(_printable),
]


Code = Annotated[
    str,
    BeforeValidator(_code_text),
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
    AfterValidator(_code),
]


Year = Annotated[int, BeforeValidator(_year)]


Day = Annotated[date, BeforeValidator(_date)]


Money = Annotated[Decimal, BeforeValidator(parse_money)]


Email = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_email)]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PersonIn(StrictModel):
    code: Code
    name: Text
    email: Email | None = None
    locale: Literal["ru", "en"] = "ru"


class RegionIn(StrictModel):
    code: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=20),
        AfterValidator(_code),
    ]
    name: Text
    timezone: Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_timezone)]


class StrategyIn(StrictModel):
    title: Text
    start_year: Year
    end_year: Year

    @model_validator(mode="after")
    def _ordered(self) -> StrategyIn:
        if self.end_year < self.start_year:
            raise _Fail(_msg("horizon", start=self.start_year, end=self.end_year))
        return self


class SectorIn(StrictModel):
    code: Code
    name: Text


class AgencyIn(StrictModel):
    code: Code
    name: Text
    kind: Literal["executive_body", "municipality"] = "executive_body"
    emissary: PersonIn
    responsible: PersonIn


class InitiativeIn(StrictModel):
    code: Code
    title: Text
    sector: Code
    agency: Code
    status: Literal["proposed", "confirmed", "selected", "in_progress", "done", "dropped"] = (
        "proposed"
    )
    problem: Text | None = None
    expected_effect: Text | None = None


class BudgetIn(StrictModel):
    initiative: Code
    year: Year
    source: Literal["federal", "regional", "municipal", "extrabudgetary"]
    planned: Money
    actual: Money | None = None


class BaselineIn(StrictModel):
    year: Year
    value: Number


class IndicatorIn(StrictModel):
    code: Code
    name: Text
    unit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    sector: Code
    agency: Code | None = None
    higher_is_better: bool = True
    # How often the agency reports the actual value (a recurring task per period).
    frequency: Literal["yearly", "quarterly"] = "yearly"
    baseline: BaselineIn
    targets: dict[Year, Number]
    actuals: dict[Year, Number] = Field(default_factory=dict)


class TaskIn(StrictModel):
    code: Code | None = None
    agency: Code
    title: Text
    due: Day
    stage: Code | None = None
    status: Literal["open", "submitted", "accepted", "returned", "cancelled"] = "open"


class ServiceIn(StrictModel):
    code: Code
    name: Text
    agency: Code
    sector: Code | None = None  # optional: the sector the service belongs to
    online: bool
    online_target_year: Year | None = None
    ai_candidate: bool = False


class SystemIn(StrictModel):
    code: Code
    name: Text
    agency: Code
    gostekh_migration_due: Day | None = None
    function: Code | None = None  # what it does, e.g. document_management: finds duplicates
    platform: Code | None = None  # where it runs now, e.g. gostekh, own_dc, cloud


def _count(value: Any) -> Any:
    """A number of people: a whole number from 0 (a spreadsheet may give 25.0)."""
    if isinstance(value, bool) or not isinstance(value, int | str | float):
        raise _Fail(_msg("sessions.count", input=value))
    try:
        number = int(str(value).strip()) if not isinstance(value, float) else int(value)
    except ValueError:
        raise _Fail(_msg("sessions.count", input=value)) from None
    if (isinstance(value, float) and value != number) or not 0 <= number <= 1_000_000:
        raise _Fail(_msg("sessions.count", input=value))
    return number


Count = Annotated[int, BeforeValidator(_count)]


class SessionProposalIn(StrictModel):
    """An idea proposed at a strategy session; `initiative` names the one it became."""

    code: Code
    title: Text
    author: Text | None = None
    initiative: Code | None = None


class SessionFields(StrictModel):
    """A strategy session's own fields (one row of the XLSX `sessions` sheet): sectoral
    sessions name a sector, territorial ones a municipality (an agency of that kind)."""

    code: Code
    title: Text
    kind: Literal["sectoral", "territorial"]
    held_on: Day
    sector: Code | None = None
    municipality: Code | None = None
    participants: Count = 0


class SessionIn(SessionFields):
    proposals: list[SessionProposalIn] = Field(default_factory=list)


class SessionProposalRow(StrictModel):
    """One row of the XLSX `session_proposals` sheet: a proposal and its session's code."""

    session: Code
    code: Code
    title: Text
    author: Text | None = None
    initiative: Code | None = None


#: Sheets of a workbook whose rows are not the list's items as they are: the list's items
#: are read from the sheet with this model; `session_proposals` rows join their sessions.
SHEET_MODELS: dict[str, type[StrictModel]] = {
    "sessions": SessionFields,
    "session_proposals": SessionProposalRow,
}


ITEM_MODELS: dict[str, type[StrictModel]] = {
    "agencies": AgencyIn,
    "initiatives": InitiativeIn,
    "budget": BudgetIn,
    "indicators": IndicatorIn,
    "tasks": TaskIn,
    "services": ServiceIn,
    "systems": SystemIn,
    "sessions": SessionIn,
}


HEADER_MODELS: dict[str, type[StrictModel]] = {
    "region": RegionIn,
    "strategy": StrategyIn,
    "coordinator": PersonIn,
}


TOP_KEYS = ("format", "region", "strategy", "coordinator", "sectors", *LIST_KEYS)


REQUIRED_TOP = ("format", "region", "strategy", "coordinator", "agencies", "initiatives")


@dataclass
class RoadmapDoc:
    """A validated roadmap file (whole) or one list of it (CSV)."""

    region: RegionIn | None = None
    strategy: StrategyIn | None = None
    coordinator: PersonIn | None = None
    sectors: list[SectorIn] = field(default_factory=list)
    lists: dict[str, list[Any]] = field(default_factory=dict)
    invalid_codes: dict[str, set[str]] = field(default_factory=dict)

    @property
    def whole(self) -> bool:
        return self.region is not None


Path_ = tuple[Any, ...]


def _allowed_columns(model: type[BaseModel]) -> tuple[set[str], set[str], set[str]]:
    """Flat column names a sheet of this model may have: exact, prefixes, required."""
    exact, prefixes, required = set(), set(), set()
    for key, info in model.model_fields.items():
        annotation = info.annotation
        nested = (
            annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel)
            else None
        )
        if nested is not None:
            for sub, sub_info in nested.model_fields.items():
                exact.add(f"{key}.{sub}")
                if info.is_required() and sub_info.is_required():
                    required.add(f"{key}.{sub}")
        elif getattr(annotation, "__origin__", None) is dict:
            prefixes.add(f"{key}.")
        else:
            exact.add(key)
            if info.is_required():
                required.add(key)
    return exact, prefixes, required

"""The roadmap file, format version 1: its schema, its readers and its writers.

YAML is the canonical form; an XLSX workbook holds the same content with one sheet per
top-level list plus a ``roadmap`` sheet of ``key | value`` rows; a CSV file holds one flat
list and is named after it (``initiatives.csv``). Every problem is reported with its place
(``file:line``, ``file[sheet]:row``), the key and what was expected; nothing here writes to
the store.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from roadmap.errors import InvalidFile, Problem, UserError
from roadmap.i18n import current_locale, t

FORMAT_VERSION = 1
MAX_FILE_MB = 20
MAX_PROBLEMS = 50
MAX_NODES = 500_000  # values in one file, far above any real roadmap

LIST_KEYS = ("agencies", "initiatives", "budget", "indicators", "tasks", "services", "systems")
CSV_LISTS = ("initiatives", "budget", "tasks", "services", "systems")


# --- messages --------------------------------------------------------------------------

_TEXT = {
    "missing": ("обязательный ключ отсутствует", "required key is missing"),
    "extra": ("неизвестный ключ (допустимо: {allowed})", "unknown key (allowed: {allowed})"),
    "int": ("ожидается целое число, получено {input!r}", "expected a whole number, got {input!r}"),
    "number": ("ожидается число, получено {input!r}", "expected a number, got {input!r}"),
    "money": (
        "ожидается сумма в рублях (не больше двух знаков после запятой), получено {input!r}",
        "expected an amount in roubles (at most two decimals), got {input!r}",
    ),
    "negative": (
        "сумма не может быть отрицательной: {input}",
        "amount cannot be negative: {input}",
    ),
    "choice": ("допустимо: {expected}; получено {input!r}", "allowed: {expected}; got {input!r}"),
    "text": ("ожидается текст, получено {input!r}", "expected text, got {input!r}"),
    "empty": ("не может быть пустым", "cannot be empty"),
    "too_long": ("слишком длинно (больше {max} символов)", "too long (over {max} characters)"),
    "code": (
        "код может содержать только латинские буквы, цифры, '-', '_' и '.': {input!r}",
        "a code may hold only Latin letters, digits, '-', '_' and '.': {input!r}",
    ),
    "bool": (
        "ожидается true или false, получено {input!r}",
        "expected true or false, got {input!r}",
    ),
    "mapping": ("ожидается словарь (ключ: значение)", "expected a mapping (key: value)"),
    "list": ("ожидается список", "expected a list"),
    "date": (
        "ожидается дата ГГГГ-ММ-ДД, получено {input!r}",
        "expected a date YYYY-MM-DD, got {input!r}",
    ),
    "year": (
        "ожидается год от 2000 до 2100, получено {input!r}",
        "expected a year 2000–2100, got {input!r}",
    ),
    "email": (
        "не похоже на адрес почты: {input!r}",
        "does not look like an email address: {input!r}",
    ),
    "timezone": (
        "неизвестный часовой пояс {input!r} (ожидается имя IANA, например Asia/Vladivostok)",
        "unknown time zone {input!r} (expected an IANA name, e.g. Asia/Vladivostok)",
    ),
    "format": (
        "поддерживается только формат версии 1, получено {input!r}",
        "only format version 1 is supported, got {input!r}",
    ),
    "horizon": (
        "end_year {end} раньше start_year {start}",
        "end_year {end} is before start_year {start}",
    ),
    "unknown_ref": (
        "{what} {code!r} (есть: {known})",
        "{what} {code!r} (known: {known})",
    ),
    "duplicate": (
        "код {code!r} повторяется (впервые — {first})",
        "duplicate code {code!r} (first at {first})",
    ),
    "duplicate_task": (
        "поручение без кода {title!r} у этого органа уже есть ({first}): задайте code",
        "a task without a code titled {title!r} already exists for this agency ({first}): give it a code",
    ),
    "duplicate_budget": (
        "строка бюджета {initiative} / {year} / {source} повторяется (впервые — {first})",
        "budget line {initiative} / {year} / {source} is repeated (first at {first})",
    ),
    "person_clash": (
        "код сотрудника {code!r} уже задан для другого человека или роли ({first})",
        "person code {code!r} is already used for another person or role ({first})",
    ),
    "year_outside": (
        "год {year} вне горизонта стратегии {start}–{end}",
        "year {year} is outside the strategy horizon {start}–{end}",
    ),
    "yaml": ("ошибка синтаксиса YAML: {reason}", "YAML syntax error: {reason}"),
    "too_many_nodes": (
        f"слишком много значений (больше {MAX_NODES}): ссылки YAML (&, *) раздувают файл?",
        f"too many values (over {MAX_NODES}): do YAML aliases (&, *) blow the file up?",
    ),
    "extra_cells": (
        "в строке больше ячеек, чем столбцов в заголовке: {value!r} без столбца",
        "the row has more cells than the header has columns: {value!r} has no column",
    ),
    "key_twice": (
        "ключ {column!r} повторяется (впервые — {first})",
        "key {column!r} is repeated (first at {first})",
    ),
    "sheet_key": (
        "неизвестный ключ {column!r} (допустимо: {allowed})",
        "unknown key {column!r} (allowed: {allowed})",
    ),
    "finite": (
        "ожидается конечное число, получено {input!r}",
        "expected a finite number, got {input!r}",
    ),
    "encoding": (
        "файл не в кодировке UTF-8 (байт {offset}): это не текстовый файл дорожной карты?",
        "the file is not UTF-8 (byte {offset}): not a roadmap text file?",
    ),
    "top": (
        "файл должен быть словарём с ключом format: 1",
        "the file must be a mapping with format: 1",
    ),
    "xlsx": (
        "не удаётся прочитать книгу XLSX: {reason}",
        "cannot read the XLSX workbook: {reason}",
    ),
    "xlsx_no_sheet": (
        "в книге нет листа {sheet!r} (есть: {known})",
        "the workbook has no sheet {sheet!r} (has: {known})",
    ),
    "xlsx_unknown_sheet": (
        "неизвестный лист {sheet!r} (допустимо: {known})",
        "unknown sheet {sheet!r} (allowed: {known})",
    ),
    "column_unknown": (
        "неизвестный столбец {column!r} (допустимо: {allowed})",
        "unknown column {column!r} (allowed: {allowed})",
    ),
    "column_missing": (
        "нет обязательного столбца {column!r}",
        "required column {column!r} is missing",
    ),
    "column_twice": ("столбец {column!r} повторяется", "column {column!r} appears twice"),
    "csv_list": (
        "по имени CSV-файла не понять, какой это список: назовите его {known}",
        "cannot tell which list this CSV file holds: name it {known}",
    ),
    "csv": ("ошибка CSV: {reason}", "CSV error: {reason}"),
    "no_header": ("нет строки заголовков", "no header row"),
    "records": (
        "ожидается список записей (или ключ {key}: со списком)",
        "expected a list of records (or a {key}: key holding one)",
    ),
}


def _msg(message: str, /, **values: Any) -> str:
    ru, en = _TEXT[message]
    return (en if current_locale() == "en" else ru).format(**values)


class _Fail(ValueError):
    """A validator's failure carrying an already translated message."""


# --- field types -------------------------------------------------------------------------

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


def _money(value: Any) -> Decimal:
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
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Code = Annotated[
    str,
    BeforeValidator(_code_text),
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
    AfterValidator(_code),
]
Year = Annotated[int, BeforeValidator(_year)]
Day = Annotated[date, BeforeValidator(_date)]
Money = Annotated[Decimal, BeforeValidator(_money)]
Email = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_email)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PersonIn(_Model):
    code: Code
    name: Text
    email: Email | None = None
    locale: Literal["ru", "en"] = "ru"


class RegionIn(_Model):
    code: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=20),
        AfterValidator(_code),
    ]
    name: Text
    timezone: Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_timezone)]


class StrategyIn(_Model):
    title: Text
    start_year: Year
    end_year: Year

    @model_validator(mode="after")
    def _ordered(self) -> StrategyIn:
        if self.end_year < self.start_year:
            raise _Fail(_msg("horizon", start=self.start_year, end=self.end_year))
        return self


class SectorIn(_Model):
    code: Code
    name: Text


class AgencyIn(_Model):
    code: Code
    name: Text
    kind: Literal["executive_body", "municipality"] = "executive_body"
    emissary: PersonIn
    responsible: PersonIn


class InitiativeIn(_Model):
    code: Code
    title: Text
    sector: Code
    agency: Code
    status: Literal["proposed", "confirmed", "selected", "in_progress", "done", "dropped"] = (
        "proposed"
    )
    problem: Text | None = None
    expected_effect: Text | None = None


class BudgetIn(_Model):
    initiative: Code
    year: Year
    source: Literal["federal", "regional", "municipal", "extrabudgetary"]
    planned: Money
    actual: Money | None = None


class BaselineIn(_Model):
    year: Year
    value: Number


class IndicatorIn(_Model):
    code: Code
    name: Text
    unit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    sector: Code
    agency: Code | None = None
    higher_is_better: bool = True
    baseline: BaselineIn
    targets: dict[Year, Number]
    actuals: dict[Year, Number] = Field(default_factory=dict)


class TaskIn(_Model):
    code: Code | None = None
    agency: Code
    title: Text
    due: Day
    stage: Code | None = None
    status: Literal["open", "submitted", "accepted", "returned", "cancelled"] = "open"


class ServiceIn(_Model):
    code: Code
    name: Text
    agency: Code
    online: bool
    online_target_year: Year | None = None
    ai_candidate: bool = False


class SystemIn(_Model):
    code: Code
    name: Text
    agency: Code
    gostekh_migration_due: Day | None = None
    function: Code | None = None  # what it does, e.g. document_management: finds duplicates
    platform: Code | None = None  # where it runs now, e.g. gostekh, own_dc, cloud


ITEM_MODELS: dict[str, type[_Model]] = {
    "agencies": AgencyIn,
    "initiatives": InitiativeIn,
    "budget": BudgetIn,
    "indicators": IndicatorIn,
    "tasks": TaskIn,
    "services": ServiceIn,
    "systems": SystemIn,
}
HEADER_MODELS: dict[str, type[_Model]] = {
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


# --- reading -----------------------------------------------------------------------------

Path_ = tuple[Any, ...]


@dataclass
class Source:
    """Raw content of a file plus a way to say where each path came from."""

    name: str
    data: Any
    places: dict[Path_, str]
    default_place: str
    list_name: str | None = None  # for CSV: which list the file holds

    def where(self, path: Path_) -> str:
        for cut in range(len(path), -1, -1):
            place = self.places.get(tuple(path[:cut]))
            if place is not None:
                return place
        return self.default_place


def _render_path(path: Iterable[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) and out else (f".{part}" if out else f"{part}")
    return out


def read_source(path: Path) -> Source:
    """Read a roadmap file of any supported kind, or raise InvalidFile / UserError."""
    if not path.is_file():
        raise UserError(t("file.missing", path=path))
    size = path.stat().st_size
    if size > MAX_FILE_MB * 1024 * 1024:
        raise UserError(t("file.too_big", path=path, size=size // (1024 * 1024), limit=MAX_FILE_MB))
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return _read_yaml(path)
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix == ".csv":
        return _read_csv(path)
    raise UserError(t("file.bad_kind", path=path))


def _read_yaml(path: Path) -> Source:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.constructor import RoundTripConstructor
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    name = path.name
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InvalidFile(
            [Problem(f"{name}:{line}", "", _msg("encoding", offset=exc.start))]
        ) from None

    class _Constructor(RoundTripConstructor):
        """Dates stay text until validated, so a bad date is a message, not a crash."""

    _Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_str)
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    try:
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        reason = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise InvalidFile([Problem(f"{name}:{line}", "", _msg("yaml", reason=reason))]) from None
    except (YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise InvalidFile([Problem(f"{name}:1", "", _msg("yaml", reason=exc))]) from None

    places: dict[Path_, str] = {(): f"{name}:1"}
    budget = [MAX_NODES]

    def line_of(lookup: Callable[[Any], Any], key: Any, at: Path_) -> str:
        # Merge keys and tagged collections carry no position of their own: use the parent's.
        try:
            return f"{name}:{lookup(key)[0] + 1}"
        except (KeyError, TypeError, IndexError):
            return places.get(at, f"{name}:1")

    def plain(node: Any, at: Path_) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            # Aliases can make a small file expand without bound ("billion laughs").
            raise InvalidFile([Problem(places.get(at, f"{name}:1"), "", _msg("too_many_nodes"))])
        if isinstance(node, CommentedMap):
            out = {}
            for key, value in node.items():
                places[(*at, key)] = line_of(node.lc.key, key, at)
                out[key] = plain(value, (*at, key))
            return out
        if isinstance(node, CommentedSeq):
            items = []
            for index, value in enumerate(node):
                places[(*at, index)] = line_of(node.lc.item, index, at)
                items.append(plain(value, (*at, index)))
            return items
        if isinstance(node, dict):
            return {key: plain(value, (*at, key)) for key, value in node.items()}
        if isinstance(node, list | tuple):
            return [plain(value, (*at, index)) for index, value in enumerate(node)]
        if isinstance(node, bool) or node is None:
            return node
        if isinstance(node, int):
            return int(node)
        if isinstance(node, float):
            return float(node)
        if isinstance(node, str):
            return str(node)
        return node

    return Source(name, plain(data, ()), places, f"{name}:1")


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


def _unflatten(flat: dict[str, Any]) -> dict[str, Any]:
    """{"baseline.year": 2024} -> {"baseline": {"year": 2024}}; column names are checked first."""
    out: dict[str, Any] = {}
    for column, value in flat.items():
        if "." in column:
            head, tail = column.split(".", 1)
            key: Any = int(tail) if tail.isdigit() else tail
            out.setdefault(head, {})[key] = value
        else:
            out[column] = value
    return out


def _rows_to_items(
    name: str,
    list_name: str,
    header: list[Any],
    rows: Iterable[tuple[int, list[Any]]],
    place: Callable[[int], str],
    problems: list[Problem],
    places: dict[Path_, str],
    base: Path_,
    model: type[BaseModel] | None = None,
) -> list[dict[str, Any]]:
    model = model or ITEM_MODELS[list_name]
    exact, prefixes, required = _allowed_columns(model)
    open_ended = model.model_config.get("extra") == "allow"  # e.g. one column per criterion
    columns = [str(c).strip() if c is not None else "" for c in header]
    allowed = ", ".join(sorted(exact | {p + "ГГГГ" for p in prefixes}))
    bad = False
    seen: set[str] = set()
    for column in columns:
        if not column:
            continue
        if column in seen:
            problems.append(Problem(place(1), list_name, _msg("column_twice", column=column)))
            bad = True
        seen.add(column)
        if (
            not open_ended
            and column not in exact
            and not any(column.startswith(p) and column[len(p) :].isdigit() for p in prefixes)
        ):
            problems.append(
                Problem(place(1), list_name, _msg("column_unknown", column=column, allowed=allowed))
            )
            bad = True
    for column in sorted(required - seen):
        problems.append(Problem(place(1), list_name, _msg("column_missing", column=column)))
        bad = True
    if bad:
        return []
    items = []
    for row_number, values in rows:
        flat = {}
        for position, value in enumerate(values):
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            column = columns[position] if position < len(columns) else ""
            if not column:
                problems.append(
                    Problem(place(row_number), list_name, _msg("extra_cells", value=value))
                )
                continue
            flat[column] = value
        if not flat:
            continue
        index = len(items)
        places[(*base, index)] = place(row_number)
        items.append(_unflatten(flat))
    return items


def _xlsx_errors() -> tuple[type[Exception], ...]:
    """What a damaged workbook can raise from inside openpyxl (zip, XML, cell values)."""
    from openpyxl.utils.exceptions import InvalidFileException

    return (
        InvalidFileException,
        zipfile.BadZipFile,
        KeyError,
        OSError,
        ValueError,
        TypeError,
        IndexError,
        EOFError,
        SyntaxError,  # xml.etree.ElementTree.ParseError
    )


def _read_xlsx(path: Path) -> Source:
    from openpyxl import load_workbook

    name = path.name
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except _xlsx_errors() as exc:
        raise InvalidFile([Problem(f"{name}", "", _msg("xlsx", reason=exc))]) from None
    problems: list[Problem] = []
    places: dict[Path_, str] = {(): name}
    data: dict[str, Any] = {}
    known = ("roadmap", *LIST_KEYS, "sectors")
    try:
        sheets = workbook.sheetnames
        if "roadmap" not in sheets:
            problems.append(
                Problem(name, "", _msg("xlsx_no_sheet", sheet="roadmap", known=", ".join(sheets)))
            )
        for sheet in sheets:
            if sheet not in known:
                problems.append(
                    Problem(
                        name, "", _msg("xlsx_unknown_sheet", sheet=sheet, known=", ".join(known))
                    )
                )
                continue
            try:
                rows = list(workbook[sheet].iter_rows(values_only=True))
            except _xlsx_errors() as exc:
                problems.append(Problem(f"{name}[{sheet}]", sheet, _msg("xlsx", reason=exc)))
                continue

            def place(row: int, sheet: str = sheet) -> str:
                return f"{name}[{sheet}]:{row}"

            if sheet == "roadmap":
                flat: dict[str, Any] = {}
                first_row: dict[str, int] = {}
                allowed = ["format"] + [
                    f"{head}.{field}"
                    for head, model in HEADER_MODELS.items()
                    for field in model.model_fields
                ]
                for number, row in enumerate(rows, start=1):
                    if not row or row[0] is None:
                        continue
                    key = str(row[0]).strip()
                    if key not in allowed:
                        problems.append(
                            Problem(
                                place(number),
                                sheet,
                                _msg("sheet_key", column=key, allowed=", ".join(allowed)),
                            )
                        )
                        continue
                    if key in first_row:
                        problems.append(
                            Problem(
                                place(number),
                                sheet,
                                _msg("key_twice", column=key, first=place(first_row[key])),
                            )
                        )
                        continue
                    first_row[key] = number
                    value = row[1] if len(row) > 1 else None
                    if value is None:
                        continue
                    flat[key] = value
                    head = key.split(".", 1)[0]
                    places.setdefault((head,), place(number))
                    if "." in key:
                        places[(head, key.split(".", 1)[1])] = place(number)
                data.update(_unflatten(flat))
                continue
            if not rows:
                problems.append(Problem(place(1), sheet, _msg("no_header")))
                continue
            places[(sheet,)] = place(1)
            if sheet == "sectors":
                data[sheet] = [
                    {"code": r[0], "name": r[1] if len(r) > 1 else None}
                    for r in rows[1:]
                    if r and r[0] is not None
                ]
                for index in range(len(data[sheet])):
                    places[(sheet, index)] = place(index + 2)
                continue
            data[sheet] = _rows_to_items(
                name,
                sheet,
                list(rows[0]),
                ((number, list(row)) for number, row in enumerate(rows[1:], start=2)),
                place,
                problems,
                places,
                (sheet,),
            )
    finally:
        workbook.close()
    if problems:
        raise InvalidFile(problems)
    # A cell shows 1 whether Excel stored it as 1.0 or as the text "1".
    if isinstance(data.get("format"), float) and data["format"].is_integer():
        data["format"] = int(data["format"])
    if isinstance(data.get("format"), str) and data["format"].strip().isdigit():
        data["format"] = int(data["format"])
    return Source(name, data, places, name)


def _read_csv(
    path: Path, list_name: str | None = None, model: type[BaseModel] | None = None
) -> Source:
    name = path.name
    stem = path.stem.lower()
    list_name = list_name or next(
        (k for k in CSV_LISTS if stem == k or stem.endswith((f"-{k}", f"_{k}", f".{k}"))), None
    )
    if list_name is None:
        known = ", ".join(f"{k}.csv" for k in CSV_LISTS)
        raise InvalidFile([Problem(f"{name}:1", "", _msg("csv_list", known=known))])
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InvalidFile(
            [Problem(f"{name}:{line}", "", _msg("encoding", offset=exc.start))]
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    problems: list[Problem] = []
    places: dict[Path_, str] = {(): f"{name}:1"}
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise InvalidFile([Problem(f"{name}", "", _msg("csv", reason=exc))]) from None
    if not rows:
        raise InvalidFile([Problem(f"{name}:1", list_name, _msg("no_header"))])
    # reader.line_num is the line a row ends on; rows are numbered by where they start.
    numbered, start = [], 2
    for end, row in rows[1:]:
        numbered.append((start, row))
        start = end + 1
    items = _rows_to_items(
        name,
        list_name,
        rows[0][1],
        numbered,
        lambda n: f"{name}:{n}",
        problems,
        places,
        (list_name,),
        model,
    )
    if problems:
        raise InvalidFile(problems)
    return Source(name, {list_name: items}, places, f"{name}:1", list_name=list_name)


def read_records(path: Path, model: type[BaseModel], list_name: str) -> list[Any]:
    """A bulk input file of one kind of record: a YAML list (or `list_name:` holding one)
    or a CSV file with a header row. Every problem is reported with its place."""
    if not path.is_file():
        raise UserError(t("file.missing", path=path))
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        source = _read_yaml(path)
        data, base = source.data, ()
        if isinstance(data, dict) and set(data) == {list_name}:
            data, base = data[list_name], (list_name,)
    elif suffix == ".csv":
        source = _read_csv(path, list_name, model)
        data, base = source.data[list_name], (list_name,)
    else:
        raise UserError(t("file.bad_kind_records", path=path))
    if not isinstance(data, list):
        raise InvalidFile([Problem(source.default_place, "", _msg("records", key=list_name))])
    records, problems = [], []
    for index, raw in enumerate(data):
        try:
            records.append(model.model_validate(raw))
        except ValidationError as exc:
            problems.extend(
                _pydantic_problem(source, (*base, index), e, model) for e in exc.errors()
            )
    if problems:
        raise InvalidFile(problems[:MAX_PROBLEMS], total=len(problems))
    return records


# --- validation --------------------------------------------------------------------------


def _pydantic_problem(
    source: Source, base: Path_, error: dict[str, Any], model: type[BaseModel] | None = None
) -> Problem:
    loc = (*base, *error["loc"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "missing":
        text = _msg("missing")
    elif kind == "extra_forbidden":
        model = model or _model_at(base, error["loc"][:-1])
        allowed = ", ".join(model.model_fields) if model else "?"
        text = _msg("extra", allowed=allowed)
    elif kind in ("int_parsing", "int_type", "int_from_float"):
        text = _msg("int", input=value)
    elif kind in ("float_parsing", "float_type"):
        text = _msg("number", input=value)
    elif kind == "finite_number":
        text = _msg("finite", input=value)
    elif kind in ("literal_error", "enum"):
        text = _msg("choice", expected=ctx.get("expected", "?"), input=value)
    elif kind == "string_type":
        text = _msg("text", input=value)
    elif kind == "string_too_short":
        text = _msg("empty")
    elif kind == "string_too_long":
        text = _msg("too_long", max=ctx.get("max_length"))
    elif kind in ("bool_parsing", "bool_type"):
        text = _msg("bool", input=value)
    elif kind in ("model_type", "dict_type", "model_attributes_type"):
        text = _msg("mapping")
    elif kind == "list_type":
        text = _msg("list")
    elif kind == "value_error" and isinstance(ctx.get("error"), _Fail):
        text = str(ctx["error"])
    else:
        text = error["msg"]
    return Problem(source.where(loc), _render_path(loc), text)


def _model_at(base: Path_, loc: Iterable[Any]) -> type[BaseModel] | None:
    model: type[BaseModel] | None = None
    parts = [p for p in (*base, *loc) if not isinstance(p, int)]
    if parts and parts[0] in ITEM_MODELS:
        model = ITEM_MODELS[parts[0]]
    elif parts and parts[0] in HEADER_MODELS:
        model = HEADER_MODELS[parts[0]]
    elif parts and parts[0] == "sectors":
        model = SectorIn
    for part in parts[1:]:
        if model is None or part not in model.model_fields:
            return None
        annotation = model.model_fields[part].annotation
        model = (
            annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel)
            else None
        )
    return model


@dataclass
class Context:
    """What the store already holds for the region, for references a CSV file makes."""

    default_sectors: dict[str, str]
    stage_keys: tuple[str, ...]
    agencies: set[str] = field(default_factory=set)
    sectors: set[str] = field(default_factory=set)
    initiatives: set[str] = field(default_factory=set)
    horizon: tuple[int, int] | None = None


def validate(source: Source, context: Context) -> RoadmapDoc:
    """Check a read file against format 1 and its own references; raise InvalidFile."""
    problems: list[Problem] = []
    data = source.data
    doc = RoadmapDoc()

    def report(path: Path_, text: str) -> None:
        problems.append(Problem(source.where(path), _render_path(path), text))

    def check(model: type[_Model], value: Any, path: Path_) -> Any | None:
        try:
            return model.model_validate(value)
        except ValidationError as exc:
            problems.extend(_pydantic_problem(source, path, e) for e in exc.errors())
            return None

    if not isinstance(data, dict):
        raise InvalidFile([Problem(source.default_place, "", _msg("top"))])

    if source.list_name is None:
        for key in data:
            if key not in TOP_KEYS:
                report((key,), _msg("extra", allowed=", ".join(TOP_KEYS)))
        for key in REQUIRED_TOP:
            if key not in data:
                report((key,), _msg("missing"))
        if "format" in data and (
            isinstance(data["format"], bool) or data["format"] != FORMAT_VERSION
        ):
            report(("format",), _msg("format", input=data["format"]))
        for key, model in HEADER_MODELS.items():
            if key in data:
                setattr(doc, key, check(model, data[key], (key,)))
        if "sectors" in data:
            if isinstance(data["sectors"], list):
                doc.sectors = [
                    s
                    for i, raw in enumerate(data["sectors"])
                    if (s := check(SectorIn, raw, ("sectors", i))) is not None
                ]
            else:
                report(("sectors",), _msg("list"))

    for key in LIST_KEYS:
        raw_list = data.get(key)
        if raw_list is None:
            if key in data and key in REQUIRED_TOP:
                report((key,), _msg("list"))  # `initiatives:` with nothing under it
            continue
        if not isinstance(raw_list, list):
            report((key,), _msg("list"))
            continue
        items = []
        for index, raw in enumerate(raw_list):
            item = check(ITEM_MODELS[key], raw, (key, index))
            if item is not None:
                items.append((index, item))  # the index stays for messages
            elif isinstance(raw, dict) and raw.get("code") is not None:
                # Its own problem is reported; references to it are not errors too.
                doc.invalid_codes.setdefault(key, set()).add(str(raw["code"]).strip())
        doc.lists[key] = items

    _check_references(doc, context, report, source.where)
    if problems:
        shown = problems[:MAX_PROBLEMS]
        raise InvalidFile(shown, total=len(problems))
    doc.lists = {k: [item for _, item in v] for k, v in doc.lists.items()}
    return doc


def _check_references(
    doc: RoadmapDoc,
    context: Context,
    report: Callable[[Path_, str], None],
    where: Callable[[Path_], str],
) -> None:
    lists = doc.lists

    def unique(key: str, code_of: Callable[[Any], Any] = lambda item: item.code) -> dict[Any, int]:
        first: dict[Any, int] = {}
        for index, item in lists.get(key, []):
            code = code_of(item)
            if code is None:
                continue
            if code in first:
                report(
                    (key, index, "code"),
                    _msg("duplicate", code=code, first=where((key, first[code]))),
                )
            else:
                first[code] = index
        return first

    # Sectors: the file's, the configured defaults and those the region already has.
    sector_first: dict[str, int] = {}
    for index, sector in enumerate(doc.sectors):
        if sector.code in sector_first:
            report(
                ("sectors", index, "code"),
                _msg("duplicate", code=sector.code, first=f"sectors[{sector_first[sector.code]}]"),
            )
        sector_first.setdefault(sector.code, index)
    sectors = set(sector_first) | set(context.default_sectors) | context.sectors

    agencies = set(unique("agencies")) | doc.invalid_codes.get("agencies", set())
    if not doc.whole:
        agencies |= context.agencies
    initiatives = set(unique("initiatives")) | doc.invalid_codes.get("initiatives", set())
    if not doc.whole:
        initiatives |= context.initiatives
    # Tasks without a code are matched by agency and title, so that pair must be unique.
    untitled: dict[tuple[str, str], int] = {}
    for index, task in lists.get("tasks", []):
        if task.code is None:
            pair = (task.agency, task.title)
            if pair in untitled:
                report(
                    ("tasks", index, "title"),
                    _msg(
                        "duplicate_task", title=task.title, first=where(("tasks", untitled[pair]))
                    ),
                )
            untitled.setdefault(pair, index)
    unique("indicators")
    unique("tasks")
    unique("services")
    unique("systems")

    # A person code names one person in one role.
    people: dict[str, tuple[tuple[Any, ...], str]] = {}

    def person(p: PersonIn | None, role: str, path: Path_) -> None:
        if p is None:
            return
        identity = (p.name, p.email, p.locale, role)
        seen = people.get(p.code)
        if seen is None:
            people[p.code] = (identity, where(path))
        elif seen[0] != identity:
            report((*path, "code"), _msg("person_clash", code=p.code, first=seen[1]))

    person(doc.coordinator, "coordinator", ("coordinator",))
    for index, agency in lists.get("agencies", []):
        person(agency.emissary, "emissary", ("agencies", index, "emissary"))
        person(agency.responsible, "responsible", ("agencies", index, "responsible"))

    def ref(path: Path_, code: str | None, known: set[str], what: str) -> None:
        if code is not None and code not in known:
            shown = ", ".join(sorted(known)[:12]) + (", …" if len(known) > 12 else "")
            report(path, _msg("unknown_ref", what=what, code=code, known=shown or "—"))

    what = {
        "agency": ("неизвестный орган", "unknown agency"),
        "sector": ("неизвестная отрасль", "unknown sector"),
        "initiative": ("неизвестная инициатива", "unknown initiative"),
        "stage": ("неизвестный этап", "unknown stage"),
    }

    def w(key: str) -> str:
        return what[key][1] if current_locale() == "en" else what[key][0]

    for index, item in lists.get("initiatives", []):
        ref(("initiatives", index, "sector"), item.sector, sectors, w("sector"))
        ref(("initiatives", index, "agency"), item.agency, agencies, w("agency"))
    for index, item in lists.get("indicators", []):
        ref(("indicators", index, "sector"), item.sector, sectors, w("sector"))
        ref(("indicators", index, "agency"), item.agency, agencies, w("agency"))
    for key in ("tasks", "services", "systems"):
        for index, item in lists.get(key, []):
            ref((key, index, "agency"), item.agency, agencies, w("agency"))
    for index, item in lists.get("tasks", []):
        ref(("tasks", index, "stage"), item.stage, set(context.stage_keys), w("stage"))

    horizon = (doc.strategy.start_year, doc.strategy.end_year) if doc.strategy else context.horizon
    budget_first: dict[tuple[str, int, str], int] = {}
    for index, line in lists.get("budget", []):
        ref(("budget", index, "initiative"), line.initiative, initiatives, w("initiative"))
        triple = (line.initiative, line.year, line.source)
        if triple in budget_first:
            report(
                ("budget", index),
                _msg(
                    "duplicate_budget",
                    initiative=line.initiative,
                    year=line.year,
                    source=line.source,
                    first=where(("budget", budget_first[triple])),
                ),
            )
        budget_first.setdefault(triple, index)
        if horizon and not horizon[0] <= line.year <= horizon[1]:
            report(
                ("budget", index, "year"),
                _msg("year_outside", year=line.year, start=horizon[0], end=horizon[1]),
            )


# --- writing -----------------------------------------------------------------------------


def write_yaml(document: dict[str, Any], path: Path) -> None:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 120
    yaml.indent(mapping=2, sequence=4, offset=2)
    buffer = io.StringIO()
    buffer.write(f"# Roadmap file, format {FORMAT_VERSION}.\n")
    yaml.dump(_yaml_ready(document), buffer)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _yaml_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _yaml_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_yaml_ready(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _flatten(item: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in item.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def write_xlsx(document: dict[str, Any], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "roadmap"
    header = {k: document[k] for k in ("format", "region", "strategy", "coordinator")}
    for key, value in _flatten(header).items():
        sheet.append([key, value])
    if document.get("sectors"):
        sheet = workbook.create_sheet("sectors")
        sheet.append(["code", "name"])
        for sector in document["sectors"]:
            sheet.append([sector["code"], sector["name"]])
    for key in LIST_KEYS:
        items = [_flatten(_yaml_ready(item)) for item in document.get(key, [])]
        sheet = workbook.create_sheet(key)
        columns: list[str] = []
        for item in items:
            columns.extend(c for c in item if c not in columns)
        if not columns:
            columns = sorted(_allowed_columns(ITEM_MODELS[key])[2])
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for item in items:
            sheet.append([item.get(c) for c in columns])
    workbook.save(path)

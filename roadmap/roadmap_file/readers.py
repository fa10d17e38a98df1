"""Readers for YAML, XLSX and CSV: plain data plus the place (file:line, sheet:row) of every key."""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ValidationError,
)

from roadmap.errors import InvalidFile, Problem, UserError
from roadmap.i18n import t
from roadmap.roadmap_file.places import Source, _pydantic_problem
from roadmap.roadmap_file.schema import (
    CSV_LISTS,
    HEADER_MODELS,
    ITEM_MODELS,
    LIST_KEYS,
    MAX_FILE_MB,
    MAX_NODES,
    MAX_PROBLEMS,
    SHEET_MODELS,
    Path_,
    _allowed_columns,
    _msg,
)


def read_source(
    path: Path,
    *,
    list_name: str | None = None,
    encoding: str | None = None,
    stream: tuple[str, ...] = (),
) -> Source | CsvFile:
    """Read a roadmap file of any supported kind, or raise InvalidFile / UserError. For a
    CSV file, `list_name` says which list it holds (else its name or its header tells) and
    `encoding` forces the encoding (else UTF-8, with or without BOM, or cp1251 detected).
    A CSV file of one of the lists in `stream` is returned opened, its rows not yet read
    (a large task list is taken row by row, see plan.importer)."""
    _check_regular(path)
    size = path.stat().st_size
    if size > MAX_FILE_MB * 1024 * 1024:
        raise UserError(t("file.too_big", path=path, size=size // (1024 * 1024), limit=MAX_FILE_MB))
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return _read_yaml(path)
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix == ".csv":
        opened = open_csv(path, list_name, encoding=encoding)
        return opened if opened.list_name in stream else _csv_source(opened)
    raise UserError(t("file.bad_kind", path=path))


def _check_regular(path: Path) -> None:
    """A file to read must be a regular file: a directory, a link that loops or leads
    nowhere, or a device each get their own message."""
    import stat

    try:
        mode = path.stat().st_mode
    except RuntimeError:  # a symlink loop (Python < 3.13)
        raise UserError(t("file.loop", path=path)) from None
    except OSError as exc:
        import errno

        if exc.errno == errno.ELOOP:
            raise UserError(t("file.loop", path=path)) from None
        if path.is_symlink():
            raise UserError(t("file.dangling", path=path)) from None
        raise UserError(t("file.missing", path=path)) from None
    if stat.S_ISDIR(mode):
        raise UserError(t("file.is_directory", path=path))
    if not stat.S_ISREG(mode):
        raise UserError(t("file.not_regular", path=path))


def _read_yaml(path: Path) -> Source:
    from roadmap.roadmap_file.writers import STAMP_PREFIX

    name = path.name
    text = _decode(name, path.read_bytes())
    data = _load_yaml(name, text)
    places: dict[Path_, str] = {(): f"{name}:1"}
    found = re.search(rf"^# {STAMP_PREFIX}([0-9a-f]{{16}})$", text[:2000], re.MULTILINE)
    source = Source(name, _Plain(name, places).plain(data, ()), places, f"{name}:1")
    source.stamp = found.group(1) if found else None
    return source


def _decode(name: str, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InvalidFile(
            [Problem(f"{name}:{line}", "", _msg("encoding", offset=exc.start))]
        ) from None


def decode_text(name: str, raw: bytes, encoding: str | None = None) -> str:
    """A text file as offices save it: UTF-8 (with or without BOM), else Windows-1251 when
    that reads as Russian text (Excel's "CSV" on a Russian Windows); `encoding` forces one."""
    if encoding is not None:
        try:
            return raw.decode(encoding).removeprefix("\ufeff")
        except LookupError:
            raise UserError(t("file.unknown_encoding", encoding=encoding)) from None
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            message = _msg("encoding_forced", encoding=encoding, offset=exc.start)
            raise InvalidFile([Problem(f"{name}:{line}", "", message)]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = raw.decode("cp1251")
    except UnicodeDecodeError:
        text = ""
    if text and _reads_as_russian(text):
        return text
    line = raw[: utf8_error.start].count(b"\n") + 1
    raise InvalidFile(
        [Problem(f"{name}:{line}", "", _msg("encoding_unknown", offset=utf8_error.start))]
    ) from None


def _reads_as_russian(text: str) -> bool:
    """Most letters outside ASCII are Cyrillic and no control characters appear."""
    other = [c for c in text if ord(c) > 127]
    if any(ord(c) < 32 and c not in "\r\n\t" for c in text):
        return False
    cyrillic = sum(1 for c in other if "\u0400" <= c <= "\u04ff")
    return bool(other) and cyrillic >= 0.8 * len(other)


def sniff_delimiter(text: str) -> str:
    """The separator of a CSV text: `,`, `;` (Excel with a Russian locale) or a tab, the
    one its header line has most of outside quotes."""
    header, quoted = [], False
    for char in text.split("\n", 1)[0]:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            header.append(char)
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _load_yaml(name: str, text: str) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import RoundTripConstructor
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    class _Constructor(RoundTripConstructor):
        """Dates stay text until validated, so a bad date is a message, not a crash."""

    _Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_str)
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        reason = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise InvalidFile([Problem(f"{name}:{line}", "", _msg("yaml", reason=reason))]) from None
    except (YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise InvalidFile([Problem(f"{name}:1", "", _msg("yaml", reason=exc))]) from None


class _Plain:
    """ruamel's nodes as plain dicts, lists and scalars, noting the line of every key."""

    def __init__(self, name: str, places: dict[Path_, str]):
        self.name, self.places = name, places
        self.budget = MAX_NODES

    def line_of(self, lookup: Callable[[Any], Any], key: Any, at: Path_) -> str:
        # Merge keys and tagged collections carry no position of their own: use the parent's.
        try:
            return f"{self.name}:{lookup(key)[0] + 1}"
        except (KeyError, TypeError, IndexError):
            return self.places.get(at, f"{self.name}:1")

    def plain(self, node: Any, at: Path_) -> Any:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        self.budget -= 1
        if self.budget < 0:
            # Aliases can make a small file expand without bound ("billion laughs").
            place = self.places.get(at, f"{self.name}:1")
            message = _msg("too_many_nodes", max_nodes=MAX_NODES)
            raise InvalidFile([Problem(place, "", message)])
        if isinstance(node, CommentedMap):
            out = {}
            for key, value in node.items():
                self.places[(*at, key)] = self.line_of(node.lc.key, key, at)
                out[key] = self.plain(value, (*at, key))
            return out
        if isinstance(node, CommentedSeq):
            items = []
            for index, value in enumerate(node):
                self.places[(*at, index)] = self.line_of(node.lc.item, index, at)
                items.append(self.plain(value, (*at, index)))
            return items
        if isinstance(node, dict):
            return {key: self.plain(value, (*at, key)) for key, value in node.items()}
        if isinstance(node, list | tuple):
            return [self.plain(value, (*at, index)) for index, value in enumerate(node)]
        return _scalar(node)


def _scalar(node: Any) -> Any:
    """ruamel's scalar subclasses (ScalarFloat, ...) as the plain types."""
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node


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


def _check_columns(
    list_name: str,
    header: list[Any],
    place: Callable[[int], str],
    problems: list[Problem],
    model: type[BaseModel] | None = None,
) -> list[str] | None:
    """A list's header row: its column names, or None when one is unknown, repeated or a
    required one is missing (each a problem against row 1)."""
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
    return None if bad else columns


def row_cells(
    list_name: str,
    columns: list[str],
    values: list[Any],
    where: str,
    problems: list[Problem],
) -> dict[str, Any]:
    """One row's non-empty cells by column name (flat: `baseline.year`); a cell beyond the
    header is a problem at `where`."""
    flat = {}
    for position, value in enumerate(values):
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        column = columns[position] if position < len(columns) else ""
        if not column:
            problems.append(Problem(where, list_name, _msg("extra_cells", value=value)))
            continue
        flat[column] = value
    return flat


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
    columns = _check_columns(list_name, header, place, problems, model)
    if columns is None:
        return []
    items = []
    for row_number, values in rows:
        flat = row_cells(list_name, columns, values, place(row_number), problems)
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
    book = _Workbook(name)
    try:
        sheets = workbook.sheetnames
        if "roadmap" not in sheets:
            message = _msg("xlsx_no_sheet", sheet="roadmap", known=", ".join(sheets))
            book.problems.append(Problem(name, "", message))
        for sheet in sheets:
            book.read_sheet(workbook, sheet)
        book.join_proposals()
    finally:
        workbook.close()
    if book.problems:
        raise InvalidFile(book.problems)
    data = book.data
    # A cell shows 1 whether Excel stored it as 1.0 or as the text "1".
    if isinstance(data.get("format"), float) and data["format"].is_integer():
        data["format"] = int(data["format"])
    if isinstance(data.get("format"), str) and data["format"].strip().isdigit():
        data["format"] = int(data["format"])
    return Source(name, data, book.places, name, warnings=book.warnings)


class _Workbook:
    """A workbook read sheet by sheet into the file's data, its places and its problems."""

    KNOWN = ("roadmap", *LIST_KEYS, "sectors", "session_proposals")

    def __init__(self, name: str):
        self.name = name
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.places: dict[Path_, str] = {(): name}
        self.data: dict[str, Any] = {}

    def read_sheet(self, workbook: Any, sheet: str) -> None:
        name = self.name
        if sheet not in self.KNOWN:
            # An instructions sheet or the like: not data; say so and go on.
            message = _msg("xlsx_sheet_ignored", sheet=sheet, known=", ".join(self.KNOWN))
            self.warnings.append(f"{name}[{sheet}]: {message}")
            return
        try:
            rows = list(workbook[sheet].iter_rows(values_only=True))
        except _xlsx_errors() as exc:
            self.problems.append(Problem(f"{name}[{sheet}]", sheet, _msg("xlsx", reason=exc)))
            return

        def place(row: int, sheet: str = sheet) -> str:
            return f"{name}[{sheet}]:{row}"

        if sheet == "roadmap":
            self._read_header(rows, place)
        elif not rows:
            self.problems.append(Problem(place(1), sheet, _msg("no_header")))
        elif sheet == "sectors":
            self.places[(sheet,)] = place(1)
            self.data[sheet] = [
                {"code": r[0], "name": r[1] if len(r) > 1 else None}
                for r in rows[1:]
                if r and r[0] is not None
            ]
            for index in range(len(self.data[sheet])):
                self.places[(sheet, index)] = place(index + 2)
        else:
            self.places[(sheet,)] = place(1)
            self.data[sheet] = _rows_to_items(
                name,
                sheet,
                list(rows[0]),
                ((number, list(row)) for number, row in enumerate(rows[1:], start=2)),
                place,
                self.problems,
                self.places,
                (sheet,),
                SHEET_MODELS.get(sheet),
            )

    def join_proposals(self) -> None:
        """The `session_proposals` sheet's rows join the session their `session` column
        names, as its `proposals` (each keeps its row as its place); a row naming no
        session of the `sessions` sheet is a problem at that row."""
        rows = self.data.pop("session_proposals", None)
        if rows is None:
            return
        sessions = self.data.get("sessions")
        sessions = sessions if isinstance(sessions, list) else []
        by_code: dict[str, int] = {}
        for index, session in enumerate(sessions):
            by_code.setdefault(_cell_code(session.get("code")), index)
        known = ", ".join(sorted(c for c in by_code if c)[:12]) or "—"
        for number, row in enumerate(rows):
            place = self.places.get(("session_proposals", number), self.name)
            key = f"session_proposals[{number}].session"
            code = _cell_code(row.pop("session", None))
            if not code:
                self.problems.append(Problem(place, key, _msg("missing")))
                continue
            index = by_code.get(code)
            if index is None:
                what = _msg("sessions.unknown_session")
                message = _msg("unknown_ref", what=what, code=code, known=known)
                self.problems.append(Problem(place, key, message))
                continue
            proposals = sessions[index].setdefault("proposals", [])
            self.places[("sessions", index, "proposals", len(proposals))] = place
            proposals.append(row)

    def _read_header(self, rows: list[Any], place: Callable[[int], str]) -> None:
        """The `roadmap` sheet: one `key | value` row per header field (region.code, ...)."""
        sheet = "roadmap"
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
                message = _msg("sheet_key", column=key, allowed=", ".join(allowed))
                self.problems.append(Problem(place(number), sheet, message))
                continue
            if key in first_row:
                message = _msg("key_twice", column=key, first=place(first_row[key]))
                self.problems.append(Problem(place(number), sheet, message))
                continue
            first_row[key] = number
            value = row[1] if len(row) > 1 else None
            if value is None:
                continue
            flat[key] = value
            head = key.split(".", 1)[0]
            self.places.setdefault((head,), place(number))
            if "." in key:
                self.places[(head, key.split(".", 1)[1])] = place(number)
        self.data.update(_unflatten(flat))


def _cell_code(value: Any) -> str:
    """A code as a cell holds it: 101 or 101.0 is the code "101"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


#: Names a CSV file may carry for a list, besides the list's own key (Russian offices).
CSV_LIST_NAMES = {
    "initiatives": ("initiatives", "инициативы", "проекты"),
    "budget": ("budget", "бюджет", "финансирование"),
    "tasks": ("tasks", "задачи", "поручения"),
    "services": ("services", "услуги"),
    "systems": ("systems", "системы", "ис"),
}


def _list_by_name(stem: str) -> str | None:
    """The list a file's name says: `tasks.csv`, `Задачи.csv`, `tasks_2027.csv`,
    `pri-budget.csv`: one of the names as a whole word of the stem."""

    words = set(re.split(r"[\s_\-.()\[\]]+", stem.lower()))
    found = {key for key, names in CSV_LIST_NAMES.items() if words & set(names)}
    return found.pop() if len(found) == 1 else None


def _list_by_header(header: list[str]) -> str | None:
    """The one list whose required columns the header has and whose columns allow it."""
    columns = {str(c).strip() for c in header if c is not None and str(c).strip()}
    fits = []
    for key in CSV_LISTS:
        exact, prefixes, required = _allowed_columns(ITEM_MODELS[key])
        allowed = all(
            c in exact or any(c.startswith(p) and c[len(p) :].isdigit() for p in prefixes)
            for c in columns
        )
        if required <= columns and allowed:
            fits.append(key)
    return fits[0] if len(fits) == 1 else None


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


@dataclass
class CsvFile:
    """A CSV list opened for reading row by row: its header is checked, its rows are not
    read yet. `rows` yields (the line a row starts on, its cells); a file that breaks CSV's
    quoting mid-way raises InvalidFile when that row is reached."""

    name: str
    list_name: str
    delimiter: str
    columns: list[str]
    rows: Iterator[tuple[int, list[str]]]

    def place(self, line: int) -> str:
        return f"{self.name}:{line}"


def open_csv(
    path: Path,
    list_name: str | None = None,
    model: type[BaseModel] | None = None,
    *,
    encoding: str | None = None,
) -> CsvFile:
    """Decode a CSV file, find its separator and its list (`list_name`, else its name or
    its header) and check the header; raise InvalidFile / UserError."""
    name = path.name
    if list_name is not None and model is None and list_name not in CSV_LISTS:
        raise UserError(t("file.unknown_list", value=list_name, known=", ".join(CSV_LISTS)))
    text = decode_text(name, path.read_bytes(), encoding)
    delimiter = sniff_delimiter(text)
    # The lines one by one as io.StringIO(text, newline="") gives them (a line ends at
    # \n, \r\n or \r and keeps its ending), without StringIO's copy of the whole text.
    lines = (found.group() for found in _LINE.finditer(text))
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    del text
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise InvalidFile([Problem(f"{name}", "", _msg("csv", reason=exc))]) from None
    if header is None:
        raise InvalidFile([Problem(f"{name}:1", list_name or "", _msg("no_header"))])
    list_name = list_name or _list_by_name(path.stem) or _list_by_header(header)
    if list_name is None:
        known = ", ".join(CSV_LISTS)
        raise InvalidFile([Problem(f"{name}:1", "", _msg("csv_list", known=known))])
    problems: list[Problem] = []
    columns = _check_columns(list_name, header, lambda n: f"{name}:{n}", problems, model)
    if columns is None:
        raise InvalidFile(problems)
    return CsvFile(name, list_name, delimiter, columns, _numbered(name, reader))


def _numbered(name: str, reader: Any) -> Iterator[tuple[int, list[str]]]:
    """Rows with the line each starts on (reader.line_num is the line a row ends on)."""
    start = 2
    try:
        for row in reader:
            yield start, row
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InvalidFile([Problem(f"{name}", "", _msg("csv", reason=exc))]) from None


def _read_csv(
    path: Path,
    list_name: str | None = None,
    model: type[BaseModel] | None = None,
    *,
    encoding: str | None = None,
) -> Source:
    return _csv_source(open_csv(path, list_name, model, encoding=encoding))


def _csv_source(opened: CsvFile) -> Source:
    """A CSV list read whole into a Source."""
    name, list_name = opened.name, opened.list_name
    # Every row is read (a quoting error anywhere is the file's one message) before any
    # row's own problems are looked at.
    rows = list(opened.rows)
    problems: list[Problem] = []
    places: dict[Path_, str] = {(): f"{name}:1"}
    items = []
    for line, values in rows:
        flat = row_cells(list_name, opened.columns, values, opened.place(line), problems)
        if flat:
            places[(list_name, len(items))] = opened.place(line)
            items.append(_unflatten(flat))
    if problems:
        raise InvalidFile(problems)
    if opened.delimiter == ";":
        _decimal_commas(items)
    return Source(name, {list_name: items}, places, f"{name}:1", list_name=list_name)


_EXCEL_NUMBER = re.compile(r"-?\d{1,3}(?:[ \u00a0\u202f]\d{3})*(?:,\d+)?|-?\d+(?:,\d+)?")
_THOUSANDS = re.compile(r"[ \u00a0\u202f]")


def excel_number(value: Any) -> Any:
    """A cell of a `;` file as Excel with a Russian locale shows it: `1 234,56` is the
    number 1234.56 (text that is not a number stays as it is)."""
    if isinstance(value, dict):
        return {k: excel_number(v) for k, v in value.items()}
    if isinstance(value, str) and "," in value and _EXCEL_NUMBER.fullmatch(value.strip()):
        return _THOUSANDS.sub("", value.strip()).replace(",", ".")
    return value


def _decimal_commas(items: list[dict[str, Any]]) -> None:
    """Excel with a Russian locale writes `;` between cells and `1 234,56` for numbers: such
    a cell reads as the number it shows (text that is not a number stays as it is)."""
    for item in items:
        for key, value in item.items():
            item[key] = excel_number(value)


def read_records(path: Path, model: type[BaseModel], list_name: str) -> list[Any]:
    """A bulk input file of one kind of record: a YAML list (or `list_name:` holding one)
    or a CSV file with a header row. Every problem is reported with its place."""
    return [record for record, _ in read_placed_records(path, model, list_name)]


def read_placed_records(
    path: Path, model: type[BaseModel], list_name: str
) -> list[tuple[Any, str]]:
    """`read_records` with each record's place (file:line), for problems found later."""
    _check_regular(path)
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
            records.append((model.model_validate(raw), source.where((*base, index))))
        except ValidationError as exc:
            problems.extend(
                _pydantic_problem(source, (*base, index), e, model) for e in exc.errors()
            )
    if problems:
        raise InvalidFile(problems[:MAX_PROBLEMS], total=len(problems))
    return records

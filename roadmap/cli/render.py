"""Rendering for the terminal: the console, tables that keep one line per row, money, JSON, and
the summary and diff views."""

from __future__ import annotations

import json
import sys
from typing import Any

from roadmap.i18n import current_locale, t


def get_console(stderr: bool = False):
    import os

    from rich.console import Console

    console = Console(stderr=stderr, highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = 160  # piped into a file or a pager: no terminal to wrap for
    return console


def escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    import dataclasses

    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def jsonable(value: Any) -> Any:
    """Plain JSON data from a use case's typed result (dataclasses, pydantic models, enums)."""
    import dataclasses
    from enum import Enum

    if isinstance(value, str | int | float | bool) and not isinstance(value, Enum):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: jsonable(getattr(value, name)) for name in _field_names(type(value))}
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def print_json(data: Any) -> None:
    """`--json` output: the typed result as JSON (dates, decimals and paths as text)."""
    # Streamed: a report of tens of thousands of rows is never one string in memory.
    encoder = json.JSONEncoder(ensure_ascii=False, indent=2, default=str)
    write = sys.stdout.write
    for chunk in encoder.iterencode(jsonable(data)):
        write(chunk)
    write("\n")


def print_json_rows(keys: tuple[str, ...], rows: Any) -> None:
    """A list of records as `print_json` writes it (the same bytes), from `rows`: tuples of
    plain values (text, numbers, booleans, None; anything else as its text) in `keys`' order.
    Written a batch at a time as the rows come: a million rows never sit in memory."""
    from json.encoder import encode_basestring

    record = "  {\n" + ",\n".join(f"    {encode_basestring(k)}: %s" for k in keys) + "\n  }"
    # By the value's type; C functions for the common ones (no Python call per value).
    encoders: dict[type, Any] = {
        str: encode_basestring,
        int: int.__repr__,
        bool: {True: "true", False: "false"}.get,
        type(None): {None: "null"}.get,
        float: json.dumps,
    }

    def other(value: Any) -> str:
        for kind, encode in encoders.items():
            if isinstance(value, kind):  # an enum of text or numbers, a subclass
                return encode(value.value if hasattr(value, "value") else value)
        return encode_basestring(str(value))  # dates, decimals: their text (as default=str)

    get = encoders.get
    write = sys.stdout.write
    opening = "[\n"
    batch: list[str] = []
    for row in rows:
        batch.append(record % tuple([get(type(v), other)(v) for v in row]))
        if len(batch) == 2000:
            write(opening + ",\n".join(batch))
            opening = ",\n"
            batch.clear()
    if batch:
        write(opening + ",\n".join(batch))
        opening = ",\n"
    write("[]\n" if opening == "[\n" else "\n]\n")


def write_csv(headers: list[str], rows: Any) -> None:
    """Rows as CSV that Excel opens as it is in Russia: UTF-8 with a byte-order mark, `;`
    between fields; None as an empty field. Written a batch at a time as the rows come."""
    import csv
    import io

    sys.stdout.flush()
    out = sys.stdout.buffer
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    buffer.write("\ufeff")
    writer.writerow(headers)
    for n, row in enumerate(rows, 1):
        writer.writerow(row)
        if n % 2000 == 0:
            out.write(buffer.getvalue().encode("utf-8"))
            buffer.seek(0)
            buffer.truncate()
    out.write(buffer.getvalue().encode("utf-8"))
    out.flush()


def fmt_money(value: Any) -> str:
    from decimal import Decimal

    return f"{Decimal(value):,.2f}".replace(",", "\u202f")


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fmt_millions(value: Any) -> str:
    from decimal import Decimal

    return f"{Decimal(value) / 1_000_000:,.1f}".replace(",", "\u202f")


_TITLES = {
    "agencies": ("Органы власти", "Executive bodies"),
    "initiatives": ("Инициативы", "Initiatives"),
    "tasks": ("Поручения", "Tasks"),
    "history": ("История", "History"),
}


def print_table(
    rows: list[dict[str, Any]],
    columns: list[tuple[str, str]],
    title_key: str | None = None,
    markup_columns: set[str] = frozenset(),
    limit: int | None = None,
    total: int | None = None,
) -> None:
    """One line per row; the first long text column ("name", "title") is cut to fit.
    With `limit`, only the first rows are shown and a line counts the rest (a person reads
    a screen, not a million rows; --json gives every row). `total`: how many rows there are
    when `rows` holds only the first ones."""
    total = len(rows) if total is None else total
    if limit is not None and total > limit:
        rows = rows[:limit]
    from rich.table import Table
    from rich.text import Text

    console = get_console()
    en = current_locale() == "en"
    title = None
    if title_key:
        ru_title, en_title = _TITLES[title_key]
        title = f"{en_title if en else ru_title}: {total}"
    headers = [key if en else header for key, header in columns]
    cells = [
        [
            Text.from_markup(str(row[key]))
            if key in markup_columns
            else Text(str(row[key]))
            if row.get(key) is not None
            else Text("")
            for key, _ in columns
        ]
        for row in rows
    ]
    wide = next((i for i, (key, _) in enumerate(columns) if key in ("name", "title")), None)
    table = Table(title=title, title_justify="left")
    for i, header in enumerate(headers):
        # Codes, dates and numbers stay on one line; the long text column wraps.
        table.add_column(header, no_wrap=i != wide, min_width=20 if i == wide else None)
    for c in cells:
        table.add_row(*c)
    console.print(table)
    if total > len(rows):
        console.print(t("table.more_rows", shown=len(rows), more=total - len(rows)))

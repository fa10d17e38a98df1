"""Writers for YAML and XLSX."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from roadmap.roadmap_file.schema import (
    FORMAT_VERSION,
    ITEM_MODELS,
    LIST_KEYS,
    SHEET_MODELS,
    _allowed_columns,
)

STAMP_PREFIX = "exported from state "


def write_yaml(document: dict[str, Any], path: Path, stamp: str | None = None) -> None:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 120
    yaml.indent(mapping=2, sequence=4, offset=2)
    buffer = io.StringIO()
    buffer.write(f"# Roadmap file, format {FORMAT_VERSION}.\n")
    if stamp:
        # The state of the store this file was exported from: an import of the file tells
        # when the store has changed since (keep this line when editing the file).
        buffer.write(f"# {STAMP_PREFIX}{stamp}\n")
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
        if key == "sessions":
            continue
        items = [_flatten(_yaml_ready(item)) for item in document.get(key, [])]
        _list_sheet(workbook.create_sheet(key), items, ITEM_MODELS[key], Font(bold=True))
    sessions = document.get("sessions") or []
    if sessions:  # a region without sessions gets no sheets for them
        rows = [{k: v for k, v in s.items() if k != "proposals"} for s in sessions]
        proposals = [
            {"session": s["code"], **proposal}
            for s in sessions
            for proposal in s.get("proposals", [])
        ]
        for key, items in (("sessions", rows), ("session_proposals", proposals)):
            items = [_flatten(_yaml_ready(item)) for item in items]
            _list_sheet(workbook.create_sheet(key), items, SHEET_MODELS[key], Font(bold=True))
    for sheet in workbook.worksheets:
        _as_text(sheet)
    workbook.save(path)


def _list_sheet(sheet: Any, items: list[dict[str, Any]], model: Any, bold: Any) -> None:
    """A list's sheet: the columns its items have (else the model's required ones), a row
    per item."""
    columns: list[str] = []
    for item in items:
        columns.extend(c for c in item if c not in columns)
    if not columns:
        columns = sorted(_allowed_columns(model)[2])
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = bold
    for item in items:
        sheet.append([item.get(c) for c in columns])


def _as_text(sheet: Any) -> None:
    """A text that a spreadsheet would evaluate (`=HYPERLINK(…)`) stays text: the cell is
    stored as a string, so Excel shows it as written and the file re-imports unchanged."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"

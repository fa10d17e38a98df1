"""Where a problem is: a read file's places and the messages of pydantic's errors.

`Source` is what every reader returns: the plain data, a map from each key path
(`("initiatives", 3, "agency")`) to its place in the file (`file.yaml:42`,
`file.xlsx[initiatives]:7`, `file.csv:3`), and the place to fall back on. A path without a
place of its own takes its nearest parent's. `_pydantic_problem` turns one pydantic error
into a `Problem` with that place, the path written as `initiatives[3].agency`, and a message
from the catalogue (`roadmap/i18n/file.py`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from roadmap.errors import Problem
from roadmap.roadmap_file.schema import HEADER_MODELS, ITEM_MODELS, Path_, SectorIn, _Fail, _msg


@dataclass
class Source:
    """Raw content of a file plus a way to say where each path came from."""

    name: str
    data: Any
    places: dict[Path_, str]
    default_place: str
    list_name: str | None = None  # for CSV: which list the file holds
    warnings: list[str] = field(default_factory=list)  # e.g. a sheet ignored
    stamp: str | None = None  # the store state an exported YAML file came from

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
        if getattr(annotation, "__origin__", None) is list:  # a list of items (proposals)
            annotation = annotation.__args__[0]
        model = (
            annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel)
            else None
        )
    return model

"""Validation of a read file: structure through the schema, then references; all problems, each with its place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import (
    ValidationError,
)

from roadmap.errors import InvalidFile, Problem
from roadmap.roadmap_file.places import Source, _pydantic_problem, _render_path
from roadmap.roadmap_file.schema import (
    FORMAT_VERSION,
    HEADER_MODELS,
    ITEM_MODELS,
    LIST_KEYS,
    MAX_PROBLEMS,
    REQUIRED_TOP,
    TOP_KEYS,
    Path_,
    PersonIn,
    RoadmapDoc,
    SectorIn,
    StrictModel,
    _msg,
)


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

    def check(model: type[StrictModel], value: Any, path: Path_) -> Any | None:
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

    def w(key: str) -> str:
        return _msg(f"unknown_{key}")

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

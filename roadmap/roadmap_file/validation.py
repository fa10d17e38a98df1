"""Validation of a read file: structure through the schema, then references; all problems, each with its place."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from pydantic import (
    ValidationError,
)

from roadmap.errors import InvalidFile, Problem
from roadmap.roadmap_file.places import Source, _pydantic_problem, _render_path
from roadmap.roadmap_file.readers import CsvFile, excel_number, row_cells
from roadmap.roadmap_file.schema import (
    _CODE_RE,
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
    TaskIn,
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
    strict: bool = False  # a due date on a day off is refused, not moved
    warnings: list[str] = field(default_factory=list)  # what was taken with a change
    calendar: Any = None  # the region's RegionCalendar, for a list of a region in the store


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
        _check_header(data, doc, report, check)
    _check_lists(data, doc, report, check)
    _References(doc, context, report, source.where).check()
    if problems:
        shown = problems[:MAX_PROBLEMS]
        raise InvalidFile(shown, total=len(problems))
    doc.lists = {k: [item for _, item in v] for k, v in doc.lists.items()}
    return doc


Report = Callable[[Path_, str], None]
Check = Callable[[type[StrictModel], Any, Path_], Any]


def _check_header(data: dict[str, Any], doc: RoadmapDoc, report: Report, check: Check) -> None:
    """A whole file's top keys, format, region, strategy, coordinator and sectors."""
    for key in data:
        if key not in TOP_KEYS:
            report((key,), _msg("extra", allowed=", ".join(TOP_KEYS)))
    for key in REQUIRED_TOP:
        if key not in data:
            report((key,), _msg("missing"))
    if "format" in data and (isinstance(data["format"], bool) or data["format"] != FORMAT_VERSION):
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


def _check_lists(data: dict[str, Any], doc: RoadmapDoc, report: Report, check: Check) -> None:
    """Every item of every list through its model; valid items keep their index for messages."""
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


class _References:
    """The file's references: unique codes, one person per code, known parents, the budget."""

    def __init__(
        self, doc: RoadmapDoc, context: Context, report: Report, where: Callable[[Path_], str]
    ):
        self.doc, self.context, self.report, self.where = doc, context, report, where
        self.lists = doc.lists

    def check(self) -> None:
        sectors = self._sectors()
        agencies, initiatives = self._codes()
        self._people()
        self._parents(sectors, agencies)
        self._budget(initiatives)
        self._due_dates()
        self._sessions(sectors, agencies, initiatives)

    def _due_dates(self) -> None:
        """A task due on a day off is due on the next working day (with a warning), or
        refused when strict: alerts and escalations count working days."""
        from roadmap.calendar import RegionCalendar
        from roadmap.config import calendar_overrides
        from roadmap.settings import get_settings

        region = self.doc.region
        if region is None and self.context.calendar is not None:
            calendar = self.context.calendar  # a CSV list: the region's own calendar
        else:
            overrides = calendar_overrides(get_settings(), region.code) if region else ()
            calendar = RegionCalendar(region.timezone if region else "UTC", *overrides)
        for index, task in self.lists.get("tasks", []):
            if calendar.is_working_day(task.due):
                continue
            place = self.where(("tasks", index, "due"))
            if self.context.strict:
                self.report(("tasks", index, "due"), _msg("due_day_off", day=task.due))
                continue
            moved = calendar.next_working_day(task.due)
            self.context.warnings.append(f"{place}: {_msg('due_moved', day=task.due, moved=moved)}")
            task.due = moved

    def _unique(self, key: str) -> dict[Any, int]:
        first: dict[Any, int] = {}
        for index, item in self.lists.get(key, []):
            code = item.code
            if code is None:
                continue
            if code in first:
                where = self.where((key, first[code]))
                self.report((key, index, "code"), _msg("duplicate", code=code, first=where))
            else:
                first[code] = index
        return first

    def _sectors(self) -> set[str]:
        """The file's sectors (each once), the configured defaults and those the region has."""
        first: dict[str, int] = {}
        for index, sector in enumerate(self.doc.sectors):
            if sector.code in first:
                where = f"sectors[{first[sector.code]}]"
                self.report(
                    ("sectors", index, "code"), _msg("duplicate", code=sector.code, first=where)
                )
            first.setdefault(sector.code, index)
        return set(first) | set(self.context.default_sectors) | self.context.sectors

    def _codes(self) -> tuple[set[str], set[str]]:
        """Codes unique per list; the agencies and initiatives a reference may name."""
        doc, context = self.doc, self.context
        agencies = set(self._unique("agencies")) | doc.invalid_codes.get("agencies", set())
        if not doc.whole:
            agencies |= context.agencies
        initiatives = set(self._unique("initiatives")) | doc.invalid_codes.get("initiatives", set())
        if not doc.whole:
            initiatives |= context.initiatives
        # Tasks without a code are matched by agency and title, so that pair must be unique.
        untitled: dict[tuple[str, str], int] = {}
        for index, task in self.lists.get("tasks", []):
            if task.code is None:
                pair = (task.agency, task.title)
                if pair in untitled:
                    first = self.where(("tasks", untitled[pair]))
                    message = _msg("duplicate_task", title=task.title, first=first)
                    self.report(("tasks", index, "title"), message)
                untitled.setdefault(pair, index)
        for key in ("indicators", "tasks", "services", "systems", "sessions"):
            self._unique(key)
        return agencies, initiatives

    def _people(self) -> None:
        """A person code names one person in one role."""
        people: dict[str, tuple[tuple[Any, ...], str]] = {}

        def person(p: PersonIn | None, role: str, path: Path_) -> None:
            if p is None:
                return
            identity = (p.name, p.email, p.locale, role)
            seen = people.get(p.code)
            if seen is None:
                people[p.code] = (identity, self.where(path))
            elif seen[0] != identity:
                self.report((*path, "code"), _msg("person_clash", code=p.code, first=seen[1]))

        person(self.doc.coordinator, "coordinator", ("coordinator",))
        for index, agency in self.lists.get("agencies", []):
            person(agency.emissary, "emissary", ("agencies", index, "emissary"))
            person(agency.responsible, "responsible", ("agencies", index, "responsible"))

    def _ref(self, path: Path_, code: str | None, known: set[str], what: str) -> None:
        if code is not None and code not in known:
            shown = ", ".join(sorted(known)[:12]) + (", …" if len(known) > 12 else "")
            what = _msg(f"unknown_{what}")
            self.report(path, _msg("unknown_ref", what=what, code=code, known=shown or "—"))

    def _parents(self, sectors: set[str], agencies: set[str]) -> None:
        lists = self.lists
        for key in ("initiatives", "indicators"):
            for index, item in lists.get(key, []):
                self._ref((key, index, "sector"), item.sector, sectors, "sector")
                self._ref((key, index, "agency"), item.agency, agencies, "agency")
        for key in ("tasks", "services", "systems"):
            for index, item in lists.get(key, []):
                self._ref((key, index, "agency"), item.agency, agencies, "agency")
        for index, item in lists.get("services", []):
            self._ref(("services", index, "sector"), item.sector, sectors, "sector")
        stages = set(self.context.stage_keys)
        for index, item in lists.get("tasks", []):
            self._ref(("tasks", index, "stage"), item.stage, stages, "stage")

    def _budget(self, initiatives: set[str]) -> None:
        """Known initiatives, each line once, years within the strategy's horizon."""
        doc = self.doc
        horizon = (doc.strategy.start_year, doc.strategy.end_year) if doc.strategy else None
        horizon = horizon or self.context.horizon
        first: dict[tuple[str, int, str], int] = {}
        for index, line in self.lists.get("budget", []):
            self._ref(("budget", index, "initiative"), line.initiative, initiatives, "initiative")
            triple = (line.initiative, line.year, line.source)
            if triple in first:
                message = _msg(
                    "duplicate_budget",
                    initiative=line.initiative,
                    year=line.year,
                    source=line.source,
                    first=self.where(("budget", first[triple])),
                )
                self.report(("budget", index), message)
            first.setdefault(triple, index)
            if horizon and not horizon[0] <= line.year <= horizon[1]:
                message = _msg("year_outside", year=line.year, start=horizon[0], end=horizon[1])
                self.report(("budget", index, "year"), message)

    def _sessions(self, sectors: set[str], agencies: set[str], initiatives: set[str]) -> None:
        """A sectoral session names a known sector and no municipality; a territorial one a
        municipality (an agency of that kind) and no sector; proposals have codes unique
        within their session and name known initiatives."""
        kinds = {agency.code: agency.kind for _, agency in self.lists.get("agencies", [])}
        municipalities = {code for code, kind in kinds.items() if kind == "municipality"}
        for index, session in self.lists.get("sessions", []):
            at = ("sessions", index)
            own, other = (
                ("sector", "municipality")
                if session.kind == "sectoral"
                else ("municipality", "sector")
            )
            if getattr(session, own) is None:
                self.report((*at, own), _msg(f"sessions.needs_{own}"))
            if getattr(session, other) is not None:
                self.report((*at, other), _msg(f"sessions.no_{other}"))
            if session.kind == "sectoral":
                self._ref((*at, "sector"), session.sector, sectors, "sector")
            elif session.municipality not in municipalities | {None}:
                code = session.municipality
                if code in kinds:  # an executive body
                    message = _msg(
                        "sessions.not_municipality", code=code, known=_known(municipalities)
                    )
                    self.report((*at, "municipality"), message)
                elif code not in agencies:  # else an agency with a problem of its own
                    self._ref((*at, "municipality"), code, municipalities, "municipality")
            first: dict[str, int] = {}
            for number, proposal in enumerate(session.proposals):
                path = (*at, "proposals", number)
                if proposal.code in first:
                    where = self.where((*at, "proposals", first[proposal.code]))
                    message = _msg("duplicate", code=proposal.code, first=where)
                    self.report((*path, "code"), message)
                first.setdefault(proposal.code, number)
                self._ref((*path, "initiative"), proposal.initiative, initiatives, "initiative")


class TaskRow(NamedTuple):
    """One valid task of a task list, as TaskIn would give it (due moved off a day off)."""

    code: str | None
    agency: str
    title: str
    due: date
    stage: str | None
    status: str


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_STATUSES = frozenset(TaskIn.model_fields["status"].annotation.__args__)


class TaskRows:
    """A CSV task list checked row by row, with the rules and messages of `validate` (the
    same problems at the same places, in the same order, the same warnings), without
    holding the file: `rows()` yields each valid task while the list has no problem so
    far; `finish()` raises InvalidFile with every problem found.

    The usual row is checked by hand in a few microseconds; any row that is not plainly
    valid (a missing or odd value, whitespace a pydantic strip would take, a bad date) goes
    through TaskIn itself, which decides and words the problem."""

    def __init__(self, opened: CsvFile, context: Context):
        from roadmap.calendar import RegionCalendar

        self.opened, self.context = opened, context
        self.calendar = context.calendar or RegionCalendar("UTC")
        self.read_problems: list[Problem] = []  # the file's own (a cell beyond the header)
        # The later checks, each kept in the order `validate` reports them.
        self.kinds: dict[str, list[Problem]] = {
            k: [] for k in ("structure", "pairs", "codes", "agency", "stage", "due")
        }
        self.total = 0
        self.codes: dict[str, int] = {}  # code -> the line of its first row
        self.pairs: dict[tuple[str, str], int] = {}  # (agency, title) of a code-less task
        self.agencies = context.agencies
        self.stages = set(context.stage_keys)
        self._known = {"agency": _known(self.agencies), "stage": _known(self.stages)}
        self._good_codes: set[str] = set()  # agency and stage values seen valid
        self._days: dict[str, date | None] = {}
        self._moved: dict[date, date] = {}

    def rows(self) -> Iterator[TaskRow]:
        opened = self.opened
        columns = opened.columns
        width = len(columns) if all(columns) else -1
        commas = opened.delimiter == ";"
        read_problems = self.read_problems
        index = 0
        for line, values in opened.rows:
            if len(values) <= width:
                flat = {
                    c: v for c, v in zip(columns, values, strict=False) if v and not v.isspace()
                }
            else:  # a cell beyond the header, or a column without a name
                where = opened.place(line)
                flat = row_cells("tasks", columns, values, where, read_problems)
            if not flat:
                continue
            if commas:
                for key, value in flat.items():
                    if "," in value:
                        flat[key] = excel_number(value)
            row = self.check(index, line, flat)
            index += 1
            if row is not None and not self.total and not read_problems:
                yield row

    def finish(self) -> None:
        if self.read_problems:
            raise InvalidFile(self.read_problems)
        if self.total:
            problems = [p for kind in self.kinds.values() for p in kind]
            raise InvalidFile(problems[:MAX_PROBLEMS], total=self.total)

    def _report(self, kind: str, line: int, path: Path_, text: str) -> None:
        self.total += 1
        if len(self.kinds[kind]) < MAX_PROBLEMS:
            self.kinds[kind].append(Problem(self.opened.place(line), _render_path(path), text))

    def check(self, index: int, line: int, flat: dict[str, Any]) -> TaskRow | None:
        """One row (the `index`th item, starting on `line`): its task, or None when it has
        a problem (reported)."""
        row = self._plain(flat)
        if row is None:
            row = self._through_model(index, line, flat)
            if row is None:
                return None
        total = self.total
        code, agency, title, due, stage, _ = row
        if code is None:
            first = self.pairs.setdefault((agency, title), line)
            if first != line:
                message = _msg("duplicate_task", title=title, first=self.opened.place(first))
                self._report("pairs", line, ("tasks", index, "title"), message)
        else:
            first = self.codes.setdefault(code, line)
            if first != line:
                message = _msg("duplicate", code=code, first=self.opened.place(first))
                self._report("codes", line, ("tasks", index, "code"), message)
        if agency not in self.agencies:
            self._unknown("agency", line, index, agency)
        if stage is not None and stage not in self.stages:
            self._unknown("stage", line, index, stage)
        moved = self._moved.get(due)
        if moved is None:
            calendar = self.calendar
            moved = self._moved[due] = (
                due if calendar.is_working_day(due) else calendar.next_working_day(due)
            )
        if moved != due:
            if self.context.strict:
                message = _msg("due_day_off", day=due)
                self._report("due", line, ("tasks", index, "due"), message)
            else:
                message = _msg("due_moved", day=due, moved=moved)
                self.context.warnings.append(f"{self.opened.place(line)}: {message}")
                row = row._replace(due=moved)
        return row if self.total == total else None

    def _unknown(self, what: str, line: int, index: int, code: str) -> None:
        known = self._known[what]
        message = _msg("unknown_ref", what=_msg(f"unknown_{what}"), code=code, known=known)
        self._report(what, line, ("tasks", index, what), message)

    def _plain(self, flat: dict[str, Any]) -> TaskRow | None:
        """The row when it is plainly valid, else None (then TaskIn decides)."""
        get = flat.get
        agency, title, due = get("agency"), get("title"), get("due")
        if agency is None or title is None or due is None:
            return None
        code, stage, status = get("code"), get("stage"), get("status", "open")
        good = self._good_codes
        for value in (agency, stage):
            if value is not None and value not in good:
                if len(value) > 40 or not _CODE_RE.fullmatch(value):
                    return None
                good.add(value)
        if code is not None and (len(code) > 40 or not _CODE_RE.fullmatch(code)):
            return None
        if status not in _STATUSES:
            return None
        text = title.strip(" \t\r\n")
        if len(text) > 500 or text[0].isspace() or text[-1].isspace():
            return None
        if _CONTROL.search(text):
            return None
        day = self._days.get(due, False)
        if day is False:
            day = self._days[due] = _iso_day(due)
        if day is None:
            return None
        return TaskRow(code, agency, text, day, stage, status)

    def _through_model(self, index: int, line: int, flat: dict[str, Any]) -> TaskRow | None:
        try:
            task = TaskIn.model_validate(flat)
        except ValidationError as exc:
            where = self.opened.place(line)
            source = Source(self.opened.name, None, {("tasks", index): where}, where)
            for error in exc.errors():
                self.total += 1
                if len(self.kinds["structure"]) < MAX_PROBLEMS:
                    self.kinds["structure"].append(
                        _pydantic_problem(source, ("tasks", index), error)
                    )
            return None
        return TaskRow(task.code, task.agency, task.title, task.due, task.stage, task.status)


def _known(codes: set[str]) -> str:
    """The known codes a message lists: the first twelve in order."""
    shown = ", ".join(sorted(codes)[:12]) + (", …" if len(codes) > 12 else "")
    return shown or "—"


def _iso_day(value: str) -> date | None:
    text = value.strip()
    if not _ISO_DAY.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None

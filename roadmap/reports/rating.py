"""`roadmap report rating`: executive bodies and municipalities ranked by the pace of their
digital development in a year, by a formula whose weights are in config/rating.toml.

Components, each 0..1, of one organisation in year Y:

- on_time: of its tasks due in Y that are handed in or overdue, the share handed in on
  time (the region's local date of the hand-in ≤ the due date). The hand-in is the
  task's submission (an accepted task's too): `submitted_at`, else its last `submit`
  event; a task recorded as handed in without any time (imported so) counts as on time.
  Tasks still open before their due date, and cancelled ones, are not counted yet.
- delay: 1 − mean delay / delay_cap (not below 0), the delay of a task handed in late
  being the working days (the region's calendar) from its due date to the hand-in, of an
  overdue one to today; no late task is a delay of 0. It has data when on_time has.
- initiatives: of its initiatives the plan funds in Y (a budget line of year Y; dropped
  ones are out), the share in progress or done (their status now).
- budget: actual / planned money of its initiatives' budget lines of year Y (dropped
  initiatives out, a line without an actual is 0), at most 1.
- indicators: the mean progress of its indicators with a target and an actual for Y:
  the indicators report's progress (roadmap.reports.indicators), clipped to 0..1; a
  target that does not improve on the baseline is 1 when met, else 0.

Score = Σ weight × component / Σ weight, both sums over the components that have data:
a component without data is left out and the others' weights carry the score. An
organisation without any data has no score and no rank. Ties (equal scores as shown, to
0.1 %) go to the higher on_time, then the fewer overdue tasks, then the code. The previous
period (default Y − 1) is rated the same way at the same moment; its rank gives the
change: ▲n up n places, ▼n down, = same, "new" for an organisation unranked then.

The figures come from grouped queries (roadmap.reports.rating_facts): the number of tasks
does not matter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from roadmap.errors import UserError
from roadmap.i18n import current_locale, t
from roadmap.reports.common import ReportContext, kind_labels, report_context
from roadmap.reports.organisations import organisations
from roadmap.reports.rating_config import COMPONENTS, RatingConfig
from roadmap.reports.rating_facts import (
    TaskFacts,
    budget_sums,
    indicator_progresses,
    initiative_counts,
    task_facts,
)
from roadmap.reports.table import Chart, Column, Report, Series
from roadmap.store.models import Agency, Region


@dataclass(slots=True)
class Rated:
    """One organisation's rating in one period."""

    agency: Agency
    tasks: TaskFacts
    components: dict[str, float | None]
    initiatives: tuple[int, int] = (0, 0)  # (in progress or done, funded in the year)
    indicators: int = 0  # indicators with data
    score: float | None = None  # 0..1, to 0.001 (0.1 % as shown)
    rank: int | None = None
    missing: list[str] = field(default_factory=list)


def rate(
    session: Session,
    context: ReportContext,
    agencies: list[Agency],
    year: int,
    config: RatingConfig,
) -> list[Rated]:
    """Every organisation's components and score in `year`, ranked (best first; those
    without data last, by code, without a rank)."""
    strategy_id = context.strategy.id
    tasks = task_facts(session, strategy_id, year, context.today, context.calendar)
    initiatives = initiative_counts(session, strategy_id, year)
    money = budget_sums(session, strategy_id, year)
    progress = indicator_progresses(session, strategy_id, year)
    weights = config.weights
    rated = []
    for agency in agencies:
        facts = tasks.get(agency.id, TaskFacts())
        active, funded = initiatives.get(agency.id, (0, 0))
        planned, spent = money.get(agency.id, (0, 0))
        values = progress.get(agency.id, [])
        components: dict[str, float | None] = {
            "on_time": facts.on_time / facts.counted if facts.counted else None,
            "delay": (max(0.0, 1 - facts.mean_delay / config.delay_cap) if facts.counted else None),
            "initiatives": active / funded if funded else None,
            "budget": min(1.0, spent / planned) if planned else None,
            "indicators": sum(values) / len(values) if values else None,
        }
        weighed = [(weights.of(k), v) for k, v in components.items() if v is not None]
        total_weight = sum(w for w, _ in weighed)
        score = None
        if total_weight > 0:
            score = round(sum(w * v for w, v in weighed) / total_weight, 3)
        rated.append(
            Rated(
                agency=agency,
                tasks=facts,
                components=components,
                initiatives=(active, funded),
                indicators=len(values),
                score=score,
                missing=[k for k, v in components.items() if v is None],
            )
        )
    ranked = sorted((r for r in rated if r.score is not None), key=_tie_order)
    for place, item in enumerate(ranked, 1):
        item.rank = place
    unranked = [r for r in rated if r.score is None]
    return ranked + sorted(unranked, key=lambda r: r.agency.code)


def _tie_order(item: Rated) -> tuple[Any, ...]:
    on_time = item.components["on_time"]
    return (
        -(item.score or 0.0),
        -(on_time if on_time is not None else -1.0),
        item.tasks.overdue,
        item.agency.code,
    )


def change_mark(rank: int | None, previous: int | None) -> str | None:
    """▲n (up n places), ▼n (down), = (same), "new" (unranked before); None if unranked now."""
    if rank is None:
        return None
    if previous is None:
        return t("rating.change.new")
    if previous > rank:
        return f"▲{previous - rank}"
    if previous < rank:
        return f"▼{rank - previous}"
    return "="


def _number(value: float, places: int = 1) -> str:
    text = f"{value:.{places}f}"
    return text.replace(".", ",") if current_locale() == "ru" else text


def _percent(value: float) -> str:
    return f"{_number(100 * value)} %"


def _points(score: float | None) -> float | None:
    return None if score is None else round(100 * score, 1)


def _day(day: date) -> str:
    return day.strftime("%d.%m.%Y") if current_locale() == "ru" else day.isoformat()


def explanation(item: Rated) -> str:
    """The row's components in words: what each was computed from, what had no data."""
    if item.score is None:
        return t("rating.explain.no_data")
    parts = []
    facts, components = item.tasks, item.components
    if facts.counted:
        parts.append(t("rating.explain.on_time", on_time=facts.on_time, counted=facts.counted))
        if facts.late:
            parts.append(t("rating.explain.delay", days=_number(facts.mean_delay), late=facts.late))
        else:
            parts.append(t("rating.explain.no_delay"))
    if components["initiatives"] is not None:
        active, funded = item.initiatives
        parts.append(t("rating.explain.initiatives", active=active, funded=funded))
    if components["budget"] is not None:
        parts.append(t("rating.explain.budget", share=_percent(components["budget"])))
    if components["indicators"] is not None:
        parts.append(
            t(
                "rating.explain.indicators",
                share=_percent(components["indicators"]),
                count=item.indicators,
            )
        )
    if item.missing:
        names = ", ".join(t(f"rating.component.{name}").lower() for name in item.missing)
        parts.append(t("rating.explain.missing", components=names))
    return "; ".join(parts)


def rating_report(
    session: Session,
    region: Region,
    *,
    config: RatingConfig,
    year: int | None = None,
    previous_year: int | None = None,
    kind: str | None = None,
    now: datetime | None = None,
) -> Report:
    context = report_context(session, region, now)
    year = context.today.year if year is None else year
    previous_year = year - 1 if previous_year is None else previous_year
    if previous_year >= year:
        raise UserError(t("rating.bad_previous_year", previous=previous_year, year=year))
    agencies = organisations(session, region, kind)
    current = rate(session, context, agencies, year, config)
    before = {r.agency.id: r for r in rate(session, context, agencies, previous_year, config)}
    rows = []
    for item in current:
        earlier = before[item.agency.id]
        rows.append(
            {
                "rank": item.rank,
                "agency": item.agency.code,
                "agency_name": item.agency.name,
                "agency_kind": item.agency.kind,
                "score": item.score,
                **item.components,
                "overdue": item.tasks.overdue,
                "explanation": explanation(item),
                "previous_rank": earlier.rank,
                "previous_score": earlier.score,
                "change": change_mark(item.rank, earlier.rank),
            }
        )
    weights = config.weights
    formula = ", ".join(
        f"{t(f'rating.component.{name}')} {_number(weights.of(name), 2)}" for name in COMPONENTS
    )
    notes = [
        t("rating.note.formula", weights=formula, cap=_number(config.delay_cap)),
        t("rating.note.period", year=year, previous=previous_year, today=_day(context.today)),
        t("rating.note.rules"),
        t("rating.note.ties"),
    ]
    ranked = [item for item in current if item.rank is not None]
    chart = Chart(
        title=t("rating.chart.title", year=year),
        categories=[item.agency.code for item in ranked],
        series=[Series(t("rating.col.score"), [_points(item.score) for item in ranked])],
        kind="hbar",
        unit=t("report.unit.percent"),
    )
    return Report(
        name="rating",
        title=t("rating.title", year=year),
        columns=_columns(previous_year),
        rows=rows,
        notes=notes,
        charts=[chart] if ranked else [],
        filters={"year": year, "kind": kind, "previous_year": previous_year},
        region=context.region_label,
        strategy=context.strategy_label,
        generated_at=context.now,
        today=context.today,
    )


def _columns(previous_year: int) -> list[Column]:
    return [
        Column("rank", t("rating.col.rank"), "int"),
        Column("agency", t("report.col.agency"), "text"),
        Column("agency_name", t("report.col.agency_name"), "text"),
        Column("agency_kind", t("report.col.agency_kind"), "text", kind_labels()),
        Column("score", t("rating.col.score"), "percent"),
        *[Column(name, t(f"rating.component.{name}"), "percent") for name in COMPONENTS],
        Column("overdue", t("rating.col.overdue"), "int"),
        Column("explanation", t("rating.col.explanation"), "text", below=True),
        Column("previous_rank", t("rating.col.previous_rank", year=previous_year), "int"),
        Column("previous_score", t("rating.col.previous_score", year=previous_year), "percent"),
        Column("change", t("rating.col.change"), "text"),
    ]

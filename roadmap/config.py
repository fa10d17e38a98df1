"""Configuration files in config/ (ROADMAP_CONFIG_DIR), read through one cached loader.

Each file has a pydantic model here: stages.toml (stage definitions and stage rules),
sectors.toml (default sectors), alerts.toml (the alert ladder and delivery) and review.toml
(when the yearly update opens). A file is read once per version (its modification time);
a mistake in it is one message naming the file and the key.
"""

from __future__ import annotations

import tomllib
from datetime import date, time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from roadmap.errors import UserError
from roadmap.i18n import current_locale, t
from roadmap.settings import Settings

M = TypeVar("M", bound="ConfigModel")


class ConfigModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def load_config(settings: Settings, name: str, model: type[M], *, required: bool = True) -> M:
    """The validated content of config/NAME; a missing optional file gives the defaults."""
    path = settings.config_dir / name
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        if required:
            raise UserError(t("file.missing", path=path)) from None
        return model()
    return _load(path, stamp, model)


@lru_cache(maxsize=16)
def _load(path: Path, _stamp: int, model: type[M]) -> M:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: {exc}") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '—'}: {e['msg']}" for e in exc.errors()
        )
        raise UserError(f"{path}: {problems}") from None


# --- stages.toml ------------------------------------------------------------------------------

GateCheck = Literal[
    "tasks_submitted",
    "initiatives_proposed",
    "hypotheses_confirmed",
    "analysis_selected",
    "architecture_decided",
]


class TaskTemplate(ConfigModel):
    key: Annotated[str, Field(min_length=1, max_length=40)]
    title_ru: str
    title_en: str

    def title(self) -> str:
        return self.title_en if current_locale() == "en" else self.title_ru


class StageDef(ConfigModel):
    key: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]
    order: int
    title_ru: str
    title_en: str
    duration_days: Annotated[int, Field(ge=1, le=400)]
    gate: list[GateCheck] = Field(default_factory=list)
    tasks: list[TaskTemplate] = Field(default_factory=list)
    # The stage's Prefect run starts the next stage's run when it closes this one.
    start_next_on_close: bool = False

    @model_validator(mode="after")
    def _unique_templates(self) -> StageDef:
        keys = [template.key for template in self.tasks]
        if len(set(keys)) != len(keys):
            raise ValueError(f"task template keys repeat in stage {self.key}: {keys}")
        return self

    def title(self) -> str:
        return self.title_en if current_locale() == "en" else self.title_ru


class HypothesisRules(ConfigModel):
    min_interviews: Annotated[int, Field(ge=1)] = 5
    min_support_share: Annotated[float, Field(gt=0, le=1)] = 0.6


class AnalysisRules(ConfigModel):
    criteria: Annotated[dict[str, Annotated[float, Field(gt=0)]], Field(min_length=1)]
    cut_count: Annotated[int, Field(ge=1)] | None = None
    cut_budget: Annotated[Decimal, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _one_cut(self) -> AnalysisRules:
        if (self.cut_count is None) == (self.cut_budget is None):
            raise ValueError("set exactly one of cut_count and cut_budget")
        return self


class ArchitectureRules(ConfigModel):
    gostekh_due_years: Annotated[int, Field(ge=0, le=10)] = 2


class Rules(ConfigModel):
    hypotheses: HypothesisRules = HypothesisRules()
    analysis: AnalysisRules
    architecture: ArchitectureRules = ArchitectureRules()


class StageConfig(ConfigModel):
    rules: Rules
    stage: Annotated[list[StageDef], Field(min_length=1)]

    @field_validator("stage")
    @classmethod
    def _ordered_and_unique(cls, stages: list[StageDef]) -> list[StageDef]:
        keys = [s.key for s in stages]
        if len(set(keys)) != len(keys):
            raise ValueError(f"stage keys repeat: {keys}")
        if len({s.order for s in stages}) != len(stages):
            raise ValueError("stage orders repeat")
        return sorted(stages, key=lambda s: s.order)

    def get(self, key: str) -> StageDef:
        for stage in self.stage:
            if stage.key == key:
                return stage
        raise UserError(t("stage.unknown", key=key, known=", ".join(s.key for s in self.stage)))

    def previous(self, key: str) -> StageDef | None:
        index = [s.key for s in self.stage].index(key)
        return self.stage[index - 1] if index else None

    def next(self, key: str) -> StageDef | None:
        index = [s.key for s in self.stage].index(key)
        return self.stage[index + 1] if index + 1 < len(self.stage) else None

    def keys(self) -> list[str]:
        return [s.key for s in self.stage]


def load_stage_config(settings: Settings) -> StageConfig:
    return load_config(settings, "stages.toml", StageConfig)


def stage_keys_in_order(settings: Settings) -> list[str]:
    return load_stage_config(settings).keys()


# --- sectors.toml -----------------------------------------------------------------------------


class SectorsConfig(ConfigModel):
    sectors: dict[str, str] = Field(default_factory=dict)


def default_sectors(settings: Settings) -> dict[str, str]:
    return dict(load_config(settings, "sectors.toml", SectorsConfig).sectors)


# --- alerts.toml ------------------------------------------------------------------------------


class AlertsConfig(ConfigModel):
    """Values are checked where they become rules (roadmap.alerts.config), per region."""

    ladder: dict[str, object] = Field(default_factory=dict)
    delivery: dict[str, object] = Field(default_factory=dict)
    regions: dict[str, dict[str, dict[str, object]]] = Field(default_factory=dict)


def load_alerts_config(settings: Settings) -> AlertsConfig:
    return load_config(settings, "alerts.toml", AlertsConfig, required=False)


# --- review.toml ------------------------------------------------------------------------------


class ReviewConfig(ConfigModel):
    opens_on: Annotated[str, Field(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")] = "01-15"
    at: time = time(9, 0)

    @property
    def month_day(self) -> tuple[int, int]:
        month, day = (int(x) for x in self.opens_on.split("-"))
        return month, day


def load_review_config(settings: Settings) -> ReviewConfig:
    return load_config(settings, "review.toml", ReviewConfig, required=False)


class RegionDays(ConfigModel):
    """A region's own calendar on top of the Russian production calendar."""

    days_off: list[date] = Field(default_factory=list)
    working_days: list[date] = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_both(self) -> RegionDays:
        both = sorted(set(self.days_off) & set(self.working_days))
        if both:
            raise ValueError(f"both a day off and a working day: {', '.join(map(str, both))}")
        return self


class CalendarConfig(ConfigModel):
    regions: dict[str, RegionDays] = Field(default_factory=dict)


def calendar_overrides(
    settings: Settings, region_code: str
) -> tuple[frozenset[date], frozenset[date]]:
    """The region's (days off, working days) from config/calendar.toml (optional file)."""
    days = load_config(settings, "calendar.toml", CalendarConfig, required=False).regions.get(
        region_code
    )
    if days is None:
        return frozenset(), frozenset()
    return frozenset(days.days_off), frozenset(days.working_days)

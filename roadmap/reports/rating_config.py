"""config/rating.toml: the weights of the rating's components and the delay that scores 0.

The file is optional (without it the defaults below hold). Weights are non-negative
numbers and need not add up to 1: the score divides by the sum of the weights of the
components that have data. A mistake is one message naming the file and the key.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from roadmap.config import ConfigModel, load_config
from roadmap.settings import Settings

#: The rating's components, in the order they are shown.
COMPONENTS = ("on_time", "delay", "initiatives", "budget", "indicators")

Weight = Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)]


class RatingWeights(ConfigModel):
    on_time: Weight = 0.35
    delay: Weight = 0.15
    initiatives: Weight = 0.2
    budget: Weight = 0.15
    indicators: Weight = 0.15

    @model_validator(mode="after")
    def _some_weight(self) -> RatingWeights:
        if not any(getattr(self, name) > 0 for name in COMPONENTS):
            raise ValueError("at least one weight must be above 0")
        return self

    def of(self, component: str) -> float:
        return float(getattr(self, component))


class RatingConfig(ConfigModel):
    # Working days of mean delay at which the delay component reaches 0.
    delay_cap: Annotated[float, Field(gt=0, le=250, allow_inf_nan=False)] = 10
    weights: RatingWeights = RatingWeights()


def load_rating_config(settings: Settings) -> RatingConfig:
    return load_config(settings, "rating.toml", RatingConfig, required=False)

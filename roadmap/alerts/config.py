"""The alert ladder and delivery settings from config/alerts.toml."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from roadmap.alerts.rules import Ladder
from roadmap.config import load_alerts_config
from roadmap.errors import UserError
from roadmap.settings import Settings


@dataclass(frozen=True)
class Delivery:
    max_attempts: int = 4
    backoff_seconds: float = 300
    lease_seconds: float = 600
    timeout_seconds: float = 10
    digest_items: int = 20  # a digest lists the most urgent ones and counts the rest
    concurrency: int = 8  # digests to different people sent at once (one thread each)

    def __post_init__(self) -> None:
        limits = {
            "digest_items": (1, 1000),
            "max_attempts": (1, 100),
            "backoff_seconds": (0, 86_400),
            "lease_seconds": (1, 86_400),
            "timeout_seconds": (0.1, 600),
            "concurrency": (1, 64),
        }
        for name, (low, high) in limits.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name} = {value!r}: a number is expected")
            if not low <= value <= high:
                raise ValueError(f"{name} = {value}: expected {low}–{high}")
        for name in ("max_attempts", "digest_items", "concurrency"):
            if not isinstance(getattr(self, name), int):
                raise ValueError(f"{name} = {getattr(self, name)}: a whole number is expected")


def ladder_for(settings: Settings, region_code: str) -> Ladder:
    data = load_alerts_config(settings)
    values = dict(data.ladder)
    values.update(data.regions.get(region_code, {}).get("ladder", {}))
    try:
        for key in ("window_start", "window_end"):
            if key in values:
                values[key] = time.fromisoformat(values[key])
        if "reminders" in values:
            values["reminders"] = tuple(values["reminders"])
        return Ladder(**values)
    except (TypeError, ValueError) as exc:
        path = settings.config_dir / "alerts.toml"
        raise UserError(f"{path}: [ladder] {region_code}: {exc}") from None


def delivery_settings(settings: Settings) -> Delivery:
    try:
        return Delivery(**load_alerts_config(settings).delivery)
    except (TypeError, ValueError) as exc:
        raise UserError(f"{settings.config_dir / 'alerts.toml'}: [delivery]: {exc}") from None

"""The ROADMAP_* environment read without pydantic: the settings' names, their defaults and
the store's default URL, in one place. `roadmap.settings.Settings` (pydantic) builds on these
and validates every setting; the quick read path of the CLI (lists) takes `quick_settings()`
instead, which costs no import, and falls back to `Settings` whenever a value needs its
checks (so a wrong setting gives the one message it always gave)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_PREFIX = "ROADMAP_"
PROJECT_DIR = Path(__file__).resolve().parent.parent
LOCALES = ("ru", "en")


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "roadmap"


def default_config_dir() -> Path:
    return PROJECT_DIR / "config"


def store_url(database_url: str | None, data_dir: Path) -> str:
    """The store: ROADMAP_DATABASE_URL, or a SQLite file in the data directory."""
    if database_url:
        return database_url
    return f"sqlite:///{data_dir / 'roadmap.db'}"


@dataclass(frozen=True, slots=True)
class QuickSettings:
    """The settings a read needs, with the same names as `roadmap.settings.Settings`."""

    database_url: str | None
    data_dir: Path
    config_dir: Path
    locale: str

    @property
    def store_url(self) -> str:
        return store_url(self.database_url, self.data_dir)


def quick_settings() -> QuickSettings | None:
    """The environment's settings for a read, or None when one of them needs the full
    validation (`roadmap.settings.get_settings`, which reports it). Names are matched
    regardless of case, as pydantic-settings does."""
    env = {key.lower(): value for key, value in os.environ.items() if key[:8].upper() == ENV_PREFIX}
    prefix = ENV_PREFIX.lower()
    locale = env.get(prefix + "locale", "ru")
    if locale not in LOCALES or env.get(prefix + "database_url") == "":
        return None
    data_dir = env.get(prefix + "data_dir")
    config_dir = env.get(prefix + "config_dir")
    return QuickSettings(
        database_url=env.get(prefix + "database_url"),
        data_dir=Path(data_dir) if data_dir is not None else default_data_dir(),
        config_dir=Path(config_dir) if config_dir is not None else default_config_dir(),
        locale=locale,
    )

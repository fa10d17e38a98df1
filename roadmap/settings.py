"""One Settings object for the whole product (environment prefix ``ROADMAP_``)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from roadmap.errors import UserError
from roadmap.i18n import t

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "roadmap"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ROADMAP_", extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the store; default is a SQLite file in data_dir.",
    )
    data_dir: Path = Field(default_factory=_default_data_dir)
    config_dir: Path = Field(default=PROJECT_DIR / "config")
    locale: Literal["ru", "en"] = "ru"
    apprise_config: Path | None = None
    smtp_url: str | None = None
    user: str | None = Field(
        default=None, description="Who acts, recorded in task history when --by is not given."
    )

    @field_validator("database_url")
    @classmethod
    def _parsable_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            make_url(value)
        except ArgumentError:
            raise ValueError(
                "not a database URL (e.g. postgresql+psycopg://user@host:5432/db)"
            ) from None
        return value

    @property
    def store_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'roadmap.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"ROADMAP_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors()
        )
        raise UserError(t("settings.invalid", problems=problems)) from None

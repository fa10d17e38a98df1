"""One Settings object for the whole product (environment prefix ``ROADMAP_``); the names,
defaults and the default store live in roadmap.environment, which the CLI's quick reads use
without pydantic."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from roadmap.environment import (
    ENV_PREFIX,
    default_config_dir,
    default_data_dir,
    store_url,
)
from roadmap.errors import UserError
from roadmap.i18n import t


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the store; default is a SQLite file in data_dir.",
    )
    data_dir: Path = Field(default_factory=default_data_dir)
    config_dir: Path = Field(default_factory=default_config_dir)
    locale: Literal["ru", "en"] = "ru"
    apprise_config: Path | None = None
    smtp_url: str | None = None
    user: str | None = Field(
        default=None, description="Who acts, recorded in task history when --by is not given."
    )
    web_url: str | None = Field(
        default=None,
        description="The web portal's public address (https://roadmap.example.org): alerts "
        "then carry each person's sign-in link; without it they name the CLI command.",
    )
    web_session_hours: int = Field(
        default=12, ge=1, le=720, description="How long a portal sign-in lasts (hours)."
    )
    web_link_days: int = Field(
        default=30, ge=1, le=366, description="How long the sign-in link in an alert works (days)."
    )
    web_sign_in_limit: int = Field(
        default=10, ge=1, description="Failed sign-ins allowed per client address per minute."
    )
    web_upload_max_mb: int = Field(
        default=10, ge=1, le=1024, description="Largest file handed in through the portal (MB)."
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

    @field_validator("web_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is None or value.strip() == "":
            return None
        from urllib.parse import urlsplit

        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("not a web address (e.g. https://roadmap.example.org)")
        return value.strip().rstrip("/")

    @property
    def store_url(self) -> str:
        return store_url(self.database_url, self.data_dir)


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

"""One settings class, read from the environment (prefix ARREARS_). Only the edges read it."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ARREARS_", extra="ignore")

    database_url: str = Field(
        default_factory=lambda: f"sqlite:///{Path.cwd() / 'arrears.db'}",
        description="SQLAlchemy URL. Default: arrears.db (SQLite) in the working directory.",
    )
    max_third_party_contacts: int = Field(
        default=5, description="Import refuses a borrower with more named third-party contacts than this."
    )
    timezone: str = Field(default="Asia/Shanghai", description="The operation's home time zone.")


def get_settings() -> Settings:
    return Settings()

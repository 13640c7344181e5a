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
    # --- agent workspace (promises, plans, composer, outbox)
    promise_grace_days: int = Field(
        default=2, ge=0, description="A promise to pay is broken once its due date plus this many days has passed unpaid."
    )
    promise_max_days: int = Field(default=30, ge=1, description="The latest due date an agent may accept for a promise, in days.")
    agent_waiver_pct: int = Field(
        default=10, ge=0, le=100, description="An agent may waive up to this percentage of the outstanding amount; more needs a team lead."
    )
    agent_max_instalments: int = Field(
        default=6, ge=1, description="An agent may agree a plan of up to this many instalments; more needs a team lead."
    )
    lead_waiver_pct: int = Field(default=30, ge=0, le=100, description="The largest waiver percentage a team lead may approve.")
    workspace_pack: str = Field(default="cn_strict", description="Compliance pack the composer and visit scheduling check against.")
    smtp_host: str = Field(default="localhost", description="SMTP server for e-mail messages.")
    smtp_port: int = Field(default=25, description="SMTP port (465 with smtp_ssl, 587 with smtp_starttls).")
    smtp_username: str = Field(default="", description="SMTP user name; empty: no authentication.")
    smtp_password: str = Field(default="", description="SMTP password.")
    smtp_starttls: bool = Field(default=False, description="Upgrade the SMTP connection with STARTTLS.")
    smtp_ssl: bool = Field(default=False, description="Connect to the SMTP server over TLS (SMTPS).")
    mail_from: str = Field(default="collections@example.com", description="Sender address of e-mail messages.")
    sms_provider: str = Field(default="console", description="SMS provider: console (print) or file (append JSON lines).")
    sms_file: str = Field(default="sms-outbox.jsonl", description="Where the file SMS provider appends messages.")
    sms_sign_name: str = Field(default="示例金融", description="SMS signature (签名) sent with every text.")
    outbox_max_attempts: int = Field(default=5, ge=1, description="Sending attempts before an outbox message is marked failed.")


def get_settings() -> Settings:
    return Settings()

"""Tables of sign-in: users (argon2 password hashes, role, link to an agent or team), browser sessions, API
tokens and login attempts (for throttling). Registered on the one metadata (see tables.py).

Session and token secrets are never stored: only their SHA-256 digests are, so a copy of the database does not
let anyone sign in."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text

from arrears.storage.tables import ID, metadata
from arrears.storage.types import UTCDateTime

ROLES = ("agent", "team_lead", "compliance", "admin")

users = Table(
    "users",
    metadata,
    Column("user_id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False, default=""),
    Column("password_hash", Text, nullable=False),  # argon2id (argon2-cffi PasswordHasher)
    Column("role", String(16), nullable=False),  # agent | team_lead | compliance | admin
    Column("agent_id", String(ID), ForeignKey("agents.agent_id"), index=True),  # role agent
    Column("team_id", String(ID), ForeignKey("teams.team_id"), index=True),  # role team_lead (and agents' team)
    Column("locale", String(16), nullable=False, default="zh-CN"),
    Column("active", Boolean, nullable=False, default=True),
    Column("failed_logins", Integer, nullable=False, default=0),  # consecutive failures since the last success
    Column("locked_until", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_login_at", UTCDateTime),
)

# Browser sessions: the cookie carries a random secret; the row keeps its digest and the per-session CSRF token.
user_sessions = Table(
    "user_sessions",
    metadata,
    Column("session_hash", String(64), primary_key=True),  # sha256 hex of the cookie value
    Column("user_id", Integer, ForeignKey("users.user_id", ondelete="CASCADE"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("ip", String(64), nullable=False, default=""),
)

# Bearer tokens of the OAuth2 password flow (POST /api/v1/auth/token).
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 hex of the bearer token
    Column("user_id", Integer, ForeignKey("users.user_id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
)

# Every sign-in attempt, for per-user and per-address throttling and for review.
login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("username", String(64), nullable=False),
    Column("ip", String(64), nullable=False),
    Column("success", Boolean, nullable=False),
)
Index("ix_login_attempts_ip_at", login_attempts.c.ip, login_attempts.c.at)
Index("ix_login_attempts_username_at", login_attempts.c.username, login_attempts.c.at)

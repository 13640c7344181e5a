"""Tables of sign-in: users (argon2 password hashes, role, link to an agent or team), sessions, API tokens and
login throttling. Registered on the one metadata (see tables.py)."""

from __future__ import annotations

"""Sign-in use cases: users (argon2 hashes), browser sessions with a per-session CSRF token, OAuth2 bearer
tokens, and throttling of failed sign-ins per user and per address. Every function takes the engine and an
injected clock; the web app and the CLI only call these.

Throttling: a user is locked for `LOCK_MINUTES` after `USER_MAX_FAILURES` consecutive failures (the right
password does not unlock early); an address that fails `IP_MAX_FAILURES` times within `IP_WINDOW_MINUTES` is
refused until the window has passed. Secrets (session cookies, bearer tokens) are random and stored as SHA-256.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, Engine, and_, bindparam, delete, func, insert, select, update

from arrears.domain.clock import Clock
from arrears.storage.engine import reading
from arrears.storage.tables_auth import ROLES, api_tokens, login_attempts, user_sessions, users
from arrears.storage.tables_plan import agents, teams

USER_MAX_FAILURES = 5
LOCK_MINUTES = 15
IP_MAX_FAILURES = 20
IP_WINDOW_MINUTES = 15
SESSION_HOURS = 12
TOKEN_HOURS = 8
LOCALES = ("zh-CN", "en")

_hasher = PasswordHasher()
# A hash to verify against when the user does not exist, so timing does not tell which usernames exist.
_DUMMY_HASH = _hasher.hash("not-a-password")


@dataclass(frozen=True, slots=True)
class User:
    user_id: int
    username: str
    display_name: str
    role: str  # agent | team_lead | compliance | admin
    agent_id: str | None
    team_id: str | None
    locale: str

    @property
    def actor(self) -> str:
        """How the user is named in the audit log."""
        return f"user:{self.username}"


@dataclass(frozen=True, slots=True)
class Session:
    user: User
    csrf_token: str


class AuthError(Exception):
    """Sign-in refused. `code`: invalid_credentials | locked | throttled | inactive; `retry_after` in seconds."""

    def __init__(self, code: str, retry_after: int | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.retry_after = retry_after


class UserError(ValueError):
    """A user cannot be created as asked; the message names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _user(row: object) -> User:
    m = row._mapping  # type: ignore[attr-defined]
    return User(
        user_id=int(m["user_id"]),
        username=m["username"],
        display_name=m["display_name"] or m["username"],
        role=m["role"],
        agent_id=m["agent_id"],
        team_id=m["team_id"],
        locale=m["locale"],
    )


_USER_COLS = (
    users.c.user_id,
    users.c.username,
    users.c.display_name,
    users.c.role,
    users.c.agent_id,
    users.c.team_id,
    users.c.locale,
)


# ---------------------------------------------------------------- users


def add_user(
    engine: Engine,
    *,
    clock: Clock,
    username: str,
    password: str,
    role: str,
    agent_id: str | None = None,
    team_id: str | None = None,
    display_name: str = "",
    locale: str = "zh-CN",
) -> User:
    """Create a user. An agent needs an existing `agent_id` (its team is taken from the roster); a team lead
    needs an existing `team_id`."""
    with engine.begin() as conn:
        return _add_user(
            conn,
            clock=clock,
            username=username,
            password=password,
            role=role,
            agent_id=agent_id,
            team_id=team_id,
            display_name=display_name,
            locale=locale,
        )


def _add_user(
    conn: Connection,
    *,
    clock: Clock,
    username: str,
    password: str,
    role: str,
    agent_id: str | None,
    team_id: str | None,
    display_name: str,
    locale: str,
) -> User:
    username = username.strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise UserError("username", "1-64 characters without spaces / 用户名须为1-64个非空白字符")
    if role not in ROLES:
        raise UserError("role", f"must be one of {', '.join(ROLES)} / 角色无效")
    if len(password) < 4:
        raise UserError("password", "at least 4 characters / 密码至少4个字符")
    if locale not in LOCALES:
        raise UserError("locale", f"must be one of {', '.join(LOCALES)}")
    if role == "agent":
        if not agent_id:
            raise UserError("agent_id", "an agent user needs --agent-id / 坐席用户需要坐席编号")
        team = conn.execute(select(agents.c.team_id).where(agents.c.agent_id == agent_id)).scalar()
        if team is None:
            raise UserError("agent_id", f"no agent {agent_id!r} in the roster / 坐席不存在")
        team_id = team
    elif role == "team_lead":
        if not team_id:
            raise UserError("team_id", "a team lead needs --team-id / 组长需要团队编号")
        if conn.execute(select(teams.c.team_id).where(teams.c.team_id == team_id)).scalar() is None:
            raise UserError("team_id", f"no team {team_id!r} / 团队不存在")
        agent_id = None
    else:
        agent_id = None
        team_id = None
    if conn.execute(select(users.c.user_id).where(users.c.username == username)).scalar() is not None:
        raise UserError("username", f"{username!r} already exists / 用户名已存在")
    res = conn.execute(
        insert(users).values(
            username=username,
            display_name=display_name or username,
            password_hash=_hasher.hash(password),
            role=role,
            agent_id=agent_id,
            team_id=team_id,
            locale=locale,
            active=True,
            failed_logins=0,
            created_at=clock.now(),
        )
    )
    pk = res.inserted_primary_key
    assert pk is not None
    return User(int(pk[0]), username, display_name or username, role, agent_id, team_id, locale)


def get_user(engine: Engine, username: str) -> User | None:
    with reading(engine) as conn:
        row = conn.execute(select(*_USER_COLS).where(users.c.username == username)).first()
    return _user(row) if row is not None else None


DEMO_PASSWORD = "demo"
DEMO_TEAMS = (("t1", "一组 Team 1"), ("t2", "二组 Team 2"))
DEMO_AGENTS = (("agent1", "t1", "坐席一 Agent 1"), ("agent2", "t2", "坐席二 Agent 2"))
DEMO_USERS: tuple[tuple[str, str, str | None, str | None], ...] = (
    ("agent1", "agent", "agent1", None),
    ("agent2", "agent", "agent2", None),
    ("lead1", "team_lead", None, "t1"),
    ("compliance1", "compliance", None, None),
    ("admin1", "admin", None, None),
)


def create_demo_users(engine: Engine, *, clock: Clock) -> list[str]:
    """Demo mode only: the users agent1 (team t1), agent2 (team t2), lead1 (lead of t1), compliance1 and admin1,
    all with the password `demo`. Teams t1/t2 and agents agent1/agent2 are added to the roster when missing.
    Idempotent: existing users are left as they are. Returns the usernames created."""
    created: list[str] = []
    with engine.begin() as conn:
        for team, name in DEMO_TEAMS:
            if conn.execute(select(teams.c.team_id).where(teams.c.team_id == team)).scalar() is None:
                conn.execute(insert(teams).values(team_id=team, name=name))
        for agent, team, name in DEMO_AGENTS:
            if conn.execute(select(agents.c.agent_id).where(agents.c.agent_id == agent)).scalar() is None:
                conn.execute(
                    insert(agents).values(
                        agent_id=agent,
                        team_id=team,
                        name=name,
                        languages="zh-CN",
                        skills="call;sms;email",
                        daily_capacity=150,
                        active=True,
                    )
                )
        for username, role, agent_id, team_id in DEMO_USERS:
            if conn.execute(select(users.c.user_id).where(users.c.username == username)).scalar() is not None:
                continue
            _add_user(
                conn,
                clock=clock,
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                agent_id=agent_id,
                team_id=team_id,
                display_name=username,
                locale="zh-CN",
            )
            created.append(username)
    return created


# ---------------------------------------------------------------- sign-in


def authenticate(engine: Engine, *, clock: Clock, username: str, password: str, ip: str) -> User:
    """Check a password under throttling; record the attempt (also when refused). Raises `AuthError`."""
    with engine.begin() as conn:  # commits the attempt record whatever the outcome
        outcome = _authenticate(
            conn, now=clock.now(), username=username.strip()[:64], password=password, ip=ip[:64]
        )
    if isinstance(outcome, AuthError):
        raise outcome
    return outcome


def _authenticate(
    conn: Connection, *, now: datetime, username: str, password: str, ip: str
) -> User | AuthError:
    def attempt(success: bool) -> None:
        conn.execute(insert(login_attempts).values(at=now, username=username, ip=ip, success=success))

    since = now - timedelta(minutes=IP_WINDOW_MINUTES)
    recent_ip_failures = and_(
        login_attempts.c.ip == ip, login_attempts.c.at >= since, login_attempts.c.success.is_(False)
    )
    ip_failures = conn.execute(
        select(func.count()).select_from(login_attempts).where(recent_ip_failures)
    ).scalar_one()
    if ip_failures >= IP_MAX_FAILURES:
        oldest = conn.execute(select(func.min(login_attempts.c.at)).where(recent_ip_failures)).scalar_one()
        attempt(False)
        return AuthError("throttled", _seconds_until(oldest + timedelta(minutes=IP_WINDOW_MINUTES), now))
    row = conn.execute(
        select(
            *_USER_COLS, users.c.password_hash, users.c.active, users.c.failed_logins, users.c.locked_until
        ).where(users.c.username == username)
    ).first()
    if row is None:
        _verify(_DUMMY_HASH, password)
        attempt(False)
        return AuthError("invalid_credentials")
    m = row._mapping
    locked_until: datetime | None = m["locked_until"]
    if locked_until is not None and locked_until > now:
        attempt(False)
        return AuthError("locked", _seconds_until(locked_until, now))
    ok = _verify(m["password_hash"], password)
    attempt(ok)
    if not ok:
        failures = int(m["failed_logins"]) + 1
        values: dict[str, object] = {"failed_logins": failures}
        if failures >= USER_MAX_FAILURES:
            values = {"failed_logins": 0, "locked_until": now + timedelta(minutes=LOCK_MINUTES)}
        conn.execute(update(users).where(users.c.user_id == m["user_id"]).values(**values))
        return AuthError("invalid_credentials")
    if not m["active"]:
        return AuthError("inactive")
    values = {"failed_logins": 0, "locked_until": None, "last_login_at": now}
    if _hasher.check_needs_rehash(m["password_hash"]):
        values["password_hash"] = _hasher.hash(password)
    conn.execute(update(users).where(users.c.user_id == m["user_id"]).values(**values))
    return _user(row)


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _seconds_until(then: datetime, now: datetime) -> int:
    return max(1, int((then - now).total_seconds()) + 1)


# ---------------------------------------------------------------- sessions (browser)


def start_session(engine: Engine, *, clock: Clock, user: User, ip: str = "") -> tuple[str, Session]:
    """A new browser session; returns the cookie secret (never stored) and the session."""
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = clock.now()
    with engine.begin() as conn:
        conn.execute(delete(user_sessions).where(user_sessions.c.expires_at <= now))
        conn.execute(
            insert(user_sessions).values(
                session_hash=_digest(secret),
                user_id=user.user_id,
                csrf_token=csrf,
                created_at=now,
                expires_at=now + timedelta(hours=SESSION_HOURS),
                ip=ip[:64],
            )
        )
    return secret, Session(user, csrf)


_SESSION_QUERY = (
    select(*_USER_COLS, user_sessions.c.csrf_token, user_sessions.c.expires_at)
    .select_from(user_sessions.join(users, users.c.user_id == user_sessions.c.user_id))
    .where(
        user_sessions.c.session_hash == bindparam("digest"),
        user_sessions.c.expires_at > bindparam("now"),
        users.c.active.is_(True),
    )
)


def resolve_session(engine: Engine, *, clock: Clock, secret: str) -> Session | None:
    """The live session behind a cookie value, or None (unknown, expired, or the user is inactive)."""
    found = _lookup_session(engine, clock=clock, secret=secret)
    return found[0] if found else None


def _lookup_session(engine: Engine, *, clock: Clock, secret: str) -> tuple[Session, datetime] | None:
    """The live session and when it expires (one indexed query)."""
    if not secret or len(secret) > 200:
        return None
    with reading(engine) as conn:  # every few seconds per session: no ROLLBACK (see storage.engine.reading)
        row = conn.execute(_SESSION_QUERY, {"digest": _digest(secret), "now": clock.now()}).first()
    if row is None:
        return None
    return Session(_user(row), row._mapping["csrf_token"]), row._mapping["expires_at"]


class SessionCache:
    """A small per-process cache of resolved sessions, so a page does not query the session on every request.

    Safe by construction where it matters: a hit is still refused once the session's own expiry has passed (by
    the injected clock); `end_session(..., cache=)` forgets the session at once in this process; and an entry is
    trusted for at most `ttl` seconds (monotonic time), after which the database is asked again. So a session
    ended or a user deactivated through ANOTHER process is honoured here for at most `ttl` seconds. Unknown
    cookies are never cached (a miss always asks the database). Thread-safe; bounded to `max_entries`."""

    def __init__(
        self, ttl: float = 2.0, max_entries: int = 10_000, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._monotonic = monotonic
        self._entries: dict[str, tuple[Session, datetime, float]] = {}
        self._lock = threading.Lock()

    def get(self, secret: str, now: datetime) -> Session | None:
        if not secret or len(secret) > 200:
            return None
        entry = self._entries.get(_digest(secret))
        if entry is None:
            return None
        session, expires_at, fetched = entry
        if expires_at <= now or self._monotonic() - fetched > self.ttl:
            self.forget(secret)
            return None
        return session

    def put(self, secret: str, session: Session, expires_at: datetime) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[_digest(secret)] = (session, expires_at, self._monotonic())

    def forget(self, secret: str) -> None:
        with self._lock:
            self._entries.pop(_digest(secret), None)

    def resolve(self, engine: Engine, *, clock: Clock, secret: str) -> Session | None:
        """From the cache, else from the database (and then cached)."""
        now = clock.now()
        hit = self.get(secret, now)
        if hit is not None:
            return hit
        found = _lookup_session(engine, clock=clock, secret=secret)
        if found is None:
            return None
        self.put(secret, *found)
        return found[0]


def end_session(engine: Engine, *, secret: str, cache: SessionCache | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(delete(user_sessions).where(user_sessions.c.session_hash == _digest(secret)))
    if cache is not None:
        cache.forget(secret)


def csrf_matches(session: Session, presented: str | None) -> bool:
    return bool(presented) and hmac.compare_digest(session.csrf_token.encode(), str(presented).encode())


# ---------------------------------------------------------------- bearer tokens (API)


def issue_token(engine: Engine, *, clock: Clock, user: User) -> tuple[str, int]:
    """A bearer token for the API and its lifetime in seconds."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    with engine.begin() as conn:
        conn.execute(delete(api_tokens).where(api_tokens.c.expires_at <= now))
        conn.execute(
            insert(api_tokens).values(
                token_hash=_digest(token),
                user_id=user.user_id,
                created_at=now,
                expires_at=now + timedelta(hours=TOKEN_HOURS),
                revoked=False,
            )
        )
    return token, TOKEN_HOURS * 3600


def resolve_token(engine: Engine, *, clock: Clock, token: str) -> User | None:
    if not token or len(token) > 200:
        return None
    with reading(engine) as conn:
        row = conn.execute(
            select(*_USER_COLS)
            .select_from(api_tokens.join(users, users.c.user_id == api_tokens.c.user_id))
            .where(
                api_tokens.c.token_hash == _digest(token),
                api_tokens.c.expires_at > clock.now(),
                api_tokens.c.revoked.is_(False),
                users.c.active.is_(True),
            )
        ).first()
    return _user(row) if row is not None else None


def revoke_token(engine: Engine, *, token: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(api_tokens).where(api_tokens.c.token_hash == _digest(token)).values(revoked=True))

"""Typed dependencies for routes. Use them as parameter annotations:

    @router.get("/api/v1/accounts/{borrower_id}")
    def account(borrower_id: str, user: CurrentUser, scope: AccountScope, engine: DbEngine,
                clock: ClockDep, lang: Lang) -> ...

- `DbEngine`: the app's SQLAlchemy engine; pass it to a service, which owns its transaction.
- `UoW`: an open `UnitOfWork` (one connection, one transaction) for the request; the service calls
  `uow.commit()`; leaving without commit rolls back.
- `ClockDep`: the injected clock (tests freeze it). Never call datetime.now() in web code.
- `Lang`: "zh-CN" (default) or "en": ?lang= > cookie `arrears_lang` > Accept-Language.
- `CurrentUser`: the signed-in `User` (bearer token or session cookie), else 401. A cookie-authenticated
  request with an unsafe method must carry the session's CSRF token (header `X-CSRF-Token`, or form field
  `csrf_token`), else 403 `csrf_failed`. Bearer requests need no CSRF token (they are not sent ambiently).
- `AccountScope`: the signed-in user's `Scope` (services/access.py): filter lists with it, check single
  accounts with `require_read` / `require_write`.
- `RequireRoles("team_lead", "admin")`: a dependency that 403s other roles.
- `Page`: for the hot pages (worklist, customer view): the engine, clock, signed-in user (same checks as
  `CurrentUser`), scope, language and time zone resolved by one dependency instead of one each.

Cost: every dependency that does no I/O is `async def`, so FastAPI runs it on the event loop instead of handing
it to the threadpool (a sync dependency costs a thread hop per request). The signed-in user comes from the
app's `SessionCache` (services/auth.py): a cookie seen in the last `ttl` seconds skips the session query; a miss
runs the one indexed query in the threadpool.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from arrears.domain.clock import Clock
from arrears.services.access import Scope, scope_for
from arrears.services.auth import Session, SessionCache, User, csrf_matches, resolve_session, resolve_token
from arrears.services.compliance import ComplianceService
from arrears.storage.uow import UnitOfWork
from arrears.web.errors import ApiError
from arrears.web.i18n import DEFAULT_LANG, from_accept_language, normalise_lang

SESSION_COOKIE = "arrears_session"
LANG_COOKIE = "arrears_lang"
LOGIN_CSRF_COOKIE = "arrears_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


async def lang_dep(request: Request) -> str:
    return get_lang(request)


def get_lang(request: Request) -> str:
    cached = getattr(request.state, "lang", None)
    if isinstance(cached, str):
        return cached
    lang = (
        normalise_lang(request.query_params.get("lang"))
        or normalise_lang(request.cookies.get(LANG_COOKIE))
        or from_accept_language(request.headers.get("accept-language"))
        or DEFAULT_LANG
    )
    request.state.lang = lang
    return lang


DbEngine = Annotated[Engine, Depends(get_engine)]
ClockDep = Annotated[Clock, Depends(get_clock)]
Lang = Annotated[str, Depends(lang_dep)]


def get_uow(engine: DbEngine) -> Iterator[UnitOfWork]:
    with UnitOfWork(engine) as uow:
        yield uow


UoW = Annotated[UnitOfWork, Depends(get_uow)]


async def presented_csrf(request: Request) -> str | None:
    """The CSRF token the request carries: the header, else the form field of a form post."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.method in SAFE_METHODS:
        return None
    ctype = request.headers.get("content-type", "")
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        try:
            form = await request.form()
        except Exception:  # a malformed body: no token
            return None
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def sessions_of(request: Request) -> SessionCache:
    """The app's session cache (one per app, so per worker process)."""
    cache: SessionCache = request.app.state.sessions
    return cache


async def _session(request: Request, engine: Engine, clock: Clock, secret: str) -> Session | None:
    cache = sessions_of(request)
    hit = cache.get(secret, clock.now())
    if hit is not None:
        return hit
    return await run_in_threadpool(cache.resolve, engine, clock=clock, secret=secret)


async def current_user_optional(
    request: Request,
    engine: DbEngine,
    clock: ClockDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
    csrf: Annotated[str | None, Depends(presented_csrf)],
) -> User | None:
    """The signed-in user or None. Raises 401 for a bad bearer token and 403 for a missing CSRF token."""
    if token:
        user = await run_in_threadpool(resolve_token, engine, clock=clock, token=token)
        if user is None:
            raise ApiError(401, "invalid_token", headers={"WWW-Authenticate": "Bearer"})
        request.state.user = user
        request.state.auth = "bearer"
        return user
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        return None
    session = await _session(request, engine, clock, secret)
    if session is None:
        return None
    if request.method not in SAFE_METHODS and not csrf_matches(session, csrf):
        raise ApiError(403, "csrf_failed")
    set_signed_in(request, session)
    return session.user


def set_signed_in(request: Request, session: Session) -> None:
    """What the pages and the error handlers read of the signed-in session, on the request."""
    request.state.user = session.user
    request.state.auth = "session"
    request.state.csrf_token = session.csrf_token


def signed_in_quietly(request: Request, engine: DbEngine, clock: ClockDep) -> User | None:
    """For the login page only: the user of a valid session cookie, else None (never raises, so a stale
    cookie or token cannot send the login page into a redirect loop)."""
    secret = request.cookies.get(SESSION_COOKIE)
    session = resolve_session(engine, clock=clock, secret=secret) if secret else None
    return session.user if session else None


async def current_user(user: Annotated[User | None, Depends(current_user_optional)]) -> User:
    if user is None:
        raise ApiError(401, headers={"WWW-Authenticate": "Bearer"})
    return user


CurrentUser = Annotated[User, Depends(current_user)]
OptionalUser = Annotated[User | None, Depends(current_user_optional)]


async def account_scope(user: CurrentUser) -> Scope:
    return scope_for(user)


AccountScope = Annotated[Scope, Depends(account_scope)]


@dataclass(frozen=True, slots=True)
class PageContext:
    """What a hot page needs, resolved by ONE dependency (`Page`) instead of one each: the same checks as
    `CurrentUser` (bearer token or session cookie, CSRF on unsafe methods, 401 when not signed in)."""

    engine: Engine
    clock: Clock
    user: User
    scope: Scope
    lang: str
    timezone: str


async def page_context(request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]) -> PageContext:
    state = request.app.state
    engine: Engine = state.engine
    clock: Clock = state.clock
    csrf = await presented_csrf(request)
    user = await current_user_optional(request, engine, clock, token, csrf)
    if user is None:
        raise ApiError(401, headers={"WWW-Authenticate": "Bearer"})
    return page_context_of(request, user)


def page_context_of(request: Request, user: User) -> PageContext:
    """The hot pages' context for a signed-in `user` (also web/hotpath.py's, after its own sign-in check)."""
    state = request.app.state
    tz: str = state.settings.timezone
    return PageContext(state.engine, state.clock, user, scope_for(user), get_lang(request), tz)


# The worklist and the customer view take `Page` alone: FastAPI resolves one dependency (and the bearer scheme,
# kept so the OpenAPI spec still names the security) instead of about ten per request.
Page = Annotated[PageContext, Depends(page_context)]


class RequireRoles:
    """`dependencies=[Depends(RequireRoles("team_lead"))]` or a parameter `_: Annotated[User, Depends(...)]`."""

    def __init__(self, *roles: str) -> None:
        self.roles = roles

    async def __call__(self, user: CurrentUser) -> User:
        if user.role not in self.roles:
            raise ApiError(403, "forbidden_role")
        return user


_compliance_lock = threading.Lock()


def get_compliance(request: Request) -> ComplianceService:
    """One ComplianceService per app (engines per pack are cached inside; the guard loads once)."""
    svc = getattr(request.app.state, "compliance", None)
    if svc is None:
        with _compliance_lock:
            svc = getattr(request.app.state, "compliance", None)
            if svc is None:
                svc = ComplianceService()
                request.app.state.compliance = svc
    assert isinstance(svc, ComplianceService)
    return svc


Compliance = Annotated[ComplianceService, Depends(get_compliance)]


async def get_timezone(request: Request) -> str:
    tz: str = request.app.state.settings.timezone
    return tz


Timezone = Annotated[str, Depends(get_timezone)]

"""A short path for the two pages agents load all day: GET /worklist and GET /accounts/{id}, plain (no query
string) and signed in by a session cookie.

Why: on these pages FastAPI's own request handling (routing, dependency solving, its middleware) and anyio's
threadpool hand-off cost about as much CPU as the page's work (py-spy `--gil` on a worker under
`bench/web.py`: endpoint 41%, FastAPI and Starlette 22%, anyio's threadpool 14%, uvicorn 12%).

What it does, as pure ASGI middleware inside `SecurityHeaders` (so the same headers are added): for such a
request it resolves the session (the app's `SessionCache`; a miss asks the database in the worker thread, as
the route would), runs the SAME function the route runs (`routes.pages.worklist_response` /
`account_response`) in its own thread pool (`concurrent.futures`, lighter than anyio's), and answers. Errors go
to the app's own exception handlers, so a page out of scope is the same 404 as through the route.

Everything else falls through to the app unchanged: other paths and methods, a query string (`?page=`,
`?date=`, `?lang=`: validated by the route), a bearer token, no cookie, or a cookie that names no live session
(the route answers 401 or the login redirect). `create_app(hot_path=False)` turns it off (tests compare both).
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from arrears.services.access import scope_for
from arrears.web.deps import SESSION_COOKIE, PageContext, get_lang, sessions_of, set_signed_in

Scope_ = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope_, Receive, Send], Awaitable[None]]

_ACCOUNT = re.compile(r"/accounts/([^/]+)")  # what the route's "{borrower_id}" matches


class _FallThrough(Exception):
    """Not a request this path serves after all (no live session): the app answers it."""


# One pool per process and size, made on first use (in the serving process, after a worker starts): apps built
# in one process (tests build many) share it instead of keeping threads each.
_POOLS: dict[int, ThreadPoolExecutor] = {}
_POOLS_LOCK = threading.Lock()


def _executor(threads: int) -> ThreadPoolExecutor:
    pool = _POOLS.get(threads)
    if pool is None:
        with _POOLS_LOCK:
            pool = _POOLS.get(threads)
            if pool is None:
                pool = _POOLS[threads] = ThreadPoolExecutor(threads, thread_name_prefix="arrears-page")
    return pool


class HotPages:
    """Serve the plain worklist and customer view without the framework's routing (see the module doc)."""

    def __init__(self, app: ASGIApp, threads: int) -> None:
        self.app = app
        self.threads = max(1, threads)

    async def __call__(self, scope: Scope_, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope.get("query_string"):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        borrower_id: str | None = None
        if path != "/worklist":
            m = _ACCOUNT.fullmatch(path)
            if m is None:
                await self.app(scope, receive, send)
                return
            borrower_id = m.group(1)
        request = Request(scope, receive)
        secret = request.cookies.get(SESSION_COOKIE)
        if not secret or "authorization" in request.headers:
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        try:
            response = await loop.run_in_executor(_executor(self.threads), _page, request, secret, borrower_id)
        except _FallThrough:
            await self.app(scope, receive, send)
            return
        except Exception as exc:  # the app's handlers answer, as they would for the route
            response = await _handle(request, exc)
        await response(scope, receive, send)


def _page(request: Request, secret: str, borrower_id: str | None) -> Response:
    from arrears.web.routes.pages import account_response, worklist_response

    state = request.app.state
    session = sessions_of(request).resolve(state.engine, clock=state.clock, secret=secret)
    if session is None:
        raise _FallThrough
    set_signed_in(request, session)
    user = session.user
    ctx = PageContext(state.engine, state.clock, user, scope_for(user), get_lang(request), state.settings.timezone)
    if borrower_id is None:
        return worklist_response(request, ctx)
    return account_response(request, borrower_id, ctx)


async def _handle(request: Request, exc: Exception) -> Response:
    """The app's exception handler for `exc` (by its class's MRO, as Starlette's ExceptionMiddleware looks)."""
    handlers: dict[Any, Callable[..., Any]] = request.app.exception_handlers
    for cls in type(exc).__mro__:
        handler = handlers.get(cls)
        if handler is not None:
            result = handler(request, exc)
            if asyncio.iscoroutine(result):
                result = await result
            assert isinstance(result, Response)
            return result
    raise exc

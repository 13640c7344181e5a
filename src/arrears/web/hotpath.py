"""A short path for the two pages agents load all day: GET /worklist and GET /accounts/{id}, plain (no query
string) and signed in by a session cookie.

Why: on these pages FastAPI's own request handling (routing, dependency solving, its middleware) and anyio's
threadpool hand-off cost about as much CPU as the page's work (py-spy `--gil` on a worker under
`bench/web.py`: endpoint 41%, FastAPI and Starlette 22%, anyio's threadpool 14%, uvicorn 12%).

What it does, as pure ASGI middleware inside `SecurityHeaders` (so the same headers are added): for such a
request it resolves the session (the app's `SessionCache`; a miss asks the database in the worker thread, as
the route would), runs the SAME function the route runs (`routes.pages.worklist_response` /
`account_response`) on its own threads (`_Workers`, lighter than anyio's hand-off), and answers. Errors go
to the app's own exception handlers, so a page out of scope is the same 404 as through the route.

Everything else falls through to the app unchanged: other paths and methods, a query string (`?page=`,
`?date=`, `?lang=`: validated by the route), a bearer token, no cookie, or a cookie that names no live session
(the route answers 401 or the login redirect). `create_app(hot_path=False)` turns it off (tests compare both).
"""

from __future__ import annotations

import asyncio
import queue
import re
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from arrears.web.deps import SESSION_COOKIE, page_context_of, sessions_of, set_signed_in

Scope_ = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope_, Receive, Send], Awaitable[None]]

_ACCOUNT = re.compile(r"/accounts/([^/]+)")  # what the route's "{borrower_id}" matches


class _FallThrough(Exception):
    """Not a request this path serves after all (no live session): the app answers it."""


class _Workers:
    """`threads` daemon threads taking jobs from one queue. A job's result (or exception) is set on its asyncio
    future through `call_soon_threadsafe`: one wake-up of the loop and no `concurrent.futures.Future` chained to
    an asyncio one, which is what `run_in_executor` costs per call (about 5% of a worker's CPU on these pages).
    The threads start on first use, in the serving process; in-flight jobs finish before the server exits, since
    uvicorn waits for the requests that await them."""

    def __init__(self, threads: int) -> None:
        self._jobs: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._threads = threads
        self._started = False
        self._lock = threading.Lock()

    def run(self, fn: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        if not self._started:
            self._start()
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._jobs.put((loop, future, fn, args))
        return future

    def _start(self) -> None:
        with self._lock:
            if not self._started:
                for i in range(self._threads):
                    threading.Thread(target=self._work, name=f"arrears-page-{i}", daemon=True).start()
                self._started = True

    def _work(self) -> None:
        while True:
            loop, future, fn, args = self._jobs.get()
            try:
                result = fn(*args)
            except BaseException as exc:  # handed to the awaiting request
                loop.call_soon_threadsafe(_settle, future, None, exc)
            else:
                loop.call_soon_threadsafe(_settle, future, result, None)
            del loop, future, fn, args  # nothing held while waiting for the next job


def _settle(future: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
    if future.cancelled():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)


# One set of threads per process and size: apps built in one process (tests build many) share it.
_WORKERS: dict[int, _Workers] = {}
_WORKERS_LOCK = threading.Lock()


def _workers(threads: int) -> _Workers:
    found = _WORKERS.get(threads)
    if found is None:
        with _WORKERS_LOCK:
            found = _WORKERS.setdefault(threads, _Workers(threads))
    return found


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
        try:
            response = await _workers(self.threads).run(_page, request, secret, borrower_id)
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
    ctx = page_context_of(request, session.user)
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

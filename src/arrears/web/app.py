"""The app factory. `create_app(settings=..., engine=..., clock=...)` builds the FastAPI app with everything
injected (tests pass a migrated engine and a FixedClock); `serve_app(...)` runs it under uvicorn."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable, MutableMapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from arrears.domain.clock import Clock
from arrears.services.auth import SessionCache
from arrears.settings import Settings, get_settings
from arrears.storage.engine import make_engine
from arrears.web import errors
from arrears.web.hotpath import ASGIApp, HotPages, Receive, Scope_, Send
from arrears.web.routes import ROUTERS

STATIC_DIR = Path(__file__).parent / "static"


_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]
# Pages load only their own scripts and styles (HTMX is vendored under /static). /docs is left to FastAPI.
_CSP = (
    b"content-security-policy",
    b"default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
)


class SecurityHeaders:
    """Pure ASGI middleware (cheap): security headers on every response, a CSP on all but the API docs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope_, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope.get("path", "").startswith(("/docs", "/redoc"))

        async def wrapped(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend(_SECURITY_HEADERS)
                if not docs:
                    headers.append(_CSP)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, wrapped)


# Requests a worker process runs at once (sync routes run in anyio's threadpool). The pages spend most of their
# time on the CPU and the database answers in well under a millisecond, so a few threads keep the process busy;
# anyio's default of 40 only makes them queue for the GIL (each switch costs, and the latency of all of them
# grows together). Further requests wait on the event loop, in order.
THREADS = 8


def _lifespan(
    threads: int | None, freeze_gc: bool = False
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if threads is not None:
            anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        if freeze_gc:
            # Everything alive at startup (the modules, FastAPI's and SQLAlchemy's structures: about 160,000
            # objects) lives as long as the process: move it out of the cyclic collector's reach, so a full
            # collection scans only what requests and caches created since (a full collection over everything
            # stopped the process for up to ~90 ms, every request in flight included).
            gc.collect()
            gc.freeze()
        yield

    return lifespan


# Connections each worker process keeps open: a page uses one connection for its whole work, and the threadpool
# runs up to THREADS requests at once (plus a session lookup now and then); a pool smaller than the concurrency
# makes SQLAlchemy open and close "overflow" connections on every request (a new PostgreSQL backend each time).
POOL_SIZE = 10
POOL_OVERFLOW = 20


# psycopg prepares a statement on a connection once it has run there this many times (its default is 5); the
# pages run the same few statements all day, so prepare at the second run: the server then parses and plans
# them once per connection, not on every request. (What keeps them prepared: reads run in autocommit, since
# psycopg forgets every prepared statement on a ROLLBACK; see storage.engine.reading.)
PREPARE_THRESHOLD = 1


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return make_engine(url)
    return make_engine(
        url,
        pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW,
        connect_args={"prepare_threshold": PREPARE_THRESHOLD},
    )


def create_app(
    *,
    settings: Settings | None = None,
    engine: Engine | None = None,
    clock: Clock | None = None,
    secure_cookies: bool = True,
    threads: int | None = THREADS,
    freeze_gc: bool = False,
    hot_path: bool = True,
) -> FastAPI:
    """The web app over `engine` (default: the settings' database). `secure_cookies=False` only for plain-HTTP
    test clients; browsers accept Secure cookies from http://localhost and 127.0.0.1. `threads`: how many
    requests the process runs at once in its threadpool (None: anyio's default, 40). `freeze_gc`: for a serving
    process (not for tests, which build many apps in one process): exclude what exists at startup from the
    cyclic garbage collector (`gc.freeze`). `hot_path=False`: the worklist and the customer view through FastAPI's
    routing too (web/hotpath.py; the same pages, at more CPU)."""
    settings = settings or get_settings()
    if clock is None:
        from arrears.web.clock import SystemClock

        clock = SystemClock()
    app = FastAPI(
        lifespan=_lifespan(threads, freeze_gc),
        title="Arrears API",
        version="1",
        description=(
            "合规催收平台接口 / Lawful collections API. Errors: "
            '`{"error": {"code", "message", "message_en", "fields": [...]}}`. '
            "zh-CN by default; `?lang=en` or `Accept-Language: en` for English. "
            "Sign in with POST /api/v1/auth/token (OAuth2 password flow) and send `Authorization: Bearer <token>`."
        ),
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine if engine is not None else _engine(settings.database_url)
    app.state.owns_engine = engine is None
    app.state.sessions = SessionCache()
    app.state.clock = clock
    app.state.secure_cookies = secure_cookies
    errors.install(app)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    for router in ROUTERS:
        app.include_router(router)
    if hot_path:
        app.add_middleware(HotPages, threads=threads or 40)  # inside SecurityHeaders; 40: anyio's default
    app.add_middleware(SecurityHeaders)
    return app


def production_app() -> FastAPI:
    """The app of one worker process of `arrears serve --workers N` (web/server.py builds one per worker):
    settings from the environment, the system clock, the cyclic collector frozen after startup."""
    return create_app(freeze_gc=True)


def serve_app(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    settings: Settings | None = None,
    engine: Engine | None = None,
    clock: Clock | None = None,
    log_level: str = "warning",
) -> None:
    """Serve until Ctrl-C (blocking). `arrears serve` and `arrears demo` call this."""
    import uvicorn

    app = create_app(settings=settings, engine=engine, clock=clock, freeze_gc=True)
    try:
        uvicorn.run(app, host=host, port=port, log_level=log_level)
    finally:
        if app.state.owns_engine:
            app.state.engine.dispose()

"""The app factory. `create_app(settings=..., engine=..., clock=...)` builds the FastAPI app with everything
injected (tests pass a migrated engine and a FixedClock); `serve_app(...)` runs it under uvicorn."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from arrears.domain.clock import Clock
from arrears.settings import Settings, get_settings
from arrears.storage.engine import make_engine
from arrears.web import errors
from arrears.web.routes import ROUTERS

STATIC_DIR = Path(__file__).parent / "static"

Scope_ = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]
# Pages load only their own scripts and styles (HTMX is vendored under /static). /docs is left to FastAPI.
_CSP = (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
        b"form-action 'self'; base-uri 'self'")


class SecurityHeaders:
    """Pure ASGI middleware (cheap): security headers on every response, a CSP on all but the API docs."""

    def __init__(self, app: Callable[[Scope_, Receive, Send], Awaitable[None]]) -> None:
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


def create_app(
    *,
    settings: Settings | None = None,
    engine: Engine | None = None,
    clock: Clock | None = None,
    secure_cookies: bool = True,
) -> FastAPI:
    """The web app over `engine` (default: the settings' database). `secure_cookies=False` only for plain-HTTP
    test clients; browsers accept Secure cookies from http://localhost and 127.0.0.1."""
    settings = settings or get_settings()
    if clock is None:
        from arrears.web.clock import SystemClock

        clock = SystemClock()
    app = FastAPI(
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
    app.state.engine = engine if engine is not None else make_engine(settings.database_url)
    app.state.owns_engine = engine is None
    app.state.clock = clock
    app.state.secure_cookies = secure_cookies
    errors.install(app)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(SecurityHeaders)
    return app


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

    app = create_app(settings=settings, engine=engine, clock=clock)
    try:
        uvicorn.run(app, host=host, port=port, log_level=log_level)
    finally:
        if app.state.owns_engine:
            app.state.engine.dispose()

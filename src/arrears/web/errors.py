"""One error shape for the API, and HTML error pages for the browser.

Every `/api/...` error (raised `ApiError`, 404/405 from routing, 422 validation, 500) is answered as

    {"error": {"code": "not_found", "message": "<in the request's language>", "message_en": "<English>",
               "fields": [{"field": "body.amount", "message": "...", "message_en": "..."}]}}

`fields` is empty unless the request itself was at fault field by field (422). Page requests get the same
status with an HTML page instead; a 401 on a page redirects to /login?next=<path>.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from arrears.services.access import NotVisible, ReadOnly
from arrears.web.i18n import catalogue, t

log = logging.getLogger(__name__)

# HTTP status -> default error code (its message key is `error.<code>`).
STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_requests",
    500: "internal_error",
}


class ApiError(Exception):
    """Raise from a route or dependency: `ApiError(404, "not_found")`. The message comes from the catalogue
    key `error.<code>` (formatted with `params`) unless `message`/`message_en` are given."""

    def __init__(
        self,
        status: int,
        code: str | None = None,
        *,
        params: dict[str, Any] | None = None,
        fields: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        message: str | None = None,
        message_en: str | None = None,
    ) -> None:
        self.status = status
        self.code = code or STATUS_CODES.get(status, "error")
        self.params = params or {}
        self.fields = fields or []
        self.headers = headers
        self.message = message
        self.message_en = message_en
        super().__init__(self.code)


def error_body(request: Request, exc: ApiError) -> dict[str, Any]:
    from arrears.web.deps import get_lang

    lang = get_lang(request)
    key = f"error.{exc.code}"
    if key not in catalogue():  # an ad-hoc code without its own entry: the status' message
        key = f"error.{STATUS_CODES.get(exc.status, 'internal_error')}"
    msg_en = exc.message_en or t(key, "en", **exc.params)
    msg_zh = exc.message or t(key, "zh-CN", **exc.params)
    msg = msg_en if lang == "en" else msg_zh
    return {"error": {"code": exc.code, "message": msg, "message_en": msg_en, "fields": exc.fields}}


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def respond(request: Request, exc: ApiError) -> Response:
    if is_api(request):
        return JSONResponse(error_body(request, exc), status_code=exc.status, headers=exc.headers)
    if exc.status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    from arrears.web.templating import render

    body = error_body(request, exc)["error"]
    return render(request, "error.html", {"error": body, "status": exc.status}, status_code=exc.status,
                  headers=exc.headers)


def _validation_fields(exc: RequestValidationError) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()))
        msg = str(err.get("msg", "invalid"))
        out.append({"field": loc, "message": msg, "message_en": msg})
    return out


def install(app: FastAPI) -> None:
    async def on_api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return respond(request, exc)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        headers = dict(exc.headers) if exc.headers else None
        return respond(request, ApiError(exc.status_code, headers=headers))

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return respond(request, ApiError(422, fields=_validation_fields(exc)))

    async def on_not_visible(request: Request, exc: Exception) -> Response:
        return respond(request, ApiError(404, "account_not_found"))

    async def on_read_only(request: Request, exc: Exception) -> Response:
        return respond(request, ApiError(403, "read_only"))

    async def on_unhandled(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return respond(request, ApiError(500))

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(NotVisible, on_not_visible)
    app.add_exception_handler(ReadOnly, on_read_only)
    app.add_exception_handler(Exception, on_unhandled)

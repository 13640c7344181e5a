"""Helpers of the workspace routers: WorkspaceError -> ApiError, the app's settings and channel transports."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from fastapi import Request

from arrears.channels.base import Transport
from arrears.services.workspace.common import Blocked, WorkspaceError
from arrears.services.workspace.outbox import transports_from_settings
from arrears.settings import Settings
from arrears.web.errors import ApiError

_lock = threading.Lock()


def settings_of(request: Request) -> Settings:
    s: Settings = request.app.state.settings
    return s


def transports_of(request: Request) -> Mapping[str, Transport]:
    """The app's transports: `app.state.transports` when set (tests, deployments), else built from settings."""
    t = getattr(request.app.state, "transports", None)
    if t is None:
        with _lock:
            t = getattr(request.app.state, "transports", None)
            if t is None:
                t = transports_from_settings(settings_of(request))
                request.app.state.transports = t
    result: Mapping[str, Transport] = t
    return result


def api_error(e: WorkspaceError, lang: str) -> ApiError:
    fields: list[dict[str, str]] = []
    if e.field:
        fields.append({"field": f"body.{e.field}", "message": e.message(lang), "message_en": e.en})
    code = e.code if not isinstance(e, Blocked) else "blocked"
    if isinstance(e, Blocked):
        fields.append({"field": "rules", "message": ",".join(e.rules), "message_en": ",".join(e.rules)})
        reasons = e.detail.get("reasons") if isinstance(e.detail, dict) else None
        if isinstance(reasons, dict):
            for zh, en in zip(reasons.get("zh", []), reasons.get("en", []), strict=False):
                fields.append({"field": "reasons", "message": zh if lang != "en" else en, "message_en": en})
    return ApiError(e.status, f"work_{code}", message=e.message(lang), message_en=e.en, fields=fields)


def lang2(lang: str) -> str:
    return "en" if lang == "en" else "zh"


def jsonable(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from fastapi.encoders import jsonable_encoder

    out: list[dict[str, Any]] = jsonable_encoder(rows)
    return out

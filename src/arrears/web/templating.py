"""Jinja2 rendering. `render(request, "page.html", {...})` adds what every template needs:

- `t(key, **kw)`: the message in the request's language; `lang`; `other_lang`;
- `user` (or None), `csrf_token` (put it in every form as `<input type="hidden" name="csrf_token">`; HTMX
  sends it as the X-CSRF-Token header, set once on <body> in base.html);
- filters `money` (minor units -> "¥1,234.56"), `dt` (aware datetime -> local "YYYY-MM-DD HH:MM"), `d`.

Templates live in web/templates/ (the workspace's under web/templates/work/). Autoescaping is on.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from arrears.web.i18n import t

TEMPLATES_DIR = Path(__file__).parent / "templates"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def money(minor: int | None, currency: str = "CNY") -> str:
    if minor is None:
        return "—"
    sign = "-" if minor < 0 else ""
    symbol = {"CNY": "¥", "USD": "$", "GBP": "£"}.get(currency, currency + " ")
    whole, cents = divmod(abs(int(minor)), 100)
    return f"{sign}{symbol}{whole:,}.{cents:02d}"


def _tz(request: Request) -> ZoneInfo:
    return ZoneInfo(request.app.state.settings.timezone)


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    from arrears.web.deps import LANG_COOKIE, get_lang

    lang = get_lang(request)
    tz = _tz(request)

    def dt(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return "—" if value is None else value.astimezone(tz).strftime(fmt)

    def d(value: date | None) -> str:
        return "—" if value is None else value.isoformat()

    ctx: dict[str, Any] = {
        "t": lambda key, **kw: t(key, lang, **kw),
        "lang": lang,
        "other_lang": "en" if lang != "en" else "zh-CN",
        "user": getattr(request.state, "user", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "money": money,
        "dt": dt,
        "d": d,
    }
    ctx.update(context or {})
    response = templates.TemplateResponse(request, name, ctx, status_code=status_code, headers=headers)
    if request.query_params.get("lang") and request.cookies.get(LANG_COOKIE) != lang:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="lax",
                            secure=bool(request.app.state.secure_cookies))
    return response

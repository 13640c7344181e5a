"""Jinja2 rendering. `render(request, "page.html", {...})` adds what every template needs:

- `t(key, **kw)`: the message in the request's language; `lang`; `other_lang`;
- `user` (or None), `csrf_token` (put it in every form as `<input type="hidden" name="csrf_token">`; HTMX
  sends it as the X-CSRF-Token header, set once on <body> in base.html);
- filters `money` (minor units -> "¥1,234.56"), `dt` (aware datetime -> local "YYYY-MM-DD HH:MM"), `d`;
- `fragment("x.html", **args)`: a sub-template rendered once per distinct (args, language, time zone) and then
  reused (the worklist's rows): it sees only its arguments and `t`/`dt`/`money`/`d`, never the user or the CSRF
  token, so put nothing user- or session-specific into a fragment.

Templates live in web/templates/ (the workspace's under web/templates/work/). Autoescaping is on.
"""

from __future__ import annotations

import dataclasses
import json
import operator
import re
from collections.abc import Callable
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from types import FunctionType
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
import jinja2.runtime
from fastapi import Request
from markupsafe import Markup, escape
from starlette.responses import HTMLResponse, Response

from arrears.web.i18n import DEFAULT_LANG, LANGS, messages, translator

TEMPLATES_DIR = Path(__file__).parent / "templates"

# Static messages are folded into the templates when they are compiled: `t("key")` with a literal key and no
# arguments becomes the literal text of the language (one compiled template per language), so a page makes no
# call for its labels. `t` with arguments or a computed key stays a call. Output is the same: the literal is
# autoescaped like the call's result.
_STATIC_T = re.compile(r"""\bt\(\s*(["'])([A-Za-z0-9_.\-]+)\1\s*\)""")


class _TranslatingLoader(jinja2.FileSystemLoader):
    def __init__(self, searchpath: str, lang: str) -> None:
        super().__init__(searchpath)
        self.lang = lang

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        table = messages(self.lang)
        return (
            _STATIC_T.sub(lambda m: json.dumps(table.get(m.group(2), m.group(2))), source),
            filename,
            uptodate,
        )


# The helpers templates call many times per page (`money`, `d`, `dt`, `t`, `fragment`): plain functions that
# take no context. Jinja's generic call path looks for `pass_context` & co. on the callable at every call (about
# half of a loan section's render time went there); `_Context.call` calls these directly instead.
_PLAIN: set[Callable[..., Any]] = set()


def _plain(fn: Callable[..., Any]) -> Callable[..., Any]:
    _PLAIN.add(fn)
    return fn


class _Context(jinja2.runtime.Context):
    def call(self, obj: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        if type(obj) is FunctionType and obj in _PLAIN:
            if kwargs:  # what Jinja adds to calls inside loops and blocks, for context functions only
                kwargs.pop("_loop_vars", None)
                kwargs.pop("_block_vars", None)
            return obj(*args, **kwargs)
        return super().call(obj, *args, **kwargs)


def _environment(lang: str) -> jinja2.Environment:
    # One environment per language and process. Templates are compiled once and kept (`auto_reload=False`: no
    # stat() of every template and include on each render; a changed template needs a restart, as code does).
    environment = jinja2.Environment(
        loader=_TranslatingLoader(str(TEMPLATES_DIR), lang),
        autoescape=True,
        auto_reload=False,
        cache_size=-1,
    )
    environment.context_class = _Context
    _plain(translator(lang))
    return environment


_ENVS = {lang: _environment(lang) for lang in LANGS}
env = _ENVS[DEFAULT_LANG]


def template(name: str, lang: str) -> jinja2.Template:
    return _ENVS.get(lang, env).get_template(name)


_SYMBOLS = {"CNY": "¥", "USD": "$", "GBP": "£"}
_DASH = Markup("—")


@_plain
def money(minor: int | None, currency: str = "CNY") -> Markup:
    """`¥1,234.56` from minor units. Already escaped (a Markup): a customer view formats some hundred amounts, and
    the same ones recur (every instalment of a schedule), so each distinct one is formatted and escaped once."""
    if minor is None:
        return _DASH
    return _money(int(minor), currency)


@lru_cache(maxsize=8192)
def _money(minor: int, currency: str) -> Markup:
    sign = "-" if minor < 0 else ""
    symbol = _SYMBOLS.get(currency) or escape(currency) + " "  # an unknown code is shown as it is, escaped
    whole, cents = divmod(abs(minor), 100)
    return Markup(f"{sign}{symbol}{whole:,}.{cents:02d}")


@_plain
def d(value: date | None) -> Markup:
    """A date as YYYY-MM-DD, already escaped (a DPD history repeats the same few hundred dates)."""
    return _DASH if value is None else _iso_date(value)


@lru_cache(maxsize=8192)
def _iso_date(value: date) -> Markup:
    return Markup(value.isoformat())


@cache
def _dt_in(timezone: str) -> Callable[..., str]:
    """`dt(aware, fmt)` in the operation's time zone (one function per zone, made once)."""
    tz = ZoneInfo(timezone)

    def dt(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return "—" if value is None else value.astimezone(tz).strftime(fmt)

    _plain(dt)
    return dt


# Rendered fragments (one worklist row, ...) keyed by everything they are made from: the template, the language,
# the time zone and the fragment's own arguments, frozen into a key. A fragment sees ONLY its arguments and the
# pure helpers (t, dt, money, d), never the user, the session or the CSRF token, so equal keys give equal HTML.
# The HTML is kept as a plain str (the cyclic garbage collector tracks every Markup, a str subclass, and walks
# them all on each full collection) and wrapped in Markup again when it is used.
_FRAGMENTS: dict[tuple[object, ...], str] = {}
FRAGMENTS_MAX = 20_000


_SCALARS = (str, int, float, type(None), date, datetime)


_PLANS: dict[type, tuple[str, Callable[[Any], tuple[Any, ...]], tuple[int, ...]]] = {}


def _plan(cls: type, sample: Any) -> tuple[str, Callable[[Any], tuple[Any, ...]], tuple[int, ...]]:
    """How to key a dataclass fast: its name (a str, never the class itself: see `_freeze`), one C-level getter of
    its fields, and which fields held unhashable values (lists...) in the first instance seen; those are frozen,
    the rest kept. A later instance with an unhashable value elsewhere fails to hash, and the caller then freezes
    it whole."""
    found = _PLANS.get(cls)
    if found is None:
        names = [f.name for f in dataclasses.fields(cls)]
        get = operator.attrgetter(*names)
        getter: Callable[[Any], tuple[Any, ...]] = get if len(names) > 1 else (lambda obj: (get(obj),))
        mutable = tuple(i for i, v in enumerate(getter(sample)) if not isinstance(v, _SCALARS))
        found = _PLANS[cls] = (f"{cls.__module__}.{cls.__qualname__}", getter, mutable)
    return found


def _freeze(value: Any, *, fast: bool = True) -> Any:
    """A hashable key with the same content (lists and dicts become tuples, dataclasses their name and field
    values). Made of tuples, strings, numbers and dates only, never a class or another object the cyclic garbage
    collector tracks, so the collector untracks the keys as it passes over them (a level of nesting per pass): a
    cache of 20,000 loan sections keyed by class objects kept some 800,000 tuples tracked, and every full
    collection walked them all with the process's threads stopped."""
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, list | tuple):
        return tuple([_freeze(v, fast=fast) for v in value])
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v, fast=fast)) for k, v in value.items()))
    cls = type(value)
    if dataclasses.is_dataclass(cls):
        name, getter, mutable = _plan(cls, value)
        values = getter(value)
        if fast:
            if not mutable:
                return (name, values)
            parts = list(values)
            for i in mutable:
                parts[i] = _freeze(parts[i])
            return (name, tuple(parts))
        return (name, tuple(_freeze(v, fast=False) for v in values))
    hash(value)  # anything else must be hashable (and then is its own key)
    return value


@cache
def _fragment_fn(lang: str, timezone: str) -> Callable[..., Markup]:
    helpers = {"t": translator(lang), "dt": _dt_in(timezone), "money": money, "d": d, "lang": lang}

    def fragment(name: str, /, _key: tuple[object, ...] | None = None, **kw: Any) -> Markup:
        """`_key`: what the caller vouches the arguments are made from, used in place of the arguments that are
        not plain scalars (a worklist page's `key`: the rows its items were built from)."""
        key: tuple[object, ...]
        if _key is not None:
            key = (name, lang, timezone, _key, *[(k, v) for k, v in kw.items() if isinstance(v, _SCALARS)])
        else:
            key = (name, lang, timezone, *[(k, _freeze(v)) for k, v in kw.items()])
        try:
            html = _FRAGMENTS.get(key)
        except TypeError:  # an unhashable value where the fast key did not expect one
            key = (name, lang, timezone, *[(k, _freeze(v, fast=False)) for k, v in kw.items()])
            html = _FRAGMENTS.get(key)
        if html is None:
            html = template(name, lang).render({**helpers, **kw})
            if len(_FRAGMENTS) >= FRAGMENTS_MAX:
                _FRAGMENTS.clear()
            _FRAGMENTS[key] = html
        return Markup(html)

    _plain(fragment)
    return fragment


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
    tz = request.app.state.settings.timezone
    ctx: dict[str, Any] = {
        "request": request,
        "t": translator(lang),
        "lang": lang,
        "other_lang": "en" if lang != "en" else "zh-CN",
        "user": getattr(request.state, "user", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "money": money,
        "dt": _dt_in(tz),
        "d": d,
        "fragment": _fragment_fn(lang, tz),
    }
    ctx.update(context or {})
    html = template(name, lang).render(ctx)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    if request.query_params.get("lang") and request.cookies.get(LANG_COOKIE) != lang:
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=365 * 86400,
            httponly=True,
            samesite="lax",
            secure=bool(request.app.state.secure_cookies),
        )
    return response

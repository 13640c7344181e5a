"""A small message catalogue, zh-CN first with en. Messages live in YAML files under `web/messages/`: every
`*.yaml` file there is loaded and merged (a key defined twice is an error), so each feature keeps its own file
(`core.yaml` here, `work.yaml` for the workspace). Each entry:

    worklist.title:
      zh-CN: 今日工作清单
      en: Today's worklist

Values are `str.format` templates (`{name}`). `t(key, lang, **kw)`; a missing key renders as the key itself,
and `tests/web/test_i18n.py` fails when a template uses an unknown key or an entry lacks a language.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

LANGS = ("zh-CN", "en")
DEFAULT_LANG = "zh-CN"
MESSAGES_DIR = Path(__file__).parent / "messages"


@cache
def catalogue() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    origin: dict[str, str] = {}
    for path in sorted(MESSAGES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path}: the catalogue must be a mapping of key -> {{zh-CN, en}}")
        for key, entry in data.items():
            if key in merged:
                raise ValueError(f"{path}: message key {key!r} is already defined in {origin[key]}")
            if not isinstance(entry, dict) or not all(isinstance(entry.get(lang), str) for lang in LANGS):
                raise ValueError(f"{path}: message {key!r} needs text for both zh-CN and en")
            merged[str(key)] = {lang: str(entry[lang]) for lang in LANGS}
            origin[str(key)] = path.name
    return merged


def normalise_lang(value: str | None) -> str | None:
    """'en', 'en-US', 'EN' -> 'en'; 'zh', 'zh-CN', 'zh-Hans' -> 'zh-CN'; anything else -> None."""
    if not value:
        return None
    v = value.strip().lower()
    if v.startswith("en"):
        return "en"
    if v.startswith("zh"):
        return "zh-CN"
    return None


def from_accept_language(header: str | None) -> str | None:
    """The first supported language of an Accept-Language header, by quality."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        lang = normalise_lang(tag)
        if lang is not None and q > 0:
            ranked.append((-q, i, lang))
    return min(ranked)[2] if ranked else None


@cache
def messages(lang: str) -> dict[str, str]:
    """key -> text in one language (zh-CN where the language has none)."""
    return {key: entry.get(lang) or entry[DEFAULT_LANG] for key, entry in catalogue().items()}


@cache
def translator(lang: str) -> Callable[..., str]:
    """`t(key, **kw)` bound to one language (made once per language): what templates call."""
    table = messages(lang)

    def tr(key: str, /, **kw: Any) -> str:
        text = table.get(key)
        if text is None:
            return key
        return text.format(**kw) if kw else text

    return tr


def t(key: str, lang: str = DEFAULT_LANG, /, **kw: Any) -> str:
    entry = catalogue().get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry[DEFAULT_LANG]
    return text.format(**kw) if kw else text


def both(key: str, /, **kw: Any) -> tuple[str, str]:
    """(zh-CN, en) of one message."""
    return t(key, "zh-CN", **kw), t(key, "en", **kw)

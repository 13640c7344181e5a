"""Normalisation that sees through evasions, with an offset map back into the original text.

Three views of one text, each character mapped to an index in the ORIGINAL text:

- `flat`: NFKC (full-width -> half-width), lower case, traditional -> simplified (OpenCC t2s), emoji
  replaced by the word they stand for. Spaces and punctuation kept (used for clause and word boundaries).
- `compact`: `flat` with everything but letters and digits removed ("轰 炸-通.讯录" -> "轰炸通讯录").
- `pinyin`: `compact` with each Chinese character spelled in toneless pinyin ("通迅录" -> "tongxunlu"), so
  homophones, typed-out pinyin ("tong xun lu") and mixtures ("bao你通讯录") meet the same lexicon entry.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

import numpy as np
import opencc

# Emoji and symbols collectors use in place of words. Keys are single code points (variation selectors
# are dropped by the compact view anyway).
EMOJI_WORDS: dict[str, str] = {
    "💣": "炸",
    "🧨": "炸",
    "💥": "炸",
    "🔪": "刀",
    "🗡": "刀",
    "💀": "死",
    "☠": "死",
    "⚰": "死",
    "🔥": "火",
    "👮": "警察",
    "🚓": "警车",
    "🚔": "警车",
    "⚖": "法院",
    "📱": "手机",
    "📞": "电话",
    "☎": "电话",
    "📒": "通讯录",
    "📇": "通讯录",
    "🐶": "狗",
    "🐕": "狗",
    "🐷": "猪",
    "🖕": "操",
}

_CLAUSE_RE = re.compile(r"[。！？；!?;\n\r…~]")
_SOFT_RE = re.compile(r"[。！？；!?;\n\r…~，,、：:]")
_EMOJI_RE = re.compile("[" + "".join(EMOJI_WORDS) + "]")
_EMOJI_TABLE = {ord(k): v for k, v in EMOJI_WORDS.items()}
_KEEP = re.compile(r"[^\W_]", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff]")

_t2s = opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def pinyin_table() -> dict[int, str]:
    """Code point -> toneless pinyin (first reading) for every Chinese character pypinyin knows.

    A `str.translate` table: the whole pinyin view is built in C."""
    from pypinyin.pinyin_dict import pinyin_dict

    table: dict[int, str] = {}
    for cp, readings in pinyin_dict.items():
        first = readings.split(",")[0]
        plain = "".join(c for c in unicodedata.normalize("NFKD", first) if not unicodedata.combining(c))
        if plain and 0x3400 <= cp <= 0x9FFF:
            table[cp] = plain.lower()
    return table


def _pinyin_of(ch: str) -> str:
    return pinyin_table().get(ord(ch), ch)


@dataclass(frozen=True, slots=True)
class View:
    """A derived string and, for each of its characters, the index of the original character it came from."""

    text: str
    origin: tuple[int, ...]


class PinyinView:
    """Pinyin of the compact text: each Chinese character spelled, everything else kept ("bao你" -> "baoni")."""

    __slots__ = ("_bounds", "compact", "text")

    def __init__(self, text: str, compact: str) -> None:
        self.text = text
        self.compact = compact
        self._bounds: list[int] | None = None

    def boundaries(self) -> list[int]:
        """Pinyin position of each character boundary (built once, on the first match; `map` over a
        char -> spelling dict, so no Python-level loop): element i is where compact character i starts."""
        if self._bounds is None:
            spell = _pinyin_by_char()
            self._bounds = list(accumulate(map(len, map(spell.get, self.compact, self.compact)), initial=0))
        return self._bounds

    def to_compact(self, start: int, end: int) -> tuple[int, int] | None:
        """[start, end) in the pinyin text -> compact [start, end), or None if either edge splits a character."""
        b = self.boundaries()
        cs, ce = bisect_left(b, start), bisect_left(b, end)
        if ce >= len(b) or b[cs] != start or b[ce] != end or ce <= cs:
            return None
        return cs, ce


@lru_cache(maxsize=1)
def _pinyin_by_char() -> dict[str, str]:
    """Character -> its spelling in the pinyin view (characters not in it spell themselves)."""
    return {chr(cp): spelled for cp, spelled in pinyin_table().items()}


@dataclass(frozen=True, slots=True)
class Normalised:
    original: str
    flat: View
    compact: View
    compact_to_flat: tuple[int, ...]

    def span(self, view: View, start: int, end: int) -> tuple[int, int]:
        """[start, end) in `view` -> [start, end) in the original text."""
        return view.origin[start], view.origin[end - 1] + 1

    def pinyin(self) -> PinyinView:
        return pinyin_view(self.compact.text)

    def clause_of(self, soft: bool = False) -> Callable[[int], int]:
        """compact index -> clause number. A clause ends at sentence punctuation (and commas if `soft`)."""
        brk = _SOFT_RE if soft else _CLAUSE_RE
        marks = [m.start() for m in brk.finditer(self.flat.text)]
        c2f = self.compact_to_flat
        return lambda i: bisect_right(marks, c2f[i])


def _flat(text: str) -> View:
    # Fast path: the whole string keeps its length through each step, so positions map 1:1.
    s = text.translate(_EMOJI_TABLE) if _EMOJI_RE.search(text) else text
    if len(s) == len(text):
        n = unicodedata.normalize("NFKC", s).lower()
        if len(n) == len(text):
            t = _t2s.convert(n)
            if len(t) == len(text):
                return View(t, _identity(len(text)))
    chars: list[str] = []
    origin: list[int] = []
    for i, c in enumerate(text):
        rep = EMOJI_WORDS.get(c, c)
        rep = unicodedata.normalize("NFKC", rep).lower()
        rep = _t2s.convert(rep) if _CJK.search(rep) else rep
        for r in rep:
            chars.append(r)
            origin.append(i)
    return View("".join(chars), tuple(origin))


@lru_cache(maxsize=64)
def _identity(n: int) -> tuple[int, ...]:
    return tuple(range(n))


def _keep_table() -> np.ndarray:
    """For each BMP code point: is it a letter or digit (kept in the compact view)?"""
    return np.array([bool(_KEEP.match(chr(i))) for i in range(0x10000)], dtype=bool)


_KEEP_LUT = _keep_table()


def normalise(text: str) -> Normalised:
    flat = _flat(text)
    cps = np.frombuffer(flat.text.encode("utf-32-le"), dtype=np.uint32)
    keep_mask = _KEEP_LUT[np.minimum(cps, 0xFFFF)] & (cps <= 0xFFFF)
    keep_arr = np.flatnonzero(keep_mask)
    compact_text = cps[keep_arr].tobytes().decode("utf-32-le")
    keep = tuple(keep_arr.tolist())
    fo = flat.origin
    origin = keep if fo is _identity(len(fo)) else tuple([fo[i] for i in keep])
    return Normalised(text, flat, View(compact_text, origin), keep)


def compact_string(text: str) -> str:
    """Just the compact text (no offsets): the model's input. Same result as `normalise(text).compact.text`."""
    return normalise(text).compact.text


def pinyin_view(compact: str) -> PinyinView:
    """The pinyin text, built in C by `str.translate`; offsets are worked out only for a match."""
    return PinyinView(compact.translate(pinyin_table()), compact)


def spell_pinyin(term: str, sep: str = "") -> str:
    """A lexicon term spelled as the pinyin view would spell it ("通讯录" -> "tongxunlu")."""
    return "".join(_pinyin_of(c) + sep for c in term)


def is_cjk(ch: str) -> bool:
    return bool(_CJK.match(ch))

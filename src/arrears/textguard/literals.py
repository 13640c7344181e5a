"""Required literals of a regular expression: a cheap `in` test that rules out most texts before the regex runs.

`required_literals(pattern)` returns a set of strings such that every match of the pattern contains at least one
of them, or None when no such set is found (then the regex always runs). Only the top level of the pattern is
inspected: a mandatory literal character or run of them, a character class of literals, or a mandatory group whose
branches are all plain literal strings ("(小时|钟头|分钟)", "[$£€]"). The smallest such set wins (fewest alternatives, then
the longest shortest alternative).
"""

from __future__ import annotations

import importlib
from typing import Any

# The stdlib regex parser (`re._parser`, Python 3.11+; `sre_parse` before). Private but stable in practice; if it
# ever fails, `required_literals` returns None and every regex simply runs (slower, same results).
try:
    _p: Any = importlib.import_module("re._parser")
    _c: Any = importlib.import_module("re._constants")
except ImportError:  # pragma: no cover - Python < 3.11
    _p = importlib.import_module("sre_parse")
    _c = importlib.import_module("sre_constants")

_MAX_ALTERNATIVES = 16


def _literal_string(items: list[tuple[Any, Any]]) -> str | None:
    out: list[str] = []
    for op, av in items:
        if op is not _c.LITERAL:
            return None
        out.append(chr(int(av)))
    return "".join(out) or None


def _alternatives(op: Any, av: Any) -> set[str] | None:
    if op is _c.LITERAL:
        return {chr(int(av))}
    if op is _c.IN:
        chars: set[str] = set()
        for iop, iav in av:
            if iop is not _c.LITERAL:
                return None
            chars.add(chr(int(iav)))
        return chars or None
    if op is _c.SUBPATTERN:
        body = list(av[-1])
        if len(body) == 1 and body[0][0] is _c.BRANCH:
            strings: set[str] = set()
            for branch in body[0][1][1]:
                s = _literal_string(list(branch))
                if s is None:
                    return None
                strings.add(s)
            return strings
        s = _literal_string(body)
        return {s} if s else None
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        lo, _hi, sub = av
        items = list(sub)
        if lo >= 1 and len(items) == 1:
            return _alternatives(*items[0])
    return None


def required_literals(pattern: str) -> frozenset[str] | None:
    try:
        parsed = _p.parse(pattern)
    except Exception:  # an unparsable pattern simply gets no prefilter
        return None
    best: set[str] | None = None
    candidates: list[set[str] | None] = []
    run: list[str] = []
    for op, av in [*parsed, (None, None)]:
        if op is _c.LITERAL:  # consecutive mandatory characters: one longer literal ("today", "还剩")
            run.append(chr(int(av)))
            continue
        if run:
            candidates.append({"".join(run)})
        run = []
        if op is not None:
            candidates.append(_alternatives(op, av))
    for alts in candidates:
        if not alts or len(alts) > _MAX_ALTERNATIVES:
            continue
        key = (len(alts), -min(len(a) for a in alts))
        if best is None or key < (len(best), -min(len(a) for a in best)):
            best = alts
    return frozenset(best) if best else None

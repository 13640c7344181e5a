"""Lexicon rules as data: load the YAML files in `lexicon/`, check them, expand evasion variants.

A rule either lists terms that match alone (`any`) or groups of terms that must all occur near each other
(`near`, with `window`). Loading fails with the file, rule id and field named when a rule is malformed.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from arrears.domain.content import Claim, ContentCategory
from arrears.textguard.normalise import is_cjk, normalise, spell_pinyin

LEXICON_FILES = ("zh.yaml", "en.yaml")


class LexiconError(ValueError):
    """A lexicon file is malformed. The message names the file, the rule and the field."""


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    lang: str
    category: ContentCategory | None
    claim: Claim | None
    groups: tuple[tuple[str, ...], ...]  # one group for `any`, several for `near`
    near: bool
    window: int
    negatable: bool
    homophones: bool
    confidence: float


@dataclass(frozen=True, slots=True)
class Negation:
    cues: tuple[str, ...]
    anti_cues: tuple[str, ...]
    breakers: tuple[str, ...]
    max_gap_zh: int
    max_gap_en: int


@dataclass(frozen=True, slots=True)
class Lexicon:
    rules: tuple[Rule, ...]
    negation: Negation
    version: str


def _dir() -> Path:
    return Path(str(resources.files("arrears.textguard") / "lexicon"))


def _err(path: Path, rule: str, field: str, msg: str) -> LexiconError:
    return LexiconError(f"{path.name}: rule {rule!r}, field {field!r}: {msg}")


def _terms(path: Path, rid: str, field: str, raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw:
        raise _err(path, rid, field, "must be a non-empty list of terms")
    out: list[str] = []
    for t in raw:
        if not isinstance(t, str | int) or not str(t).strip():
            raise _err(path, rid, field, f"term {t!r} is not a non-empty string")
        term = str(t)
        if term.startswith("re:"):
            try:
                re.compile(term[3:])
            except re.error as exc:
                raise _err(path, rid, field, f"bad regular expression {term!r}: {exc}") from exc
            out.append(term)
        else:
            out.append(term)
    return tuple(out)


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LexiconError(f"{path.name}: cannot read: {exc}") from exc


def _load_rules(path: Path) -> tuple[list[Rule], str]:
    doc = _read(path)
    if not isinstance(doc, dict) or "rules" not in doc:
        raise LexiconError(f"{path.name}: top level must be a mapping with 'rules'")
    lang = str(doc.get("lang", ""))
    if lang not in ("zh", "en"):
        raise LexiconError(f"{path.name}: field 'lang' must be zh or en")
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, r in enumerate(doc["rules"]):
        rid = str(r.get("id", f"#{i}")) if isinstance(r, dict) else f"#{i}"
        if not isinstance(r, dict):
            raise _err(path, rid, "rule", "must be a mapping")
        if rid in seen:
            raise _err(path, rid, "id", "duplicate rule id")
        seen.add(rid)
        unknown = set(r) - {"id", "category", "claim", "any", "near", "window", "negatable", "homophones", "confidence"}
        if unknown:
            raise _err(path, rid, sorted(unknown)[0], "unknown field")
        try:
            category = ContentCategory(r["category"]) if r.get("category") else None
        except ValueError as exc:
            raise _err(path, rid, "category", f"unknown category {r['category']!r}") from exc
        try:
            claim = Claim(r["claim"]) if r.get("claim") else None
        except ValueError as exc:
            raise _err(path, rid, "claim", f"unknown claim {r['claim']!r}") from exc
        if category is None and claim is None:
            raise _err(path, rid, "category", "a rule needs a category or a claim")
        if ("any" in r) == ("near" in r):
            raise _err(path, rid, "any", "give exactly one of 'any' or 'near'")
        if "any" in r:
            groups: tuple[tuple[str, ...], ...] = (_terms(path, rid, "any", r["any"]),)
        else:
            if not isinstance(r["near"], list) or len(r["near"]) < 2:
                raise _err(path, rid, "near", "must list at least two groups of terms")
            groups = tuple(_terms(path, rid, f"near[{g}]", grp) for g, grp in enumerate(r["near"]))
        window = r.get("window", 0)
        if "near" in r and (not isinstance(window, int) or window <= 0):
            raise _err(path, rid, "window", "a 'near' rule needs a positive integer window")
        rules.append(
            Rule(
                id=rid,
                lang=lang,
                category=category,
                claim=claim,
                groups=groups,
                near="near" in r,
                window=int(window),
                negatable=bool(r.get("negatable", True)),
                homophones=bool(r.get("homophones", False)),
                confidence=float(r.get("confidence", 0.97)),
            )
        )
    return rules, str(doc.get("version", "1"))


def _load_negation(path: Path) -> Negation:
    doc = _read(path)
    gap = doc.get("max_gap", {})
    return Negation(
        cues=_terms(path, "negation", "cues", doc.get("cues")),
        anti_cues=_terms(path, "negation", "anti_cues", doc.get("anti_cues")),
        breakers=_terms(path, "negation", "breakers", doc.get("breakers")),
        max_gap_zh=int(gap.get("zh", 8)),
        max_gap_en=int(gap.get("en", 24)),
    )


def load_lexicon(directory: Path | None = None) -> Lexicon:
    d = directory or _dir()
    rules: list[Rule] = []
    versions: list[str] = []
    for name in LEXICON_FILES:
        rs, v = _load_rules(d / name)
        rules.extend(rs)
        versions.append(f"{name}:{v}")
    return Lexicon(tuple(rules), _load_negation(d / "negation.yaml"), ",".join(versions))


# ---------------------------------------------------------------- variants


def compact_term(term: str) -> str:
    """A term as it appears in the compact view (normalised, no spaces or punctuation)."""
    return normalise(term.rstrip("*")).compact.text


# Characters too common to anchor a variant alone: "抓你" must not become "z你".
_COMMON = frozenset("你我他她它的了们是不就在有给把被让会要还也都和与这那个一上下来去说对")


def initial_variants(term: str, *, all_initials: bool = False) -> set[str]:
    """Pinyin-initial spellings of a Chinese term: 轰炸 -> 轰z, hz炸; 通讯录 -> txl, t讯录, ...

    Each position keeps the character or takes its initial. A variant must keep at least one character;
    with `all_initials`, terms of three or more characters also get their all-initials form ("txl").
    """
    if len(term) < 2 or not all(is_cjk(c) for c in term):
        return set()
    options = [(c, spell_pinyin(c, sep="")[:1]) for c in term]
    out: set[str] = set()
    for combo in itertools.product(*options):
        s = "".join(combo)
        n_initials = sum(1 for a, b in zip(combo, term, strict=True) if a != b)
        if n_initials == 0:
            continue
        if n_initials == len(term) and (len(term) < 3 or not all_initials):
            continue
        kept = [a for a, b in zip(combo, term, strict=True) if a == b]
        if kept and all(k in _COMMON for k in kept) and n_initials < 3:
            continue
        out.add(s)
    return out


def pinyin_spelling(term: str) -> str | None:
    """The pinyin spelling of an all-Chinese term ("tongxunlu"), or None."""
    if not term or not all(is_cjk(c) for c in term):
        return None
    return spell_pinyin(term, sep="")

"""Multi-pattern matching of the lexicon over the normalised views (Aho-Corasick), with negation handling.

One automaton holds every term of the compact view (plus pinyin-initial variants and the negation cues);
a second holds the pinyin spellings for homophone matching. A match yields a `RuleHit` whose span points
into the ORIGINAL text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import NamedTuple

import ahocorasick

from arrears.textguard.lexicon import Lexicon, Rule, compact_term, initial_variants, pinyin_spelling
from arrears.textguard.literals import required_literals
from arrears.textguard.normalise import Normalised, PinyinView, spell_pinyin

_CUE, _ANTI, _BREAK = -1, -2, -3


class RuleHit(NamedTuple):
    """One lexicon rule's match (a named tuple: the guard makes several per text, and a tuple is built in C)."""

    rule: Rule
    start: int  # original text offsets
    end: int
    evidence: str
    negated: bool


@dataclass(frozen=True, slots=True)
class _Entry:
    rule: int  # index into rules, or _CUE/_ANTI/_BREAK
    group: int
    prefix: bool  # Latin term ending in "*": no right word boundary needed
    latin_left: bool
    latin_right: bool


def _is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


class Matcher:
    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.rules = lexicon.rules
        self._compact = ahocorasick.Automaton()
        self._pinyin = ahocorasick.Automaton()
        # regex terms, each with the literals one of which every match contains (None: always run)
        self._regex: list[tuple[re.Pattern[str], frozenset[str] | None, int, int]] = []
        table: dict[str, list[_Entry]] = defaultdict(list)
        ptable: dict[str, list[_Entry]] = defaultdict(list)
        for ri, rule in enumerate(self.rules):
            for gi, group in enumerate(rule.groups):
                for raw in group:
                    if raw.startswith("re:"):
                        self._regex.append((re.compile(raw[3:]), required_literals(raw[3:]), ri, gi))
                        continue
                    self._add(table, ptable, raw, ri, gi, rule.homophones, variants=rule.category is not None)
        neg = lexicon.negation
        for kind, terms in ((_CUE, neg.cues), (_ANTI, neg.anti_cues), (_BREAK, neg.breakers)):
            for raw in terms:
                if not raw.startswith("re:"):
                    self._add(table, ptable, raw, kind, 0, False, variants=False)
        for key, entries in table.items():
            self._compact.add_word(key, _value(key, entries))
        merged: dict[str, tuple[set[str], list[_Entry]]] = {}
        for key, entries in ptable.items():
            py, term = key.split("/")
            term_set, all_entries = merged.setdefault(py, (set(), []))
            term_set.add(term)
            all_entries.extend(entries)
        for py, (term_set, p_entries) in merged.items():
            length, _, _, pairs = _value(py, p_entries, latin=False)
            self._pinyin.add_word(py, (length, tuple(sorted(term_set)), False, pairs))
        self._compact.make_automaton()
        # the regex prefilter: one automaton over every regex's required literals finds which regexes can match
        self._always: tuple[int, ...] = tuple(i for i, r in enumerate(self._regex) if r[1] is None)
        self._literals = ahocorasick.Automaton()
        by_lit: dict[str, list[int]] = defaultdict(list)
        for i, (_, lits, _, _) in enumerate(self._regex):
            for lit in lits or ():
                by_lit[lit].append(i)
        for lit, idx in by_lit.items():
            self._literals.add_word(lit, tuple(idx))
        self._has_literals = bool(by_lit)
        if self._has_literals:
            self._literals.make_automaton()
        # groups a rule needs before it can match: all of them for `near`, one for `any`
        self._n_groups = tuple(len(r.groups) if r.near else 1 for r in self.rules)
        self._has_pinyin = len(ptable) > 0
        if self._has_pinyin:
            self._pinyin.make_automaton()

    @staticmethod
    def _add(
        table: dict[str, list[_Entry]],
        ptable: dict[str, list[_Entry]],
        raw: str,
        ri: int,
        gi: int,
        homophones: bool,
        *,
        variants: bool = True,
    ) -> None:
        prefix = raw.endswith("*")
        key = compact_term(raw)
        if not key:
            return
        entry = _Entry(ri, gi, prefix, _is_latin(key[0]), _is_latin(key[-1]) and not prefix)
        table[key].append(entry)
        if not variants:
            return
        if len(key) <= 5:
            for v in initial_variants(key, all_initials=homophones):
                table[v].append(_Entry(ri, gi, False, _is_latin(v[0]), _is_latin(v[-1])))
        py = pinyin_spelling(key)
        if py and (len(key) >= 3 or (homophones and len(key) >= 2)):
            ptable[py + "/" + key].append(_Entry(ri, gi, False, False, False))

    # ------------------------------------------------------------------ matching

    def _raw_hits(self, norm: Normalised) -> list[tuple[int, int, tuple[tuple[int, int], ...]]]:
        """(start, end, ((rule, group), ...)) in compact coordinates."""
        text = norm.compact.text
        hits: list[tuple[int, int, tuple[tuple[int, int], ...]]] = []
        flat = norm.flat.text
        c2f = norm.compact_to_flat
        n_flat = len(flat)
        for end_idx, (length, left, right, pairs) in self._compact.iter(text):
            start = end_idx - length + 1
            # a Latin-edged match must not continue a longer Latin word in the flat text (`_edges_ok`, inlined)
            if left:
                fs = c2f[start]
                if fs > 0 and flat[fs - 1].isascii() and flat[fs - 1].isalpha():
                    continue
            if right:
                fe = c2f[end_idx] + 1
                if fe < n_flat and flat[fe].isascii() and flat[fe].isalpha():
                    continue
            hits.append((start, end_idx + 1, pairs))
        if self._has_pinyin:
            pv = norm.pinyin()
            for end_idx, (length, terms, _, pairs) in self._pinyin.iter(pv.text):
                # written out plainly: the compact view has it already
                if (terms[0] in text) if len(terms) == 1 else any(t in text for t in terms):
                    continue
                p0 = end_idx - length + 1
                span = pv.to_compact(p0, end_idx + 1)
                # each Chinese character of the match spells exactly one syllable of the term: "lianle" typed
                # out or 立案了 / 力按了 meet 立案了, but 脸了 (lian|le) does not
                if (span is None or not any(_syllables_align(pv, span, p0, t) for t in terms)
                        or not _pinyin_edges_ok(norm, span)):
                    continue
                hits.append((span[0], span[1], pairs))
        run = set(self._always)
        if self._has_literals:
            for _, idx in self._literals.iter(text):
                run.update(idx)
        regex = self._regex
        for i in sorted(run) if len(run) > 1 else run:
            pattern, _, ri, gi = regex[i]
            for m in pattern.finditer(text):
                if m.end() > m.start():
                    hits.append((m.start(), m.end(), ((ri, gi),)))
        return hits

    def match(self, norm: Normalised) -> list[RuleHit]:
        raw = self._raw_hits(norm)
        if not raw:
            return []
        # rule -> group -> spans, in one pass (the cue, anti-cue and break markers are rules of their own)
        by_rule: dict[int, dict[int, list[tuple[int, int]]]] = {}
        for s, e, pairs in raw:
            span = (s, e)
            for ri, gi in pairs:
                groups = by_rule.get(ri)
                if groups is None:
                    by_rule[ri] = {gi: [span]}
                else:
                    lst = groups.get(gi)
                    if lst is None:
                        groups[gi] = [span]
                    else:
                        lst.append(span)
        cues = by_rule.pop(_CUE, _NO_GROUPS).get(0, [])
        antis = by_rule.pop(_ANTI, _NO_GROUPS).get(0, [])
        breaks = by_rule.pop(_BREAK, _NO_GROUPS).get(0, [])
        # a `near` rule needs a hit in every group; drop the others before any clause work
        rules = self.rules
        n_groups = self._n_groups
        by_rule = {ri: g for ri, g in by_rule.items() if len(g) == n_groups[ri]}
        if not by_rule:
            return []
        if antis:
            cues = [c for c in cues if not any(a[0] <= c[0] and c[1] <= a[1] for a in antis)]
        clauses = norm.clause_of() if any(rules[r].near for r in by_rule) else _none
        soft = norm.clause_of(soft=True) if cues else _none
        out: list[RuleHit] = []
        original = norm.original
        origin = norm.compact.origin
        quoted = _quoted_mentions(norm)
        for ri, groups in by_rule.items():
            rule = rules[ri]
            if rule.near:
                spans = self._rule_spans(rule, groups, clauses)
            else:
                g0 = groups[0]
                spans = g0 if len(g0) == 1 else _dedupe(g0)
            if rule.category is None:  # a claim is made once: report its first mention
                spans = spans[:1]
            for s, e in spans:
                negated = rule.negatable and (
                    (bool(cues) and self._negated(norm, rule, s, cues, breaks, soft))
                    or (bool(quoted) and _inside(quoted, norm.compact_to_flat[s], norm.compact_to_flat[e - 1]))
                )
                os_, oe = origin[s], origin[e - 1] + 1
                out.append(RuleHit(rule, os_, oe, original[os_:oe], negated))
        return out

    @staticmethod
    def _rule_spans(
        rule: Rule, groups: dict[int, list[tuple[int, int]]], clauses: Callable[[int], int]
    ) -> list[tuple[int, int]]:
        if not rule.near:
            g0 = groups.get(0, [])
            return g0 if len(g0) == 1 else _dedupe(g0)
        if len(groups) < len(rule.groups):
            return []
        window = rule.window
        # each other group's hits that lie within one clause, with that clause (worked out once per hit)
        others: list[list[tuple[int, int, int]]] = []
        for gi in range(1, len(rule.groups)):
            within: list[tuple[int, int, int]] = []
            for hs, he in groups[gi]:
                c = clauses(hs)
                if clauses(he - 1) == c:
                    within.append((hs, he, c))
            others.append(within)
        found: list[tuple[int, int]] = []
        for a0, a1 in sorted(set(groups[0])):
            lo, hi = a0, a1
            ca = clauses(a0)
            for within in others:
                best: tuple[int, int] | None = None
                best_w = window + 1
                for hs, he, c in within:
                    if c != ca or abs(hs - a0) > window:
                        continue
                    w = (hi if hi > he else he) - (lo if lo < hs else hs)
                    if w <= window and w < best_w and not (hs < a1 and a0 < he):
                        best, best_w = (hs, he), w
                if best is None:
                    break
                lo, hi = min(lo, best[0]), max(hi, best[1])
            else:
                found.append((lo, hi))
        return _dedupe(found)

    def _negated(
        self,
        norm: Normalised,
        rule: Rule,
        start: int,
        cues: list[tuple[int, int]],
        breaks: list[tuple[int, int]],
        soft: Callable[[int], int],
    ) -> bool:
        gap_limit = self.lexicon.negation.max_gap_en if rule.lang == "en" else self.lexicon.negation.max_gap_zh
        for cs, ce in cues:
            if ce > start or start - ce > gap_limit:
                continue
            if soft(cs) != soft(start):
                continue
            if any(ce <= bs and be <= start for bs, be in breaks):
                continue
            return True
        return False


def _value(key: str, entries: list[_Entry], latin: bool = True) -> tuple[int, bool, bool, tuple[tuple[int, int], ...]]:
    """Automaton payload: (length, check left edge, check right edge, ((rule, group), ...))."""
    left = latin and _is_latin(key[0])
    right = latin and _is_latin(key[-1]) and not any(e.prefix for e in entries)
    pairs = tuple(dict.fromkeys((e.rule, e.group) for e in entries))
    return len(key), left, right, pairs


def _edges_ok(norm: Normalised, start: int, end: int, left: bool, right: bool) -> bool:
    """A Latin-edged match must not continue a longer Latin word in the flat text ("txl" in "bytxlz")."""
    flat = norm.flat.text
    if left:
        fs = norm.compact_to_flat[start]
        if fs > 0 and _is_latin(flat[fs - 1]):
            return False
    if right:
        fe = norm.compact_to_flat[end - 1]
        if fe + 1 < len(flat) and _is_latin(flat[fe + 1]):
            return False
    return True


@lru_cache(maxsize=4096)
def _syllable_bounds(term: str) -> frozenset[int]:
    """Offsets in the term's pinyin spelling where a syllable starts or ends."""
    return frozenset(accumulate((len(spell_pinyin(c)) for c in term), initial=0))


def _syllables_align(pv: PinyinView, span: tuple[int, int], p0: int, term: str) -> bool:
    """Every Chinese character in the compact span covers exactly one syllable of the term (typed Latin letters
    may fall anywhere); an all-Latin match (typed pinyin) needs a term of three or more characters."""
    if span[1] - span[0] == len(term):
        return True  # one character per syllable: homophones (the common case)
    bounds = _syllable_bounds(term)
    b = pv.boundaries()
    cjk = 0
    for i in range(span[0], span[1]):
        if _is_latin(pv.compact[i]) or pv.compact[i].isdigit():
            continue
        cjk += 1
        s, e = b[i] - p0, b[i + 1] - p0
        if s not in bounds or e not in bounds or any(s < k < e for k in bounds):
            return False
    return cjk > 0 or len(term) >= 3


def _pinyin_edges_ok(norm: Normalised, span: tuple[int, int]) -> bool:
    """Typed pinyin must not be part of a longer Latin word ("xtongxunlu")."""
    text = norm.compact.text
    left = text[span[0]]
    right = text[span[1] - 1]
    return _edges_ok(norm, span[0], span[1], _is_latin(left), _is_latin(right))


_QUOTES = re.compile(r"“[^”]{1,60}”|「[^」]{1,60}」|\"[^\"]{1,80}\"|‘[^’]{1,60}’")
_OPENING_QUOTES = ("“", "「", '"', "‘")
_META = re.compile(
    r"说法|瞎说|吓唬|不会的|违规|违反|禁止|不得|投诉|举报|培训|案例|示例|不成立|没有依据|并无依据|谣言|从不|不是我司|"
    r"冒充|报警|严禁|禁用|错误示范|引以为戒|不要说|不能说|banned|training|complaint|reported|not true|myth|never|"
    r"illegal|not allowed|prohibited|must not|do not say|don't say|never say|what not to|breach|automatic fail|"
    r"coaching"
)


def _quoted_mentions(norm: Normalised) -> list[tuple[int, int]]:
    """Quotation-marked stretches of a text that talks ABOUT such phrases (training notes, complaint
    replies, myth-busting): a hit inside one is a mention, not a use."""
    flat = norm.flat.text
    if not any(q in flat for q in _OPENING_QUOTES) or not _META.search(flat):
        return []
    return [(m.start(), m.end()) for m in _QUOTES.finditer(flat)]


def unquoted_compact(norm: Normalised) -> str:
    """The compact text without its quoted mentions: what the models read. In a text that talks ABOUT banned
    phrases (a QA note, a training sheet, a complaint reply) the quoted words are not the sender's own, so
    they must not make the text look like a threat; elsewhere this is just the compact text."""
    quoted = _quoted_mentions(norm)
    text = norm.compact.text
    if not quoted:
        return text
    c2f = norm.compact_to_flat
    return "".join(ch for i, ch in enumerate(text) if not _inside(quoted, c2f[i], c2f[i]))


def _inside(regions: list[tuple[int, int]], fs: int, fe: int) -> bool:
    return any(a <= fs and fe < b for a, b in regions)


_NO_GROUPS: dict[int, list[tuple[int, int]]] = {}


def _none(_: int) -> int:
    return 0


def _longest_first(span: tuple[int, int]) -> tuple[int, int]:
    return span[0], span[0] - span[1]


def _dedupe(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Drop repeats and spans contained in another span of the same rule; in (start, longest first) order."""
    out: list[tuple[int, int]] = []
    for s in sorted(spans, key=_longest_first):
        if out and out[-1][0] <= s[0] and s[1] <= out[-1][1]:
            continue
        out.append(s)
    return out

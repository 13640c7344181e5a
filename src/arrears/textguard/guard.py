"""The guard: lexicon rules + collection model + COLD insult model -> a `ContentReport` with spans and claims.

Decision per category (see README.md):
- a non-negated lexicon hit counts unless the collection model is confident the whole text is compliant
  (p(violation) < `veto`): that lets the model overrule a rule on training notes, complaints and quotations;
- the collection model alone counts when p(category) and p(violation) both pass their thresholds;
- the COLD model adds `insult_abuse` only when it is very sure and the collection model does not veto;
- case facts turn claims into violations: a "已起诉" claim when `litigation_filed` is false, a court order
  claim when `judgment` is false; to a third party, any debt fact or payment demand is a disclosure.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import yaml

from arrears.domain.content import Claim, ContentCategory, ContentFinding, ContentReport, Span
from arrears.textguard.explain import top_spans
from arrears.textguard.features import featurize, featurize_ranges
from arrears.textguard.lexicon import load_lexicon
from arrears.textguard.matcher import Matcher, RuleHit, unquoted_compact
from arrears.textguard.model import LinearModel
from arrears.textguard.normalise import Normalised, compact_string, normalise
from arrears.textguard.transcript import Turn, collector_view, looks_like_transcript

_CATS = tuple(ContentCategory)
_SENTENCE_END = "。!?！？;；\n"
_CJK = re.compile(r"[\u3400-\u9fff]")
# people other than the debtor (for a model-only disclosure finding on a text sent to the debtor), looked for in
# the flat view, which `normalise` has lower-cased: two patterns, because one alternation of both with
# IGNORECASE cost ~15 us on a 100-character text and these two cost ~3
_THIRD_PARTY_ZH = re.compile(
    r"家人|家里|家属|你家|全家|家族|老家|父|母|爸|妈|爹|娘|老婆|老公|媳妇|丈夫|妻子|爱人|对象|朋友|好友|同事|领导|老板|上司|"
    r"单位|人事|主管|亲戚|亲人|亲友|亲属|舅|姨|姑|叔|哥|姐|弟|妹|儿子|女儿|孩子|子女|邻居|街坊|村|老师|学校|同学|联系人|通讯录|"
    r"担保人|他|她|大家|所有人|群"
)
_THIRD_PARTY_EN = re.compile(
    r"\b(ta|family|friend|boss|employer|manager|colleague|co-?worker|mum|mom|dad|mother|father|parents?|wife|husband|"
    r"partner|son|daughter|sister|brother|neighbou?rs?|contacts?|references?|relatives?|landlord|church|school|he|she|"
    r"him|her|his|they|them|everyone|everybody|people)\b"
)


def _names_another_person(flat: str) -> bool:
    return _THIRD_PARTY_ZH.search(flat) is not None or _THIRD_PARTY_EN.search(flat) is not None


# Claims that mark a text as being about a debt: there the COLD model (trained on social-media comments)
# must be very sure before it speaks.
_COLLECTION_CLAIMS = frozenset(
    {Claim.DEBT_FACTS, Claim.PAYMENT_DEMAND, Claim.CREDIT_REPORT, Claim.LAWSUIT_THREATENED, Claim.LAWSUIT_FILED,
     Claim.CONTACT_LIST, Claim.BORROW_TO_PAY, Claim.OPT_OUT, Claim.COLLECTOR_DISCLOSURE}
)


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What the guard may know about the case. None = unknown (claims are reported, not judged)."""

    litigation_filed: bool | None = None
    judgment: bool | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    veto: float = 0.3  # below this p(violation) the collection model overrules lexicon hits
    cold_threshold: float = 0.5  # COLD insult model, on texts outside debt collection (social-media talk)
    cold_threshold_collection: float = 0.97  # ... and on collection texts: only when very sure
    rule_score: float = 0.97
    model_floor: float = 0.35  # a model-only category needs at least this probability
    model_min_chars: int = 8  # and at least this many compact characters of text
    sure_violation: float = 0.85  # p(violation) this high with no category yet: take the likeliest category
    # a violation found by the model alone (no lexicon category) needs p(violation) at least this high: the
    # category models give p(category | violation), so the violation model alone decides whether.
    # veto, sure_violation and this gate were chosen together on 5-fold cross-validation of the whole guard on
    # train (`python -m arrears.textguard.crossval`): the highest recall with a false-positive rate <= 3 %
    model_only_violation: float = 0.65


@dataclass(frozen=True, slots=True)
class _Prepared:
    norm: Normalised
    offsets: tuple[int, ...] | None  # transcript: view offset -> original offset
    model_text: str


@dataclass(frozen=True, slots=True)
class TranscriptReport:
    first_violating_turn: int | None
    turns: tuple[tuple[Turn, ContentReport], ...]  # collector turns only

    @property
    def violation(self) -> bool:
        return self.first_violating_turn is not None

    def to_json(self) -> dict[str, object]:
        from arrears.textguard.evaluation import report_json

        return {
            "violation": self.violation,
            "first_violating_turn": self.first_violating_turn,
            "turns": [
                {"turn": t.index, "speaker": t.speaker, **report_json(None, r, with_id=False)} for t, r in self.turns
            ],
        }


def _model_dir() -> Path:
    return Path(str(resources.files("arrears.textguard") / "model"))


class Guard:
    """Implements `arrears.domain.content.ContentChecker`."""

    def __init__(
        self,
        matcher: Matcher,
        collection: LinearModel,
        cold: LinearModel,
        domain: LinearModel,
        policy: Policy | None = None,
        scripts: dict[str, dict[str, str]] | None = None,
    ) -> None:
        self.matcher = matcher
        self.collection = collection
        self.cold = cold
        self.domain = domain
        self.policy = policy or Policy()
        self.scripts = scripts or {}
        self._weights: dict[str, np.ndarray] = {}
        self._cat_idx = [collection.labels.index(c.value) for c in _CATS]
        self._cat_thr = np.array([collection.thresholds.get(c.value, 0.5) for c in _CATS])
        self._v_thr = collection.thresholds.get("violation", 0.5)

    @classmethod
    def load(cls, model_dir: Path | None = None, policy: Policy | None = None) -> Guard:
        d = model_dir or _model_dir()
        missing = [n for n in ("collection", "cold", "domain") if not (d / f"{n}.npz").exists()]
        if missing:
            raise FileNotFoundError(f"{d}: model {', '.join(missing)} missing; run `arrears guard train`")
        scripts_path = Path(str(resources.files("arrears.textguard") / "scripts.yaml"))
        scripts = yaml.safe_load(scripts_path.read_text(encoding="utf-8"))["scripts"]
        return cls(Matcher(load_lexicon()), LinearModel.load(d, "collection"), LinearModel.load(d, "cold"),
                   LinearModel.load(d, "domain"), policy, scripts)

    # ------------------------------------------------------------------ API

    def check(
        self, text: str, *, audience: str = "debtor", lang: str | None = None, facts: CaseFacts | None = None
    ) -> ContentReport:
        return self.check_many([text], audiences=[audience], facts=facts)[0]

    def check_many(
        self,
        texts: Sequence[str],
        *,
        audiences: Sequence[str | None] | None = None,
        facts: CaseFacts | None = None,
    ) -> list[ContentReport]:
        """Judge many texts at once: the models run as one sparse matrix product."""
        with _gc_paused():
            return self._check_many(texts, audiences, facts)

    def _check_many(
        self, texts: Sequence[str], audiences: Sequence[str | None] | None, facts: CaseFacts | None
    ) -> list[ContentReport]:
        auds = list(audiences) if audiences is not None else ["debtor"] * len(texts)
        prepared = [self._prepare(t, a or "debtor") for t, a in zip(texts, auds, strict=True)]
        xs = featurize_ranges([p.model_text for p in prepared], (self.collection.ngrams, self.cold.ngrams,
                                                                 self.domain.ngrams))
        pc = self.collection.proba(xs[self.collection.ngrams])
        pcold = self.cold.proba(xs[self.cold.ngrams])[:, 0]
        pdom = self.domain.proba(xs[self.domain.ngrams])[:, 0]
        return [
            self._decide(p, a or "debtor", pc[i], float(pcold[i]), float(pdom[i]), facts)
            for i, (p, a) in enumerate(zip(prepared, auds, strict=True))
        ]

    def check_turns(self, turns: Sequence[Turn], facts: CaseFacts | None = None) -> TranscriptReport:
        """Judge each collector turn on its own; other speakers' turns are not judged."""
        mine = [t for t in turns if t.is_collector]
        reports = self.check_many([t.text for t in mine], audiences=["debtor"] * len(mine), facts=facts)
        pairs = tuple(zip(mine, reports, strict=True))
        first = next((t.index for t, r in pairs if r.violation), None)
        return TranscriptReport(first, pairs)

    def suggestion(self, report: ContentReport, lang: str = "zh") -> str | None:
        """A compliant alternative for a blocked text (from the built-in script library)."""
        if not report.violation:
            return None
        cat = report.categories[0].value
        return self.scripts.get(cat, {}).get(lang) or self.scripts.get(cat, {}).get("zh")

    # ------------------------------------------------------------------ internals

    def _prepare(self, text: str, audience: str) -> _Prepared:
        offsets: tuple[int, ...] | None = None
        view = text
        if audience == "transcript" or looks_like_transcript(text):
            view, offsets = collector_view(text)
        norm = normalise(view)
        return _Prepared(norm, offsets, unquoted_compact(norm))

    def _decide(
        self,
        p: _Prepared,
        audience: str,
        probs: np.ndarray,
        p_cold: float,
        p_domain: float,
        facts: CaseFacts | None,
    ) -> ContentReport:
        pol = self.policy
        hits = self.matcher.match(p.norm) if p.norm.compact.text else []
        # COLD is Chinese social-media talk: a text that is not mostly Chinese is never "general talk" for it
        in_domain = p_domain >= 0.5 or audience != "debtor" or not _mostly_chinese(p.model_text) or any(
            h.rule.claim in _COLLECTION_CLAIMS and not h.negated for h in hits
        )
        if not in_domain:
            # General talk (not about a debt): the COLD model speaks for abuse; lexicon categories
            # count only in a text it finds offensive.
            probs = np.array([p_cold, *([0.0] * len(_CATS))])
            probs[1 + _CATS.index(ContentCategory.INSULT_ABUSE)] = p_cold
        p_v = float(probs[0])
        allowed = p_v >= pol.veto if in_domain else p_cold >= pol.cold_threshold
        findings: list[ContentFinding] = []
        found: set[ContentCategory] = set()
        claims: dict[Claim, RuleHit] = {}

        def add(cat: ContentCategory, s: int, e: int, conf: float, claim: Claim | None = None) -> None:
            findings.append(ContentFinding(cat, claim, self._orig_span(p, s, e), False, conf))
            found.add(cat)

        for h in hits:
            if h.rule.claim is not None:
                findings.append(ContentFinding(None, h.rule.claim, self._orig_span(p, h.start, h.end), h.negated))
                if not h.negated:
                    claims.setdefault(h.rule.claim, h)
            if h.rule.category is not None and not h.negated and (allowed or self._sentence_allows(p, h, in_domain)):
                add(h.rule.category, h.start, h.end, h.rule.confidence)
        if audience == "third_party" and allowed:
            # CN-DISC-1: debt facts or a payment demand told to a non-obligor (unless the model is sure the
            # text is compliant: a guarantor notice, an authorised conversation, a staff script)
            for claim in (Claim.DEBT_FACTS, Claim.PAYMENT_DEMAND):
                if claim in claims:
                    h = claims[claim]
                    add(ContentCategory.THIRD_PARTY_DISCLOSURE, h.start, h.end, pol.rule_score)
        if facts is not None:
            if facts.litigation_filed is False and Claim.LAWSUIT_FILED in claims:
                h = claims[Claim.LAWSUIT_FILED]
                add(ContentCategory.FALSE_REPRESENTATION, h.start, h.end, pol.rule_score, Claim.LAWSUIT_FILED)
            if facts.judgment is False and Claim.COURT_ORDER in claims:
                h = claims[Claim.COURT_ORDER]
                add(ContentCategory.FALSE_REPRESENTATION, h.start, h.end, pol.rule_score, Claim.COURT_ORDER)
        gate = self._v_thr if found else max(self._v_thr, pol.model_only_violation)
        if in_domain and p_v >= gate and len(p.model_text) >= pol.model_min_chars:
            already = bool(found)
            # disclosure needs someone to disclose to: sent to the debtor, the model alone may find it only in a
            # text that names another person ("你爸妈", "your boss", "通讯录"); a bare reminder has none
            no_party = audience == "debtor" and not _names_another_person(p.norm.flat.text)
            for k, cat in enumerate(_CATS):
                if no_party and cat is ContentCategory.THIRD_PARTY_DISCLOSURE:
                    continue
                pc = float(probs[self._cat_idx[k]])
                # a text already in violation needs only the category's own (out-of-fold) threshold
                floor = self._cat_thr[k] if already else max(self._cat_thr[k], pol.model_floor)
                if cat not in found and pc >= floor:
                    for s, e in self._model_spans(p, cat) or [(0, 0)]:
                        findings.append(ContentFinding(cat, None, self._orig_span(p, s, e), False, pc))
                    found.add(cat)
        if in_domain and not found and p_v >= pol.sure_violation and len(p.model_text) >= pol.model_min_chars:
            cat_probs = probs[self._cat_idx]
            if audience == "debtor" and not _names_another_person(p.norm.flat.text):
                cat_probs = np.where(np.array(_CATS) == ContentCategory.THIRD_PARTY_DISCLOSURE, -1.0, cat_probs)
            k = int(np.argmax(cat_probs))
            cat = _CATS[k]
            for s, e in self._model_spans(p, cat) or [(0, 0)]:
                findings.append(ContentFinding(cat, None, self._orig_span(p, s, e), False, p_v))
            found.add(cat)
        cold_ok = (p_cold >= pol.cold_threshold_collection and allowed and p_v >= self._v_thr
                   if in_domain else p_cold >= pol.cold_threshold)
        if ContentCategory.INSULT_ABUSE not in found and cold_ok:
            for s, e in self._model_spans(p, ContentCategory.INSULT_ABUSE, self.cold) or [(0, 0)]:
                findings.append(ContentFinding(ContentCategory.INSULT_ABUSE, None, self._orig_span(p, s, e),
                                               False, p_cold))
            found.add(ContentCategory.INSULT_ABUSE)
        violation = bool(found)
        if violation:
            best = max((f.confidence for f in findings if f.category is not None and not f.negated), default=p_v)
            score = max(p_v, min(best, 0.999), 0.5)
        else:
            score = min(p_v, 0.49)
        return ContentReport(violation, round(float(score), 4), tuple(findings))

    def _sentence_allows(self, p: _Prepared, h: RuleHit, in_domain: bool) -> bool:
        """The whole text looked compliant; judge the sentence holding the hit on its own (a long,
        polite transcript can still carry one threatening sentence)."""
        if p.offsets is None:  # transcripts only
            return False
        text = p.norm.original
        lo = max((text.rfind(c, 0, h.start) for c in _SENTENCE_END), default=-1) + 1
        his = [i for i in (text.find(c, h.end) for c in _SENTENCE_END) if i >= 0]
        sentence = text[lo : min(his) + 1 if his else len(text)]
        if len(sentence) >= len(text) - 1:
            return False
        model = self.collection if in_domain else self.cold
        p_model = float(model.proba(featurize([compact_string(sentence)], model.ngrams))[0, 0])
        return p_model >= (self.policy.veto if in_domain else self.policy.cold_threshold)

    def _orig_span(self, p: _Prepared, s: int, e: int) -> Span:
        """(s, e) are offsets in the (collector) view's original text."""
        if p.offsets is not None and e > s:
            return Span(p.offsets[s], p.offsets[e - 1] + 1, p.norm.original[s:e])
        return Span(s, e, p.norm.original[s:e])

    def _model_spans(self, p: _Prepared, cat: ContentCategory, model: LinearModel | None = None) -> list[tuple[int, int]]:
        m = model or self.collection
        key = f"{m.name}:{cat.value}"
        if key not in self._weights:
            self._weights[key] = m.column(cat.value)
        return top_spans(p.norm, self._weights[key], ngrams=m.ngrams)


def _mostly_chinese(compact: str) -> bool:
    return len(_CJK.findall(compact)) * 2 >= len(compact)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch is judged. A batch allocates many short-lived, acyclic
    objects (offset tuples, hits, findings) that reference counting frees; the collector's generation scans
    over them found nothing and cost about a tenth of the time. Restores the previous state (no-op when the
    collector is already off)."""
    was_enabled = gc.isenabled()
    if was_enabled:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@lru_cache(maxsize=1)
def default_guard() -> Guard:
    """The guard with the shipped lexicons and model artefacts (loaded once per process)."""
    return Guard.load()

"""Rules on what a message says (through the `ContentChecker` contract) and to whom it is shown.

- `content_category`: the checker found a forbidden category (threats, insults, exposure, harassment).
- `claims`: every factual claim must match the case state (a lawsuit claimed but not filed, arrest, police...).
- `phrases`: pack-listed phrases or checker claims that are forbidden (negation-aware).
- `required`: a written message must carry an element (opt-out, debt-collector disclosure, self-identification).
- `disclosure`: no debt facts to anyone but the people allowed to hear them; no threat to disclose.
- `audience`: no group or public audiences.
- `images`: images only from the approved template registry; no image threats.
"""

from __future__ import annotations

import re
from typing import Literal

from arrears.compliance.content import find_phrases
from arrears.compliance.decision import Fired, Verdict
from arrears.compliance.rules.base import NONE, Compiled, Eval, RuleMeta
from arrears.compliance.rules.params import Params
from arrears.compliance.rules.parties import RecipientParams, recipient_allowed
from arrears.domain.content import Claim, ContentCategory
from arrears.domain.enums import Audience, Channel, LenderType, Purpose

CAT_ZH = {
    ContentCategory.THREAT_VIOLENCE: "暴力威胁",
    ContentCategory.THREAT_EXPOSURE: "曝光/爆通讯录威胁",
    ContentCategory.THIRD_PARTY_DISCLOSURE: "向第三人披露",
    ContentCategory.FALSE_REPRESENTATION: "虚假陈述",
    ContentCategory.INSULT_ABUSE: "侮辱谩骂",
    ContentCategory.HARASSMENT: "骚扰",
}


class CategoryParams(Params):
    categories: list[ContentCategory]
    claims: tuple[Claim, ...] = ()


def compile_category(meta: RuleMeta, p: CategoryParams) -> Compiled:
    cats = frozenset(p.categories)
    claims = frozenset(p.claims)

    def check(ev: Eval) -> tuple[Fired, ...]:
        if not ev.attempt.text:
            return NONE
        rep = ev.content
        hit = [c for c in rep.categories if c in cats]
        hit_claims = sorted(c.value for c in claims & rep.claims)
        if not hit and not hit_claims:
            return NONE
        zh = "、".join([CAT_ZH[c] for c in hit] + hit_claims)
        en = ", ".join([c.value for c in hit] + hit_claims)
        return (meta.fire(f"文本含有{zh}", f"the text contains {en}"),)

    return Compiled(check)


Condition = Literal[
    "never",
    "litigation_filed",
    "court_order",
    "court_order_or_litigation",
    "licensed_lender",
    "review",
]


def _holds(cond: str, ev: Eval) -> bool:
    d = ev.debt
    if cond == "never":
        return False
    if cond == "litigation_filed":
        return d is not None and d.litigation_filed
    if cond == "court_order":
        return d is not None and d.court_order
    if cond == "court_order_or_litigation":
        return d is not None and (d.court_order or d.litigation_filed)
    if cond == "licensed_lender":
        return d is not None and d.lender_type is LenderType.LICENSED
    return True


class ClaimsParams(Params):
    claims: dict[Claim, Condition]
    categories: tuple[ContentCategory, ...] = ()  # also fire on these when no listed claim explains them


CLAIMS_TIGHTEN = {"claims": "claims", "categories": "superset"}


def compile_claims(meta: RuleMeta, p: ClaimsParams) -> Compiled:
    table = tuple(p.claims.items())
    cats = frozenset(p.categories)

    def check(ev: Eval) -> tuple[Fired, ...]:
        if not ev.attempt.text:
            return NONE
        rep = ev.content
        made = rep.claims
        false_claims: list[str] = []
        review_claims: list[str] = []
        for claim, cond in table:
            if claim in made:
                if cond == "review":
                    review_claims.append(claim.value)
                elif not _holds(cond, ev):
                    false_claims.append(claim.value)
        if false_claims:
            c = ", ".join(false_claims)
            return (meta.fire(f"所述与案件真实状态不符:{c}", f"claims that do not match the case state: {c}"),)
        if cats and not any(claim in made for claim, _ in table) and any(c in cats for c in rep.categories):
            return (meta.fire("文本含有虚假或误导性陈述", "the text makes a false or misleading representation"),)
        if review_claims:
            c = ", ".join(review_claims)
            return (
                meta.fire(
                    f"无法从案件数据核实的声明,需人工复核:{c}",
                    f"claims the case data cannot confirm; human review: {c}",
                    verdict=Verdict.REVIEW,
                ),
            )
        return NONE

    return Compiled(check)


class PhrasesParams(Params):
    phrases: tuple[str, ...] = ()  # regular expressions, matched case-insensitively, negation-aware
    claims: tuple[Claim, ...] = ()
    negatable: bool = True


def compile_phrases(meta: RuleMeta, p: PhrasesParams) -> Compiled:
    try:
        pats = tuple(re.compile(x, re.IGNORECASE) for x in p.phrases)
    except re.error as e:
        raise ValueError(f"params.phrases: bad pattern: {e}") from e
    claims = frozenset(p.claims)
    negatable = p.negatable

    def check(ev: Eval) -> tuple[Fired, ...]:
        text = ev.attempt.text
        if not text:
            return NONE
        hits = find_phrases(text, pats, negatable=negatable)
        hits += sorted(c.value for c in claims & ev.content.claims)
        if not hits:
            return NONE
        h = "、".join(hits[:3])
        return (meta.fire(f"文本含有禁止内容「{h}」", f"the text contains forbidden content: {h}"),)

    return Compiled(check)


class RequiredParams(Params):
    claims_any: tuple[Claim, ...] = ()
    phrases_any: tuple[str, ...] = ()
    to: Literal["obligor", "any"] = "obligor"
    label_zh: str
    label_en: str


def compile_required(meta: RuleMeta, p: RequiredParams) -> Compiled:
    claims = frozenset(p.claims_any)
    pats = tuple(re.compile(x, re.IGNORECASE) for x in p.phrases_any)
    only_obligor = p.to == "obligor"

    def check(ev: Eval) -> tuple[Fired, ...]:
        text = ev.attempt.text
        if not text or (only_obligor and not ev.to_obligor):
            return NONE
        if any(pt.search(text) for pt in pats) or (claims and claims & ev.content.claims):
            return NONE
        return (meta.fire(f"缺少必备内容:{p.label_zh}", f"missing a required element: {p.label_en}"),)

    return Compiled(check)


class DisclosureParams(RecipientParams):
    threat_categories: tuple[ContentCategory, ...] = (
        ContentCategory.THREAT_EXPOSURE,
        ContentCategory.THIRD_PARTY_DISCLOSURE,
    )
    threat_claims: tuple[Claim, ...] = (Claim.CONTACT_LIST, Claim.EMPLOYER_NOTICE)
    fact_claims: tuple[Claim, ...] = (Claim.DEBT_FACTS, Claim.PAYMENT_DEMAND)
    public_fires: bool = True  # a group or public audience is a disclosure of whatever it says
    collect_purpose_fires: bool = True  # a collection contact with a third party discloses the debt


def compile_disclosure(meta: RuleMeta, p: DisclosureParams) -> Compiled:
    threat_cats = frozenset(p.threat_categories)
    threat_claims = frozenset(p.threat_claims)
    facts = frozenset(p.fact_claims)

    def check(ev: Eval) -> tuple[Fired, ...]:
        a = ev.attempt
        public = a.audience is not Audience.ONE_TO_ONE or a.channel in (Channel.SOCIAL_PUBLIC, Channel.GROUP_CHAT)
        if public and p.public_fires and (a.text or a.purpose is Purpose.COLLECT):
            return (meta.fire("在群组或公开场合发布催收内容即向他人披露债务", "a group or public post discloses the debt to others"),)
        if a.text:
            rep = ev.content
            if any(c in threat_cats for c in rep.categories) or threat_claims & rep.claims:
                return (meta.fire("以向他人披露债务或个人信息相威胁", "threatens to disclose the debt or personal data to others"),)
            if not recipient_allowed(ev, p) and facts & rep.claims:
                return (
                    meta.fire(
                        f"向第三人({ev.recipient_role.value})透露了债务信息",
                        f"tells a third party ({ev.recipient_role.value}) about the debt",
                    ),
                )
            return NONE
        if p.collect_purpose_fires and a.purpose is Purpose.COLLECT and not recipient_allowed(ev, p):
            return (
                meta.fire(
                    f"与第三人({ev.recipient_role.value})进行催收沟通必然披露债务",
                    f"a collection contact with a third party ({ev.recipient_role.value}) discloses the debt",
                ),
            )
        return NONE

    return Compiled(check)


class AudienceParams(Params):
    audiences: tuple[Audience, ...] = (Audience.GROUP, Audience.PUBLIC)
    channels: tuple[Channel, ...] = (Channel.SOCIAL_PUBLIC, Channel.GROUP_CHAT)


def compile_audience(meta: RuleMeta, p: AudienceParams) -> Compiled:
    auds = frozenset(p.audiences)
    chans = frozenset(p.channels)

    def check(ev: Eval) -> tuple[Fired, ...]:
        a = ev.attempt
        if a.audience in auds or a.channel in chans:
            return (
                meta.fire(
                    f"禁止在群组或公开场合催收(受众:{a.audience.value},渠道:{a.channel.value})",
                    f"no collection in a group or in public (audience {a.audience.value}, channel {a.channel.value})",
                ),
            )
        return NONE

    return Compiled(check)


class ImagesParams(Params):
    kinds: tuple[str, ...] = ("image", "video")
    approved_templates: tuple[str, ...] = ()
    claims: tuple[Claim, ...] = (Claim.IMAGE_THREAT,)


def compile_images(meta: RuleMeta, p: ImagesParams) -> Compiled:
    kinds = frozenset(p.kinds)
    approved = frozenset(p.approved_templates)
    claims = frozenset(p.claims)

    def check(ev: Eval) -> tuple[Fired, ...]:
        a = ev.attempt
        for att in a.attachments:
            if att.kind in kinds and (att.template_id is None or att.template_id not in approved):
                return (
                    meta.fire(
                        f"图片附件不在已批准模板库中(模板:{att.template_id or '无'})",
                        f"image attachment is not from an approved template ({att.template_id or 'none'})",
                    ),
                )
        if a.text and claims & ev.content.claims:
            return (meta.fire("以传播图片相威胁", "threatens to circulate images"),)
        return NONE

    return Compiled(check)

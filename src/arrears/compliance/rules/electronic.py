"""US electronic-communication rules and other per-medium checks.

- `esafe` (US-REGF-1006.6(d)(3)-(5)-ESAFE): texts and emails only through a safe-harbour procedure.
- `work_email` (US-REGF-1006.22(f)(3)-WORKEMAIL): no employer-provided email unless the consumer used it.
- `medium_optout` (US-REGF-1006.14(h)-MEDIUM): never a medium the person opted out of (one reply allowed).
- `time_bar` (US-REGF-1006.26(b)-TIMEBAR): no suit or threat of suit on a time-barred debt.
- `verify` (UK-CONC-7.9.10R-VERIFY): no debt details before the recipient is known to be the customer.
"""

from __future__ import annotations

import re
from datetime import timedelta

from arrears.compliance.content import find_phrases
from arrears.compliance.decision import Fired
from arrears.compliance.rules.base import NONE, Compiled, Eval, RuleMeta
from arrears.compliance.rules.params import Params
from arrears.domain.content import Claim
from arrears.domain.enums import Channel, Direction, Purpose


class EsafeParams(Params):
    reassignment_max_days: int = 60


def compile_esafe(meta: RuleMeta, p: EsafeParams) -> Compiled:
    max_age = timedelta(days=p.reassignment_max_days)

    def check(ev: Eval) -> tuple[Fired, ...]:
        a = ev.attempt
        if a.channel not in (Channel.SMS, Channel.EMAIL) or not ev.is_debtor:
            return NONE
        pt = ev.point
        if pt is None:
            return (meta.fire("未指定联系方式,无法适用安全港", "no contact point: no safe harbour"),)
        consent = any(c.channel is a.channel and c.given_at <= ev.now for c in ev.debtor.consents)
        if a.channel is Channel.EMAIL:
            if pt.employer_provided and not pt.used_by_debtor_for_debt:
                return (meta.fire("雇主提供的邮箱不适用安全港", "an employer-provided email address has no safe harbour"),)
            if pt.used_by_debtor_for_debt or consent:  # an opt-out is US-REGF-1006.14(h)-MEDIUM's business
                return NONE
            return (
                meta.fire(
                    "该邮箱既非消费者用于沟通债务的地址,也无事先同意",
                    "the consumer neither wrote from this email about the debt nor consented to it",
                ),
            )
        checked = pt.reassignment_checked_at
        if pt.used_by_debtor_for_debt and checked is not None:
            last_in = max(
                (h.ts for h in ev.past() if h.point == pt.id and h.direction is Direction.IN),
                default=None,
            )
            if last_in is None or checked.timestamp() >= last_in:
                return NONE
        if consent and checked is not None and ev.now - checked <= max_age:
            return NONE
        return (
            meta.fire(
                f"短信号码未满足安全港:需消费者曾用此号沟通且此后查询改号库无改号,或事先同意且 {p.reassignment_max_days} 日内查询过改号库",
                "no text safe harbour: the consumer must have texted from the number with a clean reassigned-numbers "
                f"check since, or consented with a check within {p.reassignment_max_days} days",
            ),
        )

    return Compiled(check)


def compile_work_email(meta: RuleMeta, p: Params) -> Compiled:
    def check(ev: Eval) -> tuple[Fired, ...]:
        a = ev.attempt
        pt = ev.point
        if a.channel is not Channel.EMAIL or pt is None or not pt.employer_provided:
            return NONE
        consent = any(c.channel is Channel.EMAIL for c in ev.debtor.consents)
        if pt.used_by_debtor_for_debt or consent:
            return NONE
        return (meta.fire("不得向雇主提供的工作邮箱发送", "no email to an address the employer provided"),)

    return Compiled(check)


class OptOutParams(Params):
    reply_once: bool = True


def compile_medium_optout(meta: RuleMeta, p: OptOutParams) -> Compiled:
    def check(ev: Eval) -> tuple[Fired, ...]:
        pt = ev.point
        if pt is None or not pt.opted_out or ev.attempt.purpose is Purpose.SERVICE:
            return NONE
        if p.reply_once:
            rows = sorted((h for h in ev.past() if h.point == pt.id), key=lambda h: h.sort_key)
            last_in = max((i for i, h in enumerate(rows) if h.direction is Direction.IN), default=None)
            if last_in is not None and not any(h.direction is Direction.OUT for h in rows[last_in + 1 :]):
                return NONE
        return (meta.fire("对方已要求不再通过此渠道联系", "the person opted out of this medium"),)

    return Compiled(check)


class TimeBarParams(Params):
    claims: tuple[Claim, ...] = (Claim.LAWSUIT_THREATENED, Claim.LAWSUIT_FILED)
    purposes: tuple[Purpose, ...] = (Purpose.WILL_INVOKE_REMEDY,)


def compile_time_bar(meta: RuleMeta, p: TimeBarParams) -> Compiled:
    claims = frozenset(p.claims)
    purposes = frozenset(p.purposes)

    def check(ev: Eval) -> tuple[Fired, ...]:
        if not ev.debtor.flags.time_barred:
            return NONE
        a = ev.attempt
        if (a.text and claims & ev.content.claims) or a.purpose in purposes:
            return (meta.fire("债务已过诉讼时效,不得起诉或以起诉相威胁", "the debt is time-barred: no suit or threat of suit"),)
        return NONE

    return Compiled(check)


class VerifyParams(Params):
    phrases: tuple[str, ...] = (r"\boccupier\b", r"\bthe resident\b", r"\bhouseholder\b", "现住户", "户主")
    fact_claims: tuple[Claim, ...] = (Claim.DEBT_FACTS,)


def compile_verify(meta: RuleMeta, p: VerifyParams) -> Compiled:
    pats = tuple(re.compile(x, re.IGNORECASE) for x in p.phrases)
    facts = frozenset(p.fact_claims)

    def check(ev: Eval) -> tuple[Fired, ...]:
        text = ev.attempt.text
        if not text or not (facts & ev.content.claims):
            return NONE
        if find_phrases(text, pats, negatable=False):
            return (
                meta.fire(
                    "写给「住户」等未核实身份的收件人却含债务细节",
                    "debt details addressed to an unverified recipient such as 'the occupier'",
                ),
            )
        party = ev.party
        if party is not None and not party.verified_identity:
            return (meta.fire("收件人身份未核实即披露债务细节", "debt details before the recipient's identity is verified"),)
        return NONE

    return Compiled(check)

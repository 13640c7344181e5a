"""Who may be contacted, and how third parties may be approached.

- `party_gate` (CN-PARTY-1): collect only from the obligors; any other person only for a locate request.
- `relationship_evidence` (CN-PARTY-3): a "debt-related" relative counts as related only with evidence.
- `third_party_demand` (CN-PARTY-4): never press a non-obligor to pay.
- `third_party_contact` (CN-PARTY-2, US-REGF-1006.10-LOC): the escalation ladder for locate contacts.
  CN: only while the debtor is unreachable (CBA triggers), locate-only script, stop for good on refusal.
  US: once per person, no debt facts, attorney first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from arrears.compliance.decision import Fired, Verdict
from arrears.compliance.rules.base import NONE, Compiled, Eval, RuleMeta
from arrears.compliance.rules.params import Params
from arrears.domain.content import Claim
from arrears.domain.enums import VOICE_CHANNELS, ContactPointKind, Direction, Outcome, Purpose, Role

PHONE_KINDS = frozenset({ContactPointKind.MOBILE, ContactPointKind.LANDLINE, ContactPointKind.WORK_PHONE})
FAILED_DIALS = frozenset(
    {Outcome.BUSY, Outcome.NOT_IN_SERVICE, Outcome.NETWORK_FAIL, Outcome.RANG_NO_ANSWER, Outcome.VOICEMAIL}
)
REACHED = frozenset({Outcome.CONVERSATION, Outcome.ANSWERED_NO_CONVERSATION, Outcome.REFUSED})


class RecipientParams(Params):
    allowed_roles: tuple[Role, ...] = (Role.DEBTOR, Role.GUARANTOR, Role.CO_OBLIGOR)
    evidence_roles: tuple[Role, ...] = ()  # allowed only with documented relationship evidence
    minor_parent_allowed: bool = False  # US: a minor's parent is the "consumer"


def recipient_allowed(ev: Eval, p: RecipientParams) -> bool:
    role = ev.recipient_role
    if role in p.allowed_roles:
        return True
    party = ev.party
    if party is not None and role in p.evidence_roles and party.relationship_evidence:
        return True
    return p.minor_parent_allowed and role is Role.PARENT and ev.debtor.is_minor


RECIPIENT_TIGHTEN = {"allowed_roles": "subset", "evidence_roles": "subset", "minor_parent_allowed": "false_stays"}


class PartyGateParams(RecipientParams):
    locate_purposes: tuple[Purpose, ...] = (Purpose.LOCATE,)


def compile_party_gate(meta: RuleMeta, p: PartyGateParams) -> Compiled:
    locate = frozenset(p.locate_purposes)

    def check(ev: Eval) -> tuple[Fired, ...]:
        if recipient_allowed(ev, p) or ev.attempt.purpose in locate:
            return NONE
        return (
            meta.fire(
                f"不得向债务人、保证人、共同借款人以外的人({ev.recipient_role.value})催收",
                f"collection is only from the debtor, a guarantor or a co-obligor, not a {ev.recipient_role.value}",
            ),
        )

    return Compiled(check)


class EvidenceParams(Params):
    roles: tuple[Role, ...] = (Role.SPOUSE, Role.PARENT, Role.CHILD, Role.OTHER_RELATIVE)


def compile_evidence(meta: RuleMeta, p: EvidenceParams) -> Compiled:
    roles = frozenset(p.roles)

    def check(ev: Eval) -> tuple[Fired, ...]:
        party = ev.party
        if party is None or party.role not in roles or party.relationship_evidence:
            return NONE
        if ev.attempt.purpose is Purpose.LOCATE:
            return NONE
        return (
            meta.fire(
                "无证据证明此人与债务相关(如借款用于家庭共同生活),视为无关第三人",
                "no evidence that this person is related to the debt; treated as an unrelated third party",
            ),
        )

    return Compiled(check)


class DemandParams(RecipientParams):
    claims: tuple[Claim, ...] = (Claim.PAYMENT_DEMAND,)


def compile_demand(meta: RuleMeta, p: DemandParams) -> Compiled:
    claims = frozenset(p.claims)

    def check(ev: Eval) -> tuple[Fired, ...]:
        if not ev.attempt.text or recipient_allowed(ev, p):
            return NONE
        if claims & ev.content.claims:
            return (
                meta.fire(
                    "不得要求或施压第三人代为还款(除非其自愿代偿)",
                    "a third party must not be asked or pressed to pay unless they volunteer",
                ),
            )
        return NONE

    return Compiled(check)


class ThirdPartyContactParams(RecipientParams):
    mode: Literal["cn_unreachable", "us_once"]
    script: str = "locate_only"
    consecutive_failed_dials: int = 3  # CBA: the day after 3 consecutive failed dials


def debtor_unreachable(ev: Eval, failed_needed: int) -> bool:
    """CBA 2026 triggers: flagged 失联, dead, every phone invalid, or the day after N consecutive failed dials."""
    flags = ev.debtor.flags
    if flags.unreachable or flags.deceased:
        return True
    did = ev.debtor.id
    past = [h for h in ev.history_sorted() if h.to == did and h.ts <= ev.now_ts]
    phones = [c.id for c in ev.case.contact_points if c.owner == did and c.kind in PHONE_KINDS]
    if phones:
        last: dict[str, Outcome] = {}
        for h in past:
            if h.point in phones and h.channel in VOICE_CHANNELS and h.direction is Direction.OUT:
                last[h.point] = h.outcome
        if all(last.get(pid) is Outcome.NOT_IN_SERVICE for pid in phones):
            return True
    run: list[float] = []
    for h in past:
        if h.direction is Direction.IN or h.outcome in REACHED or h.outcome is Outcome.DELIVERED:
            run = []
        elif h.channel in VOICE_CHANNELS and h.outcome in FAILED_DIALS:
            run.append(h.ts)
    if len(run) >= failed_needed and ev.zones:
        third = run[failed_needed - 1]
        return all(
            datetime.fromtimestamp(third, z).date() < ev.now.astimezone(z).date() for z in ev.zones
        )
    return False


def compile_third_party(meta: RuleMeta, p: ThirdPartyContactParams) -> Compiled:
    constraints = (f"script:{p.script}", "no_debt_facts")

    def refused(ev: Eval) -> bool:
        if ev.party is not None and ev.party.refused_contact:
            return True
        return any(h.to == ev.attempt.to and h.outcome is Outcome.REFUSED for h in ev.past())

    def check_cn(ev: Eval) -> tuple[Fired, ...]:
        if recipient_allowed(ev, p):
            return NONE
        if refused(ev):
            return (meta.fire("此人已拒绝或要求不再联系,永久停止联系", "this person refused or asked not to be contacted; stop for good"),)
        if not debtor_unreachable(ev, p.consecutive_failed_dials):
            return (
                meta.fire(
                    "债务人可以联系上(未失联),不得联系第三人",
                    "the debtor is reachable (not 失联); third parties may not be contacted",
                ),
            )
        if ev.attempt.purpose is not Purpose.LOCATE:
            return (
                meta.fire(
                    "联系第三人只能用于获取债务人联系方式或请其转告,不得催收",
                    "a third party may only be asked for the debtor's contact details or to pass on a message",
                ),
            )
        return (
            meta.fire(
                f"债务人失联:仅可使用 {p.script} 话术,不得透露任何债务信息",
                f"debtor unreachable: {p.script} script only, no debt facts",
                verdict=Verdict.ALLOW_WITH_CONSTRAINTS,
                constraints=constraints,
            ),
        )

    def check_us(ev: Eval) -> tuple[Fired, ...]:
        a = ev.attempt
        if recipient_allowed(ev, p) or a.purpose is not Purpose.LOCATE:
            return NONE
        if refused(ev):
            return (meta.fire("此人已要求不再联系", "this person asked not to be contacted again"),)
        if ev.debtor.flags.attorney_represented:
            return (
                meta.fire(
                    "已知债务人有代理律师,只能联系律师",
                    "the consumer has an attorney: location requests go to the attorney only",
                ),
            )
        if a.text and Claim.DEBT_FACTS in ev.content.claims:
            return (meta.fire("寻址联系不得提及债务", "a location contact must not say the consumer owes a debt"),)
        for h in ev.past():
            if h.to == a.to and h.direction is Direction.OUT and h.outcome in REACHED | {Outcome.DELIVERED, Outcome.SENT}:
                return (
                    meta.fire(
                        "已就寻址联系过此人一次,不得再次联系",
                        "this person was already contacted once for location information",
                    ),
                )
        return (
            meta.fire(
                f"寻址联系:仅可使用 {p.script} 话术,只确认联系方式,不得提及债务",
                f"location contact: {p.script} script, confirm location only, never mention the debt",
                verdict=Verdict.ALLOW_WITH_CONSTRAINTS,
                constraints=constraints,
            ),
        )

    return Compiled(check_cn if p.mode == "cn_unreachable" else check_us)

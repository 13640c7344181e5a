"""Holds on the account (cease, dispute, attorney, breathing space, bankruptcy, deceased, vulnerability)."""

from __future__ import annotations

from typing import Literal

from arrears.compliance.decision import Fired, Verdict
from arrears.compliance.rules.base import NONE, Compiled, Eval, RuleMeta
from arrears.compliance.rules.params import Params
from arrears.domain.enums import Channel, Purpose, Role

HoldName = Literal["cease", "dispute", "attorney", "breathing_space", "bankruptcy", "deceased", "vulnerability"]

_TEXT = {
    "cease": ("已收到书面停止联系/拒绝还款通知", "a written cease-communication or refusal to pay was received"),
    "dispute": ("债务争议尚未答复,须先发送核实材料", "a dispute is open; verification must be sent first"),
    "attorney": ("债务人已委托律师,须联系其律师", "the consumer is represented by an attorney; contact the attorney"),
    "breathing_space": ("债务处于喘息期(Breathing Space)保护中", "the debt is in a Breathing Space moratorium"),
    "bankruptcy": ("债务人处于破产程序中", "the debtor is in bankruptcy"),
    "deceased": ("债务人已故", "the debtor is deceased"),
    "vulnerability": ("客户被标记为脆弱客户,催收联系需专人复核", "the customer is flagged as vulnerable; a specialist must review"),
}


class HoldParams(Params):
    hold: HoldName
    allowed_purposes: tuple[Purpose, ...] = (Purpose.SERVICE,)
    debtor_only: bool = True  # the hold protects contact with the debtor (third parties handled elsewhere)
    exempt_channels: tuple[Channel, ...] = ()


TIGHTEN = {"allowed_purposes": "subset", "debtor_only": "false_stays", "exempt_channels": "subset"}


def _active(hold: str, ev: Eval) -> bool:
    f = ev.debtor.flags
    if hold == "cease":
        return f.cease_written_at is not None and f.cease_written_at <= ev.now
    if hold == "dispute":
        return f.dispute_open
    if hold == "attorney":
        return f.attorney_represented and ev.recipient_role is not Role.CONSUMER_ATTORNEY
    if hold == "breathing_space":
        if f.breathing_space_until is None:
            return False
        today = ev.local_now[0].date() if ev.local_now else ev.now.date()
        return today <= f.breathing_space_until
    if hold == "bankruptcy":
        return f.bankruptcy
    if hold == "deceased":
        return f.deceased
    return bool(f.vulnerability)


def compile_hold(meta: RuleMeta, p: HoldParams) -> Compiled:
    allowed = frozenset(p.allowed_purposes)
    exempt = frozenset(p.exempt_channels)
    zh, en = _TEXT[p.hold]
    hold = p.hold

    def check(ev: Eval) -> tuple[Fired, ...]:
        a = ev.attempt
        if a.purpose in allowed or a.channel in exempt:
            return NONE
        if p.debtor_only and not ev.is_debtor and hold != "attorney":
            return NONE
        if hold == "attorney" and not ev.is_debtor:
            return NONE
        if not _active(hold, ev):
            return NONE
        if hold == "vulnerability":
            flags = ", ".join(ev.debtor.flags.vulnerability)
            return (meta.fire(f"{zh}({flags})", f"{en} ({flags})", verdict=Verdict.REVIEW),)
        return (meta.fire(f"{zh},此目的({a.purpose.value})不被允许", f"{en}; purpose {a.purpose.value} is not allowed"),)

    return Compiled(check)

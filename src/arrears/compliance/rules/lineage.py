"""Where a contact point came from (CN-DATA-1) and who is allowed to act (CN-DATA-2, CN-OUT-1)."""

from __future__ import annotations

from arrears.compliance.decision import Fired
from arrears.compliance.rules.base import NONE, Compiled, Eval, RuleMeta
from arrears.compliance.rules.params import Params
from arrears.domain.content import Claim
from arrears.domain.enums import LAWFUL_SOURCES, Source


class LineageParams(Params):
    allowed_sources: tuple[Source, ...] = tuple(sorted(LAWFUL_SOURCES))
    pressure_claims: tuple[Claim, ...] = (Claim.CONTACT_LIST,)  # using the phone book as a pressure list


TIGHTEN = {"allowed_sources": "subset", "pressure_claims": "superset"}


def compile_lineage(meta: RuleMeta, p: LineageParams) -> Compiled:
    allowed = frozenset(p.allowed_sources)
    pressure = frozenset(p.pressure_claims)

    def check(ev: Eval) -> tuple[Fired, ...]:
        a = ev.attempt
        if a.point is not None:
            pt = ev.point
            if pt is None:
                return (meta.fire(f"联系方式 {a.point} 无来源记录", f"contact point {a.point} has no recorded source"),)
            if pt.source not in allowed:
                return (
                    meta.fire(
                        f"联系方式来源不合法({pt.source.value}),如手机通讯录、购买名单",
                        f"contact point source {pt.source.value} is not a lawful channel",
                    ),
                )
            if pt.owner != a.to:
                return (
                    meta.fire(
                        f"联系方式 {pt.id} 属于 {pt.owner},不属于联系对象 {a.to}",
                        f"contact point {pt.id} belongs to {pt.owner}, not to {a.to}",
                    ),
                )
        if a.text and pressure & ev.content.claims:
            return (meta.fire("以通讯录联系人作为施压手段", "uses the phone book as a pressure list"),)
        return NONE

    return Compiled(check)


class AgencyParams(Params):
    require_whitelisted: bool = True


def compile_agency(meta: RuleMeta, p: AgencyParams) -> Compiled:
    def check(ev: Eval) -> tuple[Fired, ...]:
        ag = ev.case.agency
        if ag is not None and p.require_whitelisted and not ag.whitelisted:
            return (
                meta.fire(
                    f"委外机构 {ag.id} 不在有效白名单内",
                    f"agency {ag.id} is not on the lender's active whitelist",
                ),
            )
        return NONE

    return Compiled(check)

"""One SQL expression per pack rule: the verdict rank it yields for a candidate (0: did not fire).

Each function mirrors the rule kind's `check` in `compliance.rules.*` for an attempt without text, audience
one_to_one, no attachments, and a debtor without agreed windows, inconvenient times or consents (the planner
proposes no such thing and the relations carry none). Columns come from the final join in `__init__`:
`c` (rz_cand), `t` (rz_time), `f` (rz_freq), `r` (rz_reach), `rf` (rz_refused for the recipient).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from typing import Any

from arrears.compliance.decision import RANK, Verdict
from arrears.compliance.pack import Rule
from arrears.compliance.rules.frequency import FrequencyParams
from arrears.compliance.rules.holds import HoldParams
from arrears.compliance.rules.lineage import AgencyParams, LineageParams
from arrears.compliance.rules.parties import RecipientParams, ThirdPartyContactParams
from arrears.compliance.rules.rates import RateParams, _lpr_table
from arrears.compliance.rules.visits import VisitParams
from arrears.domain.enums import VOICE_CHANNELS, Channel, LenderType, Purpose, Role
from arrears.planner.rules.facts import date_lit, in_sql

NEVER = "0"


class UnsupportedRuleError(ValueError):
    """A pack rule with no column-wise form: the planner refuses the pack rather than skip the rule."""

    def __init__(self, rule_id: str, kind: str, why: str) -> None:
        self.rule_id, self.kind = rule_id, kind
        super().__init__(f"rule {rule_id} (kind {kind}) has no column-wise form in the planner: {why}")


def rank(v: Verdict) -> int:
    return RANK[v]


def sod_bound(t: time) -> tuple[int, bool]:
    """Whole seconds of a local time and whether it has a fraction (a window end of 24:00 is 23:59:59.999999)."""
    return t.hour * 3600 + t.minute * 60 + t.second, t.microsecond > 0


def in_window(sod: str, start: time, end: time, *, exclusive: bool = False) -> str:
    """`start <= t < end` (or `start < t`) for a whole-second local time `sod` (seconds since local midnight)."""
    s, s_frac = sod_bound(start)
    e, e_frac = sod_bound(end)
    lo = f"{sod} > {s}" if exclusive or s_frac else f"{sod} >= {s}"
    hi = f"{sod} <= {e}" if e_frac else f"{sod} < {e}"
    return f"({lo} AND {hi})"


def allowed(p: RecipientParams) -> str:
    """`compliance.rules.parties.recipient_allowed`."""
    parts = [in_sql("c.role", p.allowed_roles)]
    if p.evidence_roles:
        parts.append(f"(c.p_found = 1 AND {in_sql('c.role', p.evidence_roles)} AND c.p_evidence = 1)")
    if p.minor_parent_allowed:
        parts.append(f"(c.role = '{Role.PARENT.value}' AND c.is_minor = 1)")
    return "(" + " OR ".join(parts) + ")"


def refused(now: str = "c.at_s") -> str:
    return f"(rf.first_refused_s IS NOT NULL AND rf.first_refused_s <= {now})"


def _case(cond: str, verdict: int) -> str:
    return f"CASE WHEN {cond} THEN {verdict} ELSE 0 END"


# --- kinds ----------------------------------------------------------------------------------------------------


def time_window(rule: Rule, i: int) -> str:
    # zone error: fail closed (block); otherwise outside the window in some zone (rz_time.tw{i})
    return _case(f"(c.zone_ok = 0 OR t.tw{i} = 1)", rank(rule.verdict))


def frequency(rule: Rule, i: int) -> str:
    p: FrequencyParams = rule.params
    v = rank(rule.verdict)
    arms: list[str] = []
    for j, cap in enumerate(p.caps):
        applies = in_sql("c.channel", cap.channels)
        if cap.scope == "debtor":
            applies += " AND c.is_debtor = 1"
        elif cap.scope == "point":
            applies += " AND c.contact_point_id IS NOT NULL"
        arms.append(f"({applies} AND f.full{i}_{j} = 1)")
    if p.min_gap_minutes and p.min_gap_channels:
        applies = in_sql("c.channel", p.min_gap_channels)
        if p.min_gap_scope == "debtor":
            applies += " AND c.is_debtor = 1"
        elif p.min_gap_scope == "point":
            applies += " AND c.contact_point_id IS NOT NULL"
        arms.append(f"({applies} AND f.gap{i} = 1)")
    blocked = _case(" OR ".join(arms), v) if arms else NEVER
    review = NEVER
    if p.review_after_refusal:
        chans = set(p.min_gap_channels) | set(VOICE_CHANNELS)
        review = _case(f"{in_sql('c.channel', chans)} AND {refused()}", rank(Verdict.REVIEW))
    return f"GREATEST({blocked}, {review})"


def party_gate(rule: Rule, i: int) -> str:
    p = rule.params
    return _case(f"NOT {allowed(p)} AND NOT {in_sql('c.purpose', p.locate_purposes)}", rank(rule.verdict))


def relationship_evidence(rule: Rule, i: int) -> str:
    p = rule.params
    cond = f"c.p_found = 1 AND {in_sql('c.role', p.roles)} AND c.p_evidence = 0 AND c.purpose <> '{Purpose.LOCATE.value}'"
    return _case(cond, rank(rule.verdict))


def third_party_contact(rule: Rule, i: int) -> str:
    p: ThirdPartyContactParams = rule.params
    if p.mode != "cn_unreachable":
        raise UnsupportedRuleError(rule.id, rule.kind, f"mode {p.mode} (only cn_unreachable is column-wise)")
    v = rank(rule.verdict)
    n = p.consecutive_failed_dials
    unreachable = f"(c.flag_unreachable = 1 OR c.deceased = 1 OR COALESCE(r.u{n}, 0) = 1)"
    return (
        f"CASE WHEN {allowed(p)} THEN 0 "
        f"WHEN c.p_refused = 1 OR {refused()} THEN {v} "
        f"WHEN NOT {unreachable} THEN {v} "
        f"WHEN c.purpose <> '{Purpose.LOCATE.value}' THEN {v} "
        f"ELSE {rank(Verdict.ALLOW_WITH_CONSTRAINTS)} END"
    )


def text_only(rule: Rule, i: int) -> str:
    """Kinds that only read the message text (or attachments, or flags the planner never sets)."""
    return NEVER


def disclosure(rule: Rule, i: int) -> str:
    p = rule.params
    public = in_sql("c.channel", (Channel.SOCIAL_PUBLIC, Channel.GROUP_CHAT))
    collect = f"c.purpose = '{Purpose.COLLECT.value}'"
    arms = []
    if p.public_fires:
        arms.append(f"({public} AND {collect})")
    if p.collect_purpose_fires:
        arms.append(f"({collect} AND NOT {allowed(p)})")
    return _case(" OR ".join(arms), rank(rule.verdict)) if arms else NEVER


def audience(rule: Rule, i: int) -> str:
    p = rule.params
    if "one_to_one" in {a.value for a in p.audiences}:
        return str(rank(rule.verdict))
    return _case(in_sql("c.channel", p.channels), rank(rule.verdict))


def data_lineage(rule: Rule, i: int) -> str:
    p: LineageParams = rule.params
    cond = (
        f"c.contact_point_id IS NOT NULL AND (c.pt_found = 0 OR NOT {in_sql('c.pt_source', p.allowed_sources)} "
        f"OR c.pt_owner <> c.party_id)"
    )
    return _case(cond, rank(rule.verdict))


def agency(rule: Rule, i: int) -> str:
    p: AgencyParams = rule.params
    if not p.require_whitelisted:
        return NEVER
    return _case("c.agency_id IS NOT NULL AND NOT COALESCE(c.agency_whitelisted, FALSE)", rank(rule.verdict))


def visit(rule: Rule, i: int) -> str:
    p: VisitParams = rule.params
    conds = ["c.v_found IS NULL"]
    if p.min_staff is not None:
        conds.append(f"COALESCE(c.v_staff, 0) < {p.min_staff}")
    if p.require_recording:
        conds.append("NOT c.v_recording")
    if p.blocked_locations:
        conds.append(in_sql("LOWER(COALESCE(c.v_location, 'home'))", {x.lower() for x in p.blocked_locations}))
    if p.min_notice_hours is not None:
        conds.append(f"c.v_notice_s IS NULL OR c.at_s - c.v_notice_s < {p.min_notice_hours * 3600}")
    if p.block_if_vulnerable:
        conds.append("c.vulnerable = 1")
    if p.block_if_dispute:
        conds.append("c.dispute = 1")
    if p.window_start is not None and p.window_end is not None:
        conds.append(f"COALESCE(t.vw{i}, 0) = 1")
    cond = " OR ".join(f"({x})" for x in conds)
    return _case(f"c.channel = '{Channel.VISIT.value}' AND ({cond})", rank(rule.verdict))


def hold(rule: Rule, i: int) -> str:
    p: HoldParams = rule.params
    active = {
        "cease": "c.cease_s IS NOT NULL AND c.cease_s <= c.at_s",
        "dispute": "c.dispute = 1",
        "attorney": "FALSE",  # attorney representation is not in the planner's relations
        "breathing_space": "c.bs_any = 1 AND (c.bs_open = 1 OR COALESCE(t.day0, "
        "CAST(FLOOR(c.at_s / 86400) AS BIGINT)) < c.bs_end_no)",
        "bankruptcy": "c.bankruptcy = 1",
        "deceased": "c.deceased = 1",
        "vulnerability": "c.vulnerable = 1",
    }[p.hold]
    conds = [f"NOT {in_sql('c.purpose', p.allowed_purposes)}", f"NOT {in_sql('c.channel', p.exempt_channels)}"]
    if p.hold == "attorney" or p.debtor_only:
        conds.append("c.is_debtor = 1")
    conds.append(f"({active})")
    v = rank(Verdict.REVIEW) if p.hold == "vulnerability" else rank(rule.verdict)
    return _case(" AND ".join(conds), v)


def _cap_bp(p: RateParams) -> str:
    """`compile_rate.cap_bp` over `c.debt_contract_date`, with the LPR table as literals."""
    arms = [f"WHEN c.debt_contract_date < {date_lit(p.old_rule_before)} THEN {p.old_cap_bp}"]
    for e in reversed(_lpr_table().entries):
        arms.append(f"WHEN c.debt_contract_date >= {date_lit(e.effective)} THEN {e.rate_bp * p.lpr_multiplier}")
    return "(CASE " + " ".join(arms) + " ELSE NULL END)"


def rate(rule: Rule, i: int) -> str:
    p: RateParams = rule.params
    base = f"c.debt_apr_bp IS NOT NULL AND c.purpose <> '{Purpose.SERVICE.value}'"
    private = f"c.debt_lender_type = '{LenderType.PRIVATE.value}'"
    if p.mode == "illegal_debt":
        return _case(f"{base} AND {private} AND c.debt_apr_bp > {p.excess_bp}", rank(rule.verdict))
    if p.mode == "private_lpr_cap":
        cap = _cap_bp(p)
        cond = f"{base} AND {private} AND {cap} IS NOT NULL AND c.debt_apr_bp > {cap}"
        return _case(cond, rank(Verdict.ALLOW_WITH_CONSTRAINTS))  # no text: no amount is stated
    licensed = f"c.debt_lender_type = '{LenderType.LICENSED.value}'"
    return _case(f"{base} AND {licensed} AND c.debt_apr_bp > {p.excess_bp}", rank(Verdict.REVIEW))


def esafe(rule: Rule, i: int) -> str:
    # No consents, no used_by_debtor_for_debt in the relations: every text or email to the debtor lacks a safe harbour.
    return _case(f"{in_sql('c.channel', (Channel.SMS, Channel.EMAIL))} AND c.is_debtor = 1", rank(rule.verdict))


def work_email(rule: Rule, i: int) -> str:
    return _case(f"c.channel = '{Channel.EMAIL.value}' AND c.pt_found = 1 AND c.pt_employer = 1", rank(rule.verdict))


def medium_optout(rule: Rule, i: int) -> str:
    if rule.params.reply_once:
        raise UnsupportedRuleError(rule.id, rule.kind, "reply_once needs per-point message order (not column-wise yet)")
    return _case(f"c.pt_found = 1 AND c.pt_opted_out = 1 AND c.purpose <> '{Purpose.SERVICE.value}'", rank(rule.verdict))


def unsupported(rule: Rule, i: int) -> str:
    raise UnsupportedRuleError(rule.id, rule.kind, "no column-wise form")


KIND_SQL: dict[str, Callable[[Rule, int], str]] = {
    "time_window": time_window,
    "frequency": frequency,
    "party_gate": party_gate,
    "relationship_evidence": relationship_evidence,
    "third_party_demand": text_only,  # fires only on a payment demand in the text
    "third_party_contact": third_party_contact,
    "content_category": text_only,
    "claims": text_only,
    "phrases": text_only,
    "required": text_only,  # a required element of a written message: no text, nothing to check
    "disclosure": disclosure,
    "audience": audience,
    "images": text_only,  # attachments: planned contacts carry none
    "data_lineage": data_lineage,
    "agency": agency,
    "visit": visit,
    "hold": hold,
    "rate": rate,
    "esafe": esafe,
    "work_email": work_email,
    "medium_optout": medium_optout,
    "time_bar": text_only,  # flags.time_barred is never set from the relations
    "verify": text_only,
    "us_7in7": unsupported,
}


def window_facts(rule: Rule, i: int) -> list[str]:
    """rz_time columns a rule needs: `tw{i}` / `vw{i}` = outside its window in some candidate zone."""
    p: Any = rule.params
    if rule.kind == "time_window":
        inside = in_window("z.sod", p.start, p.end, exclusive=p.start_exclusive)
        return [f"MAX(CASE WHEN NOT {inside} THEN 1 ELSE 0 END) AS tw{i}"]
    if rule.kind == "visit" and p.window_start is not None and p.window_end is not None:
        inside = in_window("z.sod", p.window_start, p.window_end)
        return [f"MAX(CASE WHEN NOT {inside} THEN 1 ELSE 0 END) AS vw{i}"]
    return []

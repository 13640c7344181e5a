"""Home and field visits (CN-VISIT-1, CN-REC-1, UK-CONC-7.9.12R/14R, US-REGF-1006.6(b)(1)-PLACE)."""

from __future__ import annotations

from datetime import time

from arrears.compliance.decision import Fired
from arrears.compliance.rules.base import NONE, Compiled, Eval, RuleMeta
from arrears.compliance.rules.params import HHMM, Params
from arrears.compliance.rules.time_window import in_agreed
from arrears.domain.content import ContentCategory
from arrears.domain.enums import Channel


class VisitParams(Params):
    min_staff: int | None = None
    require_recording: bool = False
    blocked_locations: tuple[str, ...] = ()
    min_notice_hours: int | None = None
    block_if_vulnerable: bool = False
    block_if_dispute: bool = False
    window_start: HHMM | None = None
    window_end: HHMM | None = None
    threat_categories: tuple[ContentCategory, ...] = ()


TIGHTEN = {
    "min_staff": "ge",
    "require_recording": "true_stays",
    "blocked_locations": "superset",
    "min_notice_hours": "ge",
    "block_if_vulnerable": "true_stays",
    "block_if_dispute": "true_stays",
    "window_start": "ge",
    "window_end": "le",
    "threat_categories": "superset",
}


def compile_visit(meta: RuleMeta, p: VisitParams) -> Compiled:
    blocked = frozenset(x.lower() for x in p.blocked_locations)
    threats = frozenset(p.threat_categories)

    def check(ev: Eval) -> tuple[Fired, ...]:
        a = ev.attempt
        if a.channel is not Channel.VISIT:
            return NONE
        v = a.visit
        out: list[Fired] = []
        if v is None:
            return (meta.fire("上门计划缺失(人数、地点、录音)", "the visit plan is missing (staff, place, recording)"),)
        if p.min_staff is not None and v.staff_count < p.min_staff:
            out.append(meta.fire(f"外访人员 {v.staff_count} 人,至少需 {p.min_staff} 人", f"{v.staff_count} staff; at least {p.min_staff} required"))
        if p.require_recording and not v.recording:
            out.append(meta.fire("外访未开启录音录像", "the visit is not recorded"))
        if v.location_type.lower() in blocked:
            out.append(meta.fire(f"不得在该地点上门({v.location_type})", f"no visit at this kind of place ({v.location_type})"))
        if p.min_notice_hours is not None:
            if v.notice_given_at is None:
                out.append(meta.fire("上门前未提前通知", "no notice was given before the visit"))
            elif (ev.now - v.notice_given_at).total_seconds() < p.min_notice_hours * 3600:
                out.append(meta.fire(f"通知不足 {p.min_notice_hours} 小时", f"less than {p.min_notice_hours} hours' notice"))
        f = ev.debtor.flags
        if p.block_if_vulnerable and f.vulnerability:
            out.append(meta.fire("客户为脆弱客户,不得上门", "the customer is known to be vulnerable: no visit"))
        if p.block_if_dispute and f.dispute_open:
            out.append(meta.fire("债务有争议,未经同意不得上门", "the debt is disputed: no visit without agreement"))
        if p.window_start is not None and p.window_end is not None:
            for local in ev.local_now:
                t = local.time()
                if not (p.window_start <= t < p.window_end) and not in_agreed(local, ev.debtor.agreed_windows):
                    out.append(meta.fire(f"当地时间 {local:%H:%M} 不得上门", f"no visit at local time {local:%H:%M}", temporal=True))
                    break
        if threats and a.text and any(c in threats for c in ev.content.categories):
            out.append(meta.fire("上门话术含威胁内容", "the visit script contains threats"))
        return tuple(out[:1]) if out else NONE

    times: tuple[time, ...] = (p.window_start,) if p.window_start is not None else ()
    return Compiled(check, times)

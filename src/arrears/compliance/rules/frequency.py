"""Per-day caps and minimum gaps (CN-FREQ-1/2/3, US-REGF-1006.14(b)(1)-REPEAT, UK-POL-FREQ).

A cap counts today's outbound entries of some channels (and outcomes) for one scope: the case (every person),
the debtor, the person contacted, or the contact point. "Today" is the local calendar day in every candidate
zone (or a named zone); the attempt is blocked when the count has reached the limit in any of them.
"""

from __future__ import annotations

from datetime import time
from typing import Literal

from arrears.compliance.decision import Fired, Verdict
from arrears.compliance.model import HistoryEntry
from arrears.compliance.rules.base import DAY_LOOKBACK, NONE, Compiled, Eval, RuleMeta, no_later_entries
from arrears.compliance.rules.params import Params
from arrears.compliance.zones import zone
from arrears.domain.enums import Channel, Direction, Outcome

Scope = Literal["case", "debtor", "person", "point"]


class Cap(Params):
    scope: Scope
    channels: list[Channel]
    outcomes: list[Outcome] | None = None  # None: every outcome counts
    limit: int  # at most `limit` per local day: block when today's count >= limit
    tz: str = "debtor"  # "debtor": every candidate zone; otherwise one IANA zone
    label_zh: str
    label_en: str


class FrequencyParams(Params):
    caps: tuple[Cap, ...] = ()
    min_gap_minutes: int | None = None
    min_gap_scope: Scope = "person"
    min_gap_channels: tuple[Channel, ...] = ()
    review_after_refusal: bool = False  # any call after a "stop calling" goes to a human


TIGHTEN = {"caps": "caps", "min_gap_minutes": "ge", "min_gap_channels": "superset", "review_after_refusal": "true_stays"}

_OUT = Direction.OUT


def _in_scope(h: HistoryEntry, scope: str, ev: Eval) -> bool:
    if scope == "case":
        return True
    if scope == "debtor":
        return h.to == ev.debtor.id
    if scope == "person":
        return h.to == ev.attempt.to
    return ev.attempt.point is not None and h.point == ev.attempt.point


def _applies(scope: str, ev: Eval) -> bool:
    if scope == "debtor":
        return ev.is_debtor
    if scope == "point":
        return ev.attempt.point is not None
    return True


def compile_rule(meta: RuleMeta, p: FrequencyParams) -> Compiled:
    caps = tuple(
        (
            c.scope,
            frozenset(c.channels),
            frozenset(c.outcomes) if c.outcomes is not None else None,
            c.limit,
            None if c.tz == "debtor" else zone(c.tz),
            c.label_zh,
            c.label_en,
        )
        for c in p.caps
    )
    for c in p.caps:
        if c.tz != "debtor" and zone(c.tz) is None:
            raise ValueError(f"caps.tz: unknown IANA zone {c.tz!r}")
    gap = float(p.min_gap_minutes * 60) if p.min_gap_minutes else 0.0
    gap_scope = p.min_gap_scope
    gap_channels = frozenset(p.min_gap_channels)
    review_refusal = p.review_after_refusal
    voice_or_gap = gap_channels | {Channel.CALL, Channel.AI_VOICE}

    def full_caps(ev: Eval, first_only: bool) -> list[tuple[int, int]]:
        """(cap index, today's count) of every cap that has reached its limit (in any of its zones)."""
        ch = ev.attempt.channel
        found: list[tuple[int, int]] = []
        for i, (scope, channels, outcomes, limit, tz, _lzh, _len) in enumerate(caps):
            if ch not in channels or not _applies(scope, ev):
                continue
            rows = [
                h.ts
                for h in ev.day_entries()
                if h.direction is _OUT
                and h.channel in channels
                and (outcomes is None or h.outcome in outcomes)
                and _in_scope(h, scope, ev)
            ]
            if len(rows) < limit:
                continue
            for z in ev.zones if tz is None else (tz,):
                lo, hi = ev.day_bounds(z)
                n = sum(1 for ts in rows if lo <= ts < hi)
                if n >= limit:
                    found.append((i, n))
                    if first_only:
                        return found
                    break
        return found

    def last_within_gap(ev: Eval) -> float | None:
        """The latest gap-relevant entry less than `min_gap_minutes` before now, if the gap applies."""
        if not (gap and ev.attempt.channel in gap_channels and _applies(gap_scope, ev)):
            return None
        lo_ts = ev.now_ts - gap
        return max(
            (
                h.ts
                for h in ev.day_entries()
                if h.direction is _OUT and h.channel in gap_channels and h.ts > lo_ts and _in_scope(h, gap_scope, ev)
            ),
            default=None,
        )

    def check(ev: Eval) -> tuple[Fired, ...]:
        ch = ev.attempt.channel
        out: list[Fired] = []
        for i, n in full_caps(ev, False):
            limit, lzh, len_ = caps[i][3], caps[i][5], caps[i][6]
            out.append(
                meta.fire(
                    f"{lzh}今日已 {n} 次,达到上限 {limit} 次",
                    f"{len_} today: {n}, at the limit of {limit}",
                    temporal=True,
                )
            )
        last = last_within_gap(ev)
        if last is not None:
            mins = int((ev.now_ts - last) // 60)
            out.append(
                meta.fire(
                    f"距上次联系仅 {mins} 分钟,最短间隔 {p.min_gap_minutes} 分钟",
                    f"only {mins} min since the last contact; minimum gap {p.min_gap_minutes} min",
                    temporal=True,
                )
            )
        if review_refusal and ch in voice_or_gap and ev.case.refused_before(ev.attempt.to, ev.now_ts):
            out.append(
                meta.fire(
                    "对方曾明确要求停止来电,继续拨打需人工复核",
                    "the person has asked us to stop calling; any further call needs human review",
                    verdict=Verdict.REVIEW,
                )
            )
        return tuple(out) if out else NONE

    blocking = meta.verdict is Verdict.BLOCK

    def blocks(ev: Eval) -> bool:
        """`check` yields a block (a full cap or the gap; the refusal review never blocks)."""
        return blocking and (bool(full_caps(ev, True)) or last_within_gap(ev) is not None)

    def not_before(ev: Eval) -> float | None:
        """Earliest instant every cap and the gap could pass: tomorrow where a cap is full, last + gap."""
        ch = ev.attempt.channel
        bound = ev.now_ts
        for scope, channels, outcomes, limit, tz, _lzh, _len in caps:
            if ch not in channels or not _applies(scope, ev):
                continue
            rows = [
                h.ts
                for h in ev.day_entries()
                if h.direction is _OUT
                and h.channel in channels
                and (outcomes is None or h.outcome in outcomes)
                and _in_scope(h, scope, ev)
            ]
            for z in ev.zones if tz is None else (tz,):
                lo, hi = ev.day_bounds(z)
                if sum(1 for ts in rows if lo <= ts < hi) >= limit:
                    bound = max(bound, hi)
        if gap and ch in gap_channels and _applies(gap_scope, ev):
            for h in ev.day_entries():
                if h.direction is _OUT and h.channel in gap_channels and _in_scope(h, gap_scope, ev):
                    bound = max(bound, h.ts + gap)
        return bound

    sane = gap <= DAY_LOOKBACK and all(c[3] >= 1 for c in caps)

    def settles(ev: Eval) -> bool:
        """Without later entries, today's counts stay put until local midnight and then drop to zero, and the
        last contact only ages: once the attempt passes (or `not_before` is reached) it keeps passing."""
        return sane and no_later_entries(ev)

    return Compiled(check, (time(0, 0),), gap, not_before, blocks, settles)

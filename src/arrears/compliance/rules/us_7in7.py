"""Reg F 7-in-7 (US-REGF-1006.14-7IN7), built from the regulation text (rules.md 2.2).

key = (collector, person, debt). D = the proposed call's local date, judged in every candidate zone.
(A) counted calls dated D-6..D, plus this one, more than `limit` -> block.
(B) a conversation (either direction) dated D-6..D, and this call is not inside an active prior-consent
    window -> block. Not counted: calls not connected (busy, not in service, network failure), calls to the
    excluded roles, calls placed inside an active prior-consent window. A consent given on date C covers calls
    on C..C+6 and ends once a call placed under it produces a conversation.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from arrears.compliance.decision import Fired
from arrears.compliance.model import Consent, HistoryEntry
from arrears.compliance.rules.base import NONE, Compiled, Eval, RuleMeta, midnight_ts
from arrears.compliance.rules.params import Params
from arrears.domain.enums import VOICE_CHANNELS, Channel, Direction, Outcome, Role


class SevenInSevenParams(Params):
    limit: int = 7
    days: int = 7
    cooldown_days: int = 7
    consent_days: int = 7
    not_connected: tuple[Outcome, ...] = (Outcome.BUSY, Outcome.NOT_IN_SERVICE, Outcome.NETWORK_FAIL)
    excluded_roles: tuple[Role, ...] = (Role.CONSUMER_ATTORNEY,)


TIGHTEN = {"limit": "le", "days": "ge", "cooldown_days": "ge", "consent_days": "le"}


def _consent_windows(
    consents: tuple[Consent, ...], tz: ZoneInfo, days: int, convos: list[HistoryEntry]
) -> list[tuple[float, float]]:
    """[given_at, end) spans in epoch seconds, each cut short by the first conversation placed under it."""
    spans: list[tuple[float, float]] = []
    for c in consents:
        if c.channel not in VOICE_CHANNELS:
            continue
        start = c.given_at.timestamp()
        first_day = c.given_at.astimezone(tz).date()
        end = midnight_ts(first_day + timedelta(days=days), tz)
        for h in convos:  # sorted
            if h.direction is Direction.OUT and start <= h.ts < end:
                end = h.ts + 1e-6  # the consented call itself is covered; consent is used up after it
                break
        spans.append((start, end))
    return spans


def compile_rule(meta: RuleMeta, p: SevenInSevenParams) -> Compiled:
    limit, days, cool, cdays = p.limit, p.days, p.cooldown_days, p.consent_days
    not_connected = frozenset(p.not_connected)
    excluded = frozenset(p.excluded_roles)
    lookback = float(max(days, cool) + 2) * 86400.0

    def check(ev: Eval) -> tuple[Fired, ...]:
        a = ev.attempt
        if a.channel not in VOICE_CHANNELS or ev.recipient_role in excluded or not ev.zones:
            return NONE
        person, debt, collector = a.to, a.debt, a.collector
        rows = [
            h
            for h in ev.recent(lookback)
            if h.to == person
            and h.channel in VOICE_CHANNELS
            and (debt is None or h.debt is None or h.debt == debt)
            and (collector is None or h.collector is None or h.collector == collector)
        ]
        convos = [h for h in rows if h.outcome is Outcome.CONVERSATION]  # `recent` is already in time order
        now_ts = ev.now_ts
        consents = ev.debtor.consents
        # Without consents the counted calls do not depend on the zone: bisect one sorted list per zone.
        eligible = [h.ts for h in rows if h.direction is Direction.OUT and h.outcome not in not_connected]
        for tz in ev.zones:
            spans = _consent_windows(consents, tz, cdays, convos) if consents else []
            lo, _hi = ev.day_bounds(tz, days - 1)
            if spans:
                counted = sum(1 for ts in eligible if lo <= ts and not any(s <= ts < e for s, e in spans))
                this_consented = any(s <= now_ts < e for s, e in spans)
            else:
                counted = len(eligible) - bisect_left(eligible, lo)
                this_consented = False
            if not this_consented and counted + 1 > limit:
                return (
                    meta.fire(
                        f"(A) 7 日内({_d(lo, tz)} 起)已向此人就该债务拨打 {counted} 次,再拨将超过 {limit} 次",
                        f"(A) {counted} counted calls to this person about this debt since {_d(lo, tz)}; "
                        f"one more exceeds {limit} in {days} days",
                        temporal=True,
                    ),
                )
            clo, _ = ev.day_bounds(tz, cool - 1)
            if convos and convos[-1].ts >= clo and not this_consented:
                last = convos[-1]
                return (
                    meta.fire(
                        f"(B) {_d(last.ts, tz)} 已与此人就该债务通话,7 日冷却期内不得再次致电",
                        f"(B) a conversation about this debt on {_d(last.ts, tz)} starts a {cool}-day period "
                        "with no further calls",
                        temporal=True,
                    ),
                )
        return NONE

    def not_before(ev: Eval) -> float | None:
        """Earliest local midnight (all zones) when both limbs pass, assuming no new calls; None with consents
        (a future consent window could let a call through earlier)."""
        a = ev.attempt
        if ev.debtor.consents or a.channel not in VOICE_CHANNELS or not ev.zones:
            return None
        rows = [
            h
            for h in ev.recent(lookback)
            if h.to == a.to
            and h.channel in VOICE_CHANNELS
            and (a.debt is None or h.debt is None or h.debt == a.debt)
            and (a.collector is None or h.collector is None or h.collector == a.collector)
        ]
        bound = ev.now_ts
        counted = sorted(
            (h.ts for h in rows if h.direction is Direction.OUT and h.outcome not in not_connected), reverse=True
        )
        talks = [h.ts for h in rows if h.outcome is Outcome.CONVERSATION]
        for tz in ev.zones:
            if len(counted) >= limit:
                kth = datetime.fromtimestamp(counted[limit - 1], tz).date()
                bound = max(bound, midnight_ts(kth + timedelta(days=days), tz))
            if talks:
                last = datetime.fromtimestamp(max(talks), tz).date()
                bound = max(bound, midnight_ts(last + timedelta(days=cool), tz))
        return bound

    return Compiled(check, (time(0, 0),), 0.0, not_before)


def _d(ts: float, tz: ZoneInfo) -> str:
    return datetime.fromtimestamp(ts, tz).date().isoformat()


__all__ = ["Channel", "SevenInSevenParams", "compile_rule"]

"""Reg F 7-in-7 (US-REGF-1006.14-7IN7), built from the regulation text (rules.md 2.2).

key = (collector, person, debt). D = the proposed call's local date, judged in every candidate zone.
(A) counted calls dated D-6..D, plus this one, more than `limit` -> block.
(B) a conversation (either direction) dated D-6..D, and this call is not inside an active prior-consent
    window -> block. Not counted: calls not connected (busy, not in service, network failure), calls to the
    excluded roles, calls placed inside an active prior-consent window. A consent given on date C covers calls
    on C..C+6 and ends once a call placed under it produces a conversation.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from arrears.compliance.decision import Fired, Verdict
from arrears.compliance.model import Consent, HistoryEntry
from arrears.compliance.rules.base import NONE, Compiled, Eval, RuleMeta, midnight_ts, no_later_entries
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


@dataclass(frozen=True, slots=True)
class _Calls:
    """One evaluation's index of the voice history for (collector, person, debt), in time order."""

    eligible: list[float]  # outbound, connected: the calls limb (A) can count (before consent windows)
    convos: list[HistoryEntry]  # conversations, either direction
    convo_ts: list[float]


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

    key = object()  # this rule's slot in an evaluation's index memo
    span_days, cool_days = timedelta(days=days), timedelta(days=cool)

    def calls(ev: Eval) -> _Calls:
        """Voice entries for (collector, person, debt) from the look-back before the anchor onwards."""
        a = ev.attempt
        person, debt, collector = a.to, a.debt, a.collector
        eligible: list[float] = []
        convos: list[HistoryEntry] = []
        voice, out, convo = VOICE_CHANNELS, Direction.OUT, Outcome.CONVERSATION
        for h in ev.since(lookback):
            if h.to != person or h.channel not in voice:
                continue
            if debt is not None and h.debt is not None and h.debt != debt:
                continue
            if collector is not None and h.collector is not None and h.collector != collector:
                continue
            o = h.outcome
            if h.direction is out and o not in not_connected:
                eligible.append(h.ts)
            if o is convo:
                convos.append(h)
        return _Calls(eligible, convos, [h.ts for h in convos])

    def violation(ev: Eval) -> tuple[str, ZoneInfo, int, float] | None:
        """The first limb broken, judged zone by zone: ("A", zone, counted calls, start of the 7-day span) or
        ("B", zone, 0, time of the last conversation); None when the call may be placed."""
        a = ev.attempt
        if a.channel not in VOICE_CHANNELS or ev.recipient_role in excluded or not ev.zones:
            return None
        idx: _Calls = ev.indexed(key, calls)
        now_ts = ev.now_ts
        w0 = now_ts - lookback  # the rows `recent(lookback)` would return: [now - lookback, now]
        eligible = idx.eligible
        ea, eb = bisect_left(eligible, w0), bisect_right(eligible, now_ts)
        ca, cb = bisect_left(idx.convo_ts, w0), bisect_right(idx.convo_ts, now_ts)
        consents = ev.debtor.consents
        convos = idx.convos[ca:cb] if consents else []
        for tz in ev.zones:
            spans = _consent_windows(consents, tz, cdays, convos) if consents else []
            lo, _hi = ev.day_bounds(tz, days - 1)
            if spans:
                counted = sum(
                    1 for ts in eligible[ea:eb] if lo <= ts and not any(s <= ts < e for s, e in spans)
                )
                this_consented = any(s <= now_ts < e for s, e in spans)
            else:
                # Without consents the counted calls do not depend on the zone: bisect the sorted list.
                counted = max(0, eb - max(ea, bisect_left(eligible, lo)))
                this_consented = False
            if not this_consented and counted + 1 > limit:
                return "A", tz, counted, lo
            clo = lo if cool == days else ev.day_bounds(tz, cool - 1)[0]
            if cb > ca and idx.convo_ts[cb - 1] >= clo and not this_consented:
                return "B", tz, 0, idx.convo_ts[cb - 1]
        return None

    def check(ev: Eval) -> tuple[Fired, ...]:
        found = violation(ev)
        if found is None:
            return NONE
        limb, tz, counted, ts = found
        day = _d(ts, tz)
        if limb == "A":
            return (
                meta.fire(
                    f"(A) 7 日内({day} 起)已向此人就该债务拨打 {counted} 次,再拨将超过 {limit} 次",
                    f"(A) {counted} counted calls to this person about this debt since {day}; "
                    f"one more exceeds {limit} in {days} days",
                    temporal=True,
                ),
            )
        return (
            meta.fire(
                f"(B) {day} 已与此人就该债务通话,7 日冷却期内不得再次致电",
                f"(B) a conversation about this debt on {day} starts a {cool}-day period "
                "with no further calls",
                temporal=True,
            ),
        )

    blocking = meta.verdict is Verdict.BLOCK

    def blocks(ev: Eval) -> bool:
        """`check` yields a block (without writing the reasons): for the next-allowed search."""
        return blocking and violation(ev) is not None

    def not_before(ev: Eval) -> float | None:
        """Earliest local midnight (all zones) when both limbs pass, assuming no new calls; None with consents
        (a future consent window could let a call through earlier)."""
        a = ev.attempt
        if ev.debtor.consents or a.channel not in VOICE_CHANNELS or not ev.zones:
            return None
        idx: _Calls = ev.indexed(key, calls)
        now_ts = ev.now_ts
        w0 = now_ts - lookback
        eligible = idx.eligible
        ea, eb = bisect_left(eligible, w0), bisect_right(eligible, now_ts)
        ca, cb = bisect_left(idx.convo_ts, w0), bisect_right(idx.convo_ts, now_ts)
        bound = now_ts
        kth_ts = eligible[eb - limit] if eb - ea >= limit else None
        last_ts = idx.convo_ts[cb - 1] if cb > ca else None
        for tz in ev.zones:
            if kth_ts is not None:  # the limit-th latest counted call rolls off `days` local days after its date
                kth = datetime.fromtimestamp(kth_ts, tz).date()
                bound = max(bound, midnight_ts(kth + span_days, tz))
            if last_ts is not None:
                last = datetime.fromtimestamp(last_ts, tz).date()
                bound = max(bound, midnight_ts(last + cool_days, tz))
        return bound

    sane = limit >= 1 and days >= 1 and cool >= 1

    def settles(ev: Eval) -> bool:
        """Without consents or later entries, the counted calls and the last conversation only age: once the
        call passes (or `not_before` is reached) it keeps passing."""
        return sane and not ev.debtor.consents and no_later_entries(ev)

    return Compiled(check, (time(0, 0),), 0.0, not_before, blocks, settles)


def _d(ts: float, tz: ZoneInfo) -> str:
    return datetime.fromtimestamp(ts, tz).date().isoformat()


__all__ = ["Channel", "SevenInSevenParams", "compile_rule"]

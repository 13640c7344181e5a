"""Contact hours in every candidate local time zone (CN-TIME-1/2, US-REGF-1006.6(b)(1)-TIME, UK-CONC-7.9.4R-TIME).

Allowed iff the local time is inside the window in *every* candidate zone, or inside a window the debtor agreed
to for that local date, and not inside a time the debtor called inconvenient. An empty candidate set, an unknown
zone or a raw offset fails closed.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache

from arrears.compliance.decision import Fired, Verdict
from arrears.compliance.model import AgreedWindow, DailyTimes
from arrears.compliance.rules.base import NONE, Compiled, Eval, RuleMeta
from arrears.compliance.rules.params import HHMM, Params


class TimeWindowParams(Params):
    start: HHMM  # allowed from (local)
    end: HHMM  # allowed until, exclusive (local)
    start_exclusive: bool = False  # US: strictly after 08:00
    honour_agreed_windows: bool = True
    honour_inconvenient_times: bool = True


TIGHTEN = {"start": "ge", "end": "le", "start_exclusive": "true_stays", "honour_inconvenient_times": "true_stays"}


def in_daily(t: time, start: time, end: time) -> bool:
    if start <= end:
        return start <= t < end
    return t >= start or t < end


def in_agreed(local: datetime, windows: tuple[AgreedWindow, ...]) -> bool:
    d = local.date()
    t = local.time()  # naive wall-clock time (`timetz()` would carry the zone)
    for w in windows:
        if w.start < w.end:
            if w.day == d and w.start <= t < w.end:
                return True
        elif (w.day == d and t >= w.start) or (w.day + timedelta(days=1) == d and t < w.end):
            return True
    return False


def in_inconvenient(local: datetime, ranges: tuple[DailyTimes, ...]) -> DailyTimes | None:
    t = local.time()
    for r in ranges:
        if in_daily(t, r.start, r.end):
            return r
    return None


@lru_cache(maxsize=65536)
def _local_ts(day: date, at: time, tz: tzinfo | None) -> float:
    """Epoch seconds of local `at` on `day` in `tz` (cached: window openings repeat across decisions)."""
    return datetime.combine(day, at, tzinfo=tz).timestamp()


def _hm(t: time) -> str:
    return t.strftime("%H:%M")


def compile_rule(meta: RuleMeta, p: TimeWindowParams) -> Compiled:
    start, end, excl = p.start, p.end, p.start_exclusive
    honour_agreed, honour_inconv = p.honour_agreed_windows, p.honour_inconvenient_times
    window_txt = f"{'(' if excl else '['}{_hm(start)}, {_hm(end)})"

    def closed(ev: Eval) -> tuple[datetime, DailyTimes | None] | None:
        """Where the attempt falls outside the window: (local time, None) outside the contact hours,
        (local time, range) inside an inconvenient range; None when it may happen now (zone errors aside)."""
        debtor = ev.debtor
        agreed = debtor.agreed_windows if honour_agreed else ()
        inconv = debtor.inconvenient_times if honour_inconv else ()
        for local in ev.local_now:
            if agreed and in_agreed(local, agreed):
                continue
            t = local.time()
            if not ((start < t if excl else start <= t) and t < end):
                return local, None
            if inconv:
                bad_range = in_inconvenient(local, inconv)
                if bad_range is not None:
                    return local, bad_range
        return None

    def check(ev: Eval) -> tuple[Fired, ...]:
        if ev.zone_error is not None:
            bad = ev.zone_error
            return (
                meta.fire(
                    f"债务人时区无法确定({bad or '空'}),按规定从严拦截",
                    f"debtor time zone unknown ({bad or 'empty'}); failing closed",
                ),
            )
        found = closed(ev)
        if found is None:
            return NONE
        local, bad_range = found
        zname = str(local.tzinfo)
        if bad_range is None:
            return (
                meta.fire(
                    f"债务人当地时间 {local:%H:%M}({zname})不在允许联系时段 {window_txt} 内",
                    f"debtor local time {local:%H:%M} ({zname}) is outside the contact window {window_txt}",
                    temporal=True,
                ),
            )
        rng = f"{_hm(bad_range.start)}–{_hm(bad_range.end)}"
        return (
            meta.fire(
                f"债务人表示 {rng} 不方便接受联系(当地时间 {local:%H:%M},{zname})",
                f"the debtor said {rng} is inconvenient (local time {local:%H:%M}, {zname})",
                temporal=True,
            ),
        )

    blocking = meta.verdict is Verdict.BLOCK

    def blocks(ev: Eval) -> bool:
        """`check` yields a block (without writing the reasons): for the next-allowed search."""
        return blocking and (ev.zone_error is not None or closed(ev) is not None)

    first = (datetime.combine(datetime(2000, 1, 1), start) + timedelta(minutes=1)).time() if excl else start

    def next_open(ev: Eval) -> float | None:
        """The earliest instant at or after `ev.now` when the window is open in every zone; None when agreed
        windows or inconvenient times make it irregular (the caller then searches candidate by candidate)."""
        if ev.zone_error is not None or ev.debtor.agreed_windows or ev.debtor.inconvenient_times:
            return None
        bound = ev.now_ts
        for local in ev.local_now:
            t = local.time()
            if (start < t if excl else start <= t) and t < end:
                continue
            day = local.date() if t < first else local.date() + timedelta(days=1)
            opening = _local_ts(day, first, local.tzinfo)
            bound = max(bound, opening)
        return bound

    return Compiled(check, (first,), 0.0, next_open, blocks)

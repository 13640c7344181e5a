"""The engine: evaluate one attempt against a compiled pack. Pure; never acts, never reads the clock.

`compile_pack` turns a `Pack` into a `Plan`: per channel, the tuple of compiled rule checks that apply. An
evaluation builds one `Eval` (indexes computed lazily, at most once), runs the checks, folds the verdicts
(block > review > allow_with_constraints > allow) and, when only time/frequency rules block, searches forward
for the earliest instant at which the same attempt would pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from arrears.compliance.decision import RANK, Decision, Fired, Verdict
from arrears.compliance.model import CheckRequest
from arrears.compliance.pack import Pack
from arrears.compliance.rules import KINDS
from arrears.compliance.rules.base import Check, Compiled, Eval, RuleMeta
from arrears.domain.content import ContentChecker
from arrears.domain.enums import Channel

SEARCH_DAYS = 15


@dataclass(frozen=True, slots=True, eq=False)  # identity: steps go in sets during the search
class Step:
    meta: RuleMeta
    check: Check
    temporal: bool
    compiled: Compiled
    blocks: Callable[[Eval], bool]  # does `check` yield a block here? (the rule's fast probe, or run `check`)
    settles: Callable[[Eval], bool]  # `Compiled.settles`, or never


@dataclass(frozen=True, slots=True)
class Companion:
    meta: RuleMeta
    channels: frozenset[Channel]
    with_kinds: frozenset[str]


@dataclass(frozen=True, slots=True)
class Plan:
    pack: Pack
    by_channel: dict[Channel, tuple[Step, ...]]
    companions: tuple[Companion, ...]
    ids_by_channel: dict[Channel, tuple[str, ...]]
    # Per channel, the temporal steps in pack order (the search's pass test) and cheapest first (`_jump`).
    temporal_by_channel: dict[Channel, tuple[Step, ...]]
    ordered_by_channel: dict[Channel, tuple[Step, ...]]

    def steps(self, channel: Channel) -> tuple[Step, ...]:
        return self.by_channel.get(channel, ())

    def ids(self, channel: Channel) -> tuple[str, ...]:
        return self.ids_by_channel.get(channel, ())


def compile_pack(pack: Pack) -> Plan:
    steps: list[tuple[frozenset[Channel], Step]] = []
    companions: list[Companion] = []
    for r in pack.rules:
        meta = RuleMeta(r.id, r.kind, r.strength, r.verdict, r.title_zh, r.title_en)
        if r.kind == "companion":
            companions.append(Companion(meta, r.channels, frozenset(r.params.with_kinds)))
            continue
        kind = KINDS[r.kind]
        compiled = kind.compile(meta, r.params)
        blocks = compiled.blocks or _blocks_by_check(compiled.check)
        settles = compiled.settles or _never
        steps.append((r.channels, Step(meta, compiled.check, kind.temporal, compiled, blocks, settles)))
    by_channel = {ch: tuple(s for chans, s in steps if ch in chans) for ch in Channel}
    ids = {ch: tuple(s.meta.id for s in by_channel[ch]) for ch in Channel}
    temporal = {ch: tuple(s for s in by_channel[ch] if s.temporal) for ch in Channel}
    ordered = {ch: tuple(sorted(temporal[ch], key=lambda s: _COST.get(s.meta.kind, 9))) for ch in Channel}
    return Plan(pack, by_channel, tuple(companions), ids, temporal, ordered)


def _never(ev: Eval) -> bool:
    return False


def _blocks_by_check(check: Check) -> Callable[[Eval], bool]:
    def blocks(ev: Eval) -> bool:
        return any(f.verdict is Verdict.BLOCK for f in check(ev))

    return blocks


class Engine:
    """A compiled pack plus a content checker. `decide(request)` is the whole public surface."""

    def __init__(self, pack: Pack, checker: ContentChecker | None = None) -> None:
        if checker is None:
            from arrears.compliance.content import PhraseChecker

            checker = PhraseChecker()
        self.pack = pack
        self.plan = compile_pack(pack)
        self.checker = checker

    def decide(self, req: CheckRequest, *, search_next: bool = True) -> Decision:
        return evaluate(self.plan, req, self.checker, search_next=search_next)


def evaluate(plan: Plan, req: CheckRequest, checker: ContentChecker | None, *, search_next: bool = True) -> Decision:
    ev = Eval(req, checker)
    ch = req.attempt.channel
    steps = plan.by_channel.get(ch, ())
    hits: list[tuple[Step, Fired]] = []
    for s in steps:
        fired_here = s.check(ev)
        if fired_here:
            for f in fired_here:
                hits.append((s, f))
    if not hits:  # the common case: nothing fired
        return Decision(
            verdict=Verdict.ALLOW,
            fired=(),
            pack=plan.pack.id,
            pack_version=plan.pack.version,
            evaluated=plan.ids_by_channel.get(ch, ()),
        )
    fired = [f for _, f in hits]
    if plan.companions:
        for c in plan.companions:
            if ch in c.channels:
                worst = [f for s, f in hits if (not c.with_kinds or s.meta.kind in c.with_kinds)]
                if worst:
                    v = max((f.verdict for f in worst), key=RANK.__getitem__)
                    fired.append(
                        c.meta.fire(
                            "智能语音催收同样适用时间、频次与内容规则",
                            "AI voice collection is held to the same time, frequency and content rules",
                            verdict=v,
                        )
                    )
    verdict = Verdict.ALLOW
    for f in fired:
        if RANK[f.verdict] > RANK[verdict]:
            verdict = f.verdict
    constraints: list[str] = []
    if verdict is Verdict.ALLOW_WITH_CONSTRAINTS:
        for f in fired:
            for item in f.constraints:
                if item not in constraints:
                    constraints.append(item)
    nxt = None
    if search_next and verdict is Verdict.BLOCK:
        blocking = [s for s, f in hits if f.verdict is Verdict.BLOCK]
        if blocking and all(f.temporal for _, f in hits if f.verdict is Verdict.BLOCK):
            nxt = _search(ev, plan.temporal_by_channel[ch], plan.ordered_by_channel[ch], blocking)
    return Decision(
        verdict=verdict,
        fired=tuple(fired),
        pack=plan.pack.id,
        pack_version=plan.pack.version,
        next_allowed_at=nxt,
        constraints=tuple(constraints),
        evaluated=plan.ids_by_channel.get(ch, ()),
    )


def _local_times(ev: Eval, temporal: list[Step]) -> tuple[time, ...]:
    """Local clock times at which a temporal rule's answer can change."""
    times = {t for s in temporal for t in s.compiled.local_times}
    window_starts = {t for s in temporal if s.meta.kind == "time_window" for t in s.compiled.local_times}
    if window_starts and not ev.debtor.agreed_windows and time(0, 0) not in window_starts:
        times.discard(time(0, 0))  # a time window never opens at midnight, so midnight resets pass at its opening
    for w in ev.debtor.agreed_windows:
        times.add(w.start)
    for r in ev.debtor.inconvenient_times:
        times.add(r.end)
    return tuple(times)


def _extras(ev: Eval, temporal: list[Step]) -> list[datetime]:
    """Absolute candidate instants: agreed-window starts and the end of every minimum gap."""
    out = [datetime.combine(w.day, w.start, tzinfo=z) for w in ev.debtor.agreed_windows for z in ev.zones]
    gaps = {s.compiled.gap_seconds for s in temporal if s.compiled.gap_seconds}
    for g in gaps:
        for h in ev.day_entries():
            out.append(datetime.fromtimestamp(h.ts + g, UTC))
    return out


def _blocks(steps: tuple[Step, ...], ev: Eval) -> bool:
    return any(s.blocks(ev) for s in steps)


def _jump(
    ev: Eval, ordered: tuple[Step, ...], start: datetime, cleared: set[Step], settling: set[Step]
) -> datetime | None:
    """Fast path: hop from bound to bound (each blocking rule's `not_before`) until nothing blocks. Returns
    None as soon as a blocking rule cannot bound itself; the candidate search then takes over.

    `settling` holds the rules that settle for this request (`Compiled.settles`); `cleared`, those known to pass from `start` on: they are not re-run.
    A settling rule that passes at a hop joins them (hops only move forward), so each hop runs only the rules
    that could still block there; the first blocking rule, and so the path, is the same as running them all."""
    t = start
    horizon = ev.now + timedelta(days=SEARCH_DAYS)
    for _ in range(24):
        if t > horizon:
            return None
        later = ev.at(t)
        for s in ordered:
            if s in cleared:
                continue
            if s.blocks(later):
                nb = s.compiled.not_before
                b = nb(later) if nb is not None else None
                if b is None or b <= later.now_ts:
                    return None
                if s in settling:
                    cleared.add(s)  # it passes at and after its own bound, and hops never go back
                t = datetime.fromtimestamp(b, UTC)
                break
            if s in settling:
                cleared.add(s)
        else:
            return t if t > ev.now else None
    return None


_COST = {"time_window": 0, "visit": 1, "frequency": 2, "us_7in7": 3}


def _search(
    ev: Eval, temporal: tuple[Step, ...], ordered: tuple[Step, ...], blocking: list[Step]
) -> datetime | None:
    """The earliest candidate instant at which no temporal rule blocks.

    Rules that can bound their own reopening (`not_before`) let the search start there and hop from bound to
    bound (`_jump`). Otherwise candidates are generated one 24-hour slice at a time (window openings in every
    zone, gap ends, agreed windows), nearest first, and only the temporal rules are run at each."""
    if not ev.zones:
        return None
    bound = ev.now_ts
    settling = {s for s in ordered if s.settles(ev)}
    cleared: set[Step] = set()
    for s in blocking:
        nb = s.compiled.not_before
        b = nb(ev) if nb is not None else None
        if b is not None:
            if b > bound:
                bound = b
            if s in settling:
                cleared.add(s)  # passes at every instant from its bound on, so from `start` on
    for s in settling:
        if s not in blocking:
            cleared.add(s)  # passed at `ev.now` (it did not block), so passes from `start` on
    start = datetime.fromtimestamp(bound, UTC)
    jumped = _jump(ev, ordered, start, cleared, settling)
    if jumped is not None:
        return jumped.astimezone(ev.zones[0])
    steps = list(temporal)
    times = _local_times(ev, steps)
    extras = _extras(ev, steps)
    day = timedelta(days=1)
    for k in range(SEARCH_DAYS):
        lo = start + k * day
        hi = lo + day
        cands: set[datetime] = {x for x in extras if lo <= x < hi}
        for z in ev.zones:
            d0 = lo.astimezone(z).date()
            for d in (d0, d0 + day):
                for t in times:
                    c = datetime.combine(d, t, tzinfo=z)
                    if lo <= c < hi:
                        cands.add(c)
        for c in sorted(cands):
            if c > ev.now and not _blocks(temporal, ev.at(c)):
                return c.astimezone(ev.zones[0])
    return None

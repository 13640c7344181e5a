"""What every rule function sees: `Eval`, one evaluation's facts, computed lazily and at most once."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from arrears.compliance.decision import Fired, Verdict
from arrears.compliance.model import CheckRequest, ContactPoint, Debt, HistoryEntry, Party
from arrears.compliance.zones import resolve
from arrears.domain.content import ContentChecker, ContentReport
from arrears.domain.enums import OBLIGOR_ROLES, Role

_EMPTY_REPORT = ContentReport(violation=False, score=0.0, findings=())
T = TypeVar("T")
DAY_LOOKBACK = 27 * 3600.0  # "today" in any zone lies inside the last 27 hours


@dataclass(frozen=True, slots=True)
class RuleMeta:
    """A compiled rule's identity, as the engine needs it."""

    id: str
    kind: str
    strength: str
    verdict: Verdict  # what a violation yields
    title_zh: str
    title_en: str

    def fire(
        self,
        zh: str,
        en: str,
        *,
        verdict: Verdict | None = None,
        constraints: tuple[str, ...] = (),
        temporal: bool = False,
    ) -> Fired:
        return Fired(
            rule_id=self.id,
            verdict=verdict or self.verdict,
            reason_zh=f"{self.title_zh}:{zh}",
            reason_en=f"{self.title_en}: {en}",
            constraints=constraints,
            temporal=temporal,
        )


class Eval:
    """One evaluation. Cheap fields are set up front; history indexes and the content report on first use."""

    __slots__ = (
        "_bounds",
        "_content",
        "_day",
        "_memo",
        "anchor_ts",
        "attempt",
        "case",
        "checker",
        "debt",
        "debtor",
        "is_debtor",
        "local_now",
        "now",
        "now_ts",
        "party",
        "point",
        "recipient_role",
        "req",
        "zone_error",
        "zones",
    )

    def __init__(self, req: CheckRequest, checker: ContentChecker | None, now: datetime | None = None) -> None:
        self.req = req
        self.now = now if now is not None else req.now
        self.now_ts = self.now.timestamp()
        self.case = req.case
        self.debtor = req.case.debtor
        self.attempt = req.attempt
        self.checker = checker
        names = self.debtor.timezones
        self.zones, self.zone_error = resolve(names if type(names) is tuple else tuple(names))
        self.local_now = tuple([self.now.astimezone(z) for z in self.zones])
        a = self.attempt
        self.is_debtor = a.to == self.debtor.id
        self.party = None if self.is_debtor else _find_party(req.case.parties, a.to)
        if self.is_debtor:
            self.recipient_role = Role.DEBTOR
        elif self.party is not None:
            self.recipient_role = self.party.role
        else:
            self.recipient_role = Role.UNRELATED
        self.point = _find_point(req.case.contact_points, a.point) if a.point else None
        self.debt = _find_debt(req.case.debts, a.debt)
        self._content: ContentReport | None = None
        self._day: list[HistoryEntry] | None = None
        self._bounds: dict[tuple[ZoneInfo, int], tuple[float, float]] = {}
        # Per-evaluation indexes that do not depend on `now` (see `indexed`), shared with `at()` evaluations
        # at or after `anchor_ts`.
        self._memo: dict[object, Any] = {}
        self.anchor_ts = self.now_ts

    def at(self, now: datetime) -> Eval:
        """The same request judged at another instant (for the next-allowed-time search).

        Everything that does not depend on the instant (zones, recipient, contact point, debt, content report)
        is copied, not recomputed; history indexes built by `indexed` are shared when `now` is not earlier
        than this evaluation's anchor, since they cover the timeline from the anchor's look-back onwards."""
        ev = Eval.__new__(Eval)
        ev.req = self.req
        ev.now = now
        ev.now_ts = now.timestamp()
        ev.case = self.case
        ev.debtor = self.debtor
        ev.attempt = self.attempt
        ev.checker = self.checker
        ev.zones = self.zones
        ev.zone_error = self.zone_error
        ev.local_now = tuple([now.astimezone(z) for z in self.zones])
        ev.is_debtor = self.is_debtor
        ev.party = self.party
        ev.recipient_role = self.recipient_role
        ev.point = self.point
        ev.debt = self.debt
        ev._content = self._content
        ev._day = None
        ev._bounds = {}
        if ev.now_ts >= self.anchor_ts:
            ev._memo = self._memo
            ev.anchor_ts = self.anchor_ts
        else:
            ev._memo = {}
            ev.anchor_ts = ev.now_ts
        return ev

    def indexed(self, key: object, build: Callable[[Eval], T]) -> T:
        """A now-independent index of this evaluation, built once by `build(self)` and shared with every
        `at()` evaluation at or after the anchor. `build` must only use entries from `since(...)`."""
        memo = self._memo
        if key in memo:
            return memo[key]  # type: ignore[no-any-return]
        value = build(self)
        memo[key] = value
        return value

    def since(self, lookback: float) -> tuple[HistoryEntry, ...]:
        """Timeline entries at or after anchor - lookback (in time order): a superset of `recent(lookback)` for
        this evaluation and every later one sharing its indexes."""
        ts = self.case.timeline_ts
        return self.case.timeline[bisect_left(ts, self.anchor_ts - lookback) :]

    # --- recipient -------------------------------------------------------------------------------------
    @property
    def to_obligor(self) -> bool:
        return self.recipient_role in OBLIGOR_ROLES

    # --- content ---------------------------------------------------------------------------------------
    @property
    def content(self) -> ContentReport:
        if self._content is None:
            text = self.attempt.text
            if not text or self.checker is None:
                self._content = _EMPTY_REPORT
            else:
                audience = "debtor" if self.to_obligor else "third_party"
                self._content = self.checker.check(text, audience=audience)
        return self._content

    # --- history ---------------------------------------------------------------------------------------
    def history_sorted(self) -> tuple[HistoryEntry, ...]:
        return self.case.timeline

    def recent(self, seconds: float) -> list[HistoryEntry]:
        """History entries in [now - seconds, now], in time order (bisected on the case's timeline)."""
        ts = self.case.timeline_ts
        lo = bisect_left(ts, self.now_ts - seconds)
        hi = bisect_right(ts, self.now_ts)
        return list(self.case.timeline[lo:hi])

    def day_entries(self) -> list[HistoryEntry]:
        """Entries in the last 27 hours (a superset of "today" in any zone); cached."""
        if self._day is None:
            self._day = self.recent(DAY_LOOKBACK)
        return self._day

    def day_bounds(self, tz: ZoneInfo, back_days: int = 0) -> tuple[float, float]:
        """[start of local day D-back_days, start of local day D+1) as epoch seconds, D = today in `tz`."""
        key = (tz, back_days)
        b = self._bounds.get(key)
        if b is None:
            for local in self.local_now:  # usually one of the candidate zones: already converted
                if local.tzinfo is tz:
                    break
            else:
                local = self.now.astimezone(tz)
            b = _day_span(local.date(), tz, back_days)
            self._bounds[key] = b
        return b

    def past(self) -> list[HistoryEntry]:
        """Every entry at or before now, in time order."""
        return list(self.case.timeline[: bisect_right(self.case.timeline_ts, self.now_ts)])


def local_date(ts: float, tz: ZoneInfo) -> date:
    return datetime.fromtimestamp(ts, tz).date()


def day_start(d: date, tz: ZoneInfo) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=tz)


@lru_cache(maxsize=65536)
def midnight_ts(d: date, tz: ZoneInfo) -> float:
    """Epoch seconds of local midnight starting `d` in `tz` (cached: few distinct days, many decisions)."""
    return datetime(d.year, d.month, d.day, tzinfo=tz).timestamp()


@lru_cache(maxsize=65536)
def _day_span(today: date, tz: ZoneInfo, back_days: int) -> tuple[float, float]:
    return midnight_ts(today - timedelta(days=back_days), tz), midnight_ts(today + timedelta(days=1), tz)


def count_between(ts: list[float], lo: float, hi: float) -> int:
    """How many of the sorted `ts` lie in [lo, hi] (both inclusive)."""
    return max(0, bisect_right(ts, hi) - bisect_left(ts, lo))


def next_days(start: date, n: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(n)]


def _find_party(parties: tuple[Party, ...], pid: str) -> Party | None:
    for p in parties:
        if p.id == pid:
            return p
    return None


def _find_point(points: tuple[ContactPoint, ...], pid: str) -> ContactPoint | None:
    for p in points:
        if p.id == pid:
            return p
    return None


def _find_debt(debts: tuple[Debt, ...], did: str | None) -> Debt | None:
    if did is None:
        return debts[0] if len(debts) == 1 else None
    for d in debts:
        if d.id == did:
            return d
    return None


Check = Callable[[Eval], tuple[Fired, ...]]
NONE: tuple[Fired, ...] = ()


@dataclass(frozen=True, slots=True)
class Compiled:
    """A rule compiled from the pack: its check and the local times / gaps where its answer can change."""

    check: Check
    local_times: tuple[time, ...] = ()
    gap_seconds: float = 0.0
    # The earliest instant (epoch seconds) at which this rule could pass again, if it can say; lets the
    # next-allowed search skip candidates instead of trying them one by one.
    not_before: Callable[[Eval], float | None] | None = None
    # Does `check` yield a block at this evaluation? The same answer as `check` without writing reasons, for
    # the next-allowed search; None: the engine runs `check` and looks.
    blocks: Callable[[Eval], bool] | None = None
    # Does the rule "settle" for this request? True promises, for every instant t at or after `ev.now`: if
    # the rule passes at some instant s <= t (s >= ev.now) it passes at t, and if t is at or after
    # `not_before(e)` for an evaluation e at or after `ev.now` it passes at t. Lets the next-allowed search
    # skip re-running a rule it has already cleared. None: never assumed.
    settles: Callable[[Eval], bool] | None = None


def no_later_entries(ev: Eval) -> bool:
    """No timeline entry lies after `ev.now`: counts over the past can only fall as time moves on."""
    ts = ev.case.timeline_ts
    return not ts or ts[-1] <= ev.now_ts

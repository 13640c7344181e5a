"""Properties of the compliance engine on generated histories (Hypothesis).

- shuffling the history never changes a decision;
- adding an outbound attempt to the history never turns a block into an allow;
- no allow falls inside a quiet window in any candidate zone.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.compliance.decision import Decision
from arrears.compliance.engine import Engine
from arrears.compliance.loader import load_builtin
from arrears.compliance.model import Attempt, Case, CheckRequest, ContactPoint, Debtor, HistoryEntry
from arrears.domain.enums import Channel, ContactPointKind, Direction, Outcome, Source

PACKS = {
    "cn_floor": ("Asia/Shanghai", "Asia/Urumqi"),
    "cn_strict": ("Asia/Shanghai", "Asia/Urumqi"),
    "us": ("America/New_York", "America/Chicago", "America/Los_Angeles"),
    "uk": ("Europe/London", "Europe/Dublin"),
}
ENGINES = {p: Engine(load_builtin(p)) for p in PACKS}
POINTS = (
    ContactPoint("A", "P", ContactPointKind.MOBILE, Source.CONTRACT, used_by_debtor_for_debt=True,
                 reassignment_checked_at=datetime(2026, 3, 1, tzinfo=UTC)),
    ContactPoint("H", "P", ContactPointKind.LANDLINE, Source.CONTRACT),
)
CHANNELS = (Channel.CALL, Channel.AI_VOICE, Channel.SMS)
OUTCOMES = tuple(Outcome)
BASE = datetime(2026, 3, 1, tzinfo=UTC)


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, CheckRequest]:
    pack = draw(st.sampled_from(sorted(PACKS)))
    zones = tuple(draw(st.lists(st.sampled_from(PACKS[pack]), min_size=1, max_size=2, unique=True)))
    now = BASE + timedelta(days=30, minutes=draw(st.integers(0, 14 * 24 * 60)))
    n = draw(st.integers(0, 40))
    history = tuple(
        HistoryEntry(
            at=now - timedelta(minutes=draw(st.integers(1, 30 * 24 * 60))),
            to="P",
            channel=draw(st.sampled_from(CHANNELS)),
            direction=draw(st.sampled_from((Direction.OUT, Direction.OUT, Direction.OUT, Direction.IN))),
            outcome=draw(st.sampled_from(OUTCOMES)),
            point=draw(st.sampled_from(("A", "H"))),
            debt="D1",
            collector="C1",
        )
        for _ in range(n)
    )
    attempt = Attempt(to="P", channel=draw(st.sampled_from(CHANNELS)), point="A", debt="D1", collector="C1")
    case = Case(debtor=Debtor("P", zones), contact_points=POINTS, history=history)
    return pack, CheckRequest(now=now, case=case, attempt=attempt)


def key(d: Decision) -> tuple[object, ...]:
    return (d.verdict, d.rule_ids, d.next_allowed_at)


FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(requests(), st.randoms(use_true_random=False))
def test_shuffling_history_never_changes_a_decision(pr: tuple[str, CheckRequest], rnd: object) -> None:
    pack, req = pr
    hist = list(req.case.history)
    rnd.shuffle(hist)  # type: ignore[attr-defined]
    shuffled = replace(req, case=replace(req.case, history=tuple(hist)))
    assert key(ENGINES[pack].decide(req)) == key(ENGINES[pack].decide(shuffled))


@FAST
@given(requests(), st.integers(1, 14 * 24 * 60), st.sampled_from(CHANNELS), st.sampled_from(OUTCOMES),
       st.sampled_from(("A", "H")))
def test_adding_an_attempt_never_turns_block_into_allow(
    pr: tuple[str, CheckRequest], minutes_ago: int, channel: Channel, outcome: Outcome, point: str
) -> None:
    pack, req = pr
    before = ENGINES[pack].decide(req)
    extra = HistoryEntry(at=req.now - timedelta(minutes=minutes_ago), to="P", channel=channel,
                         direction=Direction.OUT, outcome=outcome, point=point, debt="D1", collector="C1")
    after = ENGINES[pack].decide(replace(req, case=replace(req.case, history=(*req.case.history, extra))))
    if before.verdict.value == "block":
        assert after.verdict.value == "block", (before.rule_ids, after.rule_ids)


@FAST
@given(requests())
def test_no_allow_falls_inside_a_quiet_window_in_any_zone(pr: tuple[str, CheckRequest]) -> None:
    pack, req = pr
    dec = ENGINES[pack].decide(req)
    if dec.verdict.value not in ("allow", "allow_with_constraints"):
        return
    for rule in ENGINES[pack].pack.rules:
        if rule.kind != "time_window" or req.attempt.channel not in rule.channels:
            continue
        p = rule.params
        for z in req.case.debtor.timezones:
            t = req.now.astimezone(ZoneInfo(z)).time().replace(tzinfo=None)
            assert (p.start < t if p.start_exclusive else p.start <= t) and t < p.end, (rule.id, z, t)


@FAST
@given(requests())
def test_next_allowed_time_really_passes_time_and_frequency(pr: tuple[str, CheckRequest]) -> None:
    pack, req = pr
    dec = ENGINES[pack].decide(req)
    if dec.next_allowed_at is None:
        return
    assert dec.next_allowed_at > req.now
    later = ENGINES[pack].decide(replace(req, now=dec.next_allowed_at))
    assert later.verdict.value != "block", later.rule_ids


@FAST
@given(requests())
def test_next_allowed_time_is_the_earliest_minute(pr: tuple[str, CheckRequest]) -> None:
    pack, req = pr
    dec = ENGINES[pack].decide(req)
    if dec.next_allowed_at is None:
        return
    just_before = dec.next_allowed_at - timedelta(minutes=1)
    if just_before > req.now:
        assert ENGINES[pack].decide(replace(req, now=just_before)).verdict.value == "block"

"""The fast next-allowed search (bound hopping, shared history indexes, quick block probes) gives the same
answers as judging each instant from scratch. Worked examples first, then a sweep over generated cases."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from compliance_builders import call, decide, engine, hist

from arrears.compliance.decision import Verdict
from arrears.compliance.rules.base import Eval
from arrears.compliance.scenario import parse_scenario

NY = ["America/New_York"]


def seven_calls() -> list[dict[str, Any]]:
    days = ["03", "04", "05", "06", "07"]
    out = [hist(f"2026-03-{d}T10:00:00-05:00") for d in days]
    return [*out, hist("2026-03-08T10:00:00-04:00"), hist("2026-03-09T09:00:00-04:00")]


def test_eighth_call_waits_until_the_oldest_call_leaves_the_seven_days_and_the_window_opens() -> None:
    # Calls dated 03-03..03-09 (New York) are 7 counted calls: an 8th on 03-09 exceeds 7 in 7 days.
    # On 03-10 the span is 03-04..03-10 with 6 calls, so the earliest call is when the window opens on
    # 03-10: strictly after 08:00, i.e. 08:01 EDT (DST began on 03-08).
    dec = decide(call("us", "2026-03-09T14:00:00-04:00", NY, history=seven_calls()))
    assert dec.verdict is Verdict.BLOCK and "US-REGF-1006.14-7IN7" in dec.rule_ids
    assert dec.next_allowed_at is not None
    assert dec.next_allowed_at.isoformat() == "2026-03-10T08:01:00-04:00"


def test_cooldown_reopening_is_the_latest_zone_and_window_opening() -> None:
    # A conversation at 04:30Z on 03-10 is dated 03-10 in New York (cool-down through 03-16) and 03-09 in
    # Los Angeles (through 03-15). The call may be placed once both zones are past the cool-down (03-17 00:00
    # New York) and inside 08:01-21:00 in both: 08:01 in Los Angeles = 15:01Z = 11:01 in New York.
    talk = [hist("2026-03-10T04:30:00Z", "conversation", direction="in")]
    dec = decide(call("us", "2026-03-16T17:00:00Z", ["America/New_York", "America/Los_Angeles"], history=talk))
    assert dec.verdict is Verdict.BLOCK
    assert dec.next_allowed_at is not None
    assert dec.next_allowed_at.astimezone(UTC).isoformat() == "2026-03-17T15:01:00+00:00"
    assert dec.next_allowed_at.isoformat() == "2026-03-17T11:01:00-04:00"


def test_an_earlier_instant_is_judged_on_its_own_history_not_the_later_index() -> None:
    # Judged on 03-16, the calls of 03-03..03-09 are outside the 7 days; the same request re-judged at
    # 03-09 14:00 (earlier than the evaluation it came from) must still see all seven of them.
    req = parse_scenario(call("us", "2026-03-16T14:00:00-04:00", NY, history=seven_calls())).request
    steps = {s.meta.id: s for s in engine("us").plan.steps(req.attempt.channel)}
    rule = steps["US-REGF-1006.14-7IN7"]
    ev = Eval(req, None)
    assert rule.check(ev) == ()
    earlier = ev.at(datetime.fromisoformat("2026-03-09T14:00:00-04:00"))
    fired = rule.check(earlier)
    assert [f.verdict for f in fired] == [Verdict.BLOCK] and "(A)" in fired[0].reason_en
    assert rule.blocks(earlier)


ZONES = ["Asia/Shanghai", "America/New_York", "America/Chicago", "Europe/London", "America/Los_Angeles"]
OUTCOMES = ["rang_no_answer", "voicemail", "busy", "conversation", "answered_no_conversation", "refused"]


def generated(rnd: random.Random, pack: str, i: int) -> dict[str, Any]:
    zones = rnd.sample(ZONES, rnd.choice([1, 1, 2]))
    day0 = datetime(2026, 3, 1, tzinfo=UTC)  # spans the US and UK DST changes
    now = day0 + timedelta(days=20, seconds=rnd.randrange(86400))
    history = []
    for d in range(21):
        for _ in range(rnd.randint(0, 4)):
            at = day0 + timedelta(days=d, seconds=rnd.randrange(86400))
            history.append(hist(at.isoformat(), rnd.choice(OUTCOMES), channel=rnd.choice(["call", "ai_voice", "sms"]),
                                point=rnd.choice(["A", "H"]), direction=rnd.choice(["out", "out", "in"])))
    raw = call(pack, now.isoformat(), zones, history=history)
    raw["id"] = f"g{i}"
    raw["contact_points"].append({"id": "H", "owner": "P", "kind": "landline", "source": "contract"})
    if rnd.random() < 0.2:
        raw["debtor"]["consents"] = [{"given_at": (now - timedelta(hours=rnd.randint(0, 150))).isoformat(),
                                      "channel": "call"}]
    if rnd.random() < 0.2:
        raw["debtor"]["inconvenient_times"] = [{"from": "12:00", "to": "13:30"}]
    return raw


def test_search_probes_and_shared_indexes_agree_with_judging_each_instant_from_scratch() -> None:
    rnd = random.Random(20260301)
    checked = blocked = 0
    for i in range(120):
        pack = ("us", "cn_strict", "uk")[i % 3]
        req = parse_scenario(generated(rnd, pack, i)).request
        ev = Eval(req, None)
        steps = [s for s in engine(pack).plan.steps(req.attempt.channel) if s.temporal]
        for hours in (0.0, 0.5, 3.0, 11.0, 26.0, 75.0, 170.0, -30.0):
            t = req.now + timedelta(hours=hours)
            shared, fresh = ev.at(t), Eval(req, None, t)
            for s in steps:
                expected = s.check(fresh)
                assert s.check(shared) == expected, (pack, i, hours, s.meta.id)
                probe = s.blocks(shared)
                assert probe == any(f.verdict is Verdict.BLOCK for f in expected), (pack, i, hours, s.meta.id)
                checked += 1
                blocked += probe
    assert checked > 1000 and blocked > 100  # the sweep really exercises blocked instants


def test_a_rule_that_settles_never_blocks_again_once_it_passes() -> None:
    """The search skips a settling rule after it passes (`Compiled.settles`); that is only sound if, for such a
    request, passing at one instant means passing at every later instant. Requests include consents and, for some,
    history dated after `now` (where the rules must decline to settle)."""
    rnd = random.Random(20261129)
    settled = 0
    for i in range(150):
        pack = ("us", "cn_strict", "uk")[i % 3]
        raw = generated(rnd, pack, i)
        if i % 5 == 0:  # an entry logged after `now`: settling must be refused for the rules that count history
            later = datetime.fromisoformat(raw["now"]) + timedelta(hours=rnd.randint(1, 48))
            raw["history"].append(hist(later.isoformat(), "rang_no_answer"))
        req = parse_scenario(raw).request
        ev = Eval(req, None)
        for s in (s for s in engine(pack).plan.steps(req.attempt.channel) if s.temporal):
            if not s.compiled.settles or not s.compiled.settles(ev):
                continue
            if i % 5 == 0:
                raise AssertionError(f"{s.meta.id} settled although history runs past now ({pack}, {i})")
            instants = [req.now + timedelta(minutes=m) for m in range(0, 9 * 24 * 60, 37)]
            passed = False
            for t in instants:
                blocks = s.blocks(Eval(req, None, t))
                assert not (passed and blocks), (pack, i, s.meta.id, t)
                passed = passed or not blocks
            settled += 1
    assert settled > 50  # the test really exercises settling rules

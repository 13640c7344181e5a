"""Reg F 7-in-7: per (collector, person, debt), local dates in every candidate zone, worked examples."""

from __future__ import annotations

from compliance_builders import call, decide, hist

NY = ["America/New_York"]


def seven_calls(collector: str = "C1", debt: str = "D1") -> list[dict[str, object]]:
    days = ["03", "04", "05", "06", "07"]
    out = [hist(f"2026-03-{d}T10:00:00-05:00", collector=collector, debt=debt) for d in days]
    out += [hist("2026-03-08T10:00:00-04:00", collector=collector, debt=debt),
            hist("2026-03-09T09:00:00-04:00", collector=collector, debt=debt)]
    return out


def test_eighth_call_in_seven_days_is_blocked_with_limb_a() -> None:
    dec = decide(call("us", "2026-03-09T14:00:00-04:00", NY, history=seven_calls()))
    assert dec.verdict.value == "block" and dec.rule_ids[0] == "US-REGF-1006.14-7IN7"
    assert dec.reasons("en")[0].split(": ", 2)[1].startswith("(A)") or "(A)" in dec.reasons("en")[0]


def test_calls_by_another_collector_do_not_count() -> None:
    dec = decide(call("us", "2026-03-09T14:00:00-04:00", NY, history=seven_calls(collector="C2")))
    assert "US-REGF-1006.14-7IN7" not in dec.rule_ids


def test_cooldown_is_judged_in_every_candidate_zone() -> None:
    # The conversation at 04:30Z on 03-10 is 03-10 in New York but 03-09 in Los Angeles.
    talk = [hist("2026-03-10T04:30:00Z", "conversation", direction="in")]
    zones = ["America/New_York", "America/Los_Angeles"]
    # 03-16 17:00Z: New York 13:00 on 03-16 = day 7 after 03-10 -> blocked there;
    # Los Angeles 10:00 on 03-16 = day 8 after 03-09 -> would pass. Any zone blocking blocks.
    dec = decide(call("us", "2026-03-16T17:00:00Z", zones, history=talk))
    assert dec.verdict.value == "block" and "US-REGF-1006.14-7IN7" in dec.rule_ids
    assert "(B)" in dec.reasons("en")[0]
    assert decide(call("us", "2026-03-17T17:00:00Z", zones, history=talk)).verdict.value == "allow"


def test_calls_to_the_consumers_attorney_are_not_limited() -> None:
    raw = call("us", "2026-03-09T14:00:00-04:00", NY, history=[{**h, "to": "L", "point": "LA"} for h in seven_calls()])
    raw["parties"] = [{"id": "L", "role": "consumer_attorney"}]
    raw["contact_points"].append({"id": "LA", "owner": "L", "kind": "landline", "source": "debtor_authorized"})
    raw["attempt"].update({"to": "L", "point": "LA"})
    raw["history"] = [h for h in raw["history"] if h["at"] < "2026-03-09"]  # keep the firm min-gap out of it
    assert "US-REGF-1006.14-7IN7" not in decide(raw).rule_ids


def test_sms_is_not_a_call_for_seven_in_seven() -> None:
    texts = [{**h, "channel": "sms", "outcome": "delivered"} for h in seven_calls()]
    dec = decide(call("us", "2026-03-09T14:00:00-04:00", NY, history=texts))
    assert "US-REGF-1006.14-7IN7" not in dec.rule_ids

"""Named behaviours of the column-wise rules, each checked against the engine as well (same portfolio)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

import pytest
from planner_rules_harness import (
    Builder,
    Portfolio,
    days,
    engine_verdicts,
    local_ts,
    mismatches,
    sql_verdicts,
)

from arrears.compliance.engine import Engine
from arrears.compliance.loader import load_builtin
from arrears.compliance.pack import Pack
from arrears.compute.transpile import to_spark_sql
from arrears.planner.rules_sql import UnsupportedRuleError, compliance_statements

D = date(2026, 3, 10)
SH = "Asia/Shanghai"


def at(t: time, d: date = D, tz: str = SH) -> int:
    return local_ts(d, t, tz)


def both(pf: Portfolio, pack_name: str = "cn_strict", pack: Pack | None = None) -> dict[int, tuple[str, str]]:
    """The SQL verdicts, after checking they equal the engine's."""
    p = pack or load_builtin(pack_name)
    sql = sql_verdicts(pf, p)
    eng = engine_verdicts(pf, pack_name, Engine(p))
    assert not mismatches(sql, eng), mismatches(sql, eng)
    return sql


def base() -> Builder:
    b = Builder(D)
    b.borrower("B").loan("B", "L").point("B", "A", "B").point("B", "H", "B", "landline")
    b.party("B", "M", "parent", emergency=True).point("B", "MP", "M")
    return b


def test_emergency_contact_blocked_until_borrower_unreachable() -> None:
    b = base()
    b.hist("B", "B", "A", at(time(10, 0), D - days(1)), "rang_no_answer")
    b.hist("B", "B", "A", at(time(11, 0), D - days(1)), "busy")
    early = b.cand("B", "M", "MP", at(time(10, 0)), purpose="locate", script="locate_only")
    r = both(b.pf)
    assert r[early] == ("block", "CN-PARTY-2")  # two failed dials: the debtor is still reachable

    b = base()
    for h in (10, 11, 12):
        b.hist("B", "B", "A", at(time(h, 0), D - days(1)), "rang_no_answer")
    locate = b.cand("B", "M", "MP", at(time(10, 0)), purpose="locate", script="locate_only")
    collect = b.cand("B", "M", "MP", at(time(10, 0)), purpose="collect")
    r = both(b.pf)
    assert r[locate] == ("allow_with_constraints", "CN-PARTY-2")  # the day after three failed dials
    assert r[collect][0] == "block" and "CN-PARTY-2" in r[collect][1].split(";")

    b = base()
    for h in (10, 11, 12):  # three failed dials today: unreachable only from tomorrow
        b.hist("B", "B", "A", at(time(h, 0)), "rang_no_answer")
    today = b.cand("B", "M", "MP", at(time(15, 0)), purpose="locate", script="locate_only")
    assert both(b.pf)[today] == ("block", "CN-PARTY-2")

    b = base()
    for h in (10, 11, 12):
        b.hist("B", "B", "A", at(time(h, 0), D - days(1)), "rang_no_answer")
    b.hist("B", "B", None, at(time(9, 0)), "conversation", "call", "in")  # the debtor called in: reachable again
    after = b.cand("B", "M", "MP", at(time(10, 0)), purpose="locate")
    before = b.cand("B", "M", "MP", at(time(8, 30)), purpose="locate")
    r = both(b.pf)
    assert r[after] == ("block", "CN-PARTY-2")
    assert r[before] == ("allow_with_constraints", "CN-PARTY-2")


def test_every_phone_not_in_service_makes_the_debtor_unreachable() -> None:
    b = base()
    b.hist("B", "B", "A", at(time(9, 0)), "not_in_service")
    one = b.cand("B", "M", "MP", at(time(9, 30)), purpose="locate")
    b.hist("B", "B", "H", at(time(10, 0)), "not_in_service")
    both_dead = b.cand("B", "M", "MP", at(time(10, 30)), purpose="locate")
    r = both(b.pf)
    assert r[one] == ("block", "CN-PARTY-2")  # the landline has not been found dead yet
    assert r[both_dead] == ("allow_with_constraints", "CN-PARTY-2")


def test_a_refusal_stops_third_party_contact_for_good() -> None:
    b = base()
    b.party("B", "F", "friend").point("B", "FP", "F")
    b.pf.accounts[0]["unreachable"] = True
    b.hist("B", "F", "FP", at(time(9, 0), D - days(3)), "refused")
    before = b.cand("B", "M", "MP", at(time(10, 0)), purpose="locate")
    refused = b.cand("B", "F", "FP", at(time(10, 0)), purpose="locate")
    r = both(b.pf)
    assert r[before] == ("allow_with_constraints", "CN-PARTY-2")
    assert r[refused] == ("block", "CN-PARTY-2")


@pytest.mark.parametrize(
    ("pack", "clock", "verdict"),
    [
        ("cn_floor", time(7, 59), "block"),
        ("cn_floor", time(8, 0), "allow"),
        ("cn_floor", time(21, 59), "allow"),
        ("cn_floor", time(22, 0), "block"),
        ("cn_strict", time(20, 59), "allow"),
        ("cn_strict", time(21, 0), "block"),
    ],
)
def test_window_edges(pack: str, clock: time, verdict: str) -> None:
    b = base()
    c = b.cand("B", "B", "A", at(clock))
    assert both(b.pf, pack)[c][0] == verdict


def test_the_window_must_be_open_in_every_zone() -> None:
    b = Builder(D).borrower("U", (SH, "Asia/Urumqi"))
    b.point("U", "A", "U")
    c8 = b.cand("U", "U", "A", at(time(8, 0)))  # 06:00 in Urumqi
    c10 = b.cand("U", "U", "A", at(time(10, 0)))
    r = both(b.pf)
    assert r[c8] == ("block", "CN-TIME-1;CN-TIME-2")
    assert r[c10] == ("allow", "")


def test_unknown_or_raw_offset_zone_fails_closed() -> None:
    b = Builder(D).borrower("Z", (SH, "UTC+8")).borrower("E", ())
    b.point("Z", "A", "Z").point("E", "A2", "E")
    z = b.cand("Z", "Z", "A", at(time(10, 0)))
    e = b.cand("E", "E", "A2", at(time(10, 0)))
    r = both(b.pf)
    assert r[z] == ("block", "CN-TIME-1;CN-TIME-2")
    assert r[e] == ("block", "CN-TIME-1;CN-TIME-2")


def test_frequency_caps_count_today_only_and_only_what_they_name() -> None:
    b = base()
    for m in (0, 20, 40):
        b.hist("B", "B", "A", at(time(9, m)), "conversation")
    b.hist("B", "B", "A", at(time(23, 0), D - days(1)), "conversation")
    cap = b.cand("B", "B", "H", at(time(11, 0)))
    sms = b.cand("B", "B", "A", at(time(11, 0)), "sms")
    r = both(b.pf)
    assert r[cap] == ("block", "CN-FREQ-1")  # three effective conversations today
    assert r[sms] == ("allow", "")

    b = base()
    for m in range(6):
        b.hist("B", "B", "A", at(time(9, m * 5)), "rang_no_answer")
    same = b.cand("B", "B", "A", at(time(11, 0)))
    other = b.cand("B", "B", "H", at(time(11, 0)))
    ai = b.cand("B", "B", "A", at(time(11, 0)), "ai_voice")
    gap = b.cand("B", "B", "H", at(time(9, 35)))
    r = both(b.pf)
    assert r[same] == ("block", "CN-FREQ-2")
    assert r[other] == ("allow", "")
    assert r[ai] == ("block", "CN-AI-1;CN-FREQ-2")  # AI voice is held to the same caps (companion rule)
    assert r[gap] == ("block", "CN-FREQ-3")  # 10 minutes after the last call: the 15-minute gap


def test_lineage_holds_and_rates() -> None:
    b = base()
    b.point("B", "DL", "B", "mobile", "device_contact_list")
    bad = b.cand("B", "B", "DL", at(time(10, 0)))
    b.borrower("X").point("X", "XA", "X").hold("X", "deceased", D - days(2))
    dead = b.cand("X", "X", "XA", at(time(10, 0)))
    service = b.cand("X", "X", "XA", at(time(10, 0)), purpose="service")
    b.borrower("P").point("P", "PA", "P").loan("P", "PL", "private", 4000, date(2024, 8, 1))
    illegal = b.cand("P", "P", "PA", at(time(10, 0)))
    b.borrower("Q").point("Q", "QA", "Q").loan("Q", "QL", "private", 2400, date(2024, 8, 1))
    capped = b.cand("Q", "Q", "QA", at(time(10, 0)))
    r = both(b.pf)
    assert r[bad] == ("block", "CN-DATA-1")
    assert r[dead] == ("block", "ARREARS-HOLD-DECEASED")
    assert r[service] == ("allow", "")
    assert r[illegal] == ("block", "CN-CRIM-1;CN-RATE-1")
    assert r[capped] == ("allow_with_constraints", "CN-RATE-1")


def test_a_visit_needs_its_plan() -> None:
    b = base()
    no_plan = b.cand("B", "B", None, at(time(10, 0)), "visit")
    ok = b.cand("B", "B", None, at(time(10, 0)), "visit")
    b.visit(ok, 2, True)
    alone = b.cand("B", "B", None, at(time(10, 0)), "visit")
    b.visit(alone, 1, True)
    r = both(b.pf)
    assert r[no_plan] == ("block", "CN-REC-1;CN-VISIT-1")
    assert r[ok] == ("allow", "")
    assert r[alone] == ("block", "CN-VISIT-1")


def test_a_param_change_in_the_pack_changes_the_sql() -> None:
    """Rules are data: tightening CN-TIME-2 to 20:00 blocks 20:30 in SQL as in the engine. And the check can
    fail: SQL generated from the tightened pack disagrees with the engine of the original pack."""
    strict = load_builtin("cn_strict")
    rules = tuple(
        replace(r, params=r.params.model_copy(update={"end": time(20, 0)})) if r.id == "CN-TIME-2" else r
        for r in strict.rules
    )
    tight = replace(strict, rules=rules)
    b = base()
    c = b.cand("B", "B", "A", at(time(20, 30)))
    assert both(b.pf, "cn_strict")[c] == ("allow", "")
    assert both(b.pf, "cn_strict", tight)[c] == ("block", "CN-TIME-2")
    wrong = sql_verdicts(b.pf, strict, compliance_statements(tight, plan_date=D))
    assert mismatches(wrong, engine_verdicts(b.pf, "cn_strict", Engine(strict)))


def test_a_rule_kind_without_a_column_wise_form_is_refused_by_name() -> None:
    with pytest.raises(UnsupportedRuleError, match=r"rule US-REGF-1006\.10-LOC \(kind third_party_contact\)"):
        compliance_statements(load_builtin("us"), plan_date=D)


@pytest.mark.parametrize("pack", ["cn_floor", "cn_strict"])
def test_every_statement_transpiles_to_spark(pack: str) -> None:
    for st in compliance_statements(load_builtin(pack), plan_date=D):
        assert to_spark_sql(st).strip()

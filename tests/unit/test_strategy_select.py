"""Segment selection (first match wins, explicit default), step conditions and the golden cases."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from arrears.domain.enums import LenderType, Outcome
from arrears.strategy.cases import case_files, load_cases, run_case
from arrears.strategy.loader import build_strategy, load_strategy
from arrears.strategy.model import AccountFacts, Condition, PromiseState
from arrears.strategy.select import condition_holds, next_steps, select_treatment

AS_OF = date(2026, 3, 13)
DUE = date(2026, 3, 9)  # day 4 on AS_OF


def facts(**kw: object) -> AccountFacts:
    base = AccountFacts(account_id="L0002", bucket="M1", dpd=4, balance_minor=150_000, instalment_due_date=DUE)
    return replace(base, **kw)  # type: ignore[arg-type]


def _strategy(segments: list[dict[str, object]]) -> object:
    doc = {
        "strategy": "t", "version": "1", "salt": "s", "description": {"zh": "测", "en": "t"},
        "treatments": [{"id": tid, "steps": [{"id": f"{tid}_sms", "anchor": "instalment_due_date", "day": 1,
                                              "channel": "sms", "party": "debtor", "template": "t", "pool": "p"}]}
                       for tid in ("big", "small", "gd", "private", "scored", "other")],
        "segments": segments,
        "default": {"id": "rest", "treatment": "other"},
    }
    return build_strategy(doc, "inline.yaml")


def test_first_matching_segment_wins_and_the_default_takes_the_rest() -> None:
    s = _strategy([
        {"id": "big", "match": {"balance_minor": {"min": 1_000_000}}, "treatment": "big"},
        {"id": "gd", "match": {"region_prefixes": ["CN-44"]}, "treatment": "gd"},
        {"id": "private", "match": {"lender_types": ["private"], "languages": ["zh"]}, "treatment": "private"},
        {"id": "scored", "match": {"score": {"min": 600, "max": 850}, "products": ["cash_loan"]}, "treatment": "scored"},
    ])
    pick = lambda f: select_treatment(s, f).segment.id  # noqa: E731
    # A big balance in Guangdong matches both `big` and `gd`: the first listed wins.
    assert pick(facts(balance_minor=2_000_000, region="CN-4403")) == "big"
    assert pick(facts(region="CN-4403")) == "gd"
    assert pick(facts(lender_type=LenderType.PRIVATE)) == "private"
    assert pick(facts(lender_type=LenderType.PRIVATE, language="en")) == "rest"
    assert pick(facts(score=700, product="cash_loan")) == "scored"
    assert pick(facts(score=900, product="cash_loan")) == "rest"
    assert pick(facts(score=None, product="cash_loan")) == "rest"  # no score never matches a score band
    assert pick(facts()) == "rest"


def test_selection_records_the_assignment_for_later_comparison() -> None:
    s = load_strategy("cn_default")
    sel = select_treatment(s, facts(account_id="L0001", dpd=3))
    assert (sel.segment.id, sel.variant.id, sel.treatment.id) == ("m1", "plan_first", "early_plan_first")
    assert sel.assignment.as_record() == {
        "strategy_id": "cn_default", "strategy_version": s.version, "salt": "2026-11-a", "account_id": "L0001",
        "segment_id": "m1", "variant_id": "plan_first", "treatment_id": "early_plan_first", "bp": 9089,
    }


def test_vulnerable_accounts_never_reach_the_visit_treatment() -> None:
    s = load_strategy("cn_default")
    sel = select_treatment(s, facts(bucket="M2", dpd=45, vulnerable=True))
    assert sel.segment.id == "vulnerable"
    assert all(st.channel.value != "visit" for st in sel.treatment.steps)


@pytest.mark.parametrize(
    ("text", "account", "expected"),
    [
        ("no_rpc_days >= 3", facts(no_rpc_days=3), True),
        ("no_rpc_days >= 3", facts(no_rpc_days=2), False),
        ("promise_broken", facts(promise_state=PromiseState.BROKEN), True),
        ("promise_broken", facts(promise_state=PromiseState.OPEN), False),
        ("not promise_open", facts(promise_state=PromiseState.KEPT), True),
        ("failed_in_row >= 3", facts(last_outcomes=(Outcome.CONVERSATION, Outcome.BUSY, Outcome.RANG_NO_ANSWER,
                                                    Outcome.NOT_IN_SERVICE)), True),
        ("failed_in_row >= 3", facts(last_outcomes=(Outcome.BUSY, Outcome.BUSY, Outcome.CONVERSATION)), False),
        ("score >= 500", facts(score=None), False),
    ],
)
def test_conditions_on_earlier_outcomes(text: str, account: AccountFacts, expected: bool) -> None:
    assert condition_holds(Condition.parse(text), account) is expected


def _early_due(account: AccountFacts, as_of: date = AS_OF) -> list[str]:
    s = load_strategy("cn_default")
    return [a.step_id for a in next_steps(s.treatment("early"), account, as_of, s.bucket_order) if a.due_today]


def test_emergency_contact_only_when_the_borrower_is_unreachable_and_only_locate_only() -> None:
    assert _early_due(facts()) == ["e_call_d2"]
    assert _early_due(facts(borrower_unreachable=True)) == ["e_locate_ec"]
    s = load_strategy("cn_default")
    for t in s.treatments:
        for st in t.steps:
            if st.party.value == "emergency_contact":
                assert st.template == "locate_only" and Condition("borrower_unreachable") in st.conditions


def test_every_promise_is_followed_up_before_on_and_after_its_due_date() -> None:
    promise = date(2026, 3, 14)
    open_ = facts(promise_due_date=promise, promise_state=PromiseState.OPEN)
    assert _early_due(open_, date(2026, 3, 13)) == ["e_ptp_reminder"]  # also: no goodwill call while it is open
    assert _early_due(open_, date(2026, 3, 14)) == ["e_ptp_due_check"]
    broken = replace(open_, promise_state=PromiseState.BROKEN)
    # Day 6 is also a routine call day; the planner merges same-day calls and compliance caps frequency.
    assert _early_due(broken, date(2026, 3, 15)) == ["e_call_d2", "e_ptp_broken"]
    kept = replace(open_, promise_state=PromiseState.KEPT)
    assert "e_ptp_broken" not in _early_due(kept, date(2026, 3, 15))


def test_field_visit_only_from_m2_and_it_carries_its_requirements() -> None:
    s = load_strategy("cn_default")
    mid = s.treatment("mid")
    entry = date(2026, 4, 10)
    m2 = facts(bucket="M2", dpd=46, bucket_entry_date=entry, no_rpc_days=20)
    visit = next(a for a in next_steps(mid, m2, date(2026, 4, 24), s.bucket_order) if a.step_id == "m_visit")
    assert visit.due_today and visit.supervisor_approval and visit.min_staff == 2 and visit.recording
    # The same treatment applied to an M1 account does not propose the visit, and says why.
    m1 = replace(m2, bucket="M1", dpd=25)
    visit = next(a for a in next_steps(mid, m1, date(2026, 4, 24), s.bucket_order) if a.step_id == "m_visit")
    assert not visit.applies and not visit.due_today
    assert "bucket M1 is below M2" in visit.reasons


def test_a_step_reports_when_it_next_falls_due() -> None:
    s = load_strategy("cn_default")
    actions = {a.step_id: a for a in next_steps(s.treatment("early"), facts(), AS_OF, s.bucket_order)}
    assert actions["e_plan_offer_d7"].next_due == date(2026, 3, 16)  # due date + 7
    assert actions["e_call_d2"].next_due == AS_OF
    assert actions["e_sms_d1"].next_due is None and actions["e_sms_d1"].applies  # its day has passed
    assert not actions["e_ptp_reminder"].applies  # no promise


def test_golden_cases_beside_the_packaged_strategies_pass() -> None:
    files = case_files("cn_default")
    assert files
    total = 0
    for f in files:
        name, cases = load_cases(f)
        s = load_strategy(name)
        for c in cases:
            assert run_case(s, c) == (), c.id
            total += 1
    assert total >= 10


def test_a_wrong_golden_expectation_is_reported() -> None:
    s = load_strategy("cn_default")
    _, cases = load_cases(case_files("cn_default")[0])
    wrong = replace(cases[0], due_today=("nothing",))
    assert run_case(s, wrong) == ("due today: expected ['nothing'], got ['pd_sms_d_minus3']",)


def test_a_repeating_step_stops_after_its_last_day() -> None:
    s = load_strategy("cn_default")
    call = s.treatment("early").steps[1]
    assert (call.id, call.every_days, call.until_offset) == ("e_call_d2", 2, 30)
    on_30 = next_steps(s.treatment("early"), facts(dpd=30), date(2026, 4, 8), s.bucket_order)[1]
    assert on_30.due_today  # 2026-04-08 is day 30
    on_31 = next_steps(s.treatment("early"), facts(dpd=31), date(2026, 4, 9), s.bucket_order)[1]
    assert not on_31.due_today and on_31.next_due is None
    assert "day 31 from instalment_due_date: schedule finished" in on_31.reasons

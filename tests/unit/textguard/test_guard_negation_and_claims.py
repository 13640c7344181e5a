"""Negation: a mention that rules a tactic out is not the tactic. Claims are checked against case facts."""

from __future__ import annotations

from arrears.domain.content import Claim, ContentCategory
from arrears.textguard import CaseFacts, default_guard


def test_negated_contact_list_mention_is_reported_as_negated_claim() -> None:
    report = default_guard().check("我们承诺不会轰炸您的通讯录,也不会群发任何信息给您的好友。")
    assert not report.violation
    assert Claim.CONTACT_LIST not in report.claims  # negated claims are not made
    assert any(f.negated for f in report.findings)


def test_conditional_not_is_not_a_negation() -> None:
    # "不还就..." negates paying, not the threat
    report = default_guard().check("不还就爆你通讯录")
    assert ContentCategory.THREAT_EXPOSURE in report.categories


def test_lawsuit_claim_is_false_representation_only_when_no_suit_was_filed() -> None:
    guard = default_guard()
    text = "您好,我司已向法院起诉您,请尽快联系我们处理。"
    unknown = guard.check(text)
    assert Claim.LAWSUIT_FILED in unknown.claims
    filed = guard.check(text, facts=CaseFacts(litigation_filed=True))
    assert ContentCategory.FALSE_REPRESENTATION not in filed.categories
    not_filed = guard.check(text, facts=CaseFacts(litigation_filed=False))
    assert ContentCategory.FALSE_REPRESENTATION in not_filed.categories
    assert not_filed.violation


def test_lawful_notice_of_possible_suit_is_a_threatened_not_filed_claim() -> None:
    report = default_guard().check("如仍未处理,出借方可能依法提起诉讼。", facts=CaseFacts(litigation_filed=False))
    assert Claim.LAWSUIT_THREATENED in report.claims
    assert Claim.LAWSUIT_FILED not in report.claims
    assert not report.violation


def test_debt_facts_to_a_third_party_are_disclosure() -> None:
    guard = default_guard()
    text = "您好,您的借款已逾期30天,欠款3000元,请尽快还款。"
    to_debtor = guard.check(text, audience="debtor")
    assert ContentCategory.THIRD_PARTY_DISCLOSURE not in to_debtor.categories
    to_friend = guard.check(text, audience="third_party")
    assert ContentCategory.THIRD_PARTY_DISCLOSURE in to_friend.categories


def test_call_back_request_to_emergency_contact_passes() -> None:
    report = default_guard().check("您好,麻烦您转告王五方便时给我们回个电话,谢谢。", audience="third_party")
    assert not report.violation


def test_english_conditional_threat_is_not_negated_by_dont() -> None:
    guard = default_guard()
    threat = guard.check("If you don't pay by 5pm we will tell your boss.")
    assert ContentCategory.THREAT_EXPOSURE in threat.categories
    assert not guard.check("We won't call your boss.").violation

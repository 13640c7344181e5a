"""The phrase-list checker: categories and claims, with negation that does not swallow threats."""

from __future__ import annotations

import pytest

from arrears.compliance.content import PhraseChecker
from arrears.domain.content import Claim, ContentCategory

CHECK = PhraseChecker()


@pytest.mark.parametrize(
    "text",
    ["我们不会联系您的通讯录", "我们绝不会通知你单位", "We will never contact your employer.", "我们不会群发任何信息"],
)
def test_ruled_out_mentions_are_not_findings(text: str) -> None:
    rep = CHECK.check(text)
    assert ContentCategory.THREAT_EXPOSURE not in rep.categories
    assert Claim.CONTACT_LIST not in rep.claims and Claim.EMPLOYER_NOTICE not in rep.claims


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("不接电话就轰炸你通讯录", ContentCategory.THREAT_EXPOSURE),
        ("再不还钱小心你家人", ContentCategory.THREAT_VIOLENCE),
        ("此图只给你自己看,不要逼我们群发", ContentCategory.THREAT_EXPOSURE),
        ("we'll call everyone in your contacts", ContentCategory.THREAT_EXPOSURE),
        ("you deadbeat", ContentCategory.INSULT_ABUSE),
    ],
)
def test_conditional_threats_are_still_threats(text: str, category: ContentCategory) -> None:
    assert category in CHECK.check(text).categories


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        ("If you do not pay we will sue you.", Claim.LAWSUIT_THREATENED),
        ("Why not take out a payday loan?", Claim.BORROW_TO_PAY),
        ("公安已立案", Claim.POLICE),
        ("明天上门拘留", Claim.ARREST),
        ("our bailiffs will attend tomorrow", Claim.COURT_ORDER),
        ("Reply STOP to opt out", Claim.OPT_OUT),
        ("This is a communication from a debt collector.", Claim.COLLECTOR_DISCLOSURE),
        ("请转告张三,他欠我司5000元已逾期", Claim.DEBT_FACTS),
    ],
)
def test_claims_are_recognised(text: str, claim: Claim) -> None:
    assert claim in CHECK.check(text).claims


def test_findings_point_into_the_original_text() -> None:
    text = "【XX】不接电话就轰炸你通讯录"
    rep = CHECK.check(text)
    spans = [f.span for f in rep.findings if f.span is not None and not f.negated]
    assert spans and all(text[s.start : s.end] == s.evidence for s in spans)


def test_a_polite_reminder_is_clean() -> None:
    rep = CHECK.check("【XX消费金融】张三您好,您的借款已逾期3天,应还金额¥1,234.56。请通过官方App还款或协商。")
    assert rep.categories == () and not rep.violation


def test_combined_checker_counts_a_violation_from_either_checker() -> None:
    from arrears.compliance.content import CombinedChecker
    from arrears.domain.content import ContentFinding, ContentReport

    class Strict:
        def check(self, text: str, *, audience: str = "debtor", lang: str | None = None) -> ContentReport:
            return ContentReport(True, 0.9, (ContentFinding(ContentCategory.HARASSMENT, None, None),))

    both = CombinedChecker((Strict(), PhraseChecker()))
    rep = both.check("Reply STOP to opt out")
    assert rep.violation and ContentCategory.HARASSMENT in rep.categories and Claim.OPT_OUT in rep.claims


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("请您今天务必还款,否则我们每天都会打电话给您。", ContentCategory.HARASSMENT),
        ("我们会把你的照片发到朋友圈", ContentCategory.THREAT_EXPOSURE),
        ("张三,你是不是想坐牢?", ContentCategory.FALSE_REPRESENTATION),  # an A-not-A question, not a negation
        ("Not paying is a criminal matter.", ContentCategory.FALSE_REPRESENTATION),
    ],
)
def test_more_violations_are_caught(text: str, category: ContentCategory) -> None:
    assert category in CHECK.check(text).categories


def test_a_lawful_possibility_is_not_a_claim_that_an_order_exists() -> None:
    lawful = CHECK.check("We may instruct enforcement agents once we have obtained a county court judgment.")
    threat = CHECK.check("Our bailiffs will attend tomorrow to remove goods.")
    assert Claim.COURT_ORDER not in lawful.claims
    assert Claim.COURT_ORDER in threat.claims

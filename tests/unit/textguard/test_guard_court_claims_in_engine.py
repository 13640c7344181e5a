"""Court documents are `court_order` claims (checked against the case), not impersonation; the compliance
engine's default content checker is the text guard merged with the phrase list."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from arrears.compliance.scenario import parse_scenario
from arrears.domain.content import Claim
from arrears.services.compliance import ComplianceService
from arrears.textguard import default_guard


@pytest.mark.parametrize(
    "text",
    [
        "【XX消费金融】法院传票已经寄出,请查收",
        "Northfield Finance: under the court order of 2 March, enforcement agents may attend.",
        "A summons has been issued; bailiffs may attend.",
    ],
)
def test_court_documents_are_court_order_claims_not_government(text: str) -> None:
    claims = default_guard().check(text).claims
    assert Claim.COURT_ORDER in claims
    assert Claim.GOVERNMENT not in claims


def test_posing_as_the_court_is_still_a_government_claim() -> None:
    report = default_guard().check("我是法院工作人员,你的案子今天下午开庭。")
    assert Claim.GOVERNMENT in report.claims
    assert report.violation


def test_truthful_possible_suit_is_only_threatened() -> None:
    claims = default_guard().check("If no plan is agreed, the lender may apply to the court.").claims
    assert Claim.LAWSUIT_THREATENED in claims
    assert not claims & {Claim.GOVERNMENT, Claim.COURT_ORDER, Claim.LAWSUIT_FILED}


def _summons_attempt(litigation_filed: bool) -> dict[str, object]:
    return {
        "id": f"summons-{litigation_filed}",
        "pack": "cn_strict",
        "now": datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")).isoformat(),
        "debtor": {"id": "P", "timezones": ["Asia/Shanghai"]},
        "debts": [{"id": "D1", "litigation_filed": litigation_filed}],
        "contact_points": [{"id": "A", "owner": "P", "kind": "mobile", "source": "contract"}],
        "attempt": {"to": "P", "point": "A", "channel": "sms", "debt": "D1",
                    "text": "【XX消费金融】法院传票已经寄出,请查收"},
    }


def test_default_engine_allows_a_truthful_summons_and_blocks_a_false_one() -> None:
    service = ComplianceService()  # default checker: guard + phrases
    truthful = service.decide(parse_scenario(_summons_attempt(True)))
    assert truthful.verdict.value == "allow", truthful.reasons("en")
    false = service.decide(parse_scenario(_summons_attempt(False)))
    assert false.verdict.value == "block"
    assert "CN-CONTENT-2" in false.rule_ids

"""Category conventions of the corpus that the guard applies, and the regex prefilter that must never drop a match."""

from __future__ import annotations

import json
import re
from pathlib import Path

from arrears.domain.content import ContentCategory as C
from arrears.textguard import default_guard
from arrears.textguard.literals import required_literals
from arrears.textguard.normalise import compact_string

CORPUS = Path(__file__).resolve().parents[3] / "data" / "collection-corpus" / "train.jsonl"


def test_threat_to_call_the_debtors_wife_and_boss_is_exposure_and_disclosure() -> None:
    report = default_guard().check("再不还,我们就打电话给你老婆和你领导,让他们评评理。")
    assert C.THIRD_PARTY_DISCLOSURE in report.categories


def test_english_threat_to_text_the_debtors_mum_is_disclosure() -> None:
    report = default_guard().check("Pay today or your mum gets a text about your overdue loan tonight.")
    assert C.THIRD_PARTY_DISCLOSURE in report.categories


def test_ruling_out_contact_with_family_and_colleagues_is_compliant() -> None:
    report = default_guard().check("我们不会联系您的父母和同事,只与您本人沟通。")
    assert not report.violation


def test_same_day_clock_deadline_attached_to_a_threat_is_harassment() -> None:
    report = default_guard().check("今晚9点前不到账,我们就开始通知你的亲友。")
    assert C.HARASSMENT in report.categories


def test_due_time_without_a_threat_is_not_a_violation() -> None:
    report = default_guard().check("温馨提示:您的账单今天22:00前还款均不算逾期,感谢配合。")
    assert not report.violation


def test_truthful_court_notice_is_not_harassment_or_impersonation() -> None:
    report = default_guard().check("如协商不成,出借方可能依合同约定向法院提起诉讼,最终由法院裁决。")
    assert not report.violation


def test_required_literals_of_an_alternation_group() -> None:
    assert required_literals(r"(\d+|[一二三])个?(小时|钟头)内") == frozenset({"内"})
    assert required_literals(r"[$£€]\d") == frozenset({"$", "£", "€"})
    assert required_literals(r"(告诉|通知)(你|您)?的?(家人|父母)") == frozenset({"告诉", "通知"})
    assert required_literals(r"\d+") is None  # nothing literal to require: the regex always runs
    assert required_literals(r"\d{1,2}(am|pm)today") == frozenset({"today"})  # a run of characters is one literal


def test_regex_prefilter_never_drops_a_match_on_the_training_texts() -> None:
    matcher = default_guard().matcher
    texts = [compact_string(json.loads(line)["text"]) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    checked = 0
    for pattern, literals, _ri, _gi in matcher._regex:
        if literals is None:
            continue
        for t in texts:
            if re.search(pattern, t):
                checked += 1
                assert any(lit in t for lit in literals), (pattern.pattern, t)
    assert checked > 50  # the patterns do match the corpus, so the check means something

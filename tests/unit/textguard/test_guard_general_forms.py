"""Threats stated in everyday words are caught under the right category; everyday messages pass."""

from __future__ import annotations

import pytest

from arrears.domain.content import ContentCategory
from arrears.textguard import default_guard

V, E, D = ContentCategory.THREAT_VIOLENCE, ContentCategory.THREAT_EXPOSURE, ContentCategory.THIRD_PARTY_DISCLOSURE


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("钱不到位的话,我叫几个兄弟晚上去你楼下守着。", V),
        ("你女儿每天几点放学我们都摸清楚了,你自己掂量。", V),
        ("再拖下去,我们什么事都干得出来。", V),
        ("Pay today or a couple of guys will come round to your place.", V),
        ("Keep ignoring us and somebody could get hurt.", V),
        ("再不处理,你所有的联系人明天都会收到消息。", E),
        ("我们会把你的欠款告示贴在你家楼道里。", E),
        ("Everyone in your address book will hear about this by Monday.", E),
        ("你老公的电话我们有,他很想知道你欠了多少吧?", D),
    ],
)
def test_everyday_wording_of_a_threat_is_caught(text: str, category: ContentCategory) -> None:
    report = default_guard().check(text)
    assert report.violation
    assert category in report.categories


@pytest.mark.parametrize(
    "text",
    [
        "好的,那我们周四上午再电话沟通。",
        "您好,您的借款已逾期30天,欠款3000元,请尽快还款。",
        "我们不会派人去您家,也不会联系您的任何联系人。",
        "Thanks, I'll call you back after lunch.",
        "No one will visit your home or contact your family about this account.",
    ],
)
def test_everyday_and_reminder_messages_pass(text: str) -> None:
    assert not default_guard().check(text).violation

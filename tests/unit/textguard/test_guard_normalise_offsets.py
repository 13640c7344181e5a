"""Normalisation sees through evasions but every span still points into the ORIGINAL text."""

from __future__ import annotations

from arrears.textguard import default_guard
from arrears.textguard.normalise import normalise


def test_compact_view_removes_spaces_symbols_width_and_traditional() -> None:
    n = normalise("轟 炸-你.通訊錄ＡＢ")
    assert n.compact.text == "轰炸你通讯录ab"
    # each compact character maps back to its original position
    assert [n.original[i] for i in n.compact.origin] == list("轟炸你通訊錄ＡＢ")


def test_emoji_stand_for_words() -> None:
    assert normalise("你的📒今晚就💣").compact.text == "你的通讯录今晚就炸"


def test_span_of_spaced_threat_covers_the_original_characters() -> None:
    text = "不还就轰 炸 你 通 讯 录!"
    report = default_guard().check(text)
    spans = [f.span for f in report.findings if f.category is not None and f.span is not None]
    assert spans
    s = spans[0]
    assert text[s.start : s.end] == s.evidence
    assert s.evidence == "轰 炸 你 通 讯 录"


def test_span_of_emoji_evasion_points_at_the_emoji() -> None:
    text = "你的📒今晚就💣"
    report = default_guard().check(text)
    spans = [f.span for f in report.findings if f.category is not None and f.span is not None]
    assert any("📒" in text[s.start : s.end] for s in spans)

"""Typed-out pinyin meets the lexicon term it spells; single-line transcripts are split into speaker turns."""

from __future__ import annotations

from arrears.domain.content import Claim, ContentCategory
from arrears.textguard import default_guard
from arrears.textguard.normalise import normalise
from arrears.textguard.transcript import collector_view, looks_like_transcript, parse_lines


def _rule_ids(text: str) -> set[str]:
    return {h.rule.id for h in default_guard().matcher.match(normalise(text)) if not h.negated}


def test_spaced_typed_pinyin_is_read_as_the_chinese_term() -> None:
    report = default_guard().check("再不还钱,明天就爆你tong xun lu,让大家都知道。")
    assert ContentCategory.THREAT_EXPOSURE in report.categories
    spans = [f.span for f in report.findings if f.category is ContentCategory.THREAT_EXPOSURE and f.span]
    assert any("tong xun lu" in s.evidence for s in spans)


def test_whole_sentence_in_pinyin_meets_a_three_character_term() -> None:
    assert any(r.startswith("zh.violence") for r in _rule_ids("ni jia ren xiao xin dian"))


def test_a_character_spelling_two_syllables_does_not_match() -> None:
    # 脸了 spells "lianle" like 立案了 (li-an-le), but 脸 is one syllable standing for two
    claims = {f.claim for f in default_guard().check("你真是丢脸了").findings}
    assert Claim.LAWSUIT_FILED not in claims


def test_english_words_are_not_read_as_pinyin() -> None:
    # "tongs" continues past "tong", so no lexicon term is spelled here
    assert not _rule_ids("I like tongs and xun lu noodles.")


def test_single_line_transcript_keeps_only_the_collectors_words() -> None:
    text = "催收员:请问是李强的家属吗? 第三方:我是他妈,他欠你们钱了? 催收员:阿姨,具体事情我们只能和他本人说。"
    assert looks_like_transcript(text)
    view, offsets = collector_view(text)
    assert "他欠你们钱" not in view
    assert "具体事情我们只能和他本人说" in view
    assert all(text[offsets[i]] == ch for i, ch in enumerate(view) if ch != "\n")
    assert [t.is_collector for t in parse_lines(text)] == [True, False, True]


def test_single_line_transcript_is_judged_on_the_collectors_turns() -> None:
    guard = default_guard()
    calm = "Customer: I'll smash your face in! Agent: I understand you're upset. Can we agree a small monthly payment?"
    assert not guard.check(calm, audience="transcript").violation
    hostile = "Customer: I can't pay this month. Agent: Then we'll call everyone in your contacts tonight."
    report = guard.check(hostile, audience="transcript")
    assert ContentCategory.THREAT_EXPOSURE in report.categories
    start = hostile.index("Agent:")
    assert all(f.span.start >= start for f in report.findings if f.category and f.span and f.span.end > f.span.start)


def test_a_label_inside_a_sentence_does_not_start_a_turn() -> None:
    text = "请联系我们的客服:400-555-0100,工作时间:9点到18点。"
    assert not looks_like_transcript(text)
    assert collector_view(text)[0].startswith("请联系我们的客服")

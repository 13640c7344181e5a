"""Transcripts: only the collector's turns count, and the violating turn is named."""

from __future__ import annotations

from arrears.textguard import default_guard
from arrears.textguard.transcript import collector_view, from_turns, parse_lines

CALL = (
    "催收员: 您好,我是XX分期的工作人员,请问是张三本人吗?\n"
    "客户: 是我。你们是不是要爆我通讯录?\n"
    "催收员: 不会的,我们不会联系您通讯录中的任何人。\n"
    "客户: 那我下周还。\n"
    "催收员: 下周不行,今晚不还就爆你通讯录。\n"
)


def test_parse_lines_tells_collector_from_debtor() -> None:
    turns = parse_lines(CALL)
    assert [t.is_collector for t in turns] == [True, False, True, False, True]
    assert turns[1].text.startswith("是我")


def test_debtor_words_are_never_the_collectors_violation() -> None:
    text = "催收员: 您好,请问是张三吗?我是XX分期的工作人员。\n客户: 你们是不是要爆我通讯录?骗子!\n催收员: 不会的,请放心。"
    report = default_guard().check(text, audience="transcript")
    assert not report.violation


def test_violating_turn_is_reported_by_index() -> None:
    result = default_guard().check_turns(parse_lines(CALL))
    assert result.violation
    assert result.first_violating_turn == 4


def test_turn_list_input_works_the_same() -> None:
    turns = from_turns([{"speaker": "Agent", "text": "Hello, this is Acme Finance."},
                        {"speaker": "Customer", "text": "You scammers will be arrested!"},
                        {"speaker": "Agent", "text": "Pay today or we'll call everyone in your contacts."}])
    result = default_guard().check_turns(turns)
    assert result.first_violating_turn == 2


def test_transcript_spans_point_into_the_whole_transcript() -> None:
    report = default_guard().check(CALL, audience="transcript")
    spans = [f.span for f in report.findings if f.category is not None and f.span is not None]
    assert spans
    assert all(CALL[s.start : s.end] == s.evidence for s in spans)
    view, offsets = collector_view(CALL)
    assert "是不是要爆我" not in view
    assert len(view) == len(offsets)

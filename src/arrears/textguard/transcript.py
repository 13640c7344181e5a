"""Transcripts: speaker turns, and which of them are the collector's.

Input is either a list of `{"speaker": ..., "text": ...}` turns or text with one turn per line, each line
starting with a speaker label and a colon ("催收员: …", "Agent: …"). Only the collector's turns are judged;
the debtor's or a third party's words ("你们是不是要爆我通讯录?") are never the collector's violation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

COLLECTOR_LABELS = frozenset(
    {"催收员", "催收", "坐席", "客服", "工作人员", "业务员", "专员", "调解员", "外访员", "collector", "agent", "caller", "rep",
     "representative", "officer", "staff", "ai", "机器人"}
)
OTHER_LABELS = frozenset(
    {"客户", "债务人", "借款人", "用户", "接听人", "第三方", "家属", "联系人", "紧急联系人", "同事", "对方", "customer", "debtor",
     "borrower", "client", "third party", "third-party", "thirdparty", "recipient", "callee", "consumer", "friend", "relative",
     "mother", "father", "spouse", "wife", "husband", "colleague", "employer", "caller 2"}
)
_TURN = re.compile(r"^\s*([^\n:：]{1,16}?)\s*[:：]\s?(.*)$")


@dataclass(frozen=True, slots=True)
class Turn:
    index: int
    speaker: str
    text: str
    start: int  # offset of `text` in the joined transcript text (or -1 for list input)
    is_collector: bool


def _is_collector(label: str) -> bool | None:
    key = label.strip().lower()
    key = re.sub(r"[\s\d#()（）]+$", "", key)
    if key in COLLECTOR_LABELS or key.startswith(("催收", "agent", "collector")):
        return True
    if key in OTHER_LABELS or key.startswith(("客户", "customer", "第三方", "third")):
        return False
    return None


_LABELS = tuple(sorted(COLLECTOR_LABELS | OTHER_LABELS | {"客户a", "客户b"}, key=len, reverse=True))
_COLON = re.compile(r"[:：]")
_BEFORE_INLINE = frozenset(" \t\u3000。！？!?.…~")


def _inline_cuts(line: str) -> list[int]:
    """Where a turn starts inside a line: a known speaker label + colon, after white space or sentence
    punctuation ("… 客户:…", "…? Agent: …")."""
    cuts: list[int] = []
    for m in _COLON.finditer(line):
        head = line[max(0, m.start() - 24) : m.start()].rstrip().lower()
        if not head.endswith(_LABELS):
            continue
        label = next(x for x in _LABELS if head.endswith(x))
        start = len(line[: m.start()].rstrip()) - len(label)
        if start > 0 and line[start - 1] in _BEFORE_INLINE:
            cuts.append(start)
    return cuts


def _segments(text: str) -> list[str]:
    """Lines, each further cut before an inline speaker label (single-line transcripts)."""
    out: list[str] = []
    for line in text.splitlines(keepends=True):
        prev = 0
        if line.count(":") + line.count("：") >= 2:
            for c in _inline_cuts(line):
                out.append(line[prev:c])
                prev = c
        out.append(line[prev:])
    return out


def parse_lines(text: str) -> tuple[Turn, ...]:
    """Split "speaker: text" lines (and turns run together on one line, each starting with a known label).
    Lines without a known speaker continue the previous turn."""
    turns: list[Turn] = []
    pos = 0
    for line in _segments(text):
        m = _TURN.match(line.rstrip("\r\n"))
        role = _is_collector(m.group(1)) if m else None
        if m and role is not None:
            body_start = pos + m.start(2)
            turns.append(Turn(len(turns), m.group(1).strip(), m.group(2), body_start, role))
        elif turns:
            prev = turns[-1]
            joined = text[prev.start : pos + len(line.rstrip("\r\n"))]
            turns[-1] = Turn(prev.index, prev.speaker, joined, prev.start, prev.is_collector)
        pos += len(line)
    return tuple(turns)


def from_turns(items: Iterable[Mapping[str, str]]) -> tuple[Turn, ...]:
    out: list[Turn] = []
    for i, t in enumerate(items):
        if "speaker" not in t or "text" not in t:
            raise ValueError(f"transcript turn {i}: needs 'speaker' and 'text'")
        role = _is_collector(str(t["speaker"]))
        out.append(Turn(i, str(t["speaker"]), str(t["text"]), -1, bool(role)))
    return tuple(out)


def looks_like_transcript(text: str) -> bool:
    """At least two lines that start with a known speaker label, or one line holding turns of both a collector
    and another speaker ("催收员:… 客户:…")."""
    if "\n" not in text:
        if text.count(":") + text.count("：") < 2 or not _inline_cuts(text):
            return False
        roles = {_is_collector(m.group(1)) for seg in _segments(text) if (m := _TURN.match(seg))}
        return True in roles and False in roles
    n = 0
    for line in text.splitlines():
        m = _TURN.match(line)
        if m and _is_collector(m.group(1)) is not None:
            n += 1
            if n >= 2:
                return True
    return False


def collector_view(text: str) -> tuple[str, tuple[int, ...]]:
    """The collector's words only, joined by newlines, and each character's offset in `text`.

    Other speakers' characters are left out, so lexicon spans and model features see only the collector."""
    turns = parse_lines(text)
    if not turns:
        return text, tuple(range(len(text)))
    chars: list[str] = []
    offsets: list[int] = []
    for t in turns:
        if not t.is_collector:
            continue
        chars.extend(t.text)
        offsets.extend(range(t.start, t.start + len(t.text)))
        chars.append("\n")
        offsets.append(t.start + len(t.text) - 1 if t.text else t.start)
    return "".join(chars), tuple(offsets)

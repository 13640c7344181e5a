"""What the engine returns: a decision, every rule that fired with its reasons, and the next allowed time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Verdict(StrEnum):
    ALLOW = "allow"
    ALLOW_WITH_CONSTRAINTS = "allow_with_constraints"
    REVIEW = "review"
    BLOCK = "block"


# Precedence: block > review > allow_with_constraints > allow.
RANK: dict[Verdict, int] = {
    Verdict.ALLOW: 0,
    Verdict.ALLOW_WITH_CONSTRAINTS: 1,
    Verdict.REVIEW: 2,
    Verdict.BLOCK: 3,
}


def stronger(a: Verdict, b: Verdict) -> Verdict:
    return a if RANK[a] >= RANK[b] else b


@dataclass(frozen=True, slots=True)
class Fired:
    """One rule that fired: its verdict and a readable reason in zh-CN and en."""

    rule_id: str
    verdict: Verdict
    reason_zh: str
    reason_en: str
    constraints: tuple[str, ...] = ()
    temporal: bool = False  # a later instant could make this rule pass (time window, counter, cooldown)

    def reason(self, lang: str = "zh") -> str:
        return self.reason_en if lang == "en" else self.reason_zh


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    fired: tuple[Fired, ...]
    pack: str
    pack_version: str
    next_allowed_at: datetime | None = None
    constraints: tuple[str, ...] = ()
    evaluated: tuple[str, ...] = ()  # ids of every rule that applied to this attempt

    @property
    def rule_ids(self) -> tuple[str, ...]:
        seen: list[str] = []
        for f in self.fired:
            if f.rule_id not in seen:
                seen.append(f.rule_id)
        return tuple(seen)

    def reasons(self, lang: str = "zh") -> tuple[str, ...]:
        return tuple(f"{f.rule_id}: {f.reason(lang)}" for f in self.fired)

    def to_result(self, lang: str = "zh") -> dict[str, object]:
        """The scenario-harness shape (scenario-format.md)."""
        out: dict[str, object] = {
            "decision": self.verdict.value,
            "rules": list(self.rule_ids),
            "reasons": list(self.reasons(lang)),
        }
        if self.next_allowed_at is not None:
            out["next_allowed_at"] = self.next_allowed_at.isoformat()
        if self.constraints:
            out["constraints"] = list(self.constraints)
        return out

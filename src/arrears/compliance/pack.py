"""Rule packs as data: the typed schema a pack file must satisfy, and the compiled, immutable pack.

A pack file (YAML) is one jurisdiction profile: its id, version, effective date and rules. Each rule carries its
catalogue id, kind, strength, channels, parameters (validated against the kind's own schema) and citations.
A policy file layers a firm's own settings on a pack (`extends: cn_strict`) and may only tighten it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from arrears.compliance.decision import Verdict
from arrears.domain.enums import Channel

Strength = Literal["LAW", "PRESUMPTION", "GUIDANCE", "POLICY", "LAW/POLICY", "LAW/GUIDANCE"]
Conf = Literal["P", "S", "U", "P/S", "P/U", "S/U"]
ALL_CHANNELS = list(Channel)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(_Strict):
    cite: str
    conf: Conf
    note: str | None = None
    quote: str | None = None
    url: str | None = None


class Title(_Strict):
    zh: str
    en: str


class RuleSpec(_Strict):
    id: str = Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Za-z0-9().]+)+$")
    kind: str
    strength: Strength
    title: Title
    channels: list[Channel] = Field(default_factory=lambda: list(ALL_CHANNELS))
    params: dict[str, Any] = Field(default_factory=dict)
    on_violation: Literal["block", "review"] | None = None
    sources: list[Citation] = Field(min_length=1)
    effective_from: date | None = None
    note: str | None = None


class PackSpec(_Strict):
    pack: str
    profile: str
    jurisdiction: Literal["CN", "US", "UK"]
    version: str
    effective_from: date
    description: Title
    rules: list[RuleSpec]


class PolicyRule(_Strict):
    """A policy-layer entry: either changes to an existing rule (id + params/channels/on_violation) or a new
    firm rule (all of kind, strength, title, sources)."""

    id: str = Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Za-z0-9().]+)+$")
    kind: str | None = None
    strength: Strength | None = None
    title: Title | None = None
    channels: list[Channel] | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    on_violation: Literal["block", "review"] | None = None
    sources: list[Citation] | None = None
    note: str | None = None


class PolicySpec(_Strict):
    policy: str
    extends: str
    version: str
    effective_from: date
    description: Title | None = None
    rules: list[PolicyRule]


def default_verdict(strength: str, kind_default: Verdict = Verdict.BLOCK) -> Verdict:
    """LAW, PRESUMPTION and GUIDANCE block by default; POLICY follows the rule (default block)."""
    return Verdict.BLOCK if strength != "POLICY" else kind_default


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    kind: str
    strength: str
    title_zh: str
    title_en: str
    channels: frozenset[Channel]
    params: Any  # the kind's validated (frozen) params model
    verdict: Verdict
    citations: tuple[Citation, ...]
    origin: str  # the file that set it last


@dataclass(frozen=True, slots=True)
class Pack:
    id: str  # profile (cn_strict) or, for a layered pack, "cn_strict+firm"
    jurisdiction: str
    version: str
    effective_from: date
    description_zh: str
    description_en: str
    rules: tuple[Rule, ...]
    layers: tuple[str, ...] = ()

    def rule(self, rule_id: str) -> Rule | None:
        for r in self.rules:
            if r.id == rule_id:
                return r
        return None

"""The typed schema a strategy file must satisfy (pydantic v2, unknown fields refused).

Only used at load time; `loader.py` turns a valid document into the frozen dataclasses of `model.py` and then
applies the rules that span fields (order, references, the hard lines on visits and emergency contacts).
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from arrears.domain.enums import Channel, LenderType
from arrears.strategy.model import Anchor, Party, Vulnerability

_ID = r"^[a-z][a-z0-9_]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    zh: StrictStr
    en: StrictStr


class RequiresSpec(_Strict):
    supervisor_approval: StrictBool = False
    min_staff: StrictInt = Field(default=1, ge=1)
    recording: StrictBool = False


class StepSpec(_Strict):
    id: StrictStr = Field(pattern=_ID)
    anchor: Anchor
    day: StrictInt
    channel: Channel
    party: Party
    template: StrictStr = Field(min_length=1)
    pool: StrictStr = Field(min_length=1)
    when: list[StrictStr] = Field(default_factory=list)
    every_days: StrictInt | None = Field(default=None, ge=1)
    until_day: StrictInt | None = None
    from_bucket: StrictStr | None = None
    requires: RequiresSpec = RequiresSpec()
    description: Text | None = None


class TreatmentSpec(_Strict):
    id: StrictStr = Field(pattern=_ID)
    description: Text | None = None
    steps: list[StepSpec] = Field(min_length=1)


class RangeSpec(_Strict):
    min: StrictInt | None = None
    max: StrictInt | None = None


class MatchSpec(_Strict):
    buckets: list[StrictStr] | None = Field(default=None, min_length=1)
    balance_minor: RangeSpec | None = None
    score: RangeSpec | None = None
    products: list[StrictStr] | None = Field(default=None, min_length=1)
    region_prefixes: list[StrictStr] | None = Field(default=None, min_length=1)
    languages: list[StrictStr] | None = Field(default=None, min_length=1)
    lender_types: list[LenderType] | None = Field(default=None, min_length=1)
    vulnerability: Vulnerability = Vulnerability.ANY


class VariantSpec(_Strict):
    id: StrictStr = Field(pattern=_ID)
    treatment: StrictStr
    share_pct: Decimal = Field(gt=0, le=100, decimal_places=2)


class SegmentSpec(_Strict):
    id: StrictStr = Field(pattern=_ID)
    description: Text | None = None
    match: MatchSpec
    treatment: StrictStr | None = None  # shorthand for one variant `champion` at 100%
    variants: list[VariantSpec] | None = Field(default=None, min_length=1)


class DefaultSegmentSpec(_Strict):
    id: StrictStr = Field(pattern=_ID)
    description: Text | None = None
    treatment: StrictStr | None = None
    variants: list[VariantSpec] | None = Field(default=None, min_length=1)


class StrategySpec(_Strict):
    strategy: StrictStr = Field(pattern=_ID)
    version: StrictStr = Field(min_length=1)
    salt: StrictStr = Field(min_length=1)
    description: Text
    treatments: list[TreatmentSpec] = Field(min_length=1)
    segments: list[SegmentSpec] = Field(default_factory=list)
    default: DefaultSegmentSpec

"""Load and check strategy files. Every error names the file, the place in it and the field.

Pipeline: read YAML -> validate against `StrategySpec` (types, unknown fields) -> build frozen values ->
check what spans fields: unique ids, references, step order per anchor, shares summing to 100%, buckets on the
delinquency ladder, and the hard lines (a field visit only from M2 with supervisor approval, two staff and
recording; an emergency contact only with the `locate_only` script, the `borrower_unreachable` condition and a
call/SMS/IM channel).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from arrears.delinquency.buckets import load_bucket_scheme
from arrears.domain.enums import Channel
from arrears.strategy.assign import BASIS_POINTS
from arrears.strategy.model import (
    LOCATE_ONLY,
    THIRD_PARTY_CHANNELS,
    VISIT_FROM_BUCKET,
    Anchor,
    Condition,
    Match,
    Party,
    Requirements,
    Segment,
    Step,
    Strategy,
    Treatment,
    Variant,
)
from arrears.strategy.schema import (
    DefaultSegmentSpec,
    MatchSpec,
    SegmentSpec,
    StepSpec,
    StrategySpec,
    Text,
    TreatmentSpec,
)

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class StrategyError(ValueError):
    """A strategy file that cannot be used. `str()` names the file, the place in it and the field."""

    def __init__(self, file: str, where: str | None, field: str | None, message: str) -> None:
        self.file, self.where, self.field, self.message = file, where, field, message
        text = file
        if where:
            text += f": {where}"
        if field:
            text += f": field {field}"
        super().__init__(f"{text}: {message}")


def packs_dir() -> Path:
    return Path(str(resources.files("arrears.strategy") / "packs"))


def builtin_strategy_paths() -> dict[str, Path]:
    return {p.stem: p for p in sorted(packs_dir().glob("*.yaml"))}


def read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise StrategyError(str(path), None, None, f"cannot read: {e.strerror or e}") from e
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as e:
        raise StrategyError(str(path), None, None, f"not valid YAML: {e}") from e


# --- error locations ------------------------------------------------------------------------------------------

_CONTAINERS = ("treatments", "steps", "segments", "variants", "cases")


def _label(container: str, index: int, item: Any) -> str:
    ident = item.get("id") if isinstance(item, Mapping) else None
    return f"{container}[{index}]" + (f" ({ident})" if ident else "")


def error_location(raw: Any, loc: Sequence[int | str]) -> tuple[str | None, str | None]:
    """pydantic's loc -> (`treatments[1] (early) / steps[0] (sms_d1)`, `channel`)."""
    where: list[str] = []
    node = raw
    i = 0
    while i < len(loc):
        key = loc[i]
        nxt = loc[i + 1] if i + 1 < len(loc) else None
        if isinstance(key, str) and key in _CONTAINERS and isinstance(nxt, int):
            items = node.get(key) if isinstance(node, Mapping) else None
            item = items[nxt] if isinstance(items, list) and nxt < len(items) else None
            where.append(_label(key, nxt, item))
            node, i = item, i + 2
            continue
        if key == "default" and not where:
            where.append("default")
            node, i = node.get("default") if isinstance(node, Mapping) else None, i + 1
            continue
        break
    field = ".".join(str(x) if isinstance(x, str) else f"[{x}]" for x in loc[i:]).replace(".[", "[")
    return (" / ".join(where) or None), (field or None)


def _validate(raw: Any, file: str) -> StrategySpec:
    if not isinstance(raw, Mapping):
        raise StrategyError(file, None, None, "expected a mapping at the top level")
    try:
        return StrategySpec.model_validate(raw)
    except ValidationError as err:
        e = err.errors()[0]
        where, field = error_location(raw, tuple(e["loc"]))
        raise StrategyError(file, where, field, e["msg"]) from err


# --- building values ------------------------------------------------------------------------------------------


def _texts(t: Text | None) -> tuple[str, str]:
    return (t.zh, t.en) if t else ("", "")


def _unique(ids: Iterable[str], file: str, where: str | None, what: str) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise StrategyError(file, where, "id", f"duplicate {what} id {i!r}")
        seen.add(i)


def _step(spec: StepSpec, file: str, where: str, ladder: Sequence[str]) -> Step:
    conditions: list[Condition] = []
    for k, text in enumerate(spec.when):
        try:
            conditions.append(Condition.parse(text))
        except ValueError as e:
            raise StrategyError(file, where, f"when[{k}]", str(e)) from e
    if spec.until_day is not None and spec.until_day < spec.day:
        raise StrategyError(file, where, "until_day", f"until_day {spec.until_day} is before day {spec.day}")
    if spec.until_day is not None and spec.every_days is None:
        raise StrategyError(file, where, "until_day", "until_day needs every_days")
    if spec.from_bucket is not None and spec.from_bucket not in ladder:
        raise StrategyError(
            file, where, "from_bucket", f"unknown bucket {spec.from_bucket!r}; ladder: {', '.join(ladder)}"
        )
    zh, en = _texts(spec.description)
    step = Step(
        id=spec.id,
        anchor=spec.anchor,
        day_offset=spec.day,
        channel=spec.channel,
        party=spec.party,
        template=spec.template,
        pool=spec.pool,
        conditions=tuple(conditions),
        every_days=spec.every_days,
        until_offset=spec.until_day,
        from_bucket=spec.from_bucket,
        requires=Requirements(spec.requires.supervisor_approval, spec.requires.min_staff, spec.requires.recording),
        description_zh=zh,
        description_en=en,
    )
    _hard_lines(step, file, where, ladder)
    return step


def _hard_lines(step: Step, file: str, where: str, ladder: Sequence[str]) -> None:
    """Schema rules, not conventions: a pack that breaks them does not load."""
    if step.channel is Channel.VISIT:
        if step.from_bucket is None or ladder.index(step.from_bucket) < ladder.index(VISIT_FROM_BUCKET):
            raise StrategyError(
                file, where, "from_bucket", f"a field visit needs from_bucket {VISIT_FROM_BUCKET} or later"
            )
        if not step.requires.supervisor_approval:
            raise StrategyError(file, where, "requires.supervisor_approval", "a field visit needs supervisor approval")
        if step.requires.min_staff < 2:
            raise StrategyError(file, where, "requires.min_staff", "a field visit needs at least 2 staff (CN-VISIT-1)")
        if not step.requires.recording:
            raise StrategyError(file, where, "requires.recording", "a field visit must be recorded (CN-REC-1)")
        if step.party is Party.EMERGENCY_CONTACT:
            raise StrategyError(file, where, "party", "no field visit to an emergency contact")
    if step.party is Party.EMERGENCY_CONTACT:
        if step.template != LOCATE_ONLY:
            raise StrategyError(
                file, where, "template", f"an emergency contact may only hear the {LOCATE_ONLY!r} script (CN-PARTY-2)"
            )
        if Condition("borrower_unreachable") not in step.conditions:
            raise StrategyError(
                file, where, "when", "an emergency-contact step needs the condition `borrower_unreachable` (CN-PARTY-2)"
            )
        if step.channel not in THIRD_PARTY_CHANNELS:
            raise StrategyError(file, where, "channel", "an emergency contact may be reached by call, SMS or IM only")


def _treatment(spec: TreatmentSpec, index: int, file: str, ladder: Sequence[str]) -> Treatment:
    tw = f"treatments[{index}] ({spec.id})"
    steps: list[Step] = []
    last_day: dict[Anchor, tuple[int, str]] = {}
    for k, s in enumerate(spec.steps):
        where = f"{tw} / steps[{k}] ({s.id})"
        step = _step(s, file, where, ladder)
        prev = last_day.get(step.anchor)
        if prev is not None and step.day_offset < prev[0]:
            raise StrategyError(
                file, where, "day",
                f"steps out of order: day {step.day_offset} from {step.anchor} comes after {prev[1]} (day {prev[0]})",
            )
        last_day[step.anchor] = (step.day_offset, step.id)
        steps.append(step)
    zh, en = _texts(spec.description)
    return Treatment(spec.id, tuple(steps), zh, en)


def _variants(
    spec: SegmentSpec | DefaultSegmentSpec, file: str, where: str, treatments: set[str]
) -> tuple[Variant, ...]:
    if (spec.treatment is None) == (spec.variants is None):
        raise StrategyError(file, where, "treatment", "give exactly one of `treatment` or `variants`")
    if spec.treatment is not None:
        raw = [("champion", spec.treatment, Decimal(100), "treatment")]
    else:
        raw = [(v.id, v.treatment, v.share_pct, f"variants[{k}].treatment") for k, v in enumerate(spec.variants or [])]
    _unique((r[0] for r in raw), file, where, "variant")
    out: list[Variant] = []
    for vid, tid, pct, field in raw:
        if tid not in treatments:
            raise StrategyError(file, where, field, f"unknown treatment {tid!r}")
        out.append(Variant(vid, tid, int(pct * 100)))
    total = sum(v.share_bp for v in out)
    if total != BASIS_POINTS:
        raise StrategyError(file, where, "variants", f"shares add up to {Decimal(total) / 100}%, not 100%")
    return tuple(out)


def _match(spec: MatchSpec, file: str, where: str, ladder: Sequence[str]) -> Match:
    for k, b in enumerate(spec.buckets or []):
        if b not in ladder:
            raise StrategyError(file, where, f"match.buckets[{k}]", f"unknown bucket {b!r}; ladder: {', '.join(ladder)}")
    for name, r in (("balance_minor", spec.balance_minor), ("score", spec.score)):
        if r is not None and r.min is not None and r.max is not None and r.min > r.max:
            raise StrategyError(file, where, f"match.{name}", f"min {r.min} is above max {r.max}")
    return Match(
        buckets=tuple(spec.buckets) if spec.buckets else None,
        balance_min_minor=spec.balance_minor.min if spec.balance_minor else None,
        balance_max_minor=spec.balance_minor.max if spec.balance_minor else None,
        score_min=spec.score.min if spec.score else None,
        score_max=spec.score.max if spec.score else None,
        products=tuple(spec.products) if spec.products else None,
        region_prefixes=tuple(spec.region_prefixes) if spec.region_prefixes else None,
        languages=tuple(spec.languages) if spec.languages else None,
        lender_types=tuple(spec.lender_types) if spec.lender_types else None,
        vulnerability=spec.vulnerability,
    )


def build_strategy(raw: Any, file: str, ladder: Sequence[str] | None = None) -> Strategy:
    """A parsed YAML document -> a checked `Strategy` (or a `StrategyError`)."""
    spec = _validate(raw, file)
    order = tuple(ladder) if ladder is not None else load_bucket_scheme().names
    _unique((t.id for t in spec.treatments), file, None, "treatment")
    treatments = tuple(_treatment(t, i, file, order) for i, t in enumerate(spec.treatments))
    _unique((s.id for t in treatments for s in t.steps), file, None, "step")
    _unique([*(s.id for s in spec.segments), spec.default.id], file, None, "segment")
    tids = {t.id for t in treatments}
    segments: list[Segment] = []
    for i, s in enumerate(spec.segments):
        where = f"segments[{i}] ({s.id})"
        zh, en = _texts(s.description)
        segments.append(Segment(s.id, _match(s.match, file, where, order), _variants(s, file, where, tids), zh, en))
    d = spec.default
    zh, en = _texts(d.description)
    segments.append(Segment(d.id, Match(), _variants(d, file, "default", tids), zh, en, is_default=True))
    return Strategy(
        id=spec.strategy,
        version=spec.version,
        salt=spec.salt,
        segments=tuple(segments),
        treatments=treatments,
        bucket_order=order,
        description_zh=spec.description.zh,
        description_en=spec.description.en,
        origin=file,
    )


def load_strategy_file(path: str | Path) -> Strategy:
    p = Path(path)
    return build_strategy(read_yaml(p), str(p))


@lru_cache(maxsize=16)
def load_builtin(name: str) -> Strategy:
    paths = builtin_strategy_paths()
    if name not in paths:
        raise StrategyError(name, None, None, f"unknown strategy; built in: {', '.join(sorted(paths))}")
    return load_strategy_file(paths[name])


def load_strategy(name_or_path: str | Path) -> Strategy:
    """A packaged strategy by name (`cn_default`) or a path to a strategy file."""
    s = str(name_or_path)
    if s in builtin_strategy_paths():
        return load_builtin(s)
    return load_strategy_file(Path(s))

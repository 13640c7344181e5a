"""Load and validate rule packs and policy layers. Every error names the file, the rule and the field.

Pipeline: read YAML -> validate against `PackSpec` -> validate each rule's params against its kind -> refuse
duplicate ids -> (policy layers) merge, refusing any loosening -> an immutable `Pack`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from arrears.compliance.decision import Verdict
from arrears.compliance.pack import Pack, PackSpec, PolicySpec, Rule, RuleSpec, default_verdict
from arrears.compliance.rules import KINDS

BUILTIN_PROFILES = ("cn_floor", "cn_strict", "us", "uk")

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class PackError(ValueError):
    """A pack or policy file that cannot be used. `str()` names the file, rule and field."""

    def __init__(self, file: str, rule: str | None, field: str | None, message: str) -> None:
        self.file, self.rule, self.field, self.message = file, rule, field, message
        where = file
        if rule:
            where += f": rule {rule}"
        if field:
            where += f": field {field}"
        super().__init__(f"{where}: {message}")


def packs_dir() -> Path:
    return Path(str(resources.files("arrears.compliance") / "packs"))


def builtin_pack_paths() -> dict[str, Path]:
    """profile -> file, for every pack shipped in `compliance/packs/<jurisdiction>/*.yaml`."""
    out: dict[str, Path] = {}
    for p in sorted(packs_dir().glob("*/*.yaml")):
        out[p.stem] = p
    return out


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise PackError(str(path), None, None, f"cannot read: {e.strerror or e}") from e
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as e:
        raise PackError(str(path), None, None, f"not valid YAML: {e}") from e


def _loc(loc: Iterable[int | str]) -> str:
    parts: list[str] = []
    for x in loc:
        if isinstance(x, int):
            parts.append(f"[{x}]")
        else:
            parts.append(("." if parts else "") + x)
    return "".join(parts)


def _first_error(err: ValidationError) -> tuple[tuple[int | str, ...], str]:
    e = err.errors()[0]
    return tuple(e["loc"]), e["msg"]


def _rule_id_at(raw: Any, index: int) -> str:
    try:
        rid = raw["rules"][index].get("id")
    except (KeyError, IndexError, TypeError, AttributeError):
        rid = None
    return str(rid) if rid else f"#{index + 1}"


def _validate_doc(model: type[BaseModel], raw: Any, file: str) -> Any:
    if not isinstance(raw, Mapping):
        raise PackError(file, None, None, "expected a mapping at the top level")
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        loc, msg = _first_error(err)
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
            raise PackError(file, _rule_id_at(raw, loc[1]), _loc(loc[2:]) or None, msg) from err
        raise PackError(file, None, _loc(loc), msg) from err


def validate_params(kind: str, params: Mapping[str, Any], file: str, rule_id: str) -> Any:
    k = KINDS.get(kind)
    if k is None:
        raise PackError(file, rule_id, "kind", f"unknown rule kind {kind!r}; known: {', '.join(sorted(KINDS))}")
    try:
        return k.params.model_validate(dict(params))
    except ValidationError as err:
        loc, msg = _first_error(err)
        raise PackError(file, rule_id, "params." + _loc(loc), msg) from err


def _rule_from_spec(spec: RuleSpec, file: str) -> Rule:
    params = validate_params(spec.kind, spec.params, file, spec.id)
    verdict = Verdict(spec.on_violation) if spec.on_violation else default_verdict(spec.strength)
    return Rule(
        id=spec.id,
        kind=spec.kind,
        strength=spec.strength,
        title_zh=spec.title.zh,
        title_en=spec.title.en,
        channels=frozenset(spec.channels),
        params=params,
        verdict=verdict,
        citations=tuple(spec.sources),
        origin=file,
    )


def _check_compiles(rule: Rule, file: str) -> None:
    from arrears.compliance.rules.base import RuleMeta

    meta = RuleMeta(rule.id, rule.kind, rule.strength, rule.verdict, rule.title_zh, rule.title_en)
    try:
        KINDS[rule.kind].compile(meta, rule.params)
    except (ValueError, OSError) as e:
        raise PackError(file, rule.id, "params", str(e)) from e


def load_pack_file(path: str | Path) -> Pack:
    """A jurisdiction pack, or a policy layer (a file with `extends:`) applied to its base."""
    path = Path(path)
    file = str(path)
    raw = _read(path)
    if isinstance(raw, Mapping) and "extends" in raw:
        return _load_policy(path, raw)
    spec: PackSpec = _validate_doc(PackSpec, raw, file)
    rules: list[Rule] = []
    seen: set[str] = set()
    for rs in spec.rules:
        if rs.id in seen:
            raise PackError(file, rs.id, "id", "duplicate rule id")
        seen.add(rs.id)
        rule = _rule_from_spec(rs, file)
        _check_compiles(rule, file)
        rules.append(rule)
    return Pack(
        id=spec.profile,
        jurisdiction=spec.jurisdiction,
        version=spec.version,
        effective_from=spec.effective_from,
        description_zh=spec.description.zh,
        description_en=spec.description.en,
        rules=tuple(rules),
    )


@lru_cache(maxsize=32)
def load_builtin(profile: str) -> Pack:
    paths = builtin_pack_paths()
    if profile not in paths:
        raise PackError(profile, None, "pack", f"unknown pack; known: {', '.join(sorted(paths))}")
    return load_pack_file(paths[profile])


def load_pack(name_or_path: str | Path) -> Pack:
    """A built-in profile name (`cn_strict`) or a path to a pack or policy file."""
    s = str(name_or_path)
    if s in builtin_pack_paths():
        return load_builtin(s)
    return load_pack_file(Path(s))


# --- policy layers ------------------------------------------------------------------------------------------

_ORDER = {Verdict.REVIEW: 1, Verdict.BLOCK: 2}


def _load_policy(path: Path, raw: Mapping[str, Any]) -> Pack:
    file = str(path)
    spec: PolicySpec = _validate_doc(PolicySpec, raw, file)
    base_ref = spec.extends
    candidate = path.parent / base_ref
    if base_ref in builtin_pack_paths():
        base = load_builtin(base_ref)
    elif candidate.exists():
        base = load_pack_file(candidate)
    else:
        raise PackError(file, None, "extends", f"unknown base pack {base_ref!r}")
    rules = {r.id: r for r in base.rules}
    order = [r.id for r in base.rules]
    seen: set[str] = set()
    for pr in spec.rules:
        if pr.id in seen:
            raise PackError(file, pr.id, "id", "duplicate rule id in the policy layer")
        seen.add(pr.id)
        old = rules.get(pr.id)
        if old is None:
            missing = [f for f in ("kind", "strength", "title", "sources") if getattr(pr, f) is None]
            if missing:
                raise PackError(
                    file, pr.id, missing[0], f"a new firm rule needs {', '.join(missing)} (no rule {pr.id} in {base.id})"
                )
            rs = RuleSpec.model_validate(
                {k: v for k, v in pr.model_dump().items() if v is not None} | {"params": pr.params}
            )
            new_rule = _rule_from_spec(rs, file)
            _check_compiles(new_rule, file)
            rules[pr.id] = new_rule
            order.append(pr.id)
            continue
        if pr.kind is not None and pr.kind != old.kind:
            raise PackError(file, pr.id, "kind", f"a policy layer cannot change a rule's kind ({old.kind})")
        merged = old.params.model_dump() | dict(pr.params)
        params = validate_params(old.kind, merged, file, pr.id)
        _refuse_loosening(old, params, file)
        channels = old.channels
        if pr.channels is not None:
            if not set(pr.channels) >= old.channels:
                raise PackError(file, pr.id, "channels", "a policy layer may add channels, never remove them")
            channels = frozenset(pr.channels)
        verdict = old.verdict
        if pr.on_violation is not None:
            v = Verdict(pr.on_violation)
            if _ORDER[v] < _ORDER.get(old.verdict, 2):
                raise PackError(file, pr.id, "on_violation", f"loosens {old.verdict.value} to {v.value}")
            verdict = v
        updated = Rule(
            id=old.id,
            kind=old.kind,
            strength=old.strength,
            title_zh=old.title_zh,
            title_en=old.title_en,
            channels=channels,
            params=params,
            verdict=verdict,
            citations=old.citations + tuple(pr.sources or ()),
            origin=file,
        )
        _check_compiles(updated, file)
        rules[pr.id] = updated
    return Pack(
        id=f"{base.id}+{spec.policy}",
        jurisdiction=base.jurisdiction,
        version=f"{base.version}+{spec.version}",
        effective_from=max(base.effective_from, spec.effective_from),
        description_zh=(spec.description.zh if spec.description else base.description_zh),
        description_en=(spec.description.en if spec.description else base.description_en),
        rules=tuple(rules[i] for i in order),
        layers=(*base.layers, file),
    )


def _as_set(v: Any) -> set[Any]:
    if v is None:
        return set()
    if isinstance(v, Mapping):
        return set(v)
    return {x.model_dump_json() if isinstance(x, BaseModel) else x for x in v}


def _looser(how: str, old: Any, new: Any) -> str | None:
    """Why `new` loosens `old` under the `how` rule, or None."""
    if old == new:
        return None
    if how == "registry":  # a registry the firm maintains (e.g. approved templates), not a limit
        return None
    if how == "le":
        if old is None:
            return None
        if new is None or new > old:
            return f"raises {old} to {new}"
        return None
    if how == "ge":
        if old is None:
            return None
        if new is None or new < old:
            return f"lowers {old} to {new}"
        return None
    if how == "subset":
        extra = _as_set(new) - _as_set(old)
        return f"adds {sorted(map(str, extra))}" if extra else None
    if how == "superset":
        gone = _as_set(old) - _as_set(new)
        return f"removes {sorted(map(str, gone))}" if gone else None
    if how == "true_stays":
        return "turns a protection off" if old and not new else None
    if how == "false_stays":
        return "widens an exception" if (not old) and new else None
    if how == "caps":
        if len(new) < len(old):
            return "removes a cap"
        for i, (o, n) in enumerate(zip(old, new, strict=False)):
            if n.scope != o.scope or n.tz != o.tz:
                return f"caps[{i}] changes scope or zone"
            if not set(n.channels) >= set(o.channels):
                return f"caps[{i}] counts fewer channels"
            if o.outcomes is not None and n.outcomes is not None and not set(n.outcomes) >= set(o.outcomes):
                return f"caps[{i}] counts fewer outcomes"
            if o.outcomes is None and n.outcomes is not None:
                return f"caps[{i}] counts fewer outcomes"
            if n.limit > o.limit:
                return f"caps[{i}].limit raises {o.limit} to {n.limit}"
        return None
    if how == "claims":
        for claim, cond in old.items():
            if claim not in new:
                return f"stops checking claim {claim.value}"
            if new[claim] != cond and new[claim] != "never":
                return f"claim {claim.value}: {cond} -> {new[claim]}"
        return None
    return "cannot be changed by a policy layer"


def _refuse_loosening(old: Rule, new_params: Any, file: str) -> None:
    rules = KINDS[old.kind].tighten
    for name in type(new_params).model_fields:
        o = getattr(old.params, name)
        n = getattr(new_params, name)
        how = rules.get(name, "fixed")
        why = _looser(how, o, n)
        if why:
            raise PackError(file, old.id, f"params.{name}", f"a policy layer may only tighten: {why}")

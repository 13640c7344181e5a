"""Build engine requests from scenario-shaped dicts, so tests read like the spec's format."""

from __future__ import annotations

import copy
from typing import Any

from arrears.compliance.decision import Decision
from arrears.compliance.engine import Engine
from arrears.compliance.loader import load_builtin
from arrears.compliance.scenario import parse_scenario

_ENGINES: dict[str, Engine] = {}


def engine(pack: str) -> Engine:
    if pack not in _ENGINES:
        _ENGINES[pack] = Engine(load_builtin(pack))
    return _ENGINES[pack]


def call(pack: str, now: str, zones: list[str], **extra: Any) -> dict[str, Any]:
    """A call from collector C1 to debtor P on contract mobile A about D1; `extra` overrides top-level keys."""
    raw: dict[str, Any] = {
        "id": "t",
        "pack": pack,
        "now": now,
        "debtor": {"id": "P", "timezones": zones},
        "contact_points": [{"id": "A", "owner": "P", "kind": "mobile", "source": "contract"}],
        "attempt": {"to": "P", "point": "A", "channel": "call", "debt": "D1", "collector": "C1"},
    }
    raw.update(copy.deepcopy(extra))
    return raw


def decide(raw: dict[str, Any]) -> Decision:
    return engine(raw["pack"]).decide(parse_scenario(raw).request)


def hist(at: str, outcome: str = "voicemail", *, to: str = "P", channel: str = "call", direction: str = "out",
         debt: str = "D1", collector: str = "C1", point: str = "A") -> dict[str, Any]:
    return {"at": at, "to": to, "point": point, "channel": channel, "direction": direction, "outcome": outcome,
            "debt": debt, "collector": collector}

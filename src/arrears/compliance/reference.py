"""Render the rule reference (docs/rules-reference.md) from the packs, so the doc cannot drift from the data."""

from __future__ import annotations

import json
from typing import Any

from arrears.compliance.pack import Pack


def _params(p: Any) -> str:
    d = p.model_dump(mode="json", exclude_defaults=False)
    return json.dumps(d, ensure_ascii=False, separators=(", ", ": "))


def _cell(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def render_reference(packs: list[Pack]) -> str:
    lines = [
        "# Rule reference",
        "",
        "Generated from the rule packs by `arrears packs docs`; do not edit by hand (a test fails when it is stale).",
        "",
    ]
    for pk in packs:
        lines += [
            f"## `{pk.id}` ({pk.jurisdiction}) version {pk.version}, effective {pk.effective_from.isoformat()}",
            "",
            f"{pk.description_en}",
            f"{pk.description_zh}",
            "",
            "| Rule | Kind | Strength | On violation | Channels | Title | Parameters | Sources |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in pk.rules:
            chans = ", ".join(sorted(c.value for c in r.channels))
            srcs = "; ".join(f"{c.cite} [{c.conf}]" for c in r.citations)
            lines.append(
                f"| `{r.id}` | {r.kind} | {r.strength} | {r.verdict.value} | {chans} | "
                f"{_cell(r.title_en)} / {_cell(r.title_zh)} | `{_cell(_params(r.params))}` | {_cell(srcs)} |"
            )
        lines.append("")
    return "\n".join(lines)

"""Build ``raw/*.jsonl`` from the hand-written compact sources in ``src/*.txt``.

Source format (one text per line, UTF-8):

* ``# ...``            comment, ignored; blank lines ignored.
* ``@ id=exp t=contact_list_threat a=debtor ch=sms c=threat_exposure e=none h=0``
  a header: sets the running defaults for the lines that follow (only the keys
  given change).  ``id`` is the short id prefix, ``t`` the topic, ``a`` the
  audience, ``ch`` the channel, ``c`` comma-separated categories (``-`` = none,
  i.e. compliant), ``e`` the evasion technique, ``h`` hard negative (0/1).
* ``[c=harassment,threat_exposure;e=spacing] text`` a text with per-line overrides.
* any other line is a text with the running defaults.  A literal ``\\n`` in a
  text becomes a newline (used for multi-turn transcripts).

After all sources are read, ``src/_label_overrides.tsv`` (``id<TAB>categories<TAB>note``)
replaces the categories of the listed ids; it records a labelling rule applied
after review (see the corpus README) and fails if an id is unknown.

The language is the file-name prefix (``zh_`` / ``en_``).  Ids are
``<lang>-<id prefix>-<NNNN>`` numbered per prefix in file order, so appending
lines never renumbers earlier ones.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CATEGORIES = {
    "threat_violence",
    "threat_exposure",
    "third_party_disclosure",
    "false_representation",
    "insult_abuse",
    "harassment",
}
AUDIENCES = {"debtor", "third_party", "transcript"}
CHANNELS = {"sms", "im", "call_script", "email", "letter", "transcript"}
EVASIONS = {"none", "homophone", "pinyin", "spacing", "symbols", "fullwidth", "traditional", "emoji", "mixed"}


def _parse_kv(spec: str, sep: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in spec.split(sep):
        part = part.strip()
        if not part:
            continue
        key, _, val = part.partition("=")
        out[key.strip()] = val.strip()
    return out


def _record(state: dict[str, str], text: str, lang: str, rid: str, where: str) -> dict[str, object]:
    cats = [] if state["c"] in ("-", "") else [c.strip() for c in state["c"].split(",")]
    bad = [c for c in cats if c not in CATEGORIES]
    if bad:
        raise SystemExit(f"{where}: unknown category {bad}")
    if state["a"] not in AUDIENCES or state["ch"] not in CHANNELS or state["e"] not in EVASIONS:
        raise SystemExit(f"{where}: bad audience/channel/evasion {state}")
    return {
        "id": rid,
        "text": text.replace("\\n", "\n"),
        "lang": lang,
        "audience": state["a"],
        "channel": state["ch"],
        "violation": bool(cats),
        "categories": sorted(set(cats)),
        "topic": state["t"],
        "hard_negative": state["h"] == "1" and not cats,
        "evasion": state["e"],
    }


def build(src: Path, counters: Counter[str]) -> list[dict[str, object]]:
    lang = src.name.split("_", 1)[0]
    state = {"id": "x", "t": "misc", "a": "debtor", "ch": "sms", "c": "-", "e": "none", "h": "0"}
    rows = []
    for n, raw in enumerate(src.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{src.name}:{n}"
        if line.startswith("@"):
            state.update(_parse_kv(line[1:], " "))
            continue
        local = dict(state)
        if line.startswith("[") and "]" in line:
            spec, _, line = line[1:].partition("]")
            local.update(_parse_kv(spec, ";"))
            line = line.strip()
        key = f"{lang}-{local['id']}"
        counters[key] += 1
        rows.append(_record(local, line, lang, f"{key}-{counters[key]:04d}", where))
    return rows


def load_overrides(path: Path) -> dict[str, list[str]]:
    overrides: dict[str, list[str]] = {}
    if not path.exists():
        return overrides
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        rid, cats, *_ = line.split("\t")
        parsed = [c.strip() for c in cats.split(",") if c.strip()]
        if not set(parsed) <= CATEGORIES:
            raise SystemExit(f"{path.name}:{n}: unknown category in {cats!r}")
        overrides[rid] = parsed
    return overrides


def main() -> int:
    counters: Counter[str] = Counter()
    total = 0
    overrides = load_overrides(ROOT / "src" / "_label_overrides.tsv")
    used: set[str] = set()
    built: list[tuple[Path, list[dict[str, object]]]] = []
    for src in sorted((ROOT / "src").glob("*.txt")):
        rows = build(src, counters)
        for row in rows:
            cats = overrides.get(str(row["id"]))
            if cats is not None:
                used.add(str(row["id"]))
                row["categories"] = sorted(set(cats))
                row["violation"] = bool(cats)
                row["hard_negative"] = bool(row["hard_negative"]) and not cats
        built.append((src, rows))
    unknown = set(overrides) - used
    if unknown:
        raise SystemExit(f"_label_overrides.tsv: unknown ids {sorted(unknown)[:5]}")
    for src, rows in built:
        out = ROOT / "raw" / (src.stem + ".jsonl")
        tmp = out.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        tmp.replace(out)
        total += len(rows)
    print(f"wrote {total} texts", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Print counts of the raw corpus per language, category, violation and hard negative."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

pattern = sys.argv[1] if len(sys.argv) > 1 else "*.jsonl"
rows = [json.loads(line) for f in sorted((ROOT / "raw").glob(pattern)) for line in f.open(encoding="utf-8")]
c: Counter[str] = Counter()
for r in rows:
    c[f"{r['lang']} total"] += 1
    c[f"{r['lang']} {'viol' if r['violation'] else 'ok'}"] += 1
    if r["hard_negative"]:
        c[f"{r['lang']} hard_neg"] += 1
    for cat in r["categories"]:
        c[f"{r['lang']} {cat}"] += 1
    c[f"{r['lang']} aud={r['audience']}"] += 1
    if r["evasion"] != "none":
        c[f"{r['lang']} evasion"] += 1
for k in sorted(c):
    print(f"{k:40s} {c[k]}")
texts = Counter(r["text"] for r in rows)
dups = [t for t, n in texts.items() if n > 1]
print("duplicate texts:", len(dups), dups[:5])

"""Build the later authors' records from their sources in ``src-<x>/*.txt`` (same compact format as ``src/``,
see ``build_raw.py``): ``raw/c_*.jsonl`` (author C), ``raw/d_*.jsonl`` (D), ``raw/e_*.jsonl`` (E). Every record
gets ``author`` and an id prefixed with the author's letter.

C and D are train-only and E is evaluation-only (``scripts/split_corpus.py``): none of them ever moves a dev or
held-out-topic record, so those files keep exactly the records they had and stay comparable.

    python data/collection-corpus/tools/build_raw_c.py
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_raw import ROOT, build

AUTHORS = ("C", "D", "E")


def main() -> int:
    counters: Counter[str] = Counter()
    total = 0
    for author in AUTHORS:
        prefix = author.lower()
        for src in sorted((ROOT / f"src-{prefix}").glob("*.txt")):
            rows = build(src, counters)
            out = ROOT / "raw" / f"{prefix}_{src.stem}.jsonl"
            tmp = out.with_suffix(".tmp")
            with tmp.open("w", encoding="utf-8") as fh:
                for row in rows:
                    row["id"] = f"{prefix}-{row['id']}"
                    row["author"] = author
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            tmp.replace(out)
            total += len(rows)
    print(f"wrote {total} texts", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

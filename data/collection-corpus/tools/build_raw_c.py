"""Build ``raw/c_*.jsonl`` from author C's sources in ``src-c/*.txt`` (same compact format as ``src/``,
see ``build_raw.py``). Every record gets ``author: "C"`` and an id prefixed ``c-``.

Author C's texts are train-only: ``scripts/split_corpus.py`` never puts them in dev or held-out-topic, so
those files keep exactly the records they had before author C was added and stay comparable.

    python data/collection-corpus/tools/build_raw_c.py
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_raw import ROOT, build


def main() -> int:
    counters: Counter[str] = Counter()
    total = 0
    for src in sorted((ROOT / "src-c").glob("*.txt")):
        rows = build(src, counters)
        out = ROOT / "raw" / f"c_{src.stem}.jsonl"
        tmp = out.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            for row in rows:
                row["id"] = f"c-{row['id']}"
                row["author"] = "C"
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        tmp.replace(out)
        total += len(rows)
    print(f"wrote {total} texts", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Cross-validation of the whole guard on the training corpus: how lexicon, policy and model changes are chosen
without looking at dev.

For each fold the collection model is refitted on the other folds (`fit_collection`, thresholds from its own
inner out-of-fold pass) and the whole guard (shipped lexicon, COLD and domain models, the given policy) judges
the held-out rows. Folds are fixed by a hash of the row id (`kfold`), by author (`author`: train on author A,
judge author B, and the reverse), or by author group over every row (`group`: leave one group out, where the
train-only authors count too and author D's folder splits into its writers D, D2, F and G by id prefix, each
language apart), the hardest check since every author wrote independently. Rows by a
train-only author (C, see `scripts/split_corpus.py`) are in every training fold and never judged, so the
figures are over the same A and B rows with and without them.

    python -m arrears.textguard.crossval [--folds kfold|author|group] [--corpus data/collection-corpus/train.jsonl]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from arrears.textguard.evaluation import Prf, evaluate_rows, metrics
from arrears.textguard.guard import Guard, Policy
from arrears.textguard.training import _fold, fit_collection, read_jsonl

TRAIN_ONLY = "train-only"
TRAIN_ONLY_AUTHORS = ("C", "D")
# the writers in author D's folder, by id prefix (see the corpus README)
_WRITERS = (
    ("dx", "D2"),
    ("dg", "G"),
    ("df", "F"),
    ("dk", "H"),
    ("dz", "I"),
    ("dq", "K"),
    ("dw", "L"),
    ("dy", "M"),
    ("du", "N"),
    ("dj", "O"),
    ("ds", "P"),
    ("do", "Q"),
)


def author_group(row: dict[str, object]) -> str:
    """The writer of a row: its author, with author D's folder split into its writers (by the id prefix:
    `dx…` D2, `df…` F except D's own `dfal`, `dg…` G, `dk…` H, `dz…` I, `dq…` K, `dw…` L, `dy…` M, `du…` N,
    `dj…` O, `ds…` P, `do…` Q) and each language apart."""
    author = str(row.get("author") or "A")
    if author != "D":
        return author
    parts = str(row.get("id", "")).split("-")
    prefix = parts[2] if len(parts) > 2 else ""
    writer = next((w for p, w in _WRITERS if prefix.startswith(p)), "D")
    if writer == "F" and prefix == "dfal":  # author D's own false-representation prefix
        writer = "D"
    return f"{writer}-{row.get('lang', '')}"


def fold_ids(rows: Sequence[dict[str, object]], scheme: str, k: int = 5) -> list[str]:
    if scheme not in ("kfold", "author", "group"):
        raise ValueError(f"unknown fold scheme {scheme!r} (kfold, author or group)")
    if scheme == "group":
        return [author_group(r) for r in rows]
    out = []
    for i, r in enumerate(rows):
        author = str(r.get("author") or "A")
        if author in TRAIN_ONLY_AUTHORS:
            out.append(TRAIN_ONLY)
        else:
            out.append(author if scheme == "author" else str(_fold(str(r.get("id", i)), k)))
    return out


def judged(rows: Sequence[dict[str, object]], scheme: str = "kfold") -> list[dict[str, object]]:
    """The rows `cross_predict` judges (all but the train-only authors', or every row under `group`), in
    input order."""
    if scheme == "group":
        return list(rows)
    return [r for r in rows if str(r.get("author") or "A") not in TRAIN_ONLY_AUTHORS]


def cross_predict(
    rows: Sequence[dict[str, object]],
    scheme: str = "kfold",
    policy: Policy | None = None,
    base: Guard | None = None,
) -> list[dict[str, object]]:
    """Out-of-fold guard output for every judged row (see `judged`), in input order."""
    shipped = base or Guard.load()
    folds = fold_ids(rows, scheme)
    preds: list[dict[str, object] | None] = [None] * len(rows)
    for f in sorted(set(folds) - {TRAIN_ONLY}):
        train = [r for r, g in zip(rows, folds, strict=True) if g != f]
        test_idx = [i for i, g in enumerate(folds) if g == f]
        model = fit_collection(train)
        guard = Guard(
            shipped.matcher, model, shipped.cold, shipped.domain, policy or shipped.policy, shipped.scripts
        )
        for i, p in zip(test_idx, evaluate_rows(guard, [rows[i] for i in test_idx]), strict=True):
            preds[i] = p
    return [p for p in preds if p is not None]


def summary(prfs: Sequence[Prf]) -> dict[str, float]:
    v = prfs[0]
    out = {"recall": round(v.recall, 3), "fpr": round(v.fpr, 3), "precision": round(v.precision, 3)}
    for m in prfs[1:]:
        out[m.name] = round(m.recall, 3)
    return out


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path("data/collection-corpus/train.jsonl"))
    ap.add_argument("--folds", default="kfold", choices=["kfold", "author", "group"])
    ap.add_argument("--no-train-only", action="store_true", help="leave out the train-only authors' rows")
    ap.add_argument("--out", type=Path, help="write the out-of-fold predictions here (JSON Lines)")
    args = ap.parse_args(argv)
    rows = read_jsonl(args.corpus)
    if args.no_train_only:
        rows = judged(rows)
    preds = cross_predict(rows, args.folds)
    prfs = metrics(judged(rows, args.folds), preds)
    for m in prfs:
        print(m.line(), file=sys.stderr)
    if args.out:
        args.out.write_text(
            "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in preds), encoding="utf-8"
        )
    print(json.dumps({"folds": args.folds, **summary(prfs)}))


if __name__ == "__main__":
    main()

"""Training: rebuild the shipped model artefacts from COLD and the collection corpus.

Deterministic: fixed fold assignment, deterministic solver (liblinear), no random sampling, so the same inputs
give the same arrays and therefore the same `.npz`/`.json` bytes.

- `cold`: one label, `insult_abuse`, from COLD train (label 1 = offensive); dev texts are removed from train.
- `collection`: labels `violation` and the six categories, from the collection corpus `train.jsonl` only.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from arrears.domain.content import ContentCategory
from arrears.textguard.features import N_FEATURES
from arrears.textguard.features import featurize as _featurize
from arrears.textguard.model import LinearModel
from arrears.textguard.normalise import compact_string
from arrears.textguard.transcript import collector_view, looks_like_transcript

CATEGORIES = tuple(c.value for c in ContentCategory)
COLLECTION_LABELS = ("violation", *CATEGORIES)
COLD_C = 0.3
COLLECTION_C = 1.0
DOMAIN_C = 0.3


@dataclass(frozen=True, slots=True)
class ColdRow:
    text: str
    label: int
    topic: str


def read_cold(path: Path) -> list[ColdRow]:
    rows: list[ColdRow] = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        for i, r in enumerate(csv.DictReader(f), start=2):
            try:
                rows.append(ColdRow(r["TEXT"], int(r["label"]), r["topic"]))
            except (KeyError, ValueError) as exc:
                raise ValueError(f"{path}: row {i}: bad or missing field ({exc})") from exc
    return rows


def read_jsonl(path: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}: line {n}: not JSON ({exc.msg})") from exc
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                raise ValueError(f"{path}: line {n}: field 'text' must be a string")
            rows.append(row)
    return rows


def model_text(text: str, audience: str | None) -> str:
    """What the model reads: the compact normalised text of the collector's words."""
    if audience == "transcript" or looks_like_transcript(text):
        text = collector_view(text)[0]
    return compact_string(text)


def featurize(texts: Sequence[str]) -> sparse.csr_matrix:
    return _featurize(texts)


def fit_nblr(x: sparse.csr_matrix, y: np.ndarray, c: float, balanced: bool = False) -> tuple[np.ndarray, float]:
    """NB-weighted logistic regression (Wang & Manning 2012), folded into one weight vector over all columns."""
    used = np.flatnonzero(np.asarray(x.sum(axis=0)).ravel())
    xs = x[:, used].tocsr()
    p = np.asarray(xs[y == 1].sum(axis=0)).ravel() + 1.0
    q = np.asarray(xs[y == 0].sum(axis=0)).ravel() + 1.0
    r = np.log((p / p.sum()) / (q / q.sum()))
    lr = LogisticRegression(C=c, solver="liblinear", max_iter=5000, random_state=0,
                            class_weight="balanced" if balanced else None)
    lr.fit(xs @ sparse.diags(r), y)
    w = np.zeros(N_FEATURES, dtype=np.float64)
    w[used] = r * lr.coef_.ravel()
    return w, float(lr.intercept_[0])


def _stack(name: str, labels: Sequence[str], cols: list[tuple[np.ndarray, float]], thresholds: dict[str, float],
           meta: dict[str, object]) -> LinearModel:
    w = sparse.csr_matrix(np.column_stack([c[0] for c in cols]).astype(np.float32))
    w.eliminate_zeros()
    return LinearModel(name, tuple(labels), w, np.array([c[1] for c in cols]), thresholds, dict(meta))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def train_cold(train_csv: Path, dev_csv: Path | None = None) -> LinearModel:
    rows = read_cold(train_csv)
    dev_texts = {r.text for r in read_cold(dev_csv)} if dev_csv else set()
    seen: set[str] = set()
    kept: list[ColdRow] = []
    for r in rows:  # dedupe, and drop texts that also occur in dev
        if r.text in dev_texts or r.text in seen:
            continue
        seen.add(r.text)
        kept.append(r)
    x = featurize([compact_string(r.text) for r in kept])
    y = np.array([r.label for r in kept])
    col = fit_nblr(x, y, COLD_C)
    meta = {"source": "COLD train (Deng et al., EMNLP 2022), Apache-2.0", "rows": len(kept), "C": COLD_C,
            "train_sha256": _sha(train_csv)}
    return _stack("cold", ["insult_abuse"], [col], {"insult_abuse": 0.5}, meta)


def _labels(rows: Sequence[dict[str, object]]) -> np.ndarray:
    y = np.zeros((len(rows), len(COLLECTION_LABELS)), dtype=int)
    for i, r in enumerate(rows):
        raw = r.get("categories") or []
        cats = [str(c) for c in raw] if isinstance(raw, list) else []
        y[i, 0] = int(bool(r.get("violation")) or bool(cats))
        for c in cats:
            if c in CATEGORIES:
                y[i, 1 + CATEGORIES.index(str(c))] = 1
    return y


def _fold(row_id: str, k: int) -> int:
    return int(hashlib.md5(row_id.encode()).hexdigest(), 16) % k


def _rows_for(y: np.ndarray, j: int) -> np.ndarray:
    """Training rows for label j: all rows for `violation`; only violations for a category, so a category model
    learns p(category | violation) - which category a violating text falls in, not violation vs compliant
    (the `violation` model does that)."""
    return np.ones(len(y), dtype=bool) if j == 0 else y[:, 0] == 1


def oof_proba(x: sparse.csr_matrix, y: np.ndarray, ids: Sequence[str], c: float, k: int = 5) -> np.ndarray:
    """Out-of-fold probabilities on the training set (folds fixed by a hash of the row id)."""
    folds = np.array([_fold(i, k) for i in ids])
    out = np.zeros(y.shape, dtype=float)
    for f in range(k):
        te = folds == f
        for j in range(y.shape[1]):
            tr = (folds != f) & _rows_for(y, j)
            if y[tr, j].min() == y[tr, j].max():
                continue
            w, b = fit_nblr(x[tr], y[tr, j], c)
            out[te, j] = 1.0 / (1.0 + np.exp(-(x[te] @ w + b)))
    return out


def _best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    best, best_f = 0.5, -1.0
    for t in np.arange(0.05, 0.81, 0.05):
        pred = p >= t
        tp = float((pred & (y == 1)).sum())
        f1 = 2 * tp / max(1.0, float(pred.sum() + (y == 1).sum()))
        if f1 > best_f + 1e-9:
            best, best_f = round(float(t), 2), f1
    return best


def train_collection(train_jsonl: Path) -> LinearModel:
    rows = read_jsonl(train_jsonl)
    texts = [model_text(str(r["text"]), str(r.get("audience") or "")) for r in rows]
    ids = [str(r.get("id", i)) for i, r in enumerate(rows)]
    x = featurize(texts)
    y = _labels(rows)
    oof = oof_proba(x, y, ids, COLLECTION_C)
    thresholds = {}
    for j, lab in enumerate(COLLECTION_LABELS):
        m = _rows_for(y, j)  # a category's threshold is tuned on the violations, where it is used
        thresholds[lab] = _best_threshold(oof[m, j], y[m, j])
    cols = []
    for j in range(len(COLLECTION_LABELS)):
        m = _rows_for(y, j)
        cols.append(fit_nblr(x[m], y[m, j], COLLECTION_C))
    meta = {"source": "data/collection-corpus/train.jsonl", "rows": len(rows), "C": COLLECTION_C,
            "train_sha256": _sha(train_jsonl), "thresholds_from": "5-fold out-of-fold F1 on train",
            "categories": "p(category | violation): category models are trained on the violating rows only"}
    return _stack("collection", COLLECTION_LABELS, cols, thresholds, meta)


def train_domain(train_csv: Path, train_jsonl: Path) -> LinearModel:
    """Is this text about a debt (collection corpus, 1) or general social-media talk (COLD, 0)?

    Decides which model speaks for `insult_abuse` (see guard.py). Classes are weighted to balance."""
    coll = [model_text(str(r["text"]), str(r.get("audience") or "")) for r in read_jsonl(train_jsonl)]
    cold = [compact_string(r.text) for r in read_cold(train_csv)]
    x = featurize(coll + cold)
    y = np.array([1] * len(coll) + [0] * len(cold))
    col = fit_nblr(x, y, DOMAIN_C, balanced=True)
    meta = {"source": "collection corpus train (1) vs COLD train (0)", "rows": len(y), "C": DOMAIN_C}
    return _stack("domain", ["collection"], [col], {"collection": 0.5}, meta)


def train_all(cold_dir: Path, corpus_dir: Path, out_dir: Path) -> list[LinearModel]:
    cold = train_cold(cold_dir / "train.csv", cold_dir / "dev.csv")
    coll = train_collection(corpus_dir / "train.jsonl")
    dom = train_domain(cold_dir / "train.csv", corpus_dir / "train.jsonl")
    for m in (cold, coll, dom):
        m.save(out_dir)
    return [cold, coll, dom]


def cold_report(cold_dir: Path, model: LinearModel | None = None) -> dict[str, float]:
    """COLD figures for the docs: dev accuracy of the insult model (trained on train, deduped against dev),
    and a generalisation check that never touches dev: train on the race+gender topics of train,
    test on its region topic."""
    train = read_cold(cold_dir / "train.csv")
    dev = read_cold(cold_dir / "dev.csv")
    m = model or train_cold(cold_dir / "train.csv", cold_dir / "dev.csv")
    xd = featurize([compact_string(r.text) for r in dev])
    yd = np.array([r.label for r in dev])
    dev_acc = float(((m.proba(xd)[:, 0] >= 0.5) == yd).mean())
    src = [r for r in train if r.topic != "region"]
    tgt = [r for r in train if r.topic == "region"]
    w, b = fit_nblr(featurize([compact_string(r.text) for r in src]), np.array([r.label for r in src]), COLD_C)
    xt = featurize([compact_string(r.text) for r in tgt])
    yt = np.array([r.label for r in tgt])
    topic_acc = float((((xt @ w + b) >= 0) == yt).mean())
    return {"dev_accuracy": round(dev_acc, 4), "topic_holdout_region_accuracy": round(topic_acc, 4),
            "train_rows_race_gender": len(src), "test_rows_region": len(tgt)}

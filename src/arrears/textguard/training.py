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
from threadpoolctl import threadpool_limits

from arrears.domain.content import ContentCategory
from arrears.textguard.features import N_FEATURES, NGRAMS
from arrears.textguard.features import featurize as _featurize
from arrears.textguard.matcher import unquoted_compact
from arrears.textguard.model import LinearModel
from arrears.textguard.normalise import compact_string, normalise
from arrears.textguard.transcript import collector_view, looks_like_transcript

CATEGORIES = tuple(c.value for c in ContentCategory)
COLLECTION_LABELS = ("violation", *CATEGORIES)
COLD_C = 0.1
COLD_LR_C = 0.1  # the plain-LR half of the COLD model (`fit_cold`)
COLLECTION_C = 1.0
COLLECTION_LR_C = 3.0  # the plain-LR half of the collection model (`fit_pair`)
DOMAIN_C = 0.3
CATEGORY_BETA = 1.0  # category thresholds: F-beta on out-of-fold p(category | violation)
# The collection model reads character 1- to 4-grams (COLD and domain: 1 to 3). Chosen on leave-one-writer-out
# cross-validation of the whole guard on train (docs/textguard.md, round 4): 1-4 beat 1-3 on recall and on
# false positives alike.
COLLECTION_NGRAMS = (1, 4)


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
    """What the model reads: the compact normalised text of the collector's words, without quoted mentions
    (`matcher.unquoted_compact`), exactly as `Guard` prepares it at run time."""
    if audience == "transcript" or looks_like_transcript(text):
        text = collector_view(text)[0]
    return unquoted_compact(normalise(text))


def featurize(texts: Sequence[str], ngrams: tuple[int, int] = NGRAMS) -> sparse.csr_matrix:
    return _featurize(texts, ngrams)


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


def fit_lr(x: sparse.csr_matrix, y: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    """Plain logistic regression on the binary n-gram features, as one weight vector over all columns."""
    used = np.flatnonzero(np.asarray(x.sum(axis=0)).ravel())
    lr = LogisticRegression(C=c, solver="liblinear", max_iter=5000, random_state=0)
    lr.fit(x[:, used].tocsr(), y)
    w = np.zeros(N_FEATURES, dtype=np.float64)
    w[used] = lr.coef_.ravel()
    return w, float(lr.intercept_[0])


def fit_pair(x: sparse.csr_matrix, y: np.ndarray) -> tuple[np.ndarray, float]:
    """The collection labels' model: the average of the logits of NB-LR and plain LR. Both are linear in the
    same features, so the average is again one weight vector and one bias (no cost at run time). On train
    cross-validation it beat either alone (see docs/textguard.md)."""
    w1, b1 = fit_nblr(x, y, COLLECTION_C)
    w2, b2 = fit_lr(x, y, COLLECTION_LR_C)
    return (w1 + w2) / 2, (b1 + b2) / 2


def fit_cold(x: sparse.csr_matrix, y: np.ndarray) -> tuple[np.ndarray, float]:
    """The COLD insult model: the average of NB-LR and plain LR logits (one weight vector), both C = 0.1.
    Chosen on topic hold-outs of COLD train (train on two topics, judge the third; mean accuracy over the
    three): NB-LR C = 0.3 (last round) 0.8148, NB-LR C = 0.1 0.8197, this average 0.8234."""
    w1, b1 = fit_nblr(x, y, COLD_C)
    w2, b2 = fit_lr(x, y, COLD_LR_C)
    return (w1 + w2) / 2, (b1 + b2) / 2


def _stack(name: str, labels: Sequence[str], cols: list[tuple[np.ndarray, float]], thresholds: dict[str, float],
           meta: dict[str, object], ngrams: tuple[int, int] = NGRAMS) -> LinearModel:
    w = sparse.csr_matrix(np.column_stack([c[0] for c in cols]).astype(np.float32))
    w.eliminate_zeros()
    return LinearModel(name, tuple(labels), w, np.array([c[1] for c in cols]), thresholds, dict(meta), ngrams)


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
    col = fit_cold(x, y)
    meta = {"source": "COLD train (Deng et al., EMNLP 2022), Apache-2.0", "rows": len(kept), "C": COLD_C,
            "lr_C": COLD_LR_C, "model": "average of NB-LR and plain LR logits",
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


def oof_proba(x: sparse.csr_matrix, y: np.ndarray, ids: Sequence[str], k: int = 5) -> np.ndarray:
    """Out-of-fold probabilities on the training set (folds fixed by a hash of the row id)."""
    folds = np.array([_fold(i, k) for i in ids])
    out = np.zeros(y.shape, dtype=float)
    for f in range(k):
        te = folds == f
        for j in range(y.shape[1]):
            tr = (folds != f) & _rows_for(y, j)
            if y[tr, j].min() == y[tr, j].max():
                continue
            w, b = fit_pair(x[tr], y[tr, j])
            out[te, j] = 1.0 / (1.0 + np.exp(-(x[te] @ w + b)))
    return out


def _best_threshold(p: np.ndarray, y: np.ndarray, beta: float = 1.0) -> float:
    """The grid threshold with the best F-beta (beta > 1 weighs recall more)."""
    best, best_f = 0.5, -1.0
    b2 = beta * beta
    for t in np.arange(0.05, 0.81, 0.05):
        pred = p >= t
        tp = float((pred & (y == 1)).sum())
        f = (1 + b2) * tp / max(1.0, float(pred.sum() + b2 * (y == 1).sum()))
        if f > best_f + 1e-9:
            best, best_f = round(float(t), 2), f
    return best


def train_collection(train_jsonl: Path) -> LinearModel:
    model = fit_collection(read_jsonl(train_jsonl))
    model.meta.update({"source": "data/collection-corpus/train.jsonl", "train_sha256": _sha(train_jsonl)})
    return model


def fit_collection(rows: Sequence[dict[str, object]]) -> LinearModel:
    """The collection model from labelled rows (thresholds from 5-fold out-of-fold F1 on the same rows)."""
    texts = [model_text(str(r["text"]), str(r.get("audience") or "")) for r in rows]
    ids = [str(r.get("id", i)) for i, r in enumerate(rows)]
    x = featurize(texts, COLLECTION_NGRAMS)
    y = _labels(rows)
    oof = oof_proba(x, y, ids)
    thresholds = {}
    for j, lab in enumerate(COLLECTION_LABELS):
        m = _rows_for(y, j)  # a category's threshold is tuned on the violations, where it is used
        thresholds[lab] = _best_threshold(oof[m, j], y[m, j], 1.0 if j == 0 else CATEGORY_BETA)
    cols = []
    for j in range(len(COLLECTION_LABELS)):
        m = _rows_for(y, j)
        cols.append(fit_pair(x[m], y[m, j]))
    meta = {"rows": len(rows), "C": COLLECTION_C, "lr_C": COLLECTION_LR_C,
            "model": "average of NB-LR and plain LR logits", "thresholds_from": "5-fold out-of-fold F1 on train",
            "categories": "p(category | violation): category models are trained on the violating rows only"}
    return _stack("collection", COLLECTION_LABELS, cols, thresholds, meta, COLLECTION_NGRAMS)


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
    # one BLAS / OpenMP thread: with more, floating-point sums can be ordered differently from run to run and
    # machine to machine, and the artefact bytes would depend on OMP_NUM_THREADS
    with threadpool_limits(limits=1):
        cold = train_cold(cold_dir / "train.csv", cold_dir / "dev.csv")
        coll = train_collection(corpus_dir / "train.jsonl")
        dom = train_domain(cold_dir / "train.csv", corpus_dir / "train.jsonl")
    for m in (cold, coll, dom):
        m.save(out_dir)
    return [cold, coll, dom]


def cold_report(cold_dir: Path, model: LinearModel | None = None) -> dict[str, float]:
    """COLD figures for the docs: dev accuracy of the insult model (trained on train, deduped against dev),
    and generalisation checks that never touch dev: train on two topics of train, judge the third."""
    train = read_cold(cold_dir / "train.csv")
    dev = read_cold(cold_dir / "dev.csv")
    m = model or train_cold(cold_dir / "train.csv", cold_dir / "dev.csv")
    xd = featurize([compact_string(r.text) for r in dev])
    yd = np.array([r.label for r in dev])
    out: dict[str, float] = {"dev_accuracy": round(float(((m.proba(xd)[:, 0] >= 0.5) == yd).mean()), 4)}
    accs = []
    with threadpool_limits(limits=1):
        for topic in ("region", "race", "gender"):
            src = [r for r in train if r.topic != topic]
            tgt = [r for r in train if r.topic == topic]
            w, b = fit_cold(featurize([compact_string(r.text) for r in src]), np.array([r.label for r in src]))
            xt = featurize([compact_string(r.text) for r in tgt])
            acc = float((((xt @ w + b) >= 0) == np.array([r.label for r in tgt])).mean())
            out[f"topic_holdout_{topic}_accuracy"] = round(acc, 4)
            accs.append(acc)
    out["topic_holdout_mean_accuracy"] = round(sum(accs) / len(accs), 4)
    return out

"""Hashed character n-gram features, vectorised in numpy over a whole batch.

Each text's characters are read as code points; every n-gram in the model's range (1- to 3-grams by default,
up to `MAX_N`) is hashed (a fixed polynomial mix
followed by the splitmix64 finaliser, all in wrapping uint64 arithmetic, so every platform gives the same
columns) into one of `N_FEATURES` columns. Presence is binary. No per-n-gram Python: a batch of 1,000
100-character texts is a few numpy passes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse

N_FEATURES = 2**20
NGRAMS = (1, 3)  # the default range (the COLD and domain models); a model records its own (`LinearModel.ngrams`)
_MULT = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9),
         np.uint64(0xD6E8FEB86659FD93), np.uint64(0xA0761D6478BD642F))
MAX_N = len(_MULT)  # the longest n-gram the hash supports


def _mix(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(30))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> np.uint64(27))
    h = h * np.uint64(0x94D049BB133111EB)
    out: np.ndarray = h ^ (h >> np.uint64(31))
    return out


def _hashes(cps: np.ndarray, idx: np.ndarray, n: int) -> np.ndarray:
    h = np.full(idx.shape, np.uint64(n), dtype=np.uint64)
    for k in range(n):
        h = h * _MULT[k] + cps[idx + k]
    return _mix(h) & np.uint64(N_FEATURES - 1)


def featurize(texts: Sequence[str], ngrams: tuple[int, int] = NGRAMS) -> sparse.csr_matrix:
    """Binary presence matrix of the `ngrams` = (lo, hi) character n-grams, shape (len(texts), N_FEATURES)."""
    lo, hi = ngrams
    if not 1 <= lo <= hi <= MAX_N:
        raise ValueError(f"n-gram range {ngrams} outside 1..{MAX_N}")
    n_rows = len(texts)
    lens = np.fromiter((len(t) for t in texts), dtype=np.int64, count=n_rows)
    total = int(lens.sum())
    if total == 0:
        return sparse.csr_matrix((n_rows, N_FEATURES), dtype=np.float32)
    cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    starts = np.concatenate(([0], np.cumsum(lens)[:-1]))
    row_of = np.repeat(np.arange(n_rows, dtype=np.int64), lens)
    pos = np.arange(total, dtype=np.int64) - np.repeat(starts, lens)
    remaining = np.repeat(lens, lens) - pos  # characters left in the text from this position
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    for n in range(lo, hi + 1):
        idx = np.flatnonzero(remaining >= n)
        rows.append(row_of[idx])
        cols.append(_hashes(cps, idx, n).astype(np.int64))
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    m = sparse.csr_matrix((np.ones(r.shape[0], dtype=np.float32), (r, c)), shape=(n_rows, N_FEATURES))
    m.sum_duplicates()
    m.data[:] = 1.0
    return m


def featurize_ranges(texts: Sequence[str], ranges: Iterable[tuple[int, int]]) -> dict[tuple[int, int], sparse.csr_matrix]:
    """One matrix per (1, hi) range, each hashing only the n-grams the shorter ranges did not: (1, 4) is
    (1, 3)'s matrix plus the 4-grams, equal to `featurize(texts, (1, 4))`."""
    out: dict[tuple[int, int], sparse.csr_matrix] = {}
    prev: tuple[int, int] | None = None
    for r in sorted(set(ranges)):
        if r[0] != 1:
            raise ValueError(f"n-gram range {r} must start at 1")
        if prev is None:
            out[r] = featurize(texts, r)
        else:
            m = (out[prev] + featurize(texts, (prev[1] + 1, r[1]))).tocsr()
            m.data[:] = 1.0
            out[r] = m
        prev = r
    return out


def column_of(gram: str) -> int:
    """The column of one n-gram (as `featurize` would hash it)."""
    cps = np.frombuffer(gram.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    return int(_hashes(cps, np.array([0]), len(gram))[0])


def columns_of(text: str, grams: Sequence[tuple[int, int]]) -> np.ndarray:
    """Columns of many (start, end) n-grams of one text, vectorised."""
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    out = np.empty(len(grams), dtype=np.int64)
    starts = np.array([g[0] for g in grams], dtype=np.int64)
    sizes = np.array([g[1] - g[0] for g in grams], dtype=np.int64)
    for n in np.unique(sizes):
        sel = np.flatnonzero(sizes == n)
        out[sel] = _hashes(cps, starts[sel], int(n)).astype(np.int64)
    return out

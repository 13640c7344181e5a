"""Linear models over hashed character n-grams, stored as plain arrays (npz + json), never as pickles.

Features: binary presence of the character n-grams (1..3 unless the model says otherwise: `ngrams`) of the
normalised compact text (`features.py`).
Each label has one weight vector (NB-weighted logistic regression, folded into a single vector) and a bias.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from arrears.textguard.features import MAX_N, N_FEATURES, NGRAMS

FEATURES_VERSION = "ngram-hash-v1"


@dataclass(frozen=True, slots=True)
class LinearModel:
    """`labels[i]` scores `sigmoid(X @ W[:, i] + bias[i])`."""

    name: str
    labels: tuple[str, ...]
    weights: sparse.csr_matrix  # N_FEATURES x len(labels); CSR so that X(csr) @ W needs no conversion
    bias: np.ndarray
    thresholds: dict[str, float]
    meta: dict[str, Any]
    ngrams: tuple[int, int] = NGRAMS  # the n-gram range of its features

    def decision(self, x: sparse.csr_matrix) -> np.ndarray:
        out: np.ndarray = np.asarray((x @ self.weights).toarray(), dtype=np.float64) + self.bias
        return out

    def proba(self, x: sparse.csr_matrix) -> np.ndarray:
        out: np.ndarray = 1.0 / (1.0 + np.exp(-self.decision(x)))
        return out

    def column(self, label: str) -> np.ndarray:
        """Dense weights of one label (for explanations)."""
        i = self.labels.index(label)
        return np.asarray(self.weights[:, [i]].toarray(), dtype=np.float32).ravel()

    # ------------------------------------------------------------------ storage

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        w = sparse.csc_matrix(self.weights, dtype=np.float32)
        w.sort_indices()
        # np.savez_compressed writes zip entries with fixed timestamps, so equal arrays give equal bytes.
        np.savez_compressed(
            directory / f"{self.name}.npz",
            indptr=w.indptr.astype(np.int64),
            indices=w.indices.astype(np.int32),
            data=w.data.astype(np.float32),
            bias=self.bias.astype(np.float64),
        )
        header = {
            "name": self.name,
            "labels": list(self.labels),
            "thresholds": self.thresholds,
            "n_features": N_FEATURES,
            "ngrams": list(self.ngrams),
            "features": FEATURES_VERSION,
            "meta": self.meta,
        }
        (directory / f"{self.name}.json").write_text(
            json.dumps(header, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )

    @classmethod
    def load(cls, directory: Path, name: str) -> LinearModel:
        header = json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))
        ngrams = tuple(header["ngrams"])
        if (header["n_features"] != N_FEATURES or len(ngrams) != 2 or ngrams[0] != 1 or not 1 <= ngrams[1] <= MAX_N
                or header.get("features") != FEATURES_VERSION):
            raise ValueError(f"{name}.json: model was built with other features; run `arrears guard train`")
        with np.load(directory / f"{name}.npz") as z:
            labels = tuple(header["labels"])
            w = sparse.csc_matrix(
                (z["data"], z["indices"], z["indptr"]), shape=(N_FEATURES, len(labels)), dtype=np.float32
            )
            bias = z["bias"].astype(np.float64)
        return cls(name, labels, w.tocsr(), bias, dict(header["thresholds"]), dict(header.get("meta", {})),
                   (int(ngrams[0]), int(ngrams[1])))

"""Explanations for model-only findings: the n-grams that pushed a category up, as spans of the original text."""

from __future__ import annotations

import numpy as np

from arrears.textguard.features import NGRAMS, columns_of
from arrears.textguard.normalise import Normalised


def top_spans(
    norm: Normalised, weights: np.ndarray, k: int = 2, ngrams: tuple[int, int] = NGRAMS
) -> list[tuple[int, int]]:
    """Up to `k` merged spans (original offsets) around the highest-weighted n-grams present in the text."""
    text = norm.compact.text
    grams: list[tuple[int, int]] = []
    for n in range(ngrams[1], ngrams[0] - 1, -1):
        grams.extend((i, i + n) for i in range(len(text) - n + 1))
    if not grams:
        return []
    cols = columns_of(text, grams)
    w = weights[cols]
    order = np.argsort(-w, kind="stable")
    chosen: list[tuple[int, int]] = []
    for j in order[: k * 3]:
        if w[j] <= 0:
            break
        s, e = grams[int(j)]
        merged = False
        for i, (cs, ce) in enumerate(chosen):
            if s <= ce and cs <= e:
                chosen[i] = (min(cs, s), max(ce, e))
                merged = True
                break
        if not merged:
            if len(chosen) == k:
                continue
            chosen.append((s, e))
    return [norm.span(norm.compact, s, e) for s, e in sorted(chosen)]

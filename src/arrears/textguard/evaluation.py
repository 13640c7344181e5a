"""Batch evaluation: JSON Lines in, one JSON line out per input (the spec's format), and metrics when labelled."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from arrears.domain.content import ContentCategory, ContentReport
from arrears.textguard.guard import Guard

CATEGORY_NAMES = tuple(c.value for c in ContentCategory)


def report_json(row_id: object, report: ContentReport, *, with_id: bool = True) -> dict[str, object]:
    spans: list[dict[str, object]] = []
    seen: set[tuple[int, int, str]] = set()
    for f in report.findings:
        if f.category is None or f.negated or f.span is None or f.span.end <= f.span.start:
            continue
        key = (f.span.start, f.span.end, f.category.value)
        if key in seen:  # two lexicon rules can find the same words for the same category: report them once
            continue
        seen.add(key)
        spans.append({"start": f.span.start, "end": f.span.end, "category": f.category.value, "evidence": f.span.evidence})
    out: dict[str, object] = {"id": row_id} if with_id else {}
    out.update({"violation": report.violation, "categories": [c.value for c in report.categories],
                "score": report.score, "spans": spans})
    return out


def evaluate_rows(guard: Guard, rows: Sequence[dict[str, object]], batch: int = 512) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for i in range(0, len(rows), batch):
        chunk = rows[i : i + batch]
        reports = guard.check_many([str(r["text"]) for r in chunk],
                                   audiences=[str(r.get("audience") or "debtor") for r in chunk])
        out.extend(report_json(r.get("id"), rep) for r, rep in zip(chunk, reports, strict=True))
    return out


@dataclass(frozen=True, slots=True)
class Prf:
    name: str
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def fpr(self) -> float:
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0

    def line(self) -> str:
        return (f"{self.name:24s} P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f} "
                f"FPR={self.fpr:.3f} (tp={self.tp} fp={self.fp} fn={self.fn} tn={self.tn})")


def has_labels(rows: Iterable[dict[str, object]]) -> bool:
    return all("violation" in r and "categories" in r for r in rows)


def metrics(rows: Sequence[dict[str, object]], preds: Sequence[dict[str, object]]) -> list[Prf]:
    def count(name: str, truth: list[bool], pred: list[bool]) -> Prf:
        tp = sum(t and p for t, p in zip(truth, pred, strict=True))
        fp = sum(p and not t for t, p in zip(truth, pred, strict=True))
        fn = sum(t and not p for t, p in zip(truth, pred, strict=True))
        return Prf(name, tp, fp, fn, len(truth) - tp - fp - fn)

    truth_v = [bool(r["violation"]) for r in rows]
    pred_v = [bool(p["violation"]) for p in preds]
    out = [count("violation", truth_v, pred_v)]
    for c in CATEGORY_NAMES:
        out.append(count(c, [c in (r.get("categories") or []) for r in rows],  # type: ignore[operator]
                         [c in p["categories"] for p in preds]))  # type: ignore[operator]
    return out


def dumps(obj: dict[str, object]) -> str:
    return json.dumps(obj, ensure_ascii=False)

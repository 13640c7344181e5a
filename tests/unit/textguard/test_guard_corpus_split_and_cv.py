"""Train-only corpus authors never reach dev or held-out, evaluation-only authors reach only
`heldout_author.jsonl`, and cross-validation never judges train-only rows."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

from arrears.textguard.crossval import TRAIN_ONLY, fold_ids, judged

REPO = Path(__file__).resolve().parents[3]


def _split_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("split_corpus", REPO / "scripts" / "split_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _record(rid: str, text: str, author: str, cats: list[str], topic: str = "t") -> dict[str, object]:
    return {"id": rid, "text": text, "lang": "zh", "audience": "debtor", "channel": "sms", "violation": bool(cats),
            "categories": cats, "topic": topic, "hard_negative": False, "evasion": "none", "author": author}


def _write(raw: Path, name: str, records: list[dict[str, object]]) -> None:
    raw.mkdir(parents=True, exist_ok=True)
    (raw / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def _run(corpus: Path) -> dict[str, list[str]]:
    assert _split_module().main(["--corpus", str(corpus), "--spec", str(corpus / "none.md")]) == 0
    return {name: [json.loads(x)["id"] for x in (corpus / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]
            for name in ("train", "dev", "heldout_topic", "heldout_author")}


def test_adding_a_train_only_author_leaves_dev_and_heldout_unchanged(tmp_path: Path) -> None:
    base = [_record(f"a-{i}", f"您好,第{i}期账单已出。", "A", []) for i in range(40)]
    base += [_record(f"v-{i}", f"第{i}次:不还就爆你通讯录。", "A", ["threat_exposure"]) for i in range(40)]
    base += [_record("h-1", "此图只给你看。", "A", ["threat_exposure"], topic="doctored_image")]
    _write(tmp_path / "one" / "raw", "zh_a.jsonl", base)
    before = _run(tmp_path / "one")

    extra = [_record(f"c-{i}", f"第{i}回:你出门小心点。", "C", ["threat_violence"]) for i in range(30)]
    extra += [_record("c-dup", "您好,第3期账单已出。", "C", []),  # duplicates an A text: the A record stays
              _record("c-img", "图已经做好了。", "C", ["threat_exposure"], topic="doctored_image")]
    _write(tmp_path / "two" / "raw", "zh_a.jsonl", base)
    _write(tmp_path / "two" / "raw", "c_zh_extra.jsonl", extra)
    after = _run(tmp_path / "two")

    assert after["dev"] == before["dev"]
    assert after["heldout_topic"] == before["heldout_topic"]
    # the duplicate is dropped, and so is the text on a held-out topic: train never sees those themes
    assert set(after["train"]) - set(before["train"]) == {r["id"] for r in extra} - {"c-dup", "c-img"}


def test_an_evaluation_only_author_reaches_only_heldout_author_and_never_a_seen_text(tmp_path: Path) -> None:
    base = [_record(f"a-{i}", f"您好,第{i}期账单已出。", "A", []) for i in range(40)]
    base += [_record(f"v-{i}", f"第{i}次:不还就爆你通讯录。", "A", ["threat_exposure"]) for i in range(40)]
    _write(tmp_path / "one" / "raw", "zh_a.jsonl", base)
    before = _run(tmp_path / "one")

    train_only = [_record(f"d-{i}", f"第{i}回:你出门小心点。", "D", ["threat_violence"]) for i in range(10)]
    held = [_record(f"e-{i}", f"第{i}号:我们知道你住哪。", "E", ["threat_violence"]) for i in range(10)]
    held += [_record("e-dup-a", "您好,第3期账单已出。", "E", []),  # repeats an A text: not unseen, dropped
             _record("e-dup-d", "第2回:你出门小心点。", "E", ["threat_violence"]),  # repeats a D text
             _record("e-img", "图已经做好了。", "E", ["threat_exposure"], topic="doctored_image")]
    _write(tmp_path / "two" / "raw", "zh_a.jsonl", base)
    _write(tmp_path / "two" / "raw", "d_zh_extra.jsonl", train_only)
    _write(tmp_path / "two" / "raw", "e_zh_eval.jsonl", held)
    after = _run(tmp_path / "two")

    assert after["dev"] == before["dev"] and after["heldout_topic"] == before["heldout_topic"]
    assert set(after["heldout_author"]) == {f"e-{i}" for i in range(10)} | {"e-img"}
    assert set(after["train"]) == set(before["train"]) | {r["id"] for r in train_only}


def test_cross_validation_trains_on_train_only_rows_but_never_judges_them() -> None:
    rows: list[dict[str, object]] = [{"id": "x1", "author": "A"}, {"id": "x2", "author": "B"}, {"id": "x3", "author": "C"}]
    assert fold_ids(rows, "author") == ["A", "B", TRAIN_ONLY]
    kfold = fold_ids(rows, "kfold")
    assert kfold[2] == TRAIN_ONLY and all(f in {"0", "1", "2", "3", "4"} for f in kfold[:2])
    assert [r["id"] for r in judged(rows)] == ["x1", "x2"]


def test_group_folds_judge_every_row_and_split_author_d_into_its_writers() -> None:
    rows: list[dict[str, object]] = [
        {"id": "zh-vio-0001", "author": "A", "lang": "zh"},
        {"id": "c-en-cvio-0001", "author": "C", "lang": "en"},
        {"id": "d-zh-dvio-0001", "author": "D", "lang": "zh"},
        {"id": "d-zh-dfal-0001", "author": "D", "lang": "zh"},  # author D's own prefix, not author F's
        {"id": "d-zh-dxvio-0001", "author": "D", "lang": "zh"},
        {"id": "d-en-dffal-0001", "author": "D", "lang": "en"},
        {"id": "d-en-dgneg-0001", "author": "D", "lang": "en"},
        {"id": "d-zh-dkfam-0001", "author": "D", "lang": "zh"},
        {"id": "d-en-dzexp-0001", "author": "D", "lang": "en"},
    ]
    assert fold_ids(rows, "group") == ["A", "C", "D-zh", "D-zh", "D2-zh", "F-en", "G-en", "H-zh", "I-en"]
    assert judged(rows, "group") == rows

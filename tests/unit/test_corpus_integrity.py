"""Integrity checks for the labelled collection-message corpus (data/collection-corpus).

The text guard is trained on ``train.jsonl`` and judged on ``dev.jsonl`` and
``heldout_topic.jsonl``; these tests make sure those files are well-formed,
labelled consistently, large and varied enough, free of leakage between the
splits, and do not copy the spec's own examples.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import unicodedata
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "data" / "collection-corpus"
SPEC = REPO / ".." / "shared" / "spec" / "textguard.md"
CATEGORIES = {
    "threat_violence",
    "threat_exposure",
    "third_party_disclosure",
    "false_representation",
    "insult_abuse",
    "harassment",
}
SPLITS = ("train", "dev", "heldout_topic")


def _read(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _norm(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if not (ch.isspace() or unicodedata.category(ch)[0] in "PSZ"))


@pytest.fixture(scope="module")
def raw() -> list[dict[str, object]]:
    return [r for path in sorted((CORPUS / "raw").glob("*.jsonl")) for r in _read(path)]


@pytest.fixture(scope="module")
def splits() -> dict[str, list[dict[str, object]]]:
    return {name: _read(CORPUS / f"{name}.jsonl") for name in SPLITS}


def _split_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("split_corpus", REPO / "scripts" / "split_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_id_is_unique(raw: list[dict[str, object]]) -> None:
    ids = [r["id"] for r in raw]
    assert len(ids) == len(set(ids))


def test_categories_are_known_and_empty_exactly_when_text_is_compliant(raw: list[dict[str, object]]) -> None:
    for r in raw:
        cats = r["categories"]
        assert isinstance(cats, list), r["id"]
        assert set(cats) <= CATEGORIES, r["id"]
        assert bool(cats) == r["violation"], r["id"]
        assert not (r["hard_negative"] and r["violation"]), r["id"]
        assert r["lang"] in {"zh", "en"} and r["audience"] in {"debtor", "third_party", "transcript"}, r["id"]


def test_corpus_holds_at_least_1500_texts_in_both_languages(splits: dict[str, list[dict[str, object]]]) -> None:
    everything = [r for part in splits.values() for r in part]
    assert len(everything) >= 1500
    assert sum(r["lang"] == "en" for r in everything) >= 300
    assert sum(r["lang"] == "zh" for r in everything) >= 1000


def test_every_category_is_in_train_and_dev_in_both_languages(splits: dict[str, list[dict[str, object]]]) -> None:
    minimum_dev = {"zh": 30, "en": 10}
    for lang, dev_min in minimum_dev.items():
        for cat in CATEGORIES:
            train = sum(1 for r in splits["train"] if r["lang"] == lang and cat in r["categories"])
            dev = sum(1 for r in splits["dev"] if r["lang"] == lang and cat in r["categories"])
            assert train >= 3 * dev_min, (lang, cat, train)
            assert dev >= dev_min, (lang, cat, dev)


def test_compliant_side_has_many_hard_negatives(splits: dict[str, list[dict[str, object]]]) -> None:
    for name in ("train", "dev"):
        compliant = [r for r in splits[name] if not r["violation"]]
        hard = [r for r in compliant if r["hard_negative"]]
        assert len(hard) >= len(compliant) // 2, name


def test_no_text_is_shared_between_splits(splits: dict[str, list[dict[str, object]]]) -> None:
    seen: dict[str, str] = {}
    for name, part in splits.items():
        for r in part:
            key = _norm(str(r["text"]))
            assert key not in seen, f"{r['id']} in {name} repeats a text already in {seen[key]}"
            seen[key] = name


def test_held_out_topics_never_reach_train_or_dev(splits: dict[str, list[dict[str, object]]]) -> None:
    heldout = {r["topic"] for r in splits["heldout_topic"]}
    assert len(heldout) >= 4
    for name in ("train", "dev"):
        assert not heldout & {r["topic"] for r in splits[name]}, name


def _spec_examples() -> list[str]:
    text = SPEC.read_text(encoding="utf-8")
    examples = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            examples += [re.sub(r"\(.*?\)", "", p).strip() for p in cells[2].split(" / ")]
    examples += re.findall(r"\(\"([^\"]+)\"", text)
    return [e for e in examples if e]


def test_no_text_copies_a_spec_example(splits: dict[str, list[dict[str, object]]]) -> None:
    assert SPEC.exists(), f"the spec must sit beside the repository: {SPEC} not found"
    examples = [_norm(e) for e in _spec_examples()]
    assert "小心你家人" in examples and "我们不会联系您通讯录中的任何人" in examples
    for part in splits.values():
        for r in part:
            norm = _norm(str(r["text"]))
            for ex in examples:
                assert norm != ex, r["id"]
                assert len(ex) < 8 or ex not in norm, (r["id"], ex)


def test_committed_split_matches_a_fresh_run_of_the_split_script(tmp_path: Path) -> None:
    shutil.copytree(CORPUS / "raw", tmp_path / "raw")
    assert _split_module().main(["--corpus", str(tmp_path), "--spec", str(SPEC)]) == 0
    for name in SPLITS:
        fresh = (tmp_path / f"{name}.jsonl").read_text(encoding="utf-8")
        assert fresh == (CORPUS / f"{name}.jsonl").read_text(encoding="utf-8"), f"{name}.jsonl is stale"


def test_split_script_names_file_and_field_of_a_bad_record(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    bad = {"id": "x-1", "text": "您好", "lang": "zh", "audience": "debtor", "channel": "sms", "violation": True,
           "categories": [], "topic": "t", "hard_negative": False, "evasion": "none"}
    (tmp_path / "raw" / "zh_bad.jsonl").write_text(json.dumps(bad, ensure_ascii=False) + "\n", encoding="utf-8")
    module = _split_module()
    with pytest.raises(module.CorpusError, match=r"zh_bad\.jsonl:1: field 'categories'"):
        module.load(tmp_path / "raw")

"""Lexicons are data and fail loudly when malformed; the model artefacts are plain arrays and reproducible."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from arrears.textguard.features import MAX_N, N_FEATURES, column_of, featurize, featurize_ranges
from arrears.textguard.lexicon import LexiconError, initial_variants, load_lexicon
from arrears.textguard.model import LinearModel


def test_shipped_lexicons_load_with_both_languages() -> None:
    lex = load_lexicon()
    assert {r.lang for r in lex.rules} == {"zh", "en"}
    assert len({r.id for r in lex.rules}) == len(lex.rules)


def test_bad_rule_names_file_rule_and_field(tmp_path: Path) -> None:
    src = Path(load_lexicon.__code__.co_filename).parent / "lexicon"
    for name in ("zh.yaml", "en.yaml", "negation.yaml"):
        shutil.copy(src / name, tmp_path / name)
    (tmp_path / "en.yaml").write_text(
        "lang: en\nrules:\n  - id: en.bad\n    category: rudeness\n    any: [x]\n", encoding="utf-8"
    )
    with pytest.raises(LexiconError, match=r"en.yaml: rule 'en.bad', field 'category'"):
        load_lexicon(tmp_path)


def test_initial_variants_keep_a_distinctive_character() -> None:
    v = initial_variants("轰炸")
    assert "轰z" in v and "hz" not in v
    assert "txl" in initial_variants("通讯录", all_initials=True)
    assert "z你" not in initial_variants("抓你")


def test_features_are_binary_ngrams_with_stable_columns() -> None:
    x = featurize(["通讯录通讯录", ""])
    assert x.shape == (2, N_FEATURES)
    assert set(x[0].indices) == {column_of(g) for g in ["通", "讯", "录", "通讯", "讯录", "录通", "通讯录", "讯录通", "录通讯"]}
    assert x[0].data.max() == 1.0 and x[1].nnz == 0


def test_model_round_trips_through_npz_and_json_byte_for_byte(tmp_path: Path) -> None:
    w = sparse.csr_matrix(([2.0], ([column_of("骗")], [1])), shape=(N_FEATURES, 2), dtype=np.float32)
    m = LinearModel("t", ("violation", "insult_abuse"), w, np.array([-1.0, -3.0]), {"violation": 0.5}, {})
    m.save(tmp_path / "a")
    loaded = LinearModel.load(tmp_path / "a", "t")
    loaded.save(tmp_path / "b")
    assert (tmp_path / "a" / "t.npz").read_bytes() == (tmp_path / "b" / "t.npz").read_bytes()
    p = loaded.proba(featurize(["骗"]))
    assert p[0, 1] == pytest.approx(1 / (1 + np.exp(1.0)))  # -3 + 2


def test_a_model_keeps_its_ngram_range_and_wider_ranges_extend_narrower_ones(tmp_path: Path) -> None:
    texts = ["不还就爆你通讯录", "we will call your boss", ""]
    xs = featurize_ranges(texts, [(1, 4), (1, 3)])
    for r in ((1, 3), (1, 4)):
        assert (xs[r] != featurize(texts, r)).nnz == 0
    assert column_of("爆你通讯") in set(xs[(1, 4)][0].indices) - set(xs[(1, 3)][0].indices)
    w = sparse.csr_matrix(([2.0], ([column_of("爆你通讯")], [0])), shape=(N_FEATURES, 1), dtype=np.float32)
    LinearModel("t4", ("violation",), w, np.array([-1.0]), {}, {}, (1, 4)).save(tmp_path)
    loaded = LinearModel.load(tmp_path, "t4")
    assert loaded.ngrams == (1, 4)
    assert loaded.proba(xs[loaded.ngrams])[0, 0] == pytest.approx(1 / (1 + np.exp(-1.0)))
    with pytest.raises(ValueError, match="n-gram range"):
        featurize(texts, (1, MAX_N + 1))

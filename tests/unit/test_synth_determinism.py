"""`arrears synth` is a pure function of its arguments, and never leaves a half-written portfolio."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from arrears.portfolio.schema import TABLES
from arrears.portfolio.synth import synthesize

AS_OF = date(2026, 3, 10)


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_same_seed_writes_byte_identical_files(tmp_path: Path, fmt: str) -> None:
    a = synthesize(tmp_path / "a", accounts=700, seed=7, as_of=AS_OF, fmt=fmt, chunk_size=300)  # type: ignore[arg-type]
    synthesize(tmp_path / "b", accounts=700, seed=7, as_of=AS_OF, fmt=fmt, chunk_size=300)  # type: ignore[arg-type]
    first, second = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert set(first) == {f"{t.name}.{fmt}" for t in TABLES} | {
        "_truth/propensity.parquet",
        "_truth/manifest.json",
    }
    assert first == second
    assert a.accounts == 700 and a.rows["borrowers"] == 700


def test_different_seed_or_as_of_changes_the_portfolio(tmp_path: Path) -> None:
    synthesize(tmp_path / "a", accounts=300, seed=1, as_of=AS_OF)
    synthesize(tmp_path / "b", accounts=300, seed=2, as_of=AS_OF)
    synthesize(tmp_path / "c", accounts=300, seed=1, as_of=date(2026, 4, 10))
    a = (tmp_path / "a" / "loans.csv").read_bytes()
    assert a != (tmp_path / "b" / "loans.csv").read_bytes()
    assert (tmp_path / "a" / "contact_attempts.csv").read_bytes() != (
        tmp_path / "c" / "contact_attempts.csv"
    ).read_bytes()


def test_failed_run_leaves_no_portfolio_files(tmp_path: Path) -> None:
    def boom(chunk: object) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        synthesize(tmp_path / "out", accounts=200, seed=1, as_of=AS_OF, chunk_size=100, on_chunk=boom)
    assert list((tmp_path / "out").iterdir()) == []


def test_rewriting_in_the_other_format_leaves_one_file_per_table(tmp_path: Path) -> None:
    synthesize(tmp_path, accounts=50, seed=1, as_of=AS_OF, fmt="csv")
    synthesize(tmp_path, accounts=50, seed=1, as_of=AS_OF, fmt="parquet")
    names = sorted(p.name for p in tmp_path.iterdir() if p.is_file())
    assert names == sorted(f"{t.name}.parquet" for t in TABLES)


def test_generating_in_worker_processes_gives_the_same_files(tmp_path: Path) -> None:
    synthesize(tmp_path / "one", accounts=500, seed=3, as_of=AS_OF, chunk_size=200, workers=1)
    synthesize(tmp_path / "two", accounts=500, seed=3, as_of=AS_OF, chunk_size=200, workers=2)
    assert _files(tmp_path / "one") == _files(tmp_path / "two")

"""Synthetic portfolios in the import format (`arrears synth`).

Pure, column-wise generation (`generate.py`: people, loans, behaviour, history, holds, payments) yields
chunks of Arrow tables; `writer.py` streams them to `<table>.csv|.parquet` plus the hidden `_truth/`.
See "Synthetic portfolios" in `src/arrears/portfolio/README.md`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from arrears.portfolio.synth.generate import DEFAULT_CHUNK, Chunk, Synthesizer, generate
from arrears.portfolio.synth.writer import Format, WriteSummary, write_portfolio

__all__ = ["DEFAULT_CHUNK", "Chunk", "Format", "Synthesizer", "WriteSummary", "generate", "synthesize"]


def synthesize(
    out: Path,
    *,
    accounts: int,
    seed: int,
    as_of: date,
    fmt: Format = "csv",
    chunk_size: int = DEFAULT_CHUNK,
    workers: int = 1,
    contact_rate: float = 1.0,
    on_chunk: Callable[[Chunk], None] | None = None,
) -> WriteSummary:
    """Generate `accounts` borrowers and write them to `out`. Same arguments (bar `workers`), same bytes.

    `contact_rate` scales the contact history's density (1.0 by default; about 1.5 gives 6 attempts an account)."""
    return write_portfolio(
        generate(accounts, seed, as_of, chunk_size, workers, contact_rate),
        out,
        fmt=fmt,
        seed=seed,
        as_of=as_of,
        chunk_size=chunk_size,
        contact_rate=contact_rate,
        on_chunk=on_chunk,
    )

"""Benchmark `arrears synth`: throughput and peak memory, against a named baseline.

Baseline ("numpy_fill_pyarrow"): the same number of rows and columns per table, filled with random int64 by
NumPy and written by the same pyarrow writer in the same chunks. It is the cost of writing that many rows
with no generation logic at all; the ratio says how much the realism costs on top.

    python bench/synth.py --accounts 1000000 [--format csv|parquet] [--chunk-size 250000] [--workers 2]
                          [--keep DIR] [--no-baseline]

Ends with one JSON line of figures.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from arrears.portfolio.schema import TABLES
from arrears.portfolio.synth import synthesize


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def _dir_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def baseline(out: Path, rows: dict[str, int], chunks: int, fmt: str) -> float:
    """Write random int64 columns with the same row counts, column counts and number of chunks."""
    rng = np.random.default_rng(0)
    started = time.perf_counter()
    for t in TABLES:
        schema = pa.schema([(c.name, pa.int64()) for c in t.columns])
        path = out / f"{t.name}.{fmt}"
        writer = (
            pacsv.CSVWriter(str(path), schema)
            if fmt == "csv"
            else pq.ParquetWriter(str(path), schema, compression="zstd")
        )
        n = rows[t.name]
        step = max(1, -(-n // chunks))
        for start in range(0, n, step):
            k = min(step, n - start)
            writer.write_table(
                pa.table([pa.array(rng.integers(0, 10**9, size=k)) for _ in t.columns], schema=schema)
            )
        writer.close()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--accounts", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--chunk-size", type=int, default=250_000)
    ap.add_argument("--format", choices=("csv", "parquet"), default="csv")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--as-of", default="2026-03-10")
    ap.add_argument("--keep", type=Path, default=None, help="write here and keep the files")
    ap.add_argument("--no-baseline", action="store_true")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="arrears-bench-synth-"))
    out = args.keep or tmp / "synth"
    try:
        started = time.perf_counter()
        summary = synthesize(
            out,
            accounts=args.accounts,
            seed=args.seed,
            as_of=date.fromisoformat(args.as_of),
            fmt=args.format,
            chunk_size=args.chunk_size,
            workers=args.workers,
        )
        seconds = time.perf_counter() - started
        peak = _peak_rss_mb()
        size = _dir_bytes(out)
        rows = summary.total_rows
        print(
            f"synth: {args.accounts:,} accounts, {rows:,} rows, {size / 1e6:,.0f} MB {args.format} in {seconds:.1f} s"
        )
        for name, n in summary.rows.items():
            print(f"  {name:<18}{n:>14,}")
        print(
            f"  {rows / seconds:,.0f} rows/s, {args.accounts / seconds:,.0f} accounts/s, peak RSS {peak:,.0f} MB"
        )
        figures: dict[str, object] = {
            "accounts": args.accounts,
            "format": args.format,
            "chunk_size": args.chunk_size,
            "workers": args.workers,
            "rows": rows,
            "seconds": round(seconds, 2),
            "rows_per_s": round(rows / seconds),
            "accounts_per_s": round(args.accounts / seconds),
            "mb_written": round(size / 1e6, 1),
            "peak_rss_mb": round(peak, 1),
        }
        if not args.no_baseline:
            base_dir = tmp / "baseline"
            base_dir.mkdir()
            chunks = -(-args.accounts // args.chunk_size)
            base = baseline(base_dir, summary.rows, chunks, args.format)
            ratio = seconds / base
            print(
                f"baseline numpy_fill_pyarrow: same rows as int64 in {base:.1f} s ({rows / base:,.0f} rows/s)"
            )
            print(f"ratio synth / baseline: {ratio:.2f}x")
            figures.update(
                baseline="numpy_fill_pyarrow",
                baseline_seconds=round(base, 2),
                baseline_rows_per_s=round(rows / base),
                ratio_vs_baseline=round(ratio, 2),
            )
        print(json.dumps(figures))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark `arrears import`: throughput (rows/s) and peak memory for N synthetic accounts.

    python bench/import.py --accounts 1000000            # synthesises into a temp dir first
    python bench/import.py --dir /data/portfolio --accounts 1000000

Baseline (named): a bare `pyarrow.csv` read of the same files + `sqlite3` `executemany` plain INSERT into the
same migrated schema, one transaction, no validation, no reference checks, no upsert. The ratio
`rows_per_s / baseline_rows_per_s` says what validation, all-or-nothing and idempotent upserts cost.

Both runs happen in child processes, each reporting its own peak RSS. Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

TABLES = (
    "borrowers",
    "loans",
    "instalments",
    "payments",
    "parties",
    "contact_points",
    "contact_attempts",
    "holds",
)


def _peak_rss_mb() -> float:
    """This process's own high-water RSS. VmHWM belongs to the process's address space, so unlike ru_maxrss it
    does not inherit the parent's peak across fork+exec (which would count the synthesiser's memory)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _fresh_db(path: Path) -> str:
    from arrears.storage.engine import make_engine
    from arrears.storage.migrate import upgrade

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def _run_import(directory: str, db: str, queue: Any) -> None:
    from arrears.domain.clock import FixedClock
    from arrears.services.importing import import_portfolio
    from arrears.storage.engine import make_engine

    engine = make_engine(db)
    clock = FixedClock(datetime(2026, 1, 5, tzinfo=UTC))
    t0 = time.perf_counter()
    report = import_portfolio(
        directory=Path(directory),
        engine_or_uow=engine,
        clock=clock,
        report_path=Path(db.removeprefix("sqlite:///") + ".rejects.csv"),
    )
    seconds = time.perf_counter() - t0
    engine.dispose()
    queue.put(
        {
            "status": report.status,
            "rows": report.rows_read,
            "seconds": seconds,
            "peak_rss_mb": _peak_rss_mb(),
            "inserted": sum(c.inserted for c in report.tables.values()),
            "errors": report.errors,
        }
    )


def _run_baseline(directory: str, db: str, queue: Any) -> None:
    """pyarrow.csv read (all columns as text) + plain executemany INSERT, no checks at all."""
    import sqlite3

    import pyarrow as pa
    import pyarrow.csv as pacsv

    conn = sqlite3.connect(db.removeprefix("sqlite:///"), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA cache_size=-131072")
    conn.execute("BEGIN")
    rows = 0
    t0 = time.perf_counter()
    for name in TABLES:
        path = Path(directory) / f"{name}.csv"
        if not path.exists():
            continue
        with path.open(encoding="utf-8-sig", newline="") as f:
            header = next(csv.reader(f))
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=4 << 20),
            convert_options=pacsv.ConvertOptions(column_types={h: pa.string() for h in header}),
        )
        cols = ", ".join(f'"{h}"' for h in header)
        sql = f'INSERT INTO "{name}" ({cols}) VALUES ({", ".join("?" * len(header))})'
        for batch in reader:
            data = [batch.column(i).to_numpy(zero_copy_only=False).tolist() for i in range(batch.num_columns)]
            conn.executemany(sql, zip(*data, strict=True))
            rows += batch.num_rows
    conn.execute("COMMIT")
    seconds = time.perf_counter() - t0
    conn.close()
    queue.put({"rows": rows, "seconds": seconds, "peak_rss_mb": _peak_rss_mb()})


def _child(target: Any, *args: Any) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    while True:
        try:
            result = queue.get(timeout=5)
            break
        except Exception:  # queue.Empty: check that the child is still alive
            if not proc.is_alive():
                raise SystemExit(f"{target.__name__} failed (exit code {proc.exitcode})") from None
    proc.join()
    return dict(result)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--accounts", type=int, default=1_000_000)
    ap.add_argument("--dir", type=Path, help="an existing portfolio directory (else synthesised)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--work", type=Path, help="where to put the synthesised files and databases (default: a temp dir)"
    )
    ap.add_argument("--no-baseline", action="store_true")
    args = ap.parse_args()

    work = args.work or Path(tempfile.mkdtemp(prefix="arrears-bench-import-"))
    work.mkdir(parents=True, exist_ok=True)
    directory = args.dir
    if directory is None:
        from arrears.portfolio.synth import synthesize

        directory = work / f"portfolio-{args.accounts}"
        if not (directory / "borrowers.csv").exists():
            print(f"synthesising {args.accounts:,} accounts into {directory} ...", flush=True)
            t0 = time.perf_counter()
            synthesize(directory, accounts=args.accounts, seed=args.seed, as_of=date(2026, 1, 5))
            print(f"  done in {time.perf_counter() - t0:.1f} s", flush=True)

    print("arrears import (validate + all-or-nothing upsert, SQLite) ...", flush=True)
    imp = _child(_run_import, str(directory), _fresh_db(work / "import.db"))
    if imp["status"] != "succeeded":
        print(f"import {imp['status']} with {imp['errors']} errors", file=sys.stderr)
    rows_per_s = imp["rows"] / imp["seconds"]
    print(
        f"  {imp['rows']:,} rows in {imp['seconds']:.1f} s = {rows_per_s:,.0f} rows/s, "
        f"peak RSS {imp['peak_rss_mb']:,.0f} MiB"
    )
    figures: dict[str, Any] = {
        "accounts": args.accounts,
        "rows": imp["rows"],
        "seconds": round(imp["seconds"], 1),
        "rows_per_s": round(rows_per_s),
        "peak_rss_mb": round(imp["peak_rss_mb"]),
        "status": imp["status"],
    }
    if not args.no_baseline:
        print("baseline: pyarrow.csv read + sqlite3 executemany INSERT, no validation ...", flush=True)
        base = _child(_run_baseline, str(directory), _fresh_db(work / "baseline.db"))
        base_rps = base["rows"] / base["seconds"]
        print(
            f"  {base['rows']:,} rows in {base['seconds']:.1f} s = {base_rps:,.0f} rows/s, "
            f"peak RSS {base['peak_rss_mb']:,.0f} MiB"
        )
        ratio = rows_per_s / base_rps
        print(
            f"ratio import/baseline throughput: {ratio:.2f}x (the cost of validation and idempotent upserts)"
        )
        figures.update(
            baseline="pyarrow.csv read + sqlite3 executemany INSERT, no validation",
            baseline_rows_per_s=round(base_rps),
            baseline_peak_rss_mb=round(base["peak_rss_mb"]),
            ratio_vs_baseline=round(ratio, 3),
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

"""`arrears synth`: parse options, generate a synthetic portfolio, render a summary."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from arrears.cli.clock import as_of_date
from arrears.portfolio.synth import DEFAULT_CHUNK, Chunk, synthesize

console = Console(stderr=True)
out_console = Console()


def synth(
    accounts: int = typer.Option(
        10_000, "--accounts", min=1, help="借款人数 / number of accounts (borrowers)."
    ),
    seed: int = typer.Option(1, "--seed", min=0, help="随机种子 / random seed: same seed, same files."),
    out: Path = typer.Option(..., "--out", help="输出目录 / output directory."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="数据截止日 / snapshot date YYYY-MM-DD (default: today)."
    ),
    fmt: str = typer.Option("csv", "--format", help="csv 或 parquet / csv or parquet."),
    chunk_size: int = typer.Option(
        DEFAULT_CHUNK, "--chunk-size", min=1, help="每块账户数 / accounts per chunk (part of the seed)."
    ),
    workers: int = typer.Option(
        1, "--workers", min=1, help="生成进程数 / generator processes (output does not depend on it)."
    ),
    quiet: bool = typer.Option(False, "--quiet", help="不显示进度条 / no progress bar."),
) -> None:
    """生成合成贷款组合 / Write a synthetic portfolio in the import format (hidden truth in OUT/_truth/)."""
    if fmt not in ("csv", "parquet"):
        console.print(
            f"[red]--format 只能是 csv 或 parquet / --format must be csv or parquet, got {fmt!r}[/]"
        )
        raise typer.Exit(2)
    day = as_of_date(as_of)
    started = time.perf_counter()
    with Progress(
        TextColumn("合成 / synth"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=quiet,
    ) as progress:
        task = progress.add_task("synth", total=accounts)

        def advance(chunk: Chunk) -> None:
            progress.advance(task, chunk.accounts)

        summary = synthesize(
            out,
            accounts=accounts,
            seed=seed,
            as_of=day,
            fmt="csv" if fmt == "csv" else "parquet",
            chunk_size=chunk_size,
            workers=workers,
            on_chunk=advance,
        )
    elapsed = time.perf_counter() - started
    table = Table(title=f"{out} (as of {day.isoformat()}, seed {seed})")
    table.add_column("表 / table")
    table.add_column("行数 / rows", justify="right")
    for name, rows in summary.rows.items():
        table.add_row(f"{name}.{fmt}", f"{rows:,}")
    table.add_row("合计 / total", f"{summary.total_rows:,}")
    out_console.print(table)
    out_console.print(
        f"{summary.accounts:,} 个账户用时 {elapsed:.1f} 秒 / {summary.accounts:,} accounts in {elapsed:.1f} s "
        f"({summary.total_rows / max(elapsed, 1e-9):,.0f} rows/s)"
    )

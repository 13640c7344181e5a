"""`arrears demo`: the main job on the embedded default database (SQLite)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from arrears.cli.clock import SystemClock
from arrears.domain.clock import FixedClock
from arrears.services.demo import DemoError, run_demo


def _yuan(minor: int) -> str:
    return f"{minor / 100:,.0f}"


def demo(
    directory: Path = typer.Option(Path("arrears-demo"), "--dir", help="Where the demo's files and database go."),
    accounts: int = typer.Option(5000, min=1, help="How many borrowers to synthesise."),
    seed: int = typer.Option(42, help="Random seed for the synthetic portfolio."),
) -> None:
    """Synthesise a portfolio, import it into SQLite, compute delinquency and print a summary by bucket.

    演示：生成组合、导入 SQLite、计算逾期天数与分档，并按分档汇总（含利率上限标记）。
    """
    console = Console()
    clock = FixedClock(SystemClock().now())  # read once, so every stage sees the same instant

    def stage(name: str) -> None:
        labels = {
            "synth": "生成合成组合 synthesising portfolio",
            "migrate": "创建数据库 creating database",
            "import": "导入 importing",
            "delinquency": "计算逾期 computing delinquency",
        }
        console.print(f"[bold]·[/bold] {labels.get(name, name)}")

    try:
        report = run_demo(workdir=directory, clock=clock, accounts=accounts, seed=seed, on_stage=stage)
    except DemoError as exc:
        console.print(f"[red]演示失败 demo failed:[/red] {exc}")
        raise typer.Exit(1) from exc

    table = Table(title=f"按逾期分档汇总 Portfolio by bucket, as of {report.as_of.isoformat()}")
    for col in ("分档\nbucket", "笔数\nloans", "逾期 ¥\noverdue", "RATE-1\n>4×LPR", "RATE-2\n>24%", "RATE-2\n>36%", "不得主张 ¥\nexcess"):
        table.add_column(col, justify="left" if col.startswith("分档") else "right")
    for row in (*report.buckets, report.total):
        table.add_row(
            row.bucket if row.bucket != "all" else "合计 all",
            f"{row.loans:,}",
            _yuan(row.overdue_minor),
            f"{row.rate_1:,}",
            f"{row.rate_2_over_24:,}",
            f"{row.rate_2_over_36:,}",
            _yuan(row.non_demandable_minor),
            end_section=row.bucket == report.buckets[-1].bucket,
        )
    console.print(table)
    imported = report.imported
    console.print(
        f"导入 imported {imported.rows_read:,} rows from {report.data_dir} into {report.database_url} "
        f"(rejected {imported.errors}); 逾期计算 assessed {report.delinquency.loans:,} loans"
        f"{', skipped ' + str(len(report.delinquency.errors)) if report.delinquency.errors else ''}."
    )
    console.print(
        "RATE-1 = CN-RATE-1：民间借贷综合年化超过合同成立时一年期LPR的4倍 private loan above 4 × the 1-year LPR.\n"
        "RATE-2 = CN-RATE-2：持牌机构综合年化超过24%（复核 review）或36%（超出部分不得主张 excess not demandable).\n"
        "不得主张 excess = 超过法定上限、不得向借款人主张的利息、费用和罚息 charges above the legal cap."
    )

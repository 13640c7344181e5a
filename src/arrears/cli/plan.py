"""`arrears plan --date D`: parse options, call `services.planning`, render the summary with a progress bar."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from arrears.cli.clock import SystemClock, as_of_date
from arrears.compute.statements import ComputeError
from arrears.services.planning import MEMORY_BUDGET, PlanError, PlanReport, plan_day, plan_parquet
from arrears.settings import get_settings
from arrears.storage.engine import make_engine

console = Console(stderr=True)
out = Console()

STAGES = {
    "delinquency": "逾期计算 delinquency",
    "scores": "评分 scoring",
    "load": "读取 loading",
    "ledger": "账本 ledger",
    "segments": "分群 segments",
    "plan": "计划 planning",
}


class _Bar:
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, label: str, done: int, total: int) -> None:
        task = self.tasks.get(label)
        if task is None:
            task = self.tasks[label] = self.progress.add_task(STAGES.get(label, label), total=total)
        self.progress.update(task, completed=done, total=total)


def render_summary(report: PlanReport, console_out: Console) -> None:
    """Contacts by channel, step and agent; accounts held back by reason and rule."""
    title = f"今日计划 Plan for {report.plan_date.isoformat()} ({report.strategy} {report.strategy_version}, {report.pack})"
    table = Table(title=title)
    table.add_column("维度 by")
    table.add_column("项 item")
    table.add_column("数量 count", justify="right")
    sections = (
        ("渠道 channel", report.by_channel),
        ("步骤 step", report.by_step),
        ("坐席 agent", report.by_agent),
        ("暂缓原因 held back: reason", report.holdbacks_by_reason),
        ("暂缓规则 held back: rule", report.holdbacks_by_rule),
        ("策略分组 variant", report.variants),
    )
    for label, counts in sections:
        for i, (k, v) in enumerate(counts.items()):
            table.add_row(label if i == 0 else "", k, f"{v:,}", end_section=i == len(counts) - 1)
    console_out.print(table)
    console_out.print(
        f"账户 accounts {report.accounts:,} · 联系 contacts {report.contacts:,} · "
        f"工作清单 worklist entries {report.worklist_entries:,} · 暂缓 held back {report.holdbacks:,}"
        + (f" · run {report.run_id}" if report.run_id is not None else "")
    )
    for note in report.notes:
        console_out.print(f"[yellow]注意 note:[/] {note}")


def plan(
    date: str | None = typer.Option(None, "--date", help="计划日期 / plan date YYYY-MM-DD (default: today)."),
    pack: str = typer.Option("cn_floor", "--pack", help="合规规则包 / compliance pack."),
    strategy: str = typer.Option("cn_default", "--strategy", help="催收策略 / collection strategy."),
    out_dir: Path | None = typer.Option(
        None, "--out", help="Parquet 输出目录 / directory for the Parquet files."
    ),
    model: Path | None = typer.Option(
        None,
        "--model",
        help="评分模型（缺少当日评分时使用）/ model to score with when the day has no scores.",
    ),
    parquet: Path | None = typer.Option(
        None,
        "--parquet",
        help="直接规划 Parquet 组合目录（不用数据库）/ plan a Parquet portfolio directory, no database.",
    ),
    database_url: str | None = typer.Option(
        None, "--database-url", help="SQLAlchemy URL (default: ARREARS_DATABASE_URL)."
    ),
    memory_budget: float = typer.Option(
        MEMORY_BUDGET / 2**30,
        "--memory-budget",
        min=0.5,
        help="内存预算（GiB，用于 --parquet）/ memory budget in GiB for --parquet: sets DuckDB's limit and the "
        "borrower range size.",
    ),
) -> None:
    """生成当日联系计划与坐席工作清单 / Build the day's contact plan, worklists and held-back reasons."""
    day = as_of_date(date)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        bar = _Bar(progress)
        try:
            if parquet is not None:
                result = plan_parquet(
                    parquet,
                    day,
                    pack=pack,
                    strategy=strategy,
                    out_dir=out_dir,
                    model_path=model,
                    memory_budget=int(memory_budget * 2**30),
                    progress=bar,
                )
            else:
                settings = get_settings()
                engine = make_engine(database_url or settings.database_url)
                try:
                    result = plan_day(
                        engine,
                        day,
                        clock=SystemClock(),
                        home_tz=settings.timezone,
                        pack=pack,
                        strategy=strategy,
                        out_dir=out_dir,
                        model_path=model,
                        actor="cli",
                        progress=bar,
                    )
                finally:
                    engine.dispose()
        except (PlanError, ComputeError, ValueError) as exc:
            console.print(f"[red]{exc}[/]")
            raise typer.Exit(1) from None
    render_summary(result.report, out)
    if out_dir is not None:
        out.print(
            f"Parquet: {out_dir}/contacts.parquet, worklists.parquet, holdbacks.parquet, assignments.parquet"
        )

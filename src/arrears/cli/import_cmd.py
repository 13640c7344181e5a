"""`arrears import DIR`: parse options, call `services.importing`, render the report."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from arrears.cli.clock import SystemClock
from arrears.services.importing import ImportReport
from arrears.services.importing import import_portfolio as run_import
from arrears.settings import get_settings
from arrears.storage.engine import make_engine
from arrears.storage.migrate import current_revision, head_revision, upgrade

console = Console(stderr=True)
out = Console()


class _Bar:
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, label: str, done: int, total: int) -> None:
        task = self.tasks.get(label)
        if task is None:
            task = self.tasks[label] = self.progress.add_task(label, total=total)
        self.progress.update(task, completed=done)


def import_portfolio(
    directory: Path = typer.Argument(
        ..., help="目录：每张表一个 CSV 或 Parquet 文件 / directory with one file per table."
    ),
    accept_partial: bool = typer.Option(
        False, "--accept-partial", help="保留合格行、报告其余 / keep the good rows and report the rest."
    ),
    max_third_party_contacts: int | None = typer.Option(
        None,
        "--max-third-party-contacts",
        help="每位借款人第三方联系人上限 / limit of third-party contacts per borrower (default: setting, 5).",
    ),
    report: Path | None = typer.Option(
        None, "--report", help="拒绝报告路径 / reject report path (default: DIR/import-rejects.csv)."
    ),
    database_url: str | None = typer.Option(
        None, "--database-url", help="SQLAlchemy URL (default: ARREARS_DATABASE_URL)."
    ),
    quiet: bool = typer.Option(False, "--quiet", help="不显示进度条 / no progress bar."),
) -> None:
    """导入贷款组合目录 / Import a portfolio directory (format: docs/import-format.md)."""
    settings = get_settings()
    engine = make_engine(database_url or settings.database_url)
    limit = (
        settings.max_third_party_contacts if max_third_party_contacts is None else max_third_party_contacts
    )
    try:
        if current_revision(engine) != head_revision():
            # Migrating is idempotent and forward-only; an import into a new database creates its tables first.
            console.print("迁移数据库 / migrating the database to the current schema")
            upgrade(engine)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            disable=quiet,
            transient=True,
        ) as progress:
            result = run_import(
                directory=directory,
                engine_or_uow=engine,
                clock=SystemClock(),
                accept_partial=accept_partial,
                max_third_party_contacts=limit,
                progress=_Bar(progress),
                report_path=report,
            )
    finally:
        engine.dispose()
    _render(result)
    if not result.ok:
        raise typer.Exit(1)


def _render(r: ImportReport) -> None:
    table = Table(title=f"导入 / import {r.directory}")
    table.add_column("表 table", no_wrap=True)
    for col in ("读取 read", "拒绝 rejected", "新增 inserted", "更新 updated", "未变 unchanged"):
        table.add_column(col, justify="right")
    for name, c in r.tables.items():
        table.add_row(name, *(f"{v:,}" for v in (c.read, c.rejected, c.inserted, c.updated, c.unchanged)))
    out.print(table)
    for e in r.first_errors[:20]:
        console.print(f"  [red]✗[/] {escape(str(e))}", highlight=False)
    if r.errors > 20:
        console.print(f"  … 共 {r.errors:,} 条错误 / {r.errors:,} errors in total")
    if r.status == "failed":
        console.print(
            f"[red]导入失败，组合数据未改动 / import failed, no portfolio data was changed[/] — "
            f"{r.errors:,} 条错误，见 / errors, see {r.report_path}"
        )
    elif r.status == "partial":
        console.print(
            f"[yellow]部分导入 / partial import[/]: {r.errors:,} 行被拒绝 / rows rejected, see {r.report_path}"
        )
    else:
        console.print(f"[green]导入成功 / import succeeded[/] (run {r.run_id})")

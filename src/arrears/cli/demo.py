"""`arrears demo`: the main job on the embedded default database (SQLite)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from arrears.cli.clock import SystemClock
from arrears.cli.plan import render_summary
from arrears.domain.clock import FixedClock
from arrears.services.demo import DemoError, run_demo


def _yuan(minor: int) -> str:
    return f"{minor / 100:,.0f}"


def demo(
    directory: Path = typer.Option(Path("arrears-demo"), "--dir", help="Where the demo's files and database go."),
    accounts: int = typer.Option(5000, min=1, help="How many borrowers to synthesise."),
    seed: int = typer.Option(42, help="Random seed for the synthetic portfolio."),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the workspace when ready (until Ctrl-C)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to serve on."),
    port: int = typer.Option(8000, "--port", help="Port to serve on."),
) -> None:
    """Synthesise a portfolio, import it into SQLite, compute delinquency, score, plan the day, summarise, then
    serve the workspace with the demo users (agent1, agent2, lead1, compliance1, admin1; password `demo`).

    演示：生成组合、导入 SQLite、计算逾期与分档、评分、生成今日计划并汇总，然后启动坐席工作台（演示账号密码均为 demo）。
    `--no-serve` 在准备完成后退出。
    """
    console = Console()
    clock = FixedClock(SystemClock().now())  # read once, so every stage sees the same instant

    def stage(name: str) -> None:
        labels = {
            "synth": "生成合成组合 synthesising portfolio",
            "migrate": "创建数据库 creating database",
            "import": "导入 importing",
            "delinquency": "计算逾期 computing delinquency",
            "scoring": "训练并评分 training and scoring",
            "plan": "生成今日计划 planning the day",
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
    if report.training is not None:
        h = report.training.holdout
        auc = "—" if h.auc is None else f"{h.auc:.3f}"
        console.print(f"评分 scoring: holdout AUC {auc}, model {report.training.model_version} ({report.model_path})")
    if report.plan is not None:
        render_summary(report.plan, console)
        console.print(f"计划文件 plan files: {report.plan_dir}")

    from arrears.services.auth import create_demo_users
    from arrears.storage.engine import make_engine

    engine = make_engine(report.database_url)
    try:
        create_demo_users(engine, clock=clock)
    finally:
        engine.dispose()
    url = f"http://{host}:{port}/"
    console.print(
        f"\n[bold]坐席工作台 workspace[/bold]: {url}\n"
        "演示账号 demo logins (密码 password: demo): agent1 (团队 team t1), agent2 (t2), lead1 (组长 lead of t1), "
        "compliance1 (合规 compliance), admin1 (管理员 admin)"
    )
    if not serve:
        console.print(f"已准备完毕，未启动服务 prepared, not serving: `ARREARS_DATABASE_URL={report.database_url} arrears serve`")
        return
    from arrears.web.app import serve_app

    console.print("按 Ctrl-C 停止 press Ctrl-C to stop")
    serve_app(host=host, port=port, engine=make_engine(report.database_url))

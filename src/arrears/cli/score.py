"""`arrears score train|apply`: parse options, call `services.scoring`, render the figures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from arrears.cli.clock import as_of_date
from arrears.scoring.evaluate import HORIZON_DAYS, TruthAgreement
from arrears.scoring.model import ModelFileError
from arrears.services.scoring import apply_scores, train_model
from arrears.settings import get_settings
from arrears.storage.engine import make_engine
from arrears.storage.migrate import current_revision, head_revision, upgrade

app = typer.Typer(
    help="还款倾向评分 / Propensity-to-pay scoring: train a model, score the loans.",
    no_args_is_help=True,
)
console = Console(stderr=True)
out = Console()

AS_OF_HELP = "数据截止日（当天开始时）/ as-of date YYYY-MM-DD, data before its start (default: today)."
URL_HELP = "SQLAlchemy URL (default: ARREARS_DATABASE_URL)."
MODEL_HELP = "模型文件路径 / model file path (joblib)."


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


@app.command("train")
def train(
    model: Path = typer.Option(..., "--model", help=MODEL_HELP),
    as_of: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
    horizon: int = typer.Option(
        HORIZON_DAYS, "--horizon", min=1, help="预测窗口天数 / days in which a payment counts as paying."
    ),
    truth: Path | None = typer.Option(
        None, "--truth", help="合成组合的隐藏真值 / hidden truth of a synthetic portfolio (DIR/_truth/propensity.parquet)."
    ),
    database_url: str | None = typer.Option(None, "--database-url", help=URL_HELP),
) -> None:
    """训练并按时间切分评估模型 / Train on cutoff as-of − 2h, report holdout AUC at as-of − h, save the model."""
    day = as_of_date(as_of)
    engine = make_engine(database_url or get_settings().database_url)
    try:
        if current_revision(engine) is None:
            console.print(
                "[red]数据库为空，请先导入组合 / the database has no schema yet: run `arrears import DIR` first[/]"
            )
            raise typer.Exit(1)
        report = train_model(engine_or_uow=engine, as_of=day, model_path=model, horizon_days=horizon, truth_path=truth)
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    h = report.holdout
    table = Table(title=f"时间切分评估 / time-split holdout (h = {h.horizon_days} d, as-of {day})")
    table.add_column("指标 figure")
    table.add_column("值 value", justify="right")
    rows = [
        ("train cutoff / 训练截点", str(date.fromordinal(h.train_cutoff))),
        ("test cutoff / 测试截点", str(date.fromordinal(h.test_cutoff))),
        ("loans / 贷款数", f"{h.n_test:,}"),
        ("paid rate train / test 还款率", f"{h.train_positive_rate:.3f} / {h.test_positive_rate:.3f}"),
        ("AUC (all loans / 全部)", _fmt(h.auc)),
        (f"AUC (in arrears / 逾期, n={h.n_test_in_arrears:,})", _fmt(h.auc_in_arrears)),
        ("baseline AUC (−DPD only / 仅按逾期天数)", _fmt(h.baseline_auc)),
    ]

    def truth_rows(label: str, t: TruthAgreement | None) -> None:
        if t is not None:
            rows.append((f"Spearman vs hidden propensity ({label}, n={t.loans:,})", f"{t.spearman_propensity:.3f}"))
            rows.append((f"AUC vs hidden pays_next_30d ({label})", _fmt(t.auc_pays_next_30d)))

    truth_rows("all / 全部", report.truth)
    truth_rows("in arrears / 逾期", report.truth_in_arrears)
    for k, v in rows:
        table.add_row(k, v)
    out.print(table)
    console.print(f"[green]模型已保存 / model saved[/]: {report.model_path} ({report.model_version})")


@app.command("apply")
def apply(
    model: Path = typer.Option(..., "--model", help=MODEL_HELP),
    as_of: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
    database_url: str | None = typer.Option(None, "--database-url", help=URL_HELP),
) -> None:
    """为每笔贷款评分并写入 loan_scores / Score every loan as of a date and write `loan_scores`."""
    day = as_of_date(as_of)
    engine = make_engine(database_url or get_settings().database_url)
    try:
        if current_revision(engine) != head_revision():
            console.print("迁移数据库 / migrating the database to the current schema")
            upgrade(engine)
        report = apply_scores(engine_or_uow=engine, as_of=day, model_path=model)
    except ModelFileError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    out.print(
        f"已评分 / scored {report.loans:,} 笔贷款 loans as of {report.as_of} "
        f"(model {report.model_version}); 平均分 mean {report.mean_score:.3f}, "
        f"≥ 0.5: {report.high_share:.1%}"
    )

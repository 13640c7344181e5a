"""`arrears work evaluate` and `arrears outbox dispatch`: the workspace's periodic jobs (for cron or a
scheduler). Each parses its options, calls one service and prints the counts."""

from __future__ import annotations

import typer
from rich.console import Console

from arrears.cli.clock import SystemClock, as_of_date
from arrears.settings import get_settings
from arrears.storage.engine import make_engine

app = typer.Typer(help="坐席工作台定时任务 / The workspace's periodic jobs.", no_args_is_help=True)
outbox_app = typer.Typer(help="消息发件箱 / The outbox of SMS and e-mail messages.", no_args_is_help=True)

DATABASE_URL = typer.Option(None, "--database-url", help="SQLAlchemy URL (default: ARREARS_DATABASE_URL).")


@app.command("evaluate")
def evaluate(
    as_of: str | None = typer.Option(
        None, "--as-of", help="评估日期 / the day to evaluate, YYYY-MM-DD (default: today in ARREARS_TIMEZONE)."
    ),
    database_url: str | None = DATABASE_URL,
) -> None:
    """评估承诺与还款计划（履约/违约）/ Settle promises to pay and payment plans as kept or broken.

    Run daily before `arrears plan`: a broken plan ends its hold, so collection resumes.
    """
    from arrears.services.workspace.jobs import evaluate_day

    day = as_of_date(as_of)
    settings = get_settings()
    engine = make_engine(database_url or settings.database_url)
    try:
        result = evaluate_day(engine, clock=SystemClock(), settings=settings, as_of=day)
    finally:
        engine.dispose()
    p, plans = result.promises, result.plans
    Console().print(
        f"{day.isoformat()} 承诺 promises: 履约 kept {p.kept}, 违约 broken {p.broken}, 进行中 open {p.still_open}; "
        f"还款计划 payment plans: 履约 kept {plans['kept']}, 违约 broken {plans['broken']}, "
        f"进行中 active {plans['active']}"
    )


@outbox_app.command("dispatch")
def dispatch(
    limit: int = typer.Option(100, "--limit", min=1, help="最多发送条数 / at most this many queued messages."),
    database_url: str | None = DATABASE_URL,
) -> None:
    """发送待发消息一次 / Run the outbox dispatcher once: send what is queued and due, with the send-time check.

    Transports come from the settings (ARREARS_SMS_PROVIDER, ARREARS_SMTP_HOST, ...).
    """
    from arrears.services.workspace.jobs import dispatch_once

    settings = get_settings()
    engine = make_engine(database_url or settings.database_url)
    try:
        r = dispatch_once(engine, clock=SystemClock(), settings=settings, limit=limit)
    finally:
        engine.dispose()
    Console().print(
        f"已发送 sent {r.sent}, 失败 failed {r.failed}, 待重试 retry {r.retry}, 延后 deferred {r.deferred}, "
        f"跳过 skipped {r.skipped}"
    )

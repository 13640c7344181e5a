"""`arrears serve`: serve the web app (workspace and REST API) over the settings' database."""

from __future__ import annotations

import typer
from rich.console import Console

from arrears.settings import get_settings
from arrears.storage.engine import make_engine
from arrears.storage.migrate import current_revision, head_revision


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    database_url: str | None = typer.Option(
        None, "--database-url", help="SQLAlchemy URL (default: ARREARS_DATABASE_URL or ./arrears.db)."
    ),
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        max=64,
        help="工作进程数 / Worker processes (one per core is a good start; each has its own database pool, and each "
        "new connection goes to the worker with the fewest open).",
    ),
) -> None:
    """启动工作台与接口服务 / Serve the agent workspace and the REST API (/api/v1, docs at /docs) until Ctrl-C."""
    from arrears.web.app import serve_app

    console = Console()
    settings = get_settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    engine = make_engine(settings.database_url)
    try:
        rev = current_revision(engine)
        if rev != head_revision():
            console.print(
                f"[red]数据库版本 {rev or '空'} 不是最新，请先运行 `arrears db upgrade` / the database is at "
                f"{rev or 'empty'}, not {head_revision()}: run `arrears db upgrade` first[/]"
            )
            raise typer.Exit(1)
        console.print(
            f"工作台 workspace: http://{host}:{port}/  ·  API docs: http://{host}:{port}/docs  (Ctrl-C 停止 stop)"
        )
        if workers == 1:
            serve_app(host=host, port=port, settings=settings, engine=engine)
        else:
            import os

            from arrears.web.server import serve_workers

            engine.dispose()  # each worker process opens its own connections
            if database_url:
                os.environ["ARREARS_DATABASE_URL"] = database_url  # the workers read their settings from it
            # each new connection to the worker with the fewest open (least connections): web/server.py
            raise typer.Exit(
                serve_workers("arrears.web.app:production_app", host=host, port=port, workers=workers)
            )
    finally:
        engine.dispose()

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
            console.print(f"[red]数据库版本 {rev or '空'} 不是最新，请先运行 `arrears db upgrade` / the database is at "
                          f"{rev or 'empty'}, not {head_revision()}: run `arrears db upgrade` first[/]")
            raise typer.Exit(1)
        console.print(f"工作台 workspace: http://{host}:{port}/  ·  API docs: http://{host}:{port}/docs  (Ctrl-C 停止 stop)")
        serve_app(host=host, port=port, settings=settings, engine=engine)
    finally:
        engine.dispose()

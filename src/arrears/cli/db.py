"""`arrears db ...` commands: migrate the database and show its revision."""

from __future__ import annotations

import typer
from rich.console import Console

from arrears.settings import get_settings
from arrears.storage.engine import make_engine
from arrears.storage.migrate import current_revision, head_revision
from arrears.storage.migrate import upgrade as run_upgrade

app = typer.Typer(help="数据库 / Database: migrations.", no_args_is_help=True)
console = Console()


def _url(database_url: str | None) -> str:
    return database_url or get_settings().database_url


DB_OPTION = typer.Option(
    None, "--database-url", help="SQLAlchemy URL (default: ARREARS_DATABASE_URL or ./arrears.db)."
)


@app.command("upgrade")
def upgrade(revision: str = typer.Argument("head"), database_url: str | None = DB_OPTION) -> None:
    """迁移数据库到最新版本 / Migrate the database to the newest revision (or REVISION)."""
    engine = make_engine(_url(database_url))
    try:
        run_upgrade(engine, revision)
        console.print(
            f"数据库已迁移到 {current_revision(engine)} / database is at revision {current_revision(engine)}"
        )
    finally:
        engine.dispose()


@app.command("current")
def current(database_url: str | None = DB_OPTION) -> None:
    """显示数据库版本 / Show the database revision and whether it is up to date."""
    engine = make_engine(_url(database_url))
    try:
        rev = current_revision(engine)
    finally:
        engine.dispose()
    head = head_revision()
    if rev == head:
        console.print(f"{rev}（最新 / up to date）")
    else:
        console.print(
            f"{rev or '空数据库 / empty'} → 最新 / newest {head}: 请运行 / run `arrears db upgrade`"
        )
        raise typer.Exit(1)

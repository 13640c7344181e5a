"""`arrears users ...`: add a user who can sign in to the workspace and the API."""

from __future__ import annotations

import typer
from rich.console import Console

from arrears.cli.clock import SystemClock
from arrears.settings import get_settings
from arrears.storage.engine import make_engine

app = typer.Typer(help="用户 / Users of the workspace and the API.", no_args_is_help=True)


@app.command("add")
def add(
    username: str = typer.Argument(..., help="登录名 / the sign-in name"),
    role: str = typer.Option(..., "--role", help="agent | team_lead | compliance | admin"),
    agent_id: str | None = typer.Option(None, "--agent-id", help="An agent's roster id (role agent)."),
    team_id: str | None = typer.Option(None, "--team-id", help="The team led (role team_lead)."),
    display_name: str = typer.Option("", "--name", help="Display name (default: the username)."),
    locale: str = typer.Option("zh-CN", "--locale", help="zh-CN or en."),
    password: str = typer.Option(
        ..., "--password", prompt=True, hide_input=True, confirmation_prompt=True,
        help="Prompted for when not given (hashed with argon2; never stored in clear).",
    ),
    database_url: str | None = typer.Option(
        None, "--database-url", help="SQLAlchemy URL (default: ARREARS_DATABASE_URL or ./arrears.db)."
    ),
) -> None:
    """添加用户 / Add a user (an agent must exist in the roster; a team lead's team must exist)."""
    from arrears.services.auth import UserError, add_user

    engine = make_engine(database_url or get_settings().database_url)
    try:
        user = add_user(engine, clock=SystemClock(), username=username, password=password, role=role,
                        agent_id=agent_id, team_id=team_id, display_name=display_name, locale=locale)
    except UserError as exc:
        Console(stderr=True).print(f"[red]无法添加用户 / cannot add user: {exc}[/]")
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()
    Console().print(f"已添加 added {user.username} ({user.role}"
                    f"{', agent ' + user.agent_id if user.agent_id else ''}{', team ' + user.team_id if user.team_id else ''})")

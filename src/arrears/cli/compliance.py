"""`arrears compliance ...` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="compliance", no_args_is_help=True)

"""`arrears guard ...` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="guard", no_args_is_help=True)

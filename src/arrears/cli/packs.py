"""`arrears packs ...` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="packs", no_args_is_help=True)

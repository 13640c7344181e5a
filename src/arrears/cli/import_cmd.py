"""`arrears import DIR`."""

from __future__ import annotations


def import_portfolio() -> None:
    """Import a portfolio directory (not implemented yet)."""
    raise NotImplementedError

"""`arrears synth`."""

from __future__ import annotations


def synth() -> None:
    """Write a synthetic portfolio (not implemented yet)."""
    raise NotImplementedError

"""`arrears demo`."""

from __future__ import annotations


def demo() -> None:
    """Run the main job (not implemented yet)."""
    raise NotImplementedError

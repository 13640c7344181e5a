"""The one place the CLI reads the real clock. Services and the core are handed a `Clock` or a date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import typer
from rich.console import Console

from arrears.settings import get_settings


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def as_of_date(text: str | None) -> date:
    """`--as-of YYYY-MM-DD`, or today's date in the operation's time zone (setting ARREARS_TIMEZONE)."""
    if text is None:
        return SystemClock().now().astimezone(ZoneInfo(get_settings().timezone)).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        Console(stderr=True).print(f"[red]--as-of 日期无效 / invalid --as-of date: {text!r} (use YYYY-MM-DD)[/]")
        raise typer.Exit(2) from None

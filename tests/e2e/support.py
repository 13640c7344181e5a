"""Shared by the browser tests (tests/e2e) and scripts/screenshots.py: a small deterministic demo database, the
app served by uvicorn in a background thread on a free loopback port, and Debian's Chromium under Playwright.

Everything is fixed: the portfolio seed, the clock (10:00 in Shanghai on the plan date), the viewport, the
language (zh-CN), so screenshots come out the same on every run.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright
    from sqlalchemy import Engine

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 10:00 Asia/Shanghai: inside the contact hours
ACCOUNTS = 300
SEED = 42
PASSWORD = "demo"
VIEWPORT = {"width": 1366, "height": 900}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class SteppingClock:
    """The server's clock: fixed at NOW until a test moves it on (the agent does the next thing later)."""

    def __init__(self, start: datetime = NOW) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._now += delta


@dataclass
class Site:
    """A prepared demo database served on loopback."""

    base_url: str
    database_url: str
    engine: Engine
    clock: SteppingClock
    sms_file: Path
    workdir: Path


def prepare_database(workdir: Path, *, accounts: int = ACCOUNTS, seed: int = SEED) -> str:
    """`arrears demo --no-serve` in miniature: synthesise, import, score, plan (services.demo.run_demo) with a
    fixed clock, then the demo users. Returns the SQLite URL."""
    from arrears.domain.clock import FixedClock
    from arrears.services.auth import create_demo_users
    from arrears.services.demo import run_demo
    from arrears.storage.engine import make_engine

    clock = FixedClock(NOW)
    report = run_demo(workdir=workdir, clock=clock, accounts=accounts, seed=seed)
    engine = make_engine(report.database_url)
    try:
        create_demo_users(engine, clock=clock)
    finally:
        engine.dispose()
    return report.database_url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(workdir: Path, database_url: str) -> Iterator[Site]:
    """The production app (Secure cookies, CSRF, CSP) over `database_url`, the clock at NOW (tests may move it
    on: `site.clock.advance`), SMS to a file provider; uvicorn serves it in a daemon thread until the exit."""
    import uvicorn

    from arrears.settings import Settings
    from arrears.storage.engine import make_engine
    from arrears.web.app import create_app

    sms_file = workdir / "sms-outbox.jsonl"
    settings = Settings(database_url=database_url, sms_provider="file", sms_file=str(sms_file))
    engine = make_engine(database_url)
    clock = SteppingClock()
    app = create_app(settings=settings, engine=engine, clock=clock)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="e2e-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield Site(f"http://127.0.0.1:{port}", database_url, engine, clock, sms_file, workdir)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()


def chromium_path() -> str:
    return os.environ.get("ARREARS_CHROMIUM", "/usr/bin/chromium")


def launch(playwright: Playwright, *extra_args: str) -> Browser:
    """Debian's Chromium, headless. Never downloads a browser."""
    path = chromium_path()
    if not Path(path).is_file():
        raise RuntimeError(f"no Chromium at {path}: install Debian's chromium or set ARREARS_CHROMIUM")
    return playwright.chromium.launch(executable_path=path, headless=True, args=[*CHROMIUM_ARGS, *extra_args])


TIMEOUT_MS = 20_000  # generous: the machine may be busy, and the first compliance check loads the rule packs


def new_page(browser: Browser, base_url: str, **kwargs: Any) -> Page:
    """A fresh context in zh-CN at the fixed viewport, Shanghai time; actions and `expect` wait TIMEOUT_MS."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(
        base_url=base_url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport=VIEWPORT,  # type: ignore[arg-type]
        **kwargs,
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def login(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form; ends on the worklist."""
    page.goto("/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url("**/worklist")


def first_worklist_account(page: Page) -> str:
    """The borrower id of the first worklist row (the top of today's plan)."""
    row = page.locator("table.worklist tbody tr").first
    borrower_id = row.get_attribute("data-borrower")
    if not borrower_id:
        raise AssertionError("the worklist has no rows")
    return borrower_id

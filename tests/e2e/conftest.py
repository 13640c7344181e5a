"""Browser fixtures: one demo database and one live server per session (support.py), one Chromium per session,
a fresh browser context (cookies, zh-CN, fixed viewport) per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from support import Site, launch, new_page, prepare_database, serve


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    workdir: Path = tmp_path_factory.mktemp("e2e-demo")
    url = prepare_database(workdir)
    with serve(workdir, url) as s:
        yield s


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        b = launch(pw)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Browser, site: Site) -> Iterator[Page]:
    p = new_page(browser, site.base_url)
    try:
        yield p
    finally:
        p.context.close()

"""Fixtures of the workspace service tests: `work` is a migrated database with the seed of workspace_seed.py."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from smtp_inbox import Inbox, SmtpServer
from sqlalchemy import Engine
from workspace_seed import NOW, Work, seed

from arrears.domain.clock import FixedClock
from arrears.settings import Settings


@pytest.fixture
def work(engine: Engine) -> Work:
    seed(engine)
    return Work(engine, FixedClock(NOW), Settings(database_url=str(engine.url)))


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, inbox)
    finally:
        controller.stop()

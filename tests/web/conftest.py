"""Web fixtures: the app over the migrated `engine` (SQLite, or PostgreSQL with ARREARS_TEST_DATABASE_URL), a
movable clock, the demo users and a small portfolio (see webkit.py), a client, and bearer tokens."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from webkit import BASE, NOW, MovableClock, Portfolio, seed_portfolio

from arrears.settings import Settings
from arrears.web.app import create_app


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Still argon2id, with test-sized cost, so each test does not spend seconds hashing demo passwords."""
    from argon2 import PasswordHasher

    from arrears.services import auth

    fast = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(auth, "_hasher", fast)
    monkeypatch.setattr(auth, "_DUMMY_HASH", fast.hash("not-a-password"))


@pytest.fixture
def portfolio(engine: Engine) -> Portfolio:
    return seed_portfolio(engine)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(NOW)


@pytest.fixture
def app(engine: Engine, portfolio: Portfolio, clock: MovableClock) -> FastAPI:
    return create_app(settings=Settings(database_url=str(engine.url)), engine=engine, clock=clock)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url=BASE) as c:
        yield c


@pytest.fixture
def bearer(client: TestClient) -> Callable[[str], dict[str, str]]:
    cache: dict[str, dict[str, str]] = {}

    def get(username: str) -> dict[str, str]:
        if username not in cache:
            r = client.post("/api/v1/auth/token", data={"username": username, "password": "demo"})
            assert r.status_code == 200, r.text
            cache[username] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        return cache[username]

    return get

"""Shared fixtures. `database_url`: ARREARS_TEST_DATABASE_URL if set (PostgreSQL in CI), else a temporary
SQLite file. On PostgreSQL every test gets its own schema (search_path via connect args), dropped afterwards,
so concurrent runs do not collide."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine

from arrears.storage.engine import make_engine
from arrears.storage.migrate import upgrade


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `postgres` check PostgreSQL's own behaviour: without a PostgreSQL URL they are deselected
    (reported as such), not run against SQLite."""
    if os.environ.get("ARREARS_TEST_DATABASE_URL"):
        return
    keep = [i for i in items if i.get_closest_marker("postgres") is None]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i.get_closest_marker("postgres") is not None])
        items[:] = keep


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    url = os.environ.get("ARREARS_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated database."""
    eng = make_engine(database_url)
    upgrade(eng)
    yield eng
    eng.dispose()

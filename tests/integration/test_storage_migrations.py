"""`arrears db upgrade` builds the schema from the migrations shipped in the package."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect
from typer.testing import CliRunner

from arrears.cli.main import app
from arrears.storage.engine import make_engine
from arrears.storage.migrate import current_revision, downgrade, head_revision, upgrade
from arrears.storage.tables import metadata

pytestmark = pytest.mark.db


def test_upgrade_creates_every_table_and_reaches_head(database_url: str) -> None:
    engine = make_engine(database_url)
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_upgrade_twice_is_harmless_and_downgrade_empties(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    upgrade(engine)
    downgrade(engine, "base")
    assert current_revision(engine) is None
    assert "loans" not in inspect(engine).get_table_names()
    engine.dispose()


def test_migrated_schema_matches_the_table_definitions(database_url: str) -> None:
    """No drift between storage/tables.py and the migrations (Alembic's autogenerate finds nothing)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(database_url)
    upgrade(engine)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(ctx, metadata)
    engine.dispose()
    assert diff == []


def test_cli_db_upgrade_and_current(database_url: str) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["db", "current", "--database-url", database_url])
    assert result.exit_code == 1
    result = runner.invoke(app, ["db", "upgrade", "--database-url", database_url])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["db", "current", "--database-url", database_url])
    assert result.exit_code == 0
    assert head_revision() in result.output

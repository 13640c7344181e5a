"""Storage: SQLAlchemy tables, domain<->row mapping, repositories, unit of work and Alembic migrations."""

from arrears.storage.engine import make_engine
from arrears.storage.migrate import current_revision, head_revision, upgrade
from arrears.storage.uow import UnitOfWork

__all__ = ["UnitOfWork", "current_revision", "head_revision", "make_engine", "upgrade"]

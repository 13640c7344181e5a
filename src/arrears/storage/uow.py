"""Unit of work: one connection, one transaction, the repositories bound to it. The service commits."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine

from arrears.storage.import_runs import ImportRunRepository
from arrears.storage.portfolio_repo import PortfolioRepository


class UnitOfWork:
    """`with UnitOfWork(engine) as uow: ...; uow.commit()`. Leaving without commit rolls back."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._conn: Connection | None = None

    @property
    def connection(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("unit of work is not open; use it in a `with` block")
        return self._conn

    def __enter__(self) -> UnitOfWork:
        self._conn = self.engine.connect()
        self._conn.begin()
        self.portfolio = PortfolioRepository(self._conn)
        self.import_runs = ImportRunRepository(self._conn)
        return self

    def commit(self) -> None:
        self.connection.commit()

    def rollback(self) -> None:
        self.connection.rollback()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        conn = self.connection
        try:
            if conn.in_transaction():
                conn.rollback()
        finally:
            conn.close()
            self._conn = None

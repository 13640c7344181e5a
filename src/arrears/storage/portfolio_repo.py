"""Reads and writes of the portfolio tables: natural-key upserts, key look-ups and domain loads."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from arrears.domain import Borrower, ContactAttempt, ContactPoint, Hold, Instalment, Loan, Party, Payment
from arrears.storage import mapping
from arrears.storage.tables import (
    IMPORT_TABLES,
    borrowers,
    contact_attempts,
    contact_points,
    holds,
    instalments,
    loans,
    parties,
    payments,
)
from arrears.storage.tables_plan import agents, assignments, teams

_LIST_COLUMNS = {"borrowers": ("timezones", "vulnerability"), "agents": ("languages", "skills")}
# The import tables plus the roster the import also loads (agents, assignments; teams come with agents).
_TABLES: dict[str, Table] = {**IMPORT_TABLES, "teams": teams, "agents": agents, "assignments": assignments}
_CHUNK = 900  # stays under SQLite's bound-parameter limit

# Party roles that are not obligors: the ones that count toward the third-party contact limit.
_OBLIGOR_ROLES = ("guarantor", "co_obligor", "debtor")


class PortfolioRepository:
    """The portfolio tables behind one connection (the caller owns the transaction)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._upserts: dict[str, Any] = {}

    # --- writes -------------------------------------------------------------------------------------------
    def _upsert_statement(self, table: Table) -> Any:
        if table.name in self._upserts:
            return self._upserts[table.name]
        dialect = self.conn.dialect.name
        if dialect == "sqlite":
            stmt: Any = sqlite.insert(table)
        elif dialect == "postgresql":
            stmt = postgresql.insert(table)
        else:  # pragma: no cover
            raise NotImplementedError(f"upsert is not implemented for {dialect}")
        key = [c.name for c in table.primary_key.columns]
        rest = [c for c in table.columns if c.name not in key]
        stmt = stmt.on_conflict_do_update(
            index_elements=key,
            set_={c.name: stmt.excluded[c.name] for c in rest},
            # Only rows whose content changed are touched, so the affected-row count means "updated".
            where=or_(*[c.is_distinct_from(stmt.excluded[c.name]) for c in rest]),
        ).returning(*table.primary_key.columns)  # a row comes back for each insert or real update
        self._upserts[table.name] = stmt
        return stmt

    def upsert(self, table_name: str, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert new rows, update changed ones by natural key, leave identical ones alone.

        Returns the number of rows inserted or updated (identical rows are not counted).
        """
        if not rows:
            return 0
        lists = _LIST_COLUMNS.get(table_name)
        if lists:
            rows = [
                {**r, **{c: mapping.join_list(r[c]) for c in lists if isinstance(r.get(c), tuple | list)}}
                for r in rows
            ]
        result = self.conn.execute(self._upsert_statement(_TABLES[table_name]), list(rows))
        # RETURNING, not rowcount: drivers disagree about rowcount for batched statements.
        return len(result.all())

    def count(self, table_name: str) -> int:
        return int(self.conn.execute(select(func.count()).select_from(_TABLES[table_name])).scalar_one())

    def ensure_teams(self, names: Mapping[str, str | None]) -> int:
        """team_id -> name (None: not given). Creates the missing teams (named by their id when no name is given)
        and renames a known team given a different name. Returns how many teams were created."""
        if not names:
            return 0
        q = select(teams.c.team_id, teams.c.name).where(teams.c.team_id.in_(list(names)))
        stored: dict[str, str] = {t: n for t, n in self.conn.execute(q)}
        new = [{"team_id": t, "name": n or t, "agency_id": None} for t, n in names.items() if t not in stored]
        if new:
            self.conn.execute(insert(teams), new)
        for t, n in names.items():
            if t in stored and n is not None and stored[t] != n:
                self.conn.execute(update(teams).where(teams.c.team_id == t).values(name=n))
        return len(new)

    # --- key look-ups (used by the import's reference checks) ----------------------------------------------
    def existing(self, table_name: str, keys: Collection[str]) -> set[str]:
        """Which of these single-column natural keys are already stored."""
        table = _TABLES[table_name]
        (key_col,) = table.primary_key.columns
        found: set[str] = set()
        values = list(keys)
        for i in range(0, len(values), _CHUNK):
            chunk = values[i : i + _CHUNK]
            found.update(self.conn.execute(select(key_col).where(key_col.in_(chunk))).scalars())
        return found

    def borrower_of(self, table_name: str, keys: Collection[str]) -> dict[str, str]:
        """id -> borrower_id for the stored rows (loans, parties, contact points) among `keys`."""
        table = IMPORT_TABLES[table_name]
        (key_col,) = table.primary_key.columns
        out: dict[str, str] = {}
        values = list(keys)
        for i in range(0, len(values), _CHUNK):
            q = select(key_col, table.c.borrower_id).where(key_col.in_(values[i : i + _CHUNK]))
            out.update({k: b for k, b in self.conn.execute(q)})
        return out

    def third_parties_of(self, borrower_ids: Collection[str]) -> dict[str, set[str]]:
        """borrower_id -> stored party ids with a third-party (non-obligor) role."""
        out: dict[str, set[str]] = {}
        values = list(borrower_ids)
        for i in range(0, len(values), _CHUNK):
            q = select(parties.c.borrower_id, parties.c.party_id).where(
                parties.c.borrower_id.in_(values[i : i + _CHUNK]), parties.c.role.not_in(_OBLIGOR_ROLES)
            )
            for b, p in self.conn.execute(q):
                out.setdefault(b, set()).add(p)
        return out

    # --- domain loads ---------------------------------------------------------------------------------------
    def borrower(self, borrower_id: str) -> Borrower | None:
        r = (
            self.conn.execute(select(borrowers).where(borrowers.c.borrower_id == borrower_id))
            .mappings()
            .first()
        )
        return None if r is None else mapping.borrower_from_row(r)

    def loans_of(self, borrower_id: str) -> list[Loan]:
        q = select(loans).where(loans.c.borrower_id == borrower_id).order_by(loans.c.loan_id)
        return [mapping.loan_from_row(r) for r in self.conn.execute(q).mappings()]

    def instalments_of(self, loan_id: str) -> list[Instalment]:
        q = select(instalments).where(instalments.c.loan_id == loan_id).order_by(instalments.c.seq)
        return [mapping.instalment_from_row(r) for r in self.conn.execute(q).mappings()]

    def payments_of(self, loan_id: str) -> list[Payment]:
        q = select(payments).where(payments.c.loan_id == loan_id).order_by(payments.c.paid_at)
        return [mapping.payment_from_row(r) for r in self.conn.execute(q).mappings()]

    def parties_of(self, borrower_id: str) -> list[Party]:
        q = select(parties).where(parties.c.borrower_id == borrower_id).order_by(parties.c.party_id)
        return [mapping.party_from_row(r) for r in self.conn.execute(q).mappings()]

    def contact_points_of(self, borrower_id: str) -> list[ContactPoint]:
        q = select(contact_points).where(contact_points.c.borrower_id == borrower_id)
        return [
            mapping.contact_point_from_row(r)
            for r in self.conn.execute(q.order_by(contact_points.c.contact_point_id)).mappings()
        ]

    def attempts_of(self, borrower_id: str) -> list[ContactAttempt]:
        q = select(contact_attempts).where(contact_attempts.c.borrower_id == borrower_id)
        return [
            mapping.attempt_from_row(r)
            for r in self.conn.execute(q.order_by(contact_attempts.c.at)).mappings()
        ]

    def holds_of(self, borrower_id: str) -> list[Hold]:
        q = select(holds).where(holds.c.borrower_id == borrower_id).order_by(holds.c.start)
        return [mapping.hold_from_row(r) for r in self.conn.execute(q).mappings()]

    def add(
        self, objects: Iterable[Borrower | Loan | Instalment | Payment | Party | Hold | ContactAttempt]
    ) -> None:
        """Upsert domain objects (contact points need their borrower: use `upsert` with `contact_point_to_row`)."""
        to_row = {
            Borrower: ("borrowers", mapping.borrower_to_row),
            Loan: ("loans", mapping.loan_to_row),
            Instalment: ("instalments", mapping.instalment_to_row),
            Payment: ("payments", mapping.payment_to_row),
            Party: ("parties", mapping.party_to_row),
            Hold: ("holds", mapping.hold_to_row),
            ContactAttempt: ("contact_attempts", mapping.attempt_to_row),
        }
        for obj in objects:
            name, fn = to_row[type(obj)]
            self.upsert(name, [fn(obj)])  # type: ignore[operator]

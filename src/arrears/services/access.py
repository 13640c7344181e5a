"""Who may see and change which accounts: the one place a user becomes a SQL filter on `borrower_id`.

- agent: the accounts assigned to them (`assignments.agent_id` = the user's agent);
- team lead: the accounts assigned to any agent of their team (`agents.team_id` = the user's team);
- compliance and admin: every account, read only.

Every UI and API route that touches an account goes through `Scope`: lists filter with `scope.visible(col)`,
single accounts are checked with `scope.can_read(conn, borrower_id)` / `scope.can_write(...)`; an account the
user may not see is reported as not found (404), never as forbidden, so ids cannot be probed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, bindparam, exists, false, literal, select, true
from sqlalchemy.sql.elements import ColumnElement as _CE

from arrears.services.auth import User
from arrears.storage.tables_plan import agents, assignments

READ_ALL_ROLES = ("compliance", "admin")

# Aliases, so the scope's subqueries never correlate with the caller's own joins of the same tables.
_asg = assignments.alias("scope_assignments")
_agt = agents.alias("scope_agents")
WRITE_ROLES = ("agent", "team_lead")


@dataclass(frozen=True, slots=True)
class Scope:
    role: str
    agent_id: str | None
    team_id: str | None
    # True: the clauses below compare with bind parameters `scope_agent` / `scope_team` instead of the values,
    # so a statement built once per `shape` runs for every user of that shape with `params()` (see `bound()`).
    bound: bool = False

    @property
    def shape(self) -> tuple[str, bool, bool]:
        """What the clauses' SQL depends on (not the ids themselves): statements can be cached by it."""
        return (self.role, bool(self.agent_id), bool(self.team_id))

    def bound_copy(self) -> Scope:
        return Scope(self.role, self.agent_id, self.team_id, bound=True)

    def params(self) -> dict[str, str]:
        """The values of the bind parameters a `bound` scope's clauses use."""
        out: dict[str, str] = {}
        if self.agent_id:
            out["scope_agent"] = self.agent_id
        if self.team_id:
            out["scope_team"] = self.team_id
        return out

    def _agent(self) -> Any:
        return bindparam("scope_agent") if self.bound else self.agent_id

    def _team(self) -> Any:
        return bindparam("scope_team") if self.bound else self.team_id

    @property
    def all_accounts(self) -> bool:
        return self.role in READ_ALL_ROLES

    @property
    def writes(self) -> bool:
        """Whether the role may change accounts at all (log outcomes, promises, plans...)."""
        return self.role in WRITE_ROLES

    def visible(self, borrower_id: ColumnElement[str] | _CE[str]) -> ColumnElement[bool]:
        """A WHERE clause: `borrower_id` (a column of the caller's query) is one the user may see."""
        if self.all_accounts:
            return true()
        if self.role == "agent" and self.agent_id:
            return exists(
                select(literal(1))
                .select_from(_asg)
                .where(and_(_asg.c.borrower_id == borrower_id, _asg.c.agent_id == self._agent()))
            )
        if self.role == "team_lead" and self.team_id:
            return exists(
                select(literal(1))
                .select_from(_asg.join(_agt, _agt.c.agent_id == _asg.c.agent_id))
                .where(and_(_asg.c.borrower_id == borrower_id, _agt.c.team_id == self._team()))
            )
        return false()

    def visible_agents(self, agent_id: ColumnElement[str] | _CE[str]) -> ColumnElement[bool]:
        """A WHERE clause on an agent id column: the agents whose work the user may see."""
        if self.all_accounts:
            return true()
        if self.role == "agent" and self.agent_id:
            mine: ColumnElement[bool] = agent_id == self._agent()
            return mine
        if self.role == "team_lead" and self.team_id:
            return agent_id.in_(select(_agt.c.agent_id).where(_agt.c.team_id == self._team()))
        return false()

    def can_read(self, conn: Connection, borrower_id: str) -> bool:
        if self.all_accounts:
            return True
        return bool(conn.execute(select(self.visible(literal(borrower_id)))).scalar())

    def can_write(self, conn: Connection, borrower_id: str) -> bool:
        return self.writes and self.can_read(conn, borrower_id)


def scope_for(user: User) -> Scope:
    return Scope(role=user.role, agent_id=user.agent_id, team_id=user.team_id)


class NotVisible(LookupError):
    """The account does not exist or the user may not see it (reported as 404 either way)."""

    def __init__(self, borrower_id: str) -> None:
        super().__init__(borrower_id)
        self.borrower_id = borrower_id


class ReadOnly(PermissionError):
    """The user may see the account but their role may not change it (reported as 403)."""


def require_read(conn: Connection, scope: Scope, borrower_id: str) -> None:
    if not scope.can_read(conn, borrower_id):
        raise NotVisible(borrower_id)


def require_write(conn: Connection, scope: Scope, borrower_id: str) -> None:
    """For services that change an account: not visible -> NotVisible (404); visible but read-only -> ReadOnly."""
    require_read(conn, scope, borrower_id)
    if not scope.writes:
        raise ReadOnly(borrower_id)

"""Extension points for pages other packages fill (the workspace: promises, plans, notes, follow-ups...).

The customer view renders `{% include "work/_account_panel.html" ignore missing %}` and the worklist
`{% include "work/_worklist_panel.html" ignore missing %}`; those templates read the variable `work`, a dict
merged from every registered hook. Register a hook in your router module (imported by routes/__init__.py):

    from arrears.web.panels import PanelContext, account_panel

    @account_panel
    def promises_panel(ctx: PanelContext) -> dict[str, object]:
        return {"promises": list_promises(ctx.engine, ctx.scope, ctx.borrower_id)}

Hooks run after the access check, only for accounts the user may read; keys must not collide across hooks.
On the pages, hooks run inside the page's transaction: read on `ctx.conn` (one connection per request) and reuse
`ctx.view` (the customer view) rather than reading the same rows again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine

from arrears.domain.clock import Clock
from arrears.services.access import Scope
from arrears.services.account_views import CustomerView
from arrears.services.auth import User


@dataclass(frozen=True, slots=True)
class PanelContext:
    engine: Engine
    clock: Clock
    user: User
    scope: Scope
    lang: str
    borrower_id: str | None = None  # None on the worklist
    # The page's own connection (inside its transaction, after the access check) and, on the customer view, the
    # view already read: hooks read on `conn` when given, and reuse what the view has instead of reading it again.
    conn: Connection | None = None
    view: CustomerView | None = None


PanelHook = Callable[[PanelContext], Mapping[str, object]]
T = TypeVar("T")

ACCOUNT_PANELS: list[PanelHook] = []
WORKLIST_PANELS: list[PanelHook] = []


# Statements the account panels read by borrower id (one bind parameter, `b`): the customer view sends them with
# its own reads, in the same round trip, and hooks find their rows in `ctx.view.prefetched[stmt]`.
ACCOUNT_PREFETCH: list[Any] = []


def account_panel(fn: PanelHook) -> PanelHook:
    ACCOUNT_PANELS.append(fn)
    return fn


def account_prefetch(stmt: T) -> T:
    """Register `stmt` to be read with the customer view (see ACCOUNT_PREFETCH); returns it."""
    ACCOUNT_PREFETCH.append(stmt)
    return stmt


def worklist_panel(fn: PanelHook) -> PanelHook:
    WORKLIST_PANELS.append(fn)
    return fn


def collect(hooks: list[PanelHook], ctx: PanelContext) -> dict[str, object]:
    merged: dict[str, object] = {}
    for hook in hooks:
        part = hook(ctx)
        clash = merged.keys() & part.keys()
        if clash:
            raise RuntimeError(f"panel hook {hook.__name__} redefines {sorted(clash)}")
        merged.update(part)
    return merged

"""The hot pages' shortcuts keep their promises: every customer view is audited (also when many are opened at
once and their records are committed together), the chain still verifies, the session cache honours logout and
expiry, and the cached worklist rows are the rows the template renders."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.pool import StaticPool
from webkit import BASE, NOW, MovableClock, Portfolio, login

from arrears.services import accounts
from arrears.services.access import scope_for
from arrears.services.auth import SESSION_HOURS, SessionCache, User, end_session, get_user, start_session
from arrears.storage import audit
from arrears.storage.engine import make_engine, reading
from arrears.storage.tables import audit_log
from arrears.storage.tables_plan import plan_contacts
from arrears.web import templating
from arrears.web.i18n import t

pytestmark = pytest.mark.db


def _open_view(engine: Engine, user: User, borrower_id: str, clock: MovableClock) -> str:
    """Open a customer view as `user` (audited); returns the account shown."""
    view = accounts.customer_view(
        engine,
        user=user,
        scope=scope_for(user),
        borrower_id=borrower_id,
        clock=clock,
        timezone="Asia/Shanghai",
    )
    return view.profile.borrower_id


def test_customer_views_opened_at_once_are_each_audited_and_the_chain_holds(
    engine: Engine, portfolio: Portfolio, clock: MovableClock
) -> None:
    user = get_user(engine, "agent1")
    assert user is not None
    ids = list(portfolio.own) * 6

    def view(borrower_id: str) -> str:
        return _open_view(engine, user, borrower_id, clock)

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert sorted(pool.map(view, ids)) == sorted(ids)
    with engine.connect() as conn:
        subjects = (
            conn.execute(
                select(audit_log.c.subject).where(
                    audit_log.c.action == "account.view", audit_log.c.actor == user.actor
                )
            )
            .scalars()
            .all()
        )
        assert sorted(subjects) == sorted(f"borrower:{b}" for b in ids)
        assert audit.verify(conn).ok


def test_a_view_the_user_may_not_see_is_refused_and_not_audited(
    engine: Engine, portfolio: Portfolio, clock: MovableClock
) -> None:
    user = get_user(engine, "agent1")
    assert user is not None
    with engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(audit_log)).scalar_one()
    with pytest.raises(accounts.NotVisible):
        _open_view(engine, user, portfolio.other_team[0], clock)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(audit_log)).scalar_one() == before


def test_the_session_cache_forgets_on_logout_and_expiry_and_rechecks_after_its_ttl(
    engine: Engine, portfolio: Portfolio, clock: MovableClock
) -> None:
    user = get_user(engine, "agent1")
    assert user is not None
    ticks = [0.0]
    cache = SessionCache(ttl=2.0, monotonic=lambda: ticks[0])
    secret, _ = start_session(engine, clock=clock, user=user)
    assert cache.resolve(engine, clock=clock, secret=secret) is not None
    assert cache.get(secret, clock.now()) is not None  # cached
    # ended elsewhere (another process): honoured at most until the ttl has passed, then asked again
    end_session(engine, secret=secret)
    ticks[0] = 2.5
    assert cache.resolve(engine, clock=clock, secret=secret) is None
    # ended here: forgotten at once
    secret2, _ = start_session(engine, clock=clock, user=user)
    assert cache.resolve(engine, clock=clock, secret=secret2) is not None
    end_session(engine, secret=secret2, cache=cache)
    assert cache.get(secret2, clock.now()) is None
    assert cache.resolve(engine, clock=clock, secret=secret2) is None
    # expired by the (injected) clock even while cached
    secret3, _ = start_session(engine, clock=clock, user=user)
    assert cache.resolve(engine, clock=clock, secret=secret3) is not None
    later = MovableClock(NOW + timedelta(hours=SESSION_HOURS, seconds=1))
    assert cache.get(secret3, later.now()) is None
    assert cache.resolve(engine, clock=later, secret=secret3) is None
    # unknown cookies are never cached
    assert cache.resolve(engine, clock=clock, secret="nope") is None
    assert cache.get("nope", clock.now()) is None


def test_logout_ends_the_session_for_the_next_request_of_the_same_app(app: FastAPI) -> None:
    with TestClient(app, base_url=BASE) as c:
        csrf = login(c, "agent1")
        assert c.get("/worklist").status_code == 200
        secret = c.cookies.get("arrears_session")
        assert c.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
        c.cookies.set("arrears_session", secret or "", domain="testserver")
        assert c.get("/worklist", follow_redirects=False).status_code == 303


def test_cached_worklist_rows_are_what_the_template_renders(client: TestClient) -> None:
    login(client, "agent1")
    templating._FRAGMENTS.clear()
    rendered = client.get("/worklist").text
    assert templating._FRAGMENTS  # the rows went through the cache
    assert client.get("/worklist").text == rendered  # and come from it now, unchanged
    english = client.get("/worklist?lang=en").text  # the language is part of a row's key
    assert t("worklist.promise_due", "en") in english and t("worklist.promise_due", "en") not in rendered
    assert t("worklist.promise_due", "zh-CN") in rendered


def test_a_changed_worklist_row_is_shown_changed_although_the_page_was_cached(
    client: TestClient, engine: Engine
) -> None:
    login(client, "agent1")
    before = client.get("/worklist").text
    assert client.get("/worklist").text == before  # served from the caches
    with engine.begin() as conn:
        conn.execute(
            update(plan_contacts)
            .where(plan_contacts.c.borrower_id == "B003")
            .values(channel="sms", expected_recovery_minor=123_456)
        )
    after = client.get("/worklist").text
    assert "¥1,234.56" in after and "¥1,234.56" not in before
    row = after.split('data-borrower="B003"', 1)[1].split("</tr>", 1)[0]
    assert "<td>sms" in row


@pytest.mark.postgres
def test_reads_and_session_lookups_keep_the_connection_s_prepared_statements(
    engine: Engine, portfolio: Portfolio, clock: MovableClock
) -> None:
    """psycopg forgets every prepared statement of a connection on a ROLLBACK: the web app's reads run in
    autocommit, so the server keeps the statements it has parsed and planned (the pages' main saving)."""
    one = make_engine(
        engine.url.render_as_string(hide_password=False),
        poolclass=StaticPool,
        connect_args={"prepare_threshold": 0},
    )
    try:
        user = get_user(one, "agent1")  # prepared on its first run (threshold 0)
        assert user is not None
        secret, _ = start_session(engine, clock=clock, user=user)
        assert SessionCache(ttl=0).resolve(one, clock=clock, secret=secret) is not None
        assert _open_view(one, user, portfolio.own[0], clock) == portfolio.own[0]
        with reading(one) as conn:
            names = conn.execute(text("SELECT statement FROM pg_prepared_statements")).scalars().all()
        assert any("user_sessions" in s for s in names)  # the session lookup's
        assert any("FROM users" in s for s in names)  # get_user's, still there after the lookup
        assert any("audit_log" in s for s in names)  # the customer view's and its audit's
    finally:
        one.dispose()

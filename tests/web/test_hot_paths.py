"""The hot pages' shortcuts keep their promises: every customer view is audited (also when many are opened at
once and their records are committed together), the chain still verifies, the session cache honours logout and
expiry, and the cached worklist rows are the rows the template renders."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from webkit import BASE, NOW, MovableClock, Portfolio, login

from arrears.services import accounts
from arrears.services.access import scope_for
from arrears.services.auth import SESSION_HOURS, SessionCache, end_session, get_user, start_session
from arrears.storage import audit
from arrears.storage.tables import audit_log
from arrears.web import templating
from arrears.web.i18n import t

pytestmark = pytest.mark.db


def test_customer_views_opened_at_once_are_each_audited_and_the_chain_holds(
    engine: Engine, portfolio: Portfolio, clock: MovableClock
) -> None:
    user = get_user(engine, "agent1")
    assert user is not None
    ids = list(portfolio.own) * 6

    def view(borrower_id: str) -> str:
        v = accounts.customer_view(
            engine,
            user=user,
            scope=scope_for(user),
            borrower_id=borrower_id,
            clock=clock,
            timezone="Asia/Shanghai",
        )
        return v.profile.borrower_id

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
        accounts.customer_view(
            engine,
            user=user,
            scope=scope_for(user),
            borrower_id=portfolio.other_team[0],
            clock=clock,
            timezone="Asia/Shanghai",
        )
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

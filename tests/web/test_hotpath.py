"""The short path for the plain worklist and customer view (web/hotpath.py) answers exactly what FastAPI's routes
answer: same status, body and headers, for the pages, for accounts out of scope and for sessions that are not
signed in; and it serves only the requests it is meant for."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from webkit import BASE, MovableClock, Portfolio, login

from arrears.settings import Settings
from arrears.storage.tables import audit_log
from arrears.web import hotpath
from arrears.web.app import create_app

pytestmark = pytest.mark.db

HEADERS = ("content-type", "x-content-type-options", "x-frame-options", "content-security-policy", "set-cookie")


@pytest.fixture
def routed(engine: Engine, portfolio: Portfolio, clock: MovableClock) -> Iterator[TestClient]:
    app: FastAPI = create_app(
        settings=Settings(database_url=str(engine.url)), engine=engine, clock=clock, hot_path=False
    )
    with TestClient(app, base_url=BASE) as c:
        yield c


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """The requests the short path served (the borrower id, or None for the worklist)."""
    seen: list[str | None] = []
    real = hotpath._page

    def spy(request: Any, secret: str, borrower_id: str | None) -> Any:
        seen.append(borrower_id)
        return real(request, secret, borrower_id)

    monkeypatch.setattr(hotpath, "_page", spy)
    return seen


def _same(a: Any, b: Any) -> None:
    assert a.status_code == b.status_code, (a.status_code, b.status_code, a.text[:300])
    assert a.text == b.text
    for h in HEADERS:
        assert a.headers.get(h) == b.headers.get(h), h


def _views(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(select(func.count()).where(audit_log.c.action == "account.view")).scalar_one()
        )


def test_the_short_path_answers_what_the_routes_answer(
    client: TestClient, routed: TestClient, portfolio: Portfolio, engine: Engine, served: list[str | None]
) -> None:
    login(client, "agent1")
    routed.cookies.update(client.cookies)  # the same session through both apps: same CSRF token in the pages
    served.clear()
    paths = [
        "/worklist",
        f"/accounts/{portfolio.own[0]}",
        f"/accounts/{portfolio.other_team[0]}",  # another team's: 404, nothing audited
        f"/accounts/{portfolio.unassigned[0]}",
        "/accounts/NO-SUCH-ID",
    ]
    for path in paths:
        before = _views(engine)
        fast = client.get(path, follow_redirects=False)
        audited_fast = _views(engine) - before
        slow = routed.get(path, follow_redirects=False)
        audited_slow = _views(engine) - before - audited_fast
        _same(fast, slow)
        assert audited_fast == audited_slow == (1 if path.endswith(portfolio.own[0]) else 0)
    assert client.get(f"/accounts/{portfolio.own[0]}").status_code == 200
    assert served == [None, *[p.rsplit("/", 1)[1] for p in paths[1:]], portfolio.own[0]]


def test_english_pages_and_the_lang_cookie_match_too(
    client: TestClient, routed: TestClient, portfolio: Portfolio, served: list[str | None]
) -> None:
    login(client, "agent1")
    client.cookies.set("arrears_lang", "en")
    routed.cookies.update(client.cookies)
    served.clear()
    for path in ("/worklist", f"/accounts/{portfolio.own[0]}"):
        fast, slow = client.get(path), routed.get(path)
        _same(fast, slow)
        assert 'lang="en"' in fast.text
    assert len(served) == 2


def test_requests_it_does_not_serve_go_to_the_routes(
    client: TestClient, portfolio: Portfolio, served: list[str | None]
) -> None:
    # not signed in, or an unknown cookie: the routes' 401 / login redirect
    anonymous = client.get("/worklist", follow_redirects=False)
    client.cookies.set("arrears_session", "not-a-session")
    unknown = client.get(f"/accounts/{portfolio.own[0]}", follow_redirects=False)
    assert anonymous.status_code in (303, 401)
    assert unknown.status_code == anonymous.status_code  # tried, found no session, fell through to the route

    login(client, "agent1")
    served.clear()
    assert client.get("/worklist?page=1").status_code == 200  # a query string: validated by the route
    assert client.get("/worklist?page=0").status_code == 422
    assert client.get(f"/accounts/{portfolio.own[0]}/reveal").status_code == 405  # another route's path
    assert client.post("/worklist").status_code in (403, 405)
    assert served == []

"""Sign-in: the login form with CSRF, sessions and logout, bearer tokens, throttling, and the error shape."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from webkit import CSRF_RE, MovableClock, login

from arrears.services.auth import IP_MAX_FAILURES, USER_MAX_FAILURES
from arrears.storage.tables_auth import api_tokens, login_attempts, user_sessions, users

pytestmark = pytest.mark.db


def _login_form(client: TestClient, username: str, password: str) -> tuple[int, str]:
    page = client.get("/login")
    token = CSRF_RE.search(page.text)
    assert token
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": token.group(1)},
                    follow_redirects=False)
    return r.status_code, r.text


def test_pages_redirect_to_login_and_api_says_401(client: TestClient) -> None:
    r = client.get("/worklist", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=%2Fworklist")
    r = client.get("/api/v1/accounts")
    assert r.status_code == 401
    body = r.json()["error"]
    assert body["code"] == "not_authenticated"
    assert body["message"] == "请先登录。" and body["message_en"] == "Please sign in."


def test_login_sets_a_secure_session_and_logout_ends_it(client: TestClient, engine: Engine) -> None:
    page = client.get("/login")
    token = CSRF_RE.search(page.text)
    assert token
    r = client.post("/login", data={"username": "agent1", "password": "demo", "csrf_token": token.group(1),
                                    "next": "/accounts/B001"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/accounts/B001"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("arrears_session="))
    assert "HttpOnly" in cookie and "Secure" in cookie and "samesite=lax" in cookie.lower()
    secret = cookie.split(";")[0].split("=", 1)[1]
    with engine.connect() as conn:  # only a digest is stored
        stored = conn.execute(select(user_sessions.c.session_hash)).scalars().all()
    assert len(stored) == 1 and secret not in stored[0] and len(stored[0]) == 64
    assert client.get("/worklist").status_code == 200
    csrf = CSRF_RE.search(client.get("/worklist").text)
    assert csrf
    r = client.post("/logout", data={"csrf_token": csrf.group(1)}, follow_redirects=False)
    assert r.status_code == 303
    client.cookies.set("arrears_session", secret, domain="testserver")  # replaying the old cookie does not work
    assert client.get("/worklist", follow_redirects=False).status_code == 303


def test_open_redirects_are_refused(client: TestClient) -> None:
    page = client.get("/login")
    token = CSRF_RE.search(page.text)
    assert token
    r = client.post("/login", data={"username": "agent1", "password": "demo", "csrf_token": token.group(1),
                                    "next": "//evil.example/x"}, follow_redirects=False)
    assert r.headers["location"] == "/worklist"


def test_login_without_the_form_token_is_rejected(client: TestClient) -> None:
    r = client.post("/login", data={"username": "agent1", "password": "demo"}, follow_redirects=False)
    assert r.status_code == 403
    assert "arrears_session" not in r.headers.get("set-cookie", "")
    client.get("/login")  # cookie set, but the form carries another value
    r = client.post("/login", data={"username": "agent1", "password": "demo", "csrf_token": "forged"},
                    follow_redirects=False)
    assert r.status_code == 403


def test_state_changing_requests_need_the_session_csrf_token(client: TestClient, engine: Engine) -> None:
    csrf = login(client, "agent1")
    r = client.post("/logout", follow_redirects=False)
    assert r.status_code == 403
    r = client.post("/logout", data={"csrf_token": "wrong"}, follow_redirects=False)
    assert r.status_code == 403
    r = client.post("/accounts/B001/reveal", data={"contact_point_id": "CP-B001", "reason": "call"})
    assert r.status_code == 403 and "13812340001" not in r.text
    r = client.post("/api/v1/accounts/B001/reveal", json={"contact_point_id": "CP-B001", "reason": "call"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
    # The header (as HTMX sends it) is accepted.
    r = client.post("/accounts/B001/reveal", data={"contact_point_id": "CP-B001", "reason": "call"},
                    headers={"X-CSRF-Token": csrf, "HX-Request": "true"})
    assert r.status_code == 200 and "13812340001" in r.text
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(user_sessions)).scalar_one() == 1


def test_wrong_password_gives_the_same_answer_as_an_unknown_user(client: TestClient) -> None:
    a = client.post("/api/v1/auth/token", data={"username": "agent1", "password": "nope"})
    b = client.post("/api/v1/auth/token", data={"username": "nobody", "password": "nope"})
    assert a.status_code == b.status_code == 401
    assert a.json() == b.json()
    assert a.json()["error"]["code"] == "invalid_credentials"


def test_user_is_locked_after_repeated_failures_even_with_the_right_password(
    client: TestClient, clock: MovableClock, engine: Engine
) -> None:
    for _ in range(USER_MAX_FAILURES):
        assert _login_form(client, "agent2", "wrong")[0] == 401
    status, text = _login_form(client, "agent2", "demo")
    assert status == 429 and "锁定" in text
    r = client.post("/api/v1/auth/token", data={"username": "agent2", "password": "demo"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert r.json()["error"]["code"] == "login_locked"
    assert client.post("/api/v1/auth/token", data={"username": "agent1", "password": "demo"}).status_code == 200
    clock.advance(timedelta(minutes=16))
    assert client.post("/api/v1/auth/token", data={"username": "agent2", "password": "demo"}).status_code == 200
    with engine.connect() as conn:
        row = conn.execute(select(users.c.failed_logins, users.c.locked_until).where(users.c.username == "agent2")).one()
        attempts = conn.execute(select(func.count()).select_from(login_attempts)
                                .where(login_attempts.c.username == "agent2")).scalar_one()
    assert row.failed_logins == 0 and row.locked_until is None
    assert attempts == USER_MAX_FAILURES + 3


def test_an_address_that_keeps_failing_is_throttled(client: TestClient, clock: MovableClock) -> None:
    for i in range(IP_MAX_FAILURES):
        assert client.post("/api/v1/auth/token", data={"username": f"guess{i}", "password": "x"}).status_code == 401
    r = client.post("/api/v1/auth/token", data={"username": "agent1", "password": "demo"})
    assert r.status_code == 429 and r.json()["error"]["code"] == "login_throttled"
    clock.advance(timedelta(minutes=16))
    assert client.post("/api/v1/auth/token", data={"username": "agent1", "password": "demo"}).status_code == 200


def test_bearer_token_flow(client: TestClient, engine: Engine, bearer: Callable[[str], dict[str, str]],
                           clock: MovableClock) -> None:
    r = client.post("/api/v1/auth/token", data={"username": "lead1", "password": "demo", "grant_type": "password"})
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] > 0
    h = {"Authorization": f"Bearer {body['access_token']}"}
    me = client.get("/api/v1/auth/me", headers=h).json()
    assert me["role"] == "team_lead" and me["team_id"] == "t1"
    with engine.connect() as conn:
        hashes = conn.execute(select(api_tokens.c.token_hash)).scalars().all()
    assert body["access_token"] not in hashes
    assert client.post("/api/v1/auth/revoke", headers=h).status_code == 204
    r = client.get("/api/v1/auth/me", headers=h)
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_token"
    h2 = bearer("agent1")
    clock.advance(timedelta(hours=9))  # tokens live 8 hours
    assert client.get("/api/v1/auth/me", headers=h2).status_code == 401


def test_error_shape_for_validation_and_unknown_routes_in_both_languages(client: TestClient) -> None:
    r = client.post("/api/v1/auth/token", data={"username": "agent1"}, headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "validation_failed" and err["message"] == "Some fields are not valid."
    assert [f["field"] for f in err["fields"]] == ["body.password"]
    r = client.get("/api/v1/no-such-thing")
    assert r.status_code == 404 and r.json()["error"]["message"] == "找不到该页面或资源。"
    r = client.get("/api/v1/no-such-thing?lang=en")
    assert r.json()["error"]["message"] == "Not found."

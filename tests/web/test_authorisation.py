"""The authorisation suite: for EVERY route of the OpenAPI spec (all methods, the workspace's included, since
it walks the spec), agent1 (team t1) calls it with path parameters and body ids pointing at another team's
account (agent2's B101, team t2) and must get 403 or 404; routes without such ids must not leak another team's
data; and nothing in the database changes except the logs.

Other features add ids of their own objects that belong to B101 through `FOREIGN_SEEDERS` (a function
(engine) -> {param name: id}); unknown path parameters get B101-owned guesses and so must also 403/404."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from work_seed import seed_foreign_workspace

from arrears.storage.tables import metadata

pytestmark = pytest.mark.db

FOREIGN = "B101"  # agent2's account, team t2
FOREIGN_IDS: dict[str, str] = {
    "borrower_id": FOREIGN,
    "account_id": FOREIGN,
    "loan_id": f"L-{FOREIGN}",
    "contact_point_id": f"CP-{FOREIGN}",
    "party_id": f"M-{FOREIGN}",
    "attempt_id": f"A-{FOREIGN}",
    "hold_id": f"H-{FOREIGN}",
    "agent_id": "agent2",
    "team_id": "t2",
}
# Features append seeders that create their own objects on B101 and return {param name: id}.
FOREIGN_SEEDERS: list[Callable[[Engine], dict[str, str]]] = []
FOREIGN_SEEDERS.append(seed_foreign_workspace)  # the workspace's plans and visits (tests/web/work_seed.py)

# Routes that touch no account and so are judged on leaks only.
NO_ACCOUNT = {"/login", "/logout", "/api/v1/auth/token", "/api/v1/auth/revoke", "/api/v1/auth/me"}
# Tables that only grow with logs of what happened (audit, decisions, sign-in) are not "changes".
LOG_TABLES = {"audit_log", "decision_log", "login_attempts", "api_tokens", "user_sessions"}
FOREIGN_MARKERS = ("B101", "B102", "客户B101", "客户B102", "13812340005", "13812340006")


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def example(spec: dict[str, Any], schema: dict[str, Any], name: str, ids: dict[str, str]) -> Any:
    """A valid value for `schema`, with known id fields pointing at the foreign account."""
    schema = _resolve(spec, schema)
    if name in ids:
        return ids[name]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if _resolve(spec, s).get("type") != "null"]
            return example(spec, options[0], name, ids) if options else None
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema and schema.get("type") != "object":
        return schema["default"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {k: example(spec, v, k, ids) for k, v in props.items() if k in schema.get("required", [])
                or k in ids}
    if kind == "array":
        return [example(spec, schema.get("items", {}), name, ids)] if schema.get("minItems") else []
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1 if "minimum" not in schema else int(schema["minimum"]))
    if kind == "number":
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date":
            return date(2026, 3, 10).isoformat()
        if fmt == "date-time":
            return "2026-03-10T10:00:00+08:00"
        return "x" * max(1, int(schema.get("minLength", 1)))
    return None


def _snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for name, table in metadata.tables.items():
            if name in LOG_TABLES:
                continue
            out[name] = sorted((tuple(r) for r in conn.execute(select(table))), key=repr)
    return out


def _operations(app: FastAPI) -> list[tuple[str, str, dict[str, Any]]]:
    spec = app.openapi()
    ops = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                ops.append((path, method, op))
    return ops


def test_agent_cannot_read_or_change_another_teams_account_through_any_route(
    app: FastAPI, client: TestClient, engine: Engine, bearer: Callable[[str], dict[str, str]]
) -> None:
    ids = dict(FOREIGN_IDS)
    for seed in FOREIGN_SEEDERS:
        ids.update(seed(engine))
    spec = app.openapi()
    h = bearer("agent1")
    before = _snapshot(engine)
    checked: list[str] = []
    failures: list[str] = []
    for path, method, op in _operations(app):
        if path in NO_ACCOUNT:
            continue
        params = {p["name"]: p for p in op.get("parameters", [])}
        url = path
        touches = False
        for name, p in params.items():
            if p["in"] == "path":
                url = url.replace("{" + name + "}", ids.get(name, FOREIGN))
                touches = True
        # Query ids only narrow a list (never widen it): those routes are judged on leaks.
        query = {n: ids[n] for n, p in params.items() if p["in"] == "query" and n in ids}
        kwargs: dict[str, Any] = {"params": query, "headers": h}
        body = op.get("requestBody", {}).get("content", {})
        for ctype, media in body.items():
            value = example(spec, media.get("schema", {}), "", ids)
            if isinstance(value, dict) and any(k in ids for k in value):
                touches = True
            if ctype == "application/json":
                kwargs["json"] = value
            else:
                kwargs["data"] = value
            break
        r = client.request(method.upper(), url, follow_redirects=False, **kwargs)
        checked.append(f"{method.upper()} {path}")
        if r.status_code >= 500:
            failures.append(f"{method.upper()} {url}: {r.status_code}")
        elif touches and r.status_code not in (403, 404):
            failures.append(f"{method.upper()} {url}: expected 403/404, got {r.status_code} {r.text[:200]}")
        elif not touches and r.status_code < 400:
            leaked = [m for m in FOREIGN_MARKERS if m in r.text]
            if leaked:
                failures.append(f"{method.upper()} {url}: leaks {leaked}")
    assert not failures, "\n".join(failures)
    assert _snapshot(engine) == before, "a request changed data"
    # The walk covered the routes that touch accounts (sanity: the suite cannot pass by skipping them).
    for must in ("GET /api/v1/accounts/{borrower_id}", "GET /api/v1/accounts/{borrower_id}/attempts",
                 "POST /api/v1/accounts/{borrower_id}/reveal", "GET /accounts/{borrower_id}",
                 "POST /accounts/{borrower_id}/reveal", "GET /api/v1/accounts", "GET /api/v1/worklist"):
        assert must in checked


def test_the_same_walk_succeeds_on_the_agents_own_account(
    app: FastAPI, client: TestClient, bearer: Callable[[str], dict[str, str]]
) -> None:
    """Guards the suite itself: with agent1's own ids the account routes answer (so the 404s above come from
    the access check, not from malformed requests)."""
    spec = app.openapi()
    own = {k: v.replace(FOREIGN, "B001") for k, v in FOREIGN_IDS.items()} | {"agent_id": "agent1", "team_id": "t1"}
    h = bearer("agent1")
    for path, method, op in _operations(app):
        if path not in ("/api/v1/accounts/{borrower_id}", "/api/v1/accounts/{borrower_id}/attempts",
                        "/api/v1/accounts/{borrower_id}/reveal", "/accounts/{borrower_id}"):
            continue
        url = path.replace("{borrower_id}", "B001")
        kwargs: dict[str, Any] = {"headers": h}
        for ctype, media in op.get("requestBody", {}).get("content", {}).items():
            value = example(spec, media.get("schema", {}), "", own)
            kwargs["json" if ctype == "application/json" else "data"] = value
            break
        r = client.request(method.upper(), url, **kwargs)
        assert r.status_code == 200, f"{method} {path}: {r.status_code} {r.text[:300]}"

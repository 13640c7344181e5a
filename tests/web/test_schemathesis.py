"""Property-based fuzzing of every operation of the OpenAPI spec (schemathesis), signed in with a bearer token:
no request may make the server fail (5xx), and every API error has the documented shape. Kept small (a few
examples per operation) so it runs in seconds."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings

pytestmark = pytest.mark.db

MAX_EXAMPLES = 6


def test_no_operation_returns_a_server_error(app: FastAPI, bearer: Callable[[str], dict[str, str]]) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = bearer("agent1")  # before any fuzzed sign-in attempt can throttle this address
    failures: list[str] = []
    answered: set[str] = set()  # operations that answered 2xx at least once (the token was used)
    # Revoking would revoke the fuzzer's own token (revocation is tested in test_auth.py).
    operations = [op for op in (result.ok() for result in schema.get_all_operations())
                  if op.path != "/api/v1/auth/revoke"]
    assert len(operations) >= 10

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: schemathesis.Case) -> None:
            try:
                response = case.call(headers=headers)
            except Exception as exc:  # the test client re-raises what the app's 500 handler answered
                failures.append(f"{case.method} {case.formatted_path}: 500 ({type(exc).__name__}: {exc})"[:300])
                return
            if response.status_code < 300:
                answered.add(f"{case.method} {case.path}")
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}")
            elif case.path.startswith("/api/") and response.status_code >= 400:
                err = response.json().get("error", {})
                if not {"code", "message", "message_en", "fields"} <= err.keys():
                    failures.append(f"{case.method} {case.formatted_path}: error shape {response.text[:300]}")

        run()
    assert not failures, "\n".join(failures[:20])
    assert {"GET /api/v1/accounts", "GET /api/v1/worklist", "POST /api/v1/guard/check"} <= answered, answered

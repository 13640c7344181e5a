"""The router registry: `create_app` includes every router in `ROUTERS`, in order.

To add routes, create `web/routes/<name>.py` with `router = APIRouter(...)` and append ONE import line and ONE
list entry below. Page routes take `tags=["pages"]`; API routes live under `/api/v1` and use the error shape
of web/errors.py. Every route that touches an account takes `AccountScope` and checks it (see README.md) -
tests/web/test_authorisation.py walks app.openapi() and proves it for every route.
"""

from __future__ import annotations

from fastapi import APIRouter

from arrears.web.routes import (
    api_accounts,
    api_checks,
    auth,
    pages,
    work_api_account,
    work_api_library,
    work_api_plans,
    work_pages,
    work_pages_manage,
)

ROUTERS: list[APIRouter] = [
    auth.pages,
    auth.api,
    pages.router,
    api_accounts.router,
    api_checks.router,
    # the workspace (W2): one import line above and its routers here
    work_pages.router,
    work_pages_manage.router,
    work_api_account.router,
    work_api_plans.router,
    work_api_library.router,
]

"""Pages: the worklist and the customer view (with the audited reveal of a contact value)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from arrears.services import accounts as accounts_service
from arrears.services import personal
from arrears.services import worklist as worklist_service
from arrears.services.account_views import CustomerView
from arrears.web.deps import AccountScope, ClockDep, CurrentUser, DbEngine, Page, PageContext
from arrears.web.errors import ApiError
from arrears.web.panels import ACCOUNT_PANELS, ACCOUNT_PREFETCH, WORKLIST_PANELS, PanelContext, collect
from arrears.web.schemas.accounts import RevealReason
from arrears.web.schemas.common import ERRORS
from arrears.web.templating import render

router = APIRouter(tags=["pages"], responses=ERRORS)


@router.get("/", summary="Home -> worklist / 首页", response_class=RedirectResponse)
def home() -> RedirectResponse:
    return RedirectResponse("/worklist", status_code=303)


@router.get("/worklist", summary="Worklist page / 工作清单页面")
def worklist_page(
    request: Request,
    ctx: Page,
    plan_date: Annotated[date | None, Query(alias="date")] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    return worklist_response(request, ctx, plan_date, page)


def worklist_response(request: Request, ctx: PageContext, plan_date: date | None = None, page: int = 1) -> Response:
    """The worklist page (the route's work; web/hotpath.py serves the plain request with it too)."""
    day = plan_date or accounts_service.local_date(ctx.clock, ctx.timezone)

    def panels(conn: Connection) -> dict[str, object]:
        return collect(
            WORKLIST_PANELS, PanelContext(ctx.engine, ctx.clock, ctx.user, ctx.scope, ctx.lang, conn=conn)
        )

    wl, work = worklist_service.worklist_with(
        ctx.engine, scope=ctx.scope, plan_date=day, page=page, size=100, also=panels
    )
    return render(request, "worklist.html", {"wl": wl, "work": work})


@router.get("/accounts/{borrower_id}", summary="Customer view page / 客户视图页面")
def account_page(request: Request, borrower_id: str, ctx: Page) -> Response:
    return account_response(request, borrower_id, ctx)


def account_response(request: Request, borrower_id: str, ctx: PageContext) -> Response:
    """The customer view page, audited (the route's work; web/hotpath.py serves the plain request with it too).
    Raises `NotVisible` for an account out of the user's scope (the app's handler answers 404)."""

    def panels(conn: Connection, view: CustomerView) -> dict[str, object]:
        return collect(
            ACCOUNT_PANELS,
            PanelContext(
                ctx.engine, ctx.clock, ctx.user, ctx.scope, ctx.lang, borrower_id, conn=conn, view=view
            ),
        )

    # one connection and one transaction: the view, the panels, then the audit record
    view, work = accounts_service.customer_view_with(
        ctx.engine,
        user=ctx.user,
        scope=ctx.scope,
        borrower_id=borrower_id,
        clock=ctx.clock,
        timezone=ctx.timezone,
        also=panels,
        prefetch=ACCOUNT_PREFETCH,
    )
    return render(
        request,
        "account.html",
        {"v": view, "account": view.profile, "work": work, "reasons": personal.REASONS},
    )


@router.post(
    "/accounts/{borrower_id}/reveal", summary="Reveal a contact value (audited) / 查看完整号码（留痕）"
)
def reveal_page(
    request: Request,
    borrower_id: str,
    engine: DbEngine,
    user: CurrentUser,
    scope: AccountScope,
    clock: ClockDep,
    contact_point_id: Annotated[str, Form(min_length=1, max_length=64)],
    reason: Annotated[RevealReason, Form()],
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    try:
        shown = personal.reveal_contact_point(
            engine,
            user=user,
            scope=scope,
            clock=clock,
            borrower_id=borrower_id,
            contact_point_id=contact_point_id,
            reason=reason,
            note=note,
        )
    except personal.RevealError as exc:
        if exc.code == "contact_not_found":
            raise ApiError(404, "contact_not_found") from exc
        raise ApiError(422, "reveal_reason") from exc
    page = "_revealed.html" if request.headers.get("hx-request") else "revealed.html"
    return render(request, page, {"shown": shown, "borrower_id": borrower_id})

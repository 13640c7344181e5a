"""API: accounts (only those the caller may see), the customer view, contact history, the audited reveal, and
the worklist."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from arrears.services import accounts as accounts_service
from arrears.services import personal
from arrears.services import worklist as worklist_service
from arrears.web.deps import AccountScope, ClockDep, CurrentUser, DbEngine, Timezone
from arrears.web.errors import ApiError
from arrears.web.schemas.accounts import (
    AccountPageOut,
    AttemptPageOut,
    CustomerViewOut,
    RevealIn,
    RevealOut,
    WorklistOut,
)
from arrears.web.schemas.common import ERRORS

router = APIRouter(prefix="/api/v1", responses=ERRORS)

Page = Annotated[int, Query(ge=1, le=1_000_000, description="1-based page number")]
Size = Annotated[int, Query(ge=1, le=200, description="Items per page")]


@router.get("/accounts", response_model=AccountPageOut, tags=["accounts"],
            summary="Accounts you may see / 可查看的账户")
def list_accounts(engine: DbEngine, scope: AccountScope, page: Page = 1, size: Size = 50) -> AccountPageOut:
    return AccountPageOut.model_validate(accounts_service.list_accounts(engine, scope=scope, page=page, size=size))


@router.get("/accounts/{borrower_id}", response_model=CustomerViewOut, tags=["accounts"],
            summary="Customer view (masked) / 客户视图（脱敏）")
def get_account(
    borrower_id: str, engine: DbEngine, user: CurrentUser, scope: AccountScope, clock: ClockDep, tz: Timezone
) -> CustomerViewOut:
    view = accounts_service.customer_view(engine, user=user, scope=scope, borrower_id=borrower_id, clock=clock,
                                          timezone=tz, audit_source="api")
    return CustomerViewOut.model_validate(view)


@router.get("/accounts/{borrower_id}/attempts", response_model=AttemptPageOut, tags=["attempts"],
            summary="Contact history / 联系记录")
def list_attempts(
    borrower_id: str, engine: DbEngine, scope: AccountScope, page: Page = 1, size: Size = 50
) -> AttemptPageOut:
    items, total = accounts_service.list_attempts(engine, scope=scope, borrower_id=borrower_id, page=page,
                                                  size=size)
    return AttemptPageOut.model_validate({"items": items, "page": page, "size": size, "total": total})


@router.post("/accounts/{borrower_id}/reveal", response_model=RevealOut, tags=["accounts"],
             summary="Reveal one contact value (audited) / 查看完整联系方式（留痕）")
def reveal(
    borrower_id: str, body: RevealIn, engine: DbEngine, user: CurrentUser, scope: AccountScope, clock: ClockDep
) -> RevealOut:
    try:
        shown = personal.reveal_contact_point(engine, user=user, scope=scope, clock=clock, borrower_id=borrower_id,
                                              contact_point_id=body.contact_point_id, reason=body.reason,
                                              note=body.note)
    except personal.RevealError as exc:
        if exc.code == "contact_not_found":
            raise ApiError(404, "contact_not_found") from exc
        raise ApiError(422, fields=[{"field": f"body.{exc.field}", "message": "原因无效或缺少说明",
                                     "message_en": "invalid reason, or a note is missing"}]) from exc
    return RevealOut(contact_point_id=shown.contact_point_id, kind=shown.kind, value=shown.value)


@router.get("/worklist", response_model=WorklistOut, tags=["worklist"],
            summary="Today's worklist / 今日工作清单")
def get_worklist(
    engine: DbEngine, scope: AccountScope, clock: ClockDep, tz: Timezone,
    plan_date: Annotated[date | None, Query(alias="date", description="Default: today (operation time zone)")] = None,
    agent_id: Annotated[str | None, Query(max_length=64, description="Narrow to one agent (leads)")] = None,
    page: Page = 1,
    size: Annotated[int, Query(ge=1, le=500)] = 100,
) -> WorklistOut:
    day = plan_date or accounts_service.local_date(clock, tz)
    wl = worklist_service.worklist(engine, scope=scope, plan_date=day, page=page, size=size, agent_id=agent_id)
    return WorklistOut.model_validate(wl)

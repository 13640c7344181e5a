"""API of payment plans (propose, approve, reject) and field visits (request, approve, schedule, check in/out)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, status

from arrears.services.workspace import plans, queries, visits
from arrears.services.workspace.common import WorkspaceError
from arrears.web.deps import ClockDep, Compliance, CurrentUser, DbEngine, Lang, RequireRoles
from arrears.web.routes.work_shared import api_error, jsonable, settings_of
from arrears.web.schemas.common import ERRORS
from arrears.web.schemas.work import (
    Created,
    PlanDecisionIn,
    PlanIn,
    PlanOut,
    Rows,
    StatusOut,
    VisitCheckOut,
    VisitCheckOutIn,
    VisitIn,
    VisitScheduleIn,
)

RecordId = Annotated[int, Path(ge=1, le=2**31 - 1)]
router = APIRouter(prefix="/api/v1", tags=["plans and visits"], responses=ERRORS)


def _plan_out(r: plans.PlanResult) -> PlanOut:
    return PlanOut(plan_id=r.plan_id, status=r.status, schedule=list(r.schedule), hold_id=r.hold_id)


@router.get("/accounts/{borrower_id}/plans", response_model=Rows, summary="Payment plans / 还款计划")
def list_plans(borrower_id: str, engine: DbEngine, user: CurrentUser) -> Rows:
    return Rows(items=jsonable(queries.account_workspace(engine, user=user, borrower_id=borrower_id)["plans"]))


@router.post("/accounts/{borrower_id}/plans", status_code=status.HTTP_201_CREATED, response_model=PlanOut,
             summary="Propose a plan or settlement / 提交还款计划")
def propose(borrower_id: str, body: PlanIn, request: Request, engine: DbEngine, user: CurrentUser, clock: ClockDep,
            lang: Lang) -> PlanOut:
    try:
        return _plan_out(plans.propose_plan(engine, clock=clock, settings=settings_of(request), user=user,
                                            borrower_id=borrower_id, **body.model_dump()))
    except WorkspaceError as e:
        raise api_error(e, lang) from e


@router.post("/plans/{plan_id}/approve", response_model=PlanOut, summary="Approve a plan (team lead) / 审批通过",
             dependencies=[Depends(RequireRoles("team_lead"))])
def approve(plan_id: RecordId, body: PlanDecisionIn, request: Request, engine: DbEngine, user: CurrentUser,
            clock: ClockDep, lang: Lang) -> PlanOut:
    try:
        return _plan_out(plans.approve_plan(engine, clock=clock, settings=settings_of(request), user=user,
                                            plan_id=plan_id, note=body.note))
    except WorkspaceError as e:
        raise api_error(e, lang) from e


@router.post("/plans/{plan_id}/reject", response_model=StatusOut, summary="Reject a plan (team lead) / 驳回",
             dependencies=[Depends(RequireRoles("team_lead"))])
def reject(plan_id: RecordId, body: PlanDecisionIn, request: Request, engine: DbEngine, user: CurrentUser,
           clock: ClockDep, lang: Lang) -> StatusOut:
    try:
        plans.reject_plan(engine, clock=clock, settings=settings_of(request), user=user, plan_id=plan_id, note=body.note)
    except WorkspaceError as e:
        raise api_error(e, lang) from e
    return StatusOut(status="cancelled")


@router.get("/accounts/{borrower_id}/visits", response_model=Rows, summary="Field visits / 上门记录")
def list_visits(borrower_id: str, engine: DbEngine, user: CurrentUser) -> Rows:
    return Rows(items=jsonable(queries.account_workspace(engine, user=user, borrower_id=borrower_id)["visits"]))


@router.post("/accounts/{borrower_id}/visits", status_code=status.HTTP_201_CREATED, response_model=Created,
             summary="Request a field visit / 申请上门")
def request_visit(borrower_id: str, body: VisitIn, engine: DbEngine, user: CurrentUser, clock: ClockDep,
                  lang: Lang) -> Created:
    try:
        return Created(id=visits.request_visit(engine, clock=clock, user=user, borrower_id=borrower_id,
                                               **body.model_dump()))
    except WorkspaceError as e:
        raise api_error(e, lang) from e


def _decide(visit_id: RecordId, approve: bool, body: PlanDecisionIn, engine: DbEngine, user: CurrentUser,
            clock: ClockDep, lang: str) -> StatusOut:
    try:
        return StatusOut(status=visits.decide_visit(engine, clock=clock, user=user, visit_id=visit_id,
                                                    approve=approve, note=body.note))
    except WorkspaceError as e:
        raise api_error(e, lang) from e


@router.post("/visits/{visit_id}/approve", response_model=StatusOut, summary="Approve a visit (team lead) / 批准上门",
             dependencies=[Depends(RequireRoles("team_lead"))])
def approve_visit(visit_id: RecordId, body: PlanDecisionIn, engine: DbEngine, user: CurrentUser, clock: ClockDep,
                  lang: Lang) -> StatusOut:
    return _decide(visit_id, True, body, engine, user, clock, lang)


@router.post("/visits/{visit_id}/reject", response_model=StatusOut, summary="Reject a visit (team lead) / 驳回上门",
             dependencies=[Depends(RequireRoles("team_lead"))])
def reject_visit(visit_id: RecordId, body: PlanDecisionIn, engine: DbEngine, user: CurrentUser, clock: ClockDep,
                 lang: Lang) -> StatusOut:
    return _decide(visit_id, False, body, engine, user, clock, lang)


@router.post("/visits/{visit_id}/schedule", response_model=VisitCheckOut,
             summary="Schedule a visit (checked against CN-VISIT-1) / 安排上门")
def schedule(visit_id: RecordId, body: VisitScheduleIn, request: Request, engine: DbEngine, user: CurrentUser,
             clock: ClockDep, lang: Lang, service: Compliance) -> VisitCheckOut:
    try:
        r = visits.schedule_visit(engine, clock=clock, settings=settings_of(request), user=user, visit_id=visit_id,
                                  start=body.start, end=body.end, staff=tuple(body.staff), recording=body.recording,
                                  notice_given_at=body.notice_given_at, service=service)
    except WorkspaceError as e:
        raise api_error(e, lang) from e
    return VisitCheckOut(allowed=r.allowed, rules=list(r.rules),
                         reasons={"zh": list(r.reasons_zh), "en": list(r.reasons_en)})


@router.post("/visits/{visit_id}/check-in", response_model=StatusOut, summary="Check in at a visit / 上门签到")
def visit_check_in(visit_id: RecordId, request: Request, engine: DbEngine, user: CurrentUser, clock: ClockDep,
                   lang: Lang, service: Compliance) -> StatusOut:
    try:
        visits.check_in(engine, clock=clock, settings=settings_of(request), user=user, visit_id=visit_id,
                        service=service)
    except WorkspaceError as e:
        raise api_error(e, lang) from e
    return StatusOut(status="checked_in")


@router.post("/visits/{visit_id}/check-out", response_model=StatusOut, summary="Check out of a visit / 上门签退")
def visit_check_out(visit_id: RecordId, body: VisitCheckOutIn, engine: DbEngine, user: CurrentUser, clock: ClockDep,
                    lang: Lang) -> StatusOut:
    try:
        visits.check_out(engine, clock=clock, user=user, visit_id=visit_id, outcome=body.outcome, notes=body.notes)
    except WorkspaceError as e:
        raise api_error(e, lang) from e
    return StatusOut(status="completed")

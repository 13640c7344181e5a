"""Workspace pages: plan and visit forms and approvals, the script library (team leads edit) and the outbox."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from arrears.services.workspace import plans, queries, visits
from arrears.services.workspace.common import WorkspaceError
from arrears.services.workspace.scripts import (
    SCENARIOS,
    get_script,
    latest_scripts,
    save_script,
    script_history,
)
from arrears.textguard.guard import default_guard
from arrears.web.deps import ClockDep, Compliance, CurrentUser, DbEngine, Lang, RequireRoles
from arrears.web.errors import ApiError
from arrears.web.routes.work_pages import _local, _minor, panel
from arrears.web.routes.work_shared import api_error, lang2, settings_of
from arrears.web.schemas.common import ERRORS
from arrears.web.templating import render

RecordId = Annotated[int, Path(ge=1, le=2**31 - 1)]
router = APIRouter(tags=["pages"], responses=ERRORS)
Opt = Annotated[str, Form(max_length=64)]


def _back(request: Request, engine: Any, user: Any, lang: str, borrower_id: str | None, now: Any,
          err: WorkspaceError | None = None) -> Response:
    if borrower_id is None or request.headers.get("hx-target") == "approvals" or not request.headers.get("hx-request"):
        if err is not None:
            raise api_error(err, lang)
        return RedirectResponse(request.headers.get("referer") or "/worklist", status_code=303)
    return panel(request, engine, user, lang, borrower_id, now, error=err.message(lang2(lang)) if err else None)


@router.post("/accounts/{borrower_id}/work/plans", summary="Propose a plan (form) / 提交还款计划")
def plan_form(request: Request, borrower_id: str, engine: DbEngine, user: CurrentUser, clock: ClockDep, lang: Lang,
              loan_id: Opt, instalment_count: Annotated[int, Form(ge=1, le=36)],
              first_due: Annotated[date, Form()], interval_days: Annotated[int, Form(ge=7, le=31)] = 30,
              waiver: Annotated[str, Form(max_length=20)] = "", note: Annotated[str, Form(max_length=1000)] = "") -> Response:
    try:
        plans.propose_plan(engine, clock=clock, settings=settings_of(request), user=user, borrower_id=borrower_id,
                           loan_id=loan_id, instalment_count=instalment_count, first_due=first_due,
                           interval_days=interval_days, waiver_minor=_minor(waiver) or 0, note=note)
    except WorkspaceError as e:
        return _back(request, engine, user, lang, borrower_id, clock.now(), e)
    return _back(request, engine, user, lang, borrower_id, clock.now())


@router.post("/work/plans/{plan_id}/{action}", summary="Approve or reject a plan (team lead) / 审批还款计划")
def plan_decision(request: Request, plan_id: RecordId, action: str, engine: DbEngine, user: CurrentUser, clock: ClockDep,
                  lang: Lang, note: Annotated[str, Form(max_length=1000)] = "") -> Response:
    b = queries.owner_of(engine, plan_id=plan_id)
    if action not in ("approve", "reject"):
        raise ApiError(404)
    try:
        if action == "approve":
            plans.approve_plan(engine, clock=clock, settings=settings_of(request), user=user, plan_id=plan_id, note=note)
        elif action == "reject":
            plans.reject_plan(engine, clock=clock, settings=settings_of(request), user=user, plan_id=plan_id,
                              note=note or "驳回")
        else:
            raise WorkspaceError("invalid", "未知操作", "unknown action", field="action")
    except WorkspaceError as e:
        return _back(request, engine, user, lang, b, clock.now(), e)
    return _back(request, engine, user, lang, b, clock.now())


@router.post("/accounts/{borrower_id}/work/visits", summary="Request a visit (form) / 申请上门")
def visit_form(request: Request, borrower_id: str, engine: DbEngine, user: CurrentUser, clock: ClockDep, lang: Lang,
               purpose: Annotated[str, Form(max_length=1000)], contact_point_id: Opt = "", loan_id: Opt = "",
               location_type: Annotated[str, Form(max_length=16)] = "home") -> Response:
    try:
        visits.request_visit(engine, clock=clock, user=user, borrower_id=borrower_id, purpose=purpose,
                             contact_point_id=contact_point_id or None, loan_id=loan_id or None,
                             location_type=location_type)
    except WorkspaceError as e:
        return _back(request, engine, user, lang, borrower_id, clock.now(), e)
    return _back(request, engine, user, lang, borrower_id, clock.now())


@router.post("/work/visits/{visit_id}/{action}", summary="Visit workflow (form) / 上门流程")
def visit_action(
    request: Request, visit_id: RecordId, action: str, engine: DbEngine, user: CurrentUser, clock: ClockDep, lang: Lang,
    service: Compliance, note: Annotated[str, Form(max_length=4000)] = "",
    start: Annotated[str, Form(max_length=32)] = "", end: Annotated[str, Form(max_length=32)] = "",
    staff_1: Opt = "", staff_2: Opt = "", recording: Annotated[str, Form(max_length=5)] = "",
    outcome: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    b = queries.owner_of(engine, visit_id=visit_id)
    if action not in ("approve", "reject", "schedule", "check-in", "check-out"):
        raise ApiError(404)
    settings = settings_of(request)
    try:
        if action in ("approve", "reject"):
            visits.decide_visit(engine, clock=clock, user=user, visit_id=visit_id, approve=action == "approve", note=note)
        elif action == "schedule":
            s, e = _local(start, settings.timezone, "start"), _local(end, settings.timezone, "end")
            if s is None or e is None:
                raise WorkspaceError("invalid", "请填写开始和结束时间", "give the start and end", field="start")
            visits.schedule_visit(engine, clock=clock, settings=settings, user=user, visit_id=visit_id, start=s, end=e,
                                  staff=(staff_1, staff_2), recording=bool(recording), service=service)
        elif action == "check-in":
            visits.check_in(engine, clock=clock, settings=settings, user=user, visit_id=visit_id, service=service)
        elif action == "check-out":
            visits.check_out(engine, clock=clock, user=user, visit_id=visit_id, outcome=outcome, notes=note)
        else:
            raise WorkspaceError("invalid", "未知操作", "unknown action", field="action")
    except WorkspaceError as e:
        return _back(request, engine, user, lang, b, clock.now(), e)
    return _back(request, engine, user, lang, b, clock.now())


@router.get("/scripts", summary="Script library page / 话术库")
def scripts_page(request: Request, engine: DbEngine, user: CurrentUser, lang: Lang,
                 script_lang: Annotated[str, Query(pattern="^(zh|en)$")] = "zh") -> Response:
    with engine.connect() as conn:
        library = latest_scripts(conn, lang=script_lang)
    return render(request, "work/scripts.html", {"scripts": library, "script_lang": script_lang,
                                                  "scenarios": SCENARIOS, "is_lead": user.role == "team_lead"})


@router.get("/scripts/{script_id}", summary="One script and its versions / 话术详情")
def script_page(request: Request, script_id: str, engine: DbEngine, user: CurrentUser, lang: Lang,
                script_lang: Annotated[str, Query(pattern="^(zh|en)$")] = "zh") -> Response:
    try:
        with engine.connect() as conn:
            current = get_script(conn, script_id, script_lang)
            history = script_history(conn, script_id, script_lang)
    except WorkspaceError as e:
        raise api_error(e, lang) from e
    return render(request, "work/script.html", {"s": current, "history": history, "script_lang": script_lang,
                                                 "is_lead": user.role == "team_lead"})


@router.post("/scripts/{script_id}", summary="Save a new version (team lead) / 保存话术新版本",
             dependencies=[Depends(RequireRoles("team_lead"))])
def script_save(request: Request, script_id: str, engine: DbEngine, user: CurrentUser, clock: ClockDep, lang: Lang,
                script_lang: Annotated[str, Form(pattern="^(zh|en)$")], body: Annotated[str, Form(max_length=2000)],
                title: Annotated[str, Form(max_length=200)] = "") -> Response:
    ctx: dict[str, Any] = {"script_lang": script_lang, "is_lead": user.role == "team_lead"}
    try:
        save_script(engine, clock=clock, user=user, checker=default_guard(), script_id=script_id, lang=script_lang,
                    body=body, title=title or None)
    except WorkspaceError as e:
        if not request.headers.get("hx-request") and e.status != 422:
            raise api_error(e, lang) from e
        ctx.update({"error": e.message(lang2(lang)), "rules": getattr(e, "rules", ()), "draft": body,
                    "spans": (getattr(e, "detail", {}) or {}).get("spans", [])})
        with engine.connect() as conn:
            ctx["s"] = get_script(conn, script_id, script_lang)
            ctx["history"] = script_history(conn, script_id, script_lang)
        return render(request, "work/script.html", ctx, status_code=422)
    return RedirectResponse(f"/scripts/{script_id}?script_lang={script_lang}", status_code=303)


@router.get("/outbox", summary="Outbox page / 发件箱")
def outbox_page(request: Request, engine: DbEngine, user: CurrentUser,
                page: Annotated[int, Query(ge=1, le=100000)] = 1) -> Response:
    rows, total = queries.list_outbox(engine, user=user, page=page, size=50)
    return render(request, "work/outbox.html", {"rows": rows, "total": total, "page": page, "size": 50})

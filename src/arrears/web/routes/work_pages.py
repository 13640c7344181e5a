"""Workspace pages (HTMX partials on the customer view): the outcome form, notes, the composer with live
feedback. Every form works without JavaScript too (POST -> 303 back to the customer view); with HTMX the
panel or the feedback box is swapped in place."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from arrears.services.account_views import CustomerView
from arrears.services.auth import User
from arrears.services.workspace import composer, outcomes, queries
from arrears.services.workspace import outbox as outbox_service
from arrears.services.workspace.common import WorkspaceError, can_read
from arrears.services.workspace.outcomes import LABELS, OutcomeKind
from arrears.services.workspace.scripts import SCENARIOS, latest_scripts_cached
from arrears.web.deps import ClockDep, Compliance, CurrentUser, DbEngine, Lang
from arrears.web.panels import PanelContext, account_panel, account_prefetch, worklist_panel
from arrears.web.routes.work_shared import api_error, lang2, settings_of, transports_of
from arrears.web.schemas.common import ERRORS
from arrears.web.templating import render

router = APIRouter(tags=["pages"], responses=ERRORS)

Text = Annotated[str, Form(max_length=4000)]
Opt = Annotated[str, Form(max_length=64)]


def panel_context(engine: Any, user: User, lang: str, borrower_id: str, now: datetime) -> dict[str, object]:
    with engine.connect() as conn:
        can_read(conn, user, borrower_id)
        return _panel(conn, user, lang, borrower_id, now, None)


def _panel(
    conn: Connection, user: User, lang: str, borrower_id: str, now: datetime, view: CustomerView | None
) -> dict[str, object]:
    ws, fingerprint = queries.read_account_workspace(conn, user=user, borrower_id=borrower_id, view=view)
    library = latest_scripts_cached(conn, lang=lang2(lang), fingerprint=fingerprint)
    return {
        "ws": ws,
        "scripts": library,
        "scenarios": SCENARIOS,
        "suggested": ws["suggested"],
        "outcome_kinds": [(k.value, LABELS[k][0 if lang != "en" else 1]) for k in OutcomeKind],
        "is_lead": user.role == "team_lead",
        "writes": user.role in ("agent", "team_lead"),
        "today": now.date().isoformat(),
    }


account_prefetch(queries.FLAGS)  # read with the customer view (one round trip fewer)


@account_panel
def _workspace_panel(ctx: PanelContext) -> dict[str, object]:
    if ctx.conn is None:
        return panel_context(ctx.engine, ctx.user, ctx.lang, ctx.borrower_id or "", ctx.clock.now())
    return _panel(ctx.conn, ctx.user, ctx.lang, ctx.borrower_id or "", ctx.clock.now(), ctx.view)


@worklist_panel
def _worklist_panel(ctx: PanelContext) -> dict[str, object]:
    now = ctx.clock.now()
    db = ctx.conn if ctx.conn is not None else ctx.engine
    return {
        "due_tasks": queries.due_tasks(db, user=ctx.user, until=now + timedelta(hours=24)),
        "approvals": queries.pending_approvals(db, user=ctx.user),
    }


def panel(
    request: Request,
    engine: Any,
    user: User,
    lang: str,
    borrower_id: str,
    now: datetime,
    *,
    message: str | None = None,
    error: str | None = None,
) -> Response:
    """The refreshed panel for HTMX; a 303 back to the customer view otherwise (errors: the error page)."""
    if not request.headers.get("hx-request"):
        if error:
            raise_error = WorkspaceError("invalid", error, error)
            raise api_error(raise_error, lang)
        return RedirectResponse(f"/accounts/{borrower_id}#work", status_code=303)
    work = panel_context(engine, user, lang, borrower_id, now)
    work.update({"message": message, "error": error})
    return render(
        request, "work/_account_panel.html", {"work": work, "account": {"borrower_id": borrower_id}}
    )


def _minor(yuan: str) -> int | None:
    if not yuan.strip():
        return None
    try:
        return int((Decimal(yuan.strip().replace(",", "")) * 100).to_integral_value())
    except InvalidOperation:
        raise WorkspaceError(
            "invalid", "金额格式不正确", "the amount is not a number", field="amount"
        ) from None


def _local(value: str, tz: str, field: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        dt = datetime.fromisoformat(value.strip())
    except ValueError:
        raise WorkspaceError("invalid", "时间格式不正确", "the time is not valid", field=field) from None
    return dt if dt.tzinfo else dt.replace(tzinfo=ZoneInfo(tz))


@router.post("/accounts/{borrower_id}/work/outcome", summary="Log an outcome (form) / 记录联系结果")
def outcome_form(
    request: Request,
    borrower_id: str,
    engine: DbEngine,
    user: CurrentUser,
    clock: ClockDep,
    lang: Lang,
    kind: Annotated[str, Form(max_length=32)],
    contact_point_id: Opt = "",
    party_id: Opt = "",
    loan_id: Opt = "",
    channel: Annotated[str, Form(max_length=16)] = "call",
    amount: Annotated[str, Form(max_length=20)] = "",
    due_date: Annotated[str, Form(max_length=10)] = "",
    callback_at: Annotated[str, Form(max_length=32)] = "",
    stop_scope: Annotated[str, Form(max_length=16)] = "contact_point",
    written: Annotated[str, Form(max_length=5)] = "",
    note: Text = "",
) -> Response:
    settings = settings_of(request)
    try:
        due = date.fromisoformat(due_date) if due_date.strip() else None
    except ValueError:
        due = None
    try:
        r = outcomes.log_outcome(
            engine,
            clock=clock,
            settings=settings,
            user=user,
            borrower_id=borrower_id,
            kind=kind,
            party_id=party_id or None,
            contact_point_id=contact_point_id or None,
            channel=channel,
            loan_id=loan_id or None,
            amount_minor=_minor(amount),
            due_date=due,
            callback_at=_local(callback_at, settings.timezone, "callback_at"),
            stop_scope=stop_scope,
            written=bool(written),
            note=note,
        )
    except WorkspaceError as e:
        return panel(request, engine, user, lang, borrower_id, clock.now(), error=e.message(lang2(lang)))
    label = LABELS[r.kind][0 if lang != "en" else 1]
    return panel(request, engine, user, lang, borrower_id, clock.now(), message=label)


@router.post("/accounts/{borrower_id}/work/notes", summary="Add a note (form) / 添加备注")
def note_form(
    request: Request,
    borrower_id: str,
    engine: DbEngine,
    user: CurrentUser,
    clock: ClockDep,
    lang: Lang,
    body: Text,
) -> Response:
    try:
        outcomes.add_note(engine, clock=clock, user=user, borrower_id=borrower_id, body=body)
    except WorkspaceError as e:
        return panel(request, engine, user, lang, borrower_id, clock.now(), error=e.message(lang2(lang)))
    return panel(request, engine, user, lang, borrower_id, clock.now())


@router.get(
    "/accounts/{borrower_id}/work/compose/template", summary="Fill the composer from a script / 套用话术"
)
def compose_template(
    request: Request,
    borrower_id: str,
    engine: DbEngine,
    user: CurrentUser,
    lang: Lang,
    script_id: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    try:
        if script_id:
            text = composer.render_script(
                engine, user=user, borrower_id=borrower_id, script_id=script_id, lang=lang2(lang)
            )
        else:  # "write my own": an empty box (after the same access check)
            composer.require_account(engine, user=user, borrower_id=borrower_id)
            text = ""
    except WorkspaceError as e:
        raise api_error(e, lang) from e
    return render(
        request,
        "work/_compose_text.html",
        {"text": text, "script_id": script_id, "account": {"borrower_id": borrower_id}},
    )


def _compose_args(
    request: Request,
    borrower_id: str,
    user: User,
    channel: str,
    contact_point_id: str,
    text: str,
    script_id: str,
) -> dict[str, Any]:
    return {
        "settings": settings_of(request),
        "user": user,
        "borrower_id": borrower_id,
        "channel": channel,
        "contact_point_id": contact_point_id,
        "text": text,
        "script_id": script_id or None,
    }


@router.post("/accounts/{borrower_id}/work/compose/check", summary="Live compliance feedback / 实时合规反馈")
def compose_check(
    request: Request,
    borrower_id: str,
    engine: DbEngine,
    user: CurrentUser,
    clock: ClockDep,
    lang: Lang,
    service: Compliance,
    channel: Annotated[str, Form(max_length=16)],
    contact_point_id: Opt,
    text: Annotated[str, Form(max_length=2000)] = "",
    script_id: Opt = "",
) -> Response:
    ctx: dict[str, Any] = {"account": {"borrower_id": borrower_id}}
    if not text.strip():
        composer.require_account(engine, user=user, borrower_id=borrower_id)
        ctx["empty"] = True
    else:
        try:
            ctx["check"] = composer.check_message(
                engine,
                clock=clock,
                service=service,
                **_compose_args(request, borrower_id, user, channel, contact_point_id, text, script_id),
            )
        except WorkspaceError as e:
            ctx["error"] = e.message(lang2(lang))
    return render(request, "work/_compose_feedback.html", ctx)


@router.post("/accounts/{borrower_id}/work/compose/send", summary="Send a message (form) / 发送消息")
def compose_send(
    request: Request,
    borrower_id: str,
    engine: DbEngine,
    user: CurrentUser,
    clock: ClockDep,
    lang: Lang,
    service: Compliance,
    channel: Annotated[str, Form(max_length=16)],
    contact_point_id: Opt,
    text: Annotated[str, Form(max_length=2000)],
    subject: Annotated[str, Form(max_length=200)] = "",
    script_id: Opt = "",
) -> Response:
    ctx: dict[str, Any] = {"account": {"borrower_id": borrower_id}}
    args = _compose_args(request, borrower_id, user, channel, contact_point_id, text, script_id)
    try:
        q = composer.queue_message(engine, clock=clock, service=service, subject=subject or None, **args)
    except WorkspaceError as e:
        detail = getattr(e, "detail", None)
        if isinstance(detail, dict) and "rules" in detail:
            ctx["check"] = composer.ComposeCheck(
                allowed=False,
                verdict="block",
                rules=tuple(detail["rules"]),
                reasons_zh=tuple(detail["reasons"]["zh"]),
                reasons_en=tuple(detail["reasons"]["en"]),
                categories=tuple(detail["categories"]),
                spans=tuple(detail["spans"]),
                rewrite_zh=(detail.get("rewrite") or {}).get("zh"),
                rewrite_en=(detail.get("rewrite") or {}).get("en"),
            )
            ctx["refused"] = True
        else:
            ctx["error"] = e.message(lang2(lang))
        if not request.headers.get("hx-request"):
            raise api_error(e, lang) from e
        return render(request, "work/_compose_feedback.html", ctx)
    outcome = outbox_service.dispatch_one(
        engine,
        clock=clock,
        settings=args["settings"],
        transports=transports_of(request),
        message_id=q.message_id,
        service=service,
    )
    if not request.headers.get("hx-request"):
        return RedirectResponse(f"/accounts/{borrower_id}#work", status_code=303)
    ctx.update({"check": q.check, "sent": outcome or "queued", "message_id": q.message_id})
    return render(request, "work/_compose_feedback.html", ctx)

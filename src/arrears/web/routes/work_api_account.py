"""API of one account's workspace: outcomes (contact attempts), notes, promises, follow-ups, script suggestion,
the message composer's check and send."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from arrears.services.workspace import composer, outcomes, queries
from arrears.services.workspace import outbox as outbox_service
from arrears.services.workspace.common import WorkspaceError
from arrears.services.workspace.scripts import latest_scripts
from arrears.web.deps import ClockDep, Compliance, CurrentUser, DbEngine, Lang
from arrears.web.routes.work_shared import api_error, jsonable, settings_of, transports_of
from arrears.web.schemas.common import ERRORS
from arrears.web.schemas.work import (
    CheckOut,
    Created,
    MessageIn,
    NoteIn,
    OutcomeIn,
    OutcomeOut,
    Rows,
    ScriptOut,
    SentOut,
    Suggestion,
)

router = APIRouter(prefix="/api/v1/accounts/{borrower_id}", tags=["workspace"], responses=ERRORS)


@router.post("/outcomes", status_code=status.HTTP_201_CREATED, response_model=OutcomeOut,
             summary="Log a contact outcome / 记录联系结果")
def log_outcome(borrower_id: str, body: OutcomeIn, request: Request, engine: DbEngine, user: CurrentUser,
                clock: ClockDep, lang: Lang) -> OutcomeOut:
    try:
        r = outcomes.log_outcome(engine, clock=clock, settings=settings_of(request), user=user, borrower_id=borrower_id,
                                 **body.model_dump())
    except WorkspaceError as e:
        raise api_error(e, lang) from e
    return OutcomeOut(attempt_id=r.attempt_id, kind=r.kind.value, promise_id=r.promise_id, task_ids=list(r.task_ids),
                      consent_id=r.consent_id, restriction_id=r.restriction_id, hold_id=r.hold_id)


def _section(engine: DbEngine, user: CurrentUser, borrower_id: str, key: str) -> Rows:
    return Rows(items=jsonable(queries.account_workspace(engine, user=user, borrower_id=borrower_id)[key]))


@router.get("/outcomes", response_model=Rows, summary="Logged outcomes / 联系结果")
def list_outcomes(borrower_id: str, engine: DbEngine, user: CurrentUser) -> Rows:
    return _section(engine, user, borrower_id, "outcomes")


@router.get("/promises", response_model=Rows, summary="Promises to pay / 还款承诺")
def list_promises(borrower_id: str, engine: DbEngine, user: CurrentUser) -> Rows:
    return _section(engine, user, borrower_id, "promises")


@router.get("/tasks", response_model=Rows, summary="Open follow-ups / 待跟进任务")
def list_tasks(borrower_id: str, engine: DbEngine, user: CurrentUser) -> Rows:
    return _section(engine, user, borrower_id, "tasks")


@router.get("/notes", response_model=Rows, summary="Notes / 备注")
def list_notes(borrower_id: str, engine: DbEngine, user: CurrentUser) -> Rows:
    return _section(engine, user, borrower_id, "notes")


@router.post("/notes", status_code=status.HTTP_201_CREATED, response_model=Created, summary="Add a note / 添加备注")
def add_note(borrower_id: str, body: NoteIn, engine: DbEngine, user: CurrentUser, clock: ClockDep,
             lang: Lang) -> Created:
    try:
        return Created(id=outcomes.add_note(engine, clock=clock, user=user, borrower_id=borrower_id, body=body.body,
                                            loan_id=body.loan_id))
    except WorkspaceError as e:
        raise api_error(e, lang) from e


@router.get("/scripts/suggested", response_model=Suggestion, summary="Suggested script / 推荐话术")
def suggested(borrower_id: str, engine: DbEngine, user: CurrentUser) -> Suggestion:
    scenario = queries.account_workspace(engine, user=user, borrower_id=borrower_id)["suggested"]
    with engine.connect() as conn:
        found = latest_scripts(conn, scenario=scenario)
    return Suggestion(scenario=scenario, scripts=[ScriptOut(**s.to_json()) for s in found])


def _check_out(c: composer.ComposeCheck) -> CheckOut:
    return CheckOut.model_validate(c.to_json())


@router.post("/messages/check", response_model=CheckOut, summary="Check a draft message / 消息合规预检")
def check_message(borrower_id: str, body: MessageIn, request: Request, engine: DbEngine, user: CurrentUser,
                  clock: ClockDep, lang: Lang, service: Compliance) -> CheckOut:
    text = f"{body.subject}\n{body.text}" if body.subject else body.text
    try:
        r = composer.check_message(engine, clock=clock, settings=settings_of(request), user=user,
                                   borrower_id=borrower_id, channel=body.channel, contact_point_id=body.contact_point_id,
                                   text=text, loan_id=body.loan_id, script_id=body.script_id, service=service)
    except WorkspaceError as e:
        raise api_error(e, lang) from e
    return _check_out(r)


@router.post("/messages", status_code=status.HTTP_201_CREATED, response_model=SentOut,
             summary="Send a message through the outbox / 发送消息(经发件箱)")
def send_message(borrower_id: str, body: MessageIn, request: Request, engine: DbEngine, user: CurrentUser,
                 clock: ClockDep, lang: Lang, service: Compliance) -> SentOut:
    """Checked again server-side: a blocked message is refused (422 `work_blocked`, rule ids in `fields`)
    and nothing is queued. An allowed one is queued and handed to its channel at once."""
    settings = settings_of(request)
    try:
        q = composer.queue_message(engine, clock=clock, settings=settings, user=user, borrower_id=borrower_id,
                                   channel=body.channel, contact_point_id=body.contact_point_id, text=body.text,
                                   subject=body.subject, loan_id=body.loan_id, script_id=body.script_id,
                                   service=service)
    except WorkspaceError as e:
        raise api_error(e, lang) from e
    outcome = outbox_service.dispatch_one(engine, clock=clock, settings=settings, transports=transports_of(request),
                                          message_id=q.message_id, service=service)
    status_now = {"sent": "sent", "failed": "failed", None: "queued"}.get(outcome, "queued")
    return SentOut(message_id=q.message_id, status=status_now, check=_check_out(q.check))



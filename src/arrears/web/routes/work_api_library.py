"""API of the script library (read: everyone signed in; new versions: team leads) and the outbox."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, status

from arrears.services.workspace import outbox as outbox_service
from arrears.services.workspace import queries
from arrears.services.workspace.common import WorkspaceError
from arrears.services.workspace.scripts import get_script, latest_scripts, save_script, script_history
from arrears.textguard.guard import default_guard
from arrears.web.deps import ClockDep, Compliance, CurrentUser, DbEngine, Lang, RequireRoles
from arrears.web.routes.work_shared import api_error, jsonable, settings_of, transports_of
from arrears.web.schemas.common import ERRORS
from arrears.web.schemas.work import DispatchOut, OutboxPage, ScriptIn, ScriptOut

router = APIRouter(prefix="/api/v1", tags=["scripts and outbox"], responses=ERRORS)


@router.get("/scripts", response_model=list[ScriptOut], summary="Script library, latest versions / 话术库")
def list_scripts(engine: DbEngine, user: CurrentUser,
                 lang: Annotated[Literal["zh", "en"] | None, Query()] = None,
                 scenario: Annotated[str | None, Query(max_length=32)] = None) -> list[ScriptOut]:
    with engine.connect() as conn:
        return [ScriptOut(**s.to_json()) for s in latest_scripts(conn, lang=lang, scenario=scenario)]


@router.get("/scripts/{script_id}", response_model=list[ScriptOut], summary="Versions of a script / 话术版本")
def script_versions(script_id: str, engine: DbEngine, user: CurrentUser, lang: Lang,
                    script_lang: Annotated[Literal["zh", "en"], Query(alias="script_lang")] = "zh") -> list[ScriptOut]:
    try:
        with engine.connect() as conn:
            get_script(conn, script_id, script_lang)
            return [ScriptOut(**s.to_json()) for s in script_history(conn, script_id, script_lang)]
    except WorkspaceError as e:
        raise api_error(e, lang) from e


@router.post("/scripts/{script_id}", status_code=status.HTTP_201_CREATED, response_model=ScriptOut,
             summary="Save a new version (team lead; must pass the text guard) / 保存新版本",
             dependencies=[Depends(RequireRoles("team_lead"))])
def save(script_id: str, body: ScriptIn, engine: DbEngine, user: CurrentUser, clock: ClockDep, lang: Lang) -> ScriptOut:
    try:
        s = save_script(engine, clock=clock, user=user, checker=default_guard(), script_id=script_id, lang=body.lang,
                        body=body.body, title=body.title, scenario=body.scenario, audience=body.audience)
    except WorkspaceError as e:
        raise api_error(e, lang) from e
    return ScriptOut(**s.to_json())


@router.get("/outbox", response_model=OutboxPage, summary="Outbox: messages of the accounts you may see / 发件箱")
def outbox(request: Request, engine: DbEngine, user: CurrentUser,
           status_: Annotated[Literal["queued", "sending", "sent", "failed"] | None, Query(alias="status")] = None,
           page: Annotated[int, Query(ge=1, le=100000)] = 1,
           size: Annotated[int, Query(ge=1, le=200)] = 50) -> OutboxPage:
    rows, total = queries.list_outbox(engine, user=user, status=status_, page=page, size=size)
    return OutboxPage(items=jsonable(rows), page=page, size=size, total=total)


@router.post("/outbox/dispatch", response_model=DispatchOut, dependencies=[Depends(RequireRoles("admin"))],
             summary="Send the queued messages now (admin) / 立即发送排队消息")
def dispatch(request: Request, engine: DbEngine, clock: ClockDep, service: Compliance,
             limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> DispatchOut:
    """Claims each queued message with a conditional UPDATE, re-checks it at the real send time and sends it
    through its channel. Deferred messages (quiet hours) wait for their `not_before`."""
    r = outbox_service.dispatch_outbox(engine, clock=clock, settings=settings_of(request),
                                       transports=transports_of(request), limit=limit, service=service)
    return DispatchOut(sent=r.sent, failed=r.failed, retry=r.retry, deferred=r.deferred, skipped=r.skipped)

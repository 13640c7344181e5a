"""API: the compliance check (one proposed attempt -> decision, logged with source "api") and the text guard."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from arrears.services import checks
from arrears.web.deps import ClockDep, Compliance, CurrentUser, DbEngine, Lang
from arrears.web.errors import ApiError
from arrears.web.schemas.checks import ATTEMPT_EXAMPLE, DecisionOut, GuardIn, GuardOut
from arrears.web.schemas.common import ERRORS

router = APIRouter(prefix="/api/v1", tags=["checks"], responses=ERRORS)


def _input_error(exc: checks.CheckInputError) -> ApiError:
    return ApiError(422, "invalid_attempt", params={"detail": exc.message}, message_en=None,
                    fields=[{"field": f"body.{exc.field}", "message": exc.message, "message_en": exc.message}])


@router.post("/compliance/check", response_model=DecisionOut, summary="Check an attempt / 合规预检")
def compliance_check(
    engine: DbEngine,
    user: CurrentUser,
    clock: ClockDep,
    lang: Lang,
    service: Compliance,
    attempt: Annotated[dict[str, Any], Body(
        description="One attempt in the scenario format (scenario-format.md) without `expect`; `pack` defaults "
        "to cn_strict, `now` to the server's clock.", examples=[ATTEMPT_EXAMPLE])],
) -> DecisionOut:
    try:
        res = checks.check_attempt(engine, service=service, clock=clock, attempt=attempt,
                                   lang="en" if lang == "en" else "zh")
    except checks.CheckInputError as exc:
        raise _input_error(exc) from exc
    r = res.result
    return DecisionOut.model_validate({**r, "input_hash": res.input_hash, "pack": res.pack,
                                       "pack_version": res.pack_version})


@router.post("/guard/check", response_model=GuardOut, summary="Text guard / 文本守卫")
def guard_check(body: GuardIn, user: CurrentUser, lang: Lang) -> GuardOut:
    try:
        out = checks.guard_check(body.text, lang=body.lang, audience=body.audience,
                                 litigation_filed=body.litigation_filed, judgment=body.judgment,
                                 suggestion_lang="en" if lang == "en" else "zh")
    except checks.CheckInputError as exc:
        raise _input_error(exc) from exc
    return GuardOut.model_validate(out)

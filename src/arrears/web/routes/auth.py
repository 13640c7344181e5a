"""Sign-in and sign-out: the login page (browser session cookie) and the OAuth2 password flow (bearer token)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.security import OAuth2PasswordRequestForm

from arrears.services import auth as auth_service
from arrears.services.auth import User
from arrears.web.deps import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    ClockDep,
    CurrentUser,
    DbEngine,
    oauth2_scheme,
    sessions_of,
    signed_in_quietly,
)
from arrears.web.errors import ApiError
from arrears.web.schemas.auth import MeOut, TokenOut
from arrears.web.schemas.common import ERRORS, ErrorOut
from arrears.web.templating import render

pages = APIRouter(tags=["pages"])
api = APIRouter(prefix="/api/v1/auth", tags=["auth"])


def _ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _safe_next(target: str | None) -> str:
    """Only same-site paths; anything else goes to the worklist."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/worklist"


def _login_page(
    request: Request, *, next_: str, error: ApiError | None = None, username: str = ""
) -> Response:
    token = secrets.token_urlsafe(32)
    status = error.status if error else 200
    err = None
    if error is not None:
        from arrears.web.errors import error_body

        err = error_body(request, error)["error"]
    response = render(
        request,
        "login.html",
        {"login_csrf": token, "next": next_, "error": err, "username": username},
        status_code=status,
        headers=error.headers if error else None,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=bool(request.app.state.secure_cookies),
        path="/login",
    )
    return response


@pages.get("/login", summary="Login page / 登录页")
def login_page(
    request: Request, user: Annotated[User | None, Depends(signed_in_quietly)], next: str | None = None
) -> Response:
    if user is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_page(request, next_=_safe_next(next))


@pages.post(
    "/login", summary="Sign in (form) / 登录", responses={401: {"model": ErrorOut}, 429: {"model": ErrorOut}}
)
def login(
    request: Request,
    engine: DbEngine,
    clock: ClockDep,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/worklist",
) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not csrf_token or not secrets.compare_digest(cookie.encode(), csrf_token.encode()):
        return _login_page(
            request, next_=_safe_next(next), error=ApiError(403, "csrf_failed"), username=username
        )
    try:
        user = auth_service.authenticate(
            engine, clock=clock, username=username, password=password, ip=_ip(request)
        )
    except auth_service.AuthError as exc:
        return _login_page(request, next_=_safe_next(next), error=_auth_error(exc), username=username)
    secret, _session = auth_service.start_session(engine, clock=clock, user=user, ip=_ip(request))
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=auth_service.SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
        secure=bool(request.app.state.secure_cookies),
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@pages.post("/logout", summary="Sign out / 退出", responses=ERRORS)
def logout(request: Request, engine: DbEngine, user: CurrentUser) -> Response:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        auth_service.end_session(engine, secret=secret, cache=sessions_of(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _auth_error(exc: auth_service.AuthError) -> ApiError:
    if exc.code in ("throttled", "locked"):
        minutes = max(1, ((exc.retry_after or 60) + 59) // 60)
        return ApiError(
            429,
            f"login_{exc.code}",
            params={"minutes": minutes},
            headers={"Retry-After": str(exc.retry_after or 60)},
        )
    return ApiError(401, "invalid_credentials", headers={"WWW-Authenticate": "Bearer"})


@api.post(
    "/token",
    response_model=TokenOut,
    summary="Get a bearer token (OAuth2 password flow) / 获取访问令牌",
    responses={401: {"model": ErrorOut}, 422: {"model": ErrorOut}, 429: {"model": ErrorOut}},
)
def token(
    request: Request,
    engine: DbEngine,
    clock: ClockDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> TokenOut:
    try:
        user = auth_service.authenticate(
            engine, clock=clock, username=form.username, password=form.password, ip=_ip(request)
        )
    except auth_service.AuthError as exc:
        raise _auth_error(exc) from exc
    value, ttl = auth_service.issue_token(engine, clock=clock, user=user)
    return TokenOut(access_token=value, expires_in=ttl)


@api.post("/revoke", status_code=204, summary="Revoke the bearer token in use / 注销令牌", responses=ERRORS)
def revoke(
    engine: DbEngine, user: CurrentUser, bearer: Annotated[str | None, Depends(oauth2_scheme)]
) -> Response:
    if bearer:
        auth_service.revoke_token(engine, token=bearer)
    return Response(status_code=204)


@api.get("/me", response_model=MeOut, summary="Who am I / 当前用户", responses=ERRORS)
def me(user: CurrentUser) -> MeOut:
    return MeOut(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        agent_id=user.agent_id,
        team_id=user.team_id,
        locale=user.locale,
    )

"""Shapes shared by every endpoint: the error body and pagination."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class FieldError(BaseModel):
    field: str = Field(description="Where: e.g. `body.amount_minor`, `query.page`.")
    message: str
    message_en: str


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine code, e.g. `not_found`, `validation_failed`, `csrf_failed`.")
    message: str = Field(description="In the request's language (zh-CN by default).")
    message_en: str = Field(description="Always English.")
    fields: list[FieldError] = Field(default_factory=list)


class ErrorOut(BaseModel):
    error: ErrorDetail


class Page(BaseModel, Generic[T]):
    items: list[T]
    page: int
    size: int
    total: int


# Documented on every route (FastAPI `responses=`): the one error shape.
ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut, "description": "Not signed in / 未登录"},
    403: {"model": ErrorOut, "description": "Forbidden / 无权限"},
    404: {"model": ErrorOut, "description": "Not found, or not visible to you / 不存在或无权查看"},
    422: {"model": ErrorOut, "description": "Invalid request / 请求无效"},
}

"""Every API error as JSON with a Chinese message: ``{"detail": …, "code": …, "errors": …}``.

DRF's own messages come in Chinese through its zh-hans translation; the services' Django
``ValidationError`` and ``PermissionDenied`` keep their Chinese messages; English text from a
404 of Django's never reaches the client.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from api.parsers import BodyTooLarge

STATUS_MESSAGES = {
    400: "请求有误。",
    401: "请先提供有效的令牌。",
    403: "您没有执行该操作的权限。",
    404: "未找到。",
    405: "不支持该请求方法。",
    406: "无法按所要求的格式返回。",
    415: "不支持的请求体格式，请使用 application/json。",
    429: "请求过于频繁，请稍后再试。",
}


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = "修改前请先读取该职位，并在 If-Match 请求头中带上所得的 ETag。"
    default_code = "precondition_required"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "职位当前状态不允许此操作。"
    default_code = "conflict"


def _flatten(detail: Any) -> str:
    """The first message of a DRF error structure, for ``detail``."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            message = _flatten(value)
            if message:
                return message if key == "non_field_errors" else f"{key}：{message}"
        return ""
    if isinstance(detail, list):
        return next((m for m in (_flatten(item) for item in detail) if m), "")
    return str(detail)


def field_label(field: Any, name: str) -> str:
    """A field's Chinese name: its help text up to the first note (「职位名称（新建时必填）」)."""
    text = str(getattr(field, "help_text", "") or "")
    for mark in ("（", "，", "；", "："):
        text = text.split(mark)[0]
    return text.strip() or name


def labelled(detail: Any, fields: Any) -> str:
    """The first error of a serializer's ``errors``, named in Chinese: 「工作职责第 2 行：工作类别：
    “x” 不是合法选项。」."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key == "non_field_errors":
                return labelled(value, None)
            field = fields.get(key) if fields is not None else None
            inner = getattr(field, "child", None) or field
            inner_fields = getattr(inner, "fields", None)
            if isinstance(value, dict) and all(isinstance(k, int) for k in value):
                number, row = next(iter(value.items()))
                where = f"{field_label(field, str(key))}第 {number + 1} 行"
                return f"{where}：{labelled(row, inner_fields)}"
            return f"{field_label(field, str(key))}：{labelled(value, inner_fields)}"
        return ""
    if isinstance(detail, list):
        return next((m for m in (labelled(item, fields) for item in detail) if m), "")
    return str(detail)


class FieldErrors(exceptions.ValidationError):
    """A serializer's errors, with ``summary`` (the first, named in Chinese) as ``detail``."""

    def __init__(self, serializer: Any) -> None:
        super().__init__(serializer.errors)
        self.summary = labelled(serializer.errors, serializer.fields)


def django_validation_error(error: DjangoValidationError) -> exceptions.APIException:
    """A service's refusal (``ValidationError``) as a 400, or a 409 for a workflow state."""
    messages = list(error.messages)
    if getattr(error, "code", None) == "state":
        return Conflict(messages[0] if messages else None)
    return exceptions.ValidationError({"non_field_errors": messages})


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, RequestDataTooBig):  # Django read the body first and refused it
        exc = BodyTooLarge()
    elif isinstance(exc, DjangoValidationError):
        exc = django_validation_error(exc)
    elif isinstance(exc, Http404):
        message = str(exc) if exc.args and not str(exc).isascii() else STATUS_MESSAGES[404]
        exc = exceptions.NotFound(message)
    elif isinstance(exc, PermissionDenied):
        message = str(exc) if exc.args and not str(exc).isascii() else STATUS_MESSAGES[403]
        exc = exceptions.PermissionDenied(message)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    body: dict[str, Any] = {"code": getattr(exc, "default_code", "error")}
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        if isinstance(codes, str):
            body["code"] = codes
    if isinstance(detail, dict) and set(detail) == {"detail"}:
        body["detail"] = str(detail["detail"])
    else:
        summary = getattr(exc, "summary", "") or _flatten(detail)
        body["detail"] = summary or STATUS_MESSAGES.get(response.status_code, "请求有误。")
        body["errors"] = detail
    if not body["detail"] or body["detail"].isascii():
        body["detail"] = STATUS_MESSAGES.get(response.status_code, body["detail"])
    response.data = body
    return response

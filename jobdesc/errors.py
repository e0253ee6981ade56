"""The error pages: 400, 403 and 404 handlers (named in jobdesc/urls.py), in Chinese.

Each page has the navigation bar when the request knows its user, a way back (首页, and 返回上一页
when the browser came from one of our pages), and the reason: the message the code gave
``PermissionDenied("…")`` / ``Http404("…")`` when it is written for the reader (Chinese), else a
general sentence. Django's own messages ("No Position matches the given query.", the resolver's
tried patterns) never reach the page. The 500 page is Django's ``server_error`` with
templates/500.html: a plain page that needs neither the database nor the request's user.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme

# A message written for the reader has Chinese in it; Django's internal messages are English.
_CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def reader_message(exception: BaseException | None) -> str:
    """The exception's message when it is written for the reader (Chinese), else ""."""
    args = getattr(exception, "args", ())
    message = args[0] if args else ""
    if isinstance(message, str) and _CHINESE.search(message):
        return message
    return ""


def too_much_data_message(exception: BaseException | None) -> str:
    """Why Django refused to read a submitted form (DATA_UPLOAD_* limits), else ""."""
    if isinstance(exception, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return f"提交的字段过多（超过 {limit} 个），未保存任何内容。请分次保存或减少职责条数。"
    if isinstance(exception, RequestDataTooBig):
        megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
        return f"提交的内容过大（超过 {megabytes:g} MB），未保存任何内容。请分次保存或精简内容。"
    return ""


def _back_url(request: HttpRequest) -> str:
    """The page the browser came from, when it is one of ours and not this one."""
    referer = request.headers.get("referer", "")
    if not referer or referer == request.build_absolute_uri():
        return ""
    if url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""


def _error_page(request: HttpRequest, template: str, reason: str, status: int) -> HttpResponse:
    context = {"reason": reason, "hr_contact": settings.HR_CONTACT}
    if hasattr(request, "user"):
        # A request refused before the authentication middleware ran (a bad Host header) has
        # no user: its page goes without the navigation and the context processors.
        context["back_url"] = _back_url(request)
        body = render_to_string(template, context, request)
    else:
        body = render_to_string(template, context)
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: BaseException) -> HttpResponse:
    reason = too_much_data_message(exception) or reader_message(exception)
    return _error_page(request, "400.html", reason, 400)


def permission_denied(request: HttpRequest, exception: BaseException) -> HttpResponse:
    return _error_page(request, "403.html", reader_message(exception), 403)


def page_not_found(request: HttpRequest, exception: BaseException) -> HttpResponse:
    return _error_page(request, "404.html", reader_message(exception), 404)

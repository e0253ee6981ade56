"""The API 令牌 page under the account menu: a person's own tokens, created (the key shown once)
and revoked. ``api.services`` writes them and the audit events."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from api import services
from api.forms import TokenForm
from api.models import ApiToken
from positions import permissions


def _page(request: HttpRequest, form: TokenForm, *, key: str = "", status: int = 200):
    response = render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": services.own_tokens(request.user), "new_key": key},
        status=status,
    )
    response["Cache-Control"] = "no-store"  # the key is shown once: never from a cache
    return response


@never_cache
def token_list(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage_own_api_tokens(request.user):
        raise PermissionDenied("请先登录。")
    if request.method != "POST":
        return _page(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        issued = services.issue_token(
            owner=request.user, name=form.cleaned_data["name"], by=request.user, request=request
        )
    except ValidationError as error:
        form.add_error("name", error.messages[0])
        return _page(request, form, status=400)
    return _page(request, TokenForm(), key=issued.key, status=201)


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    services.revoke_token(token=token, by=request.user, request=request)
    messages.success(request, f"已吊销令牌“{token.name}”，使用它的请求将被拒绝。")
    return redirect("api:token-list")

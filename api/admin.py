"""API tokens in the admin: a superuser issues tokens for integration accounts (an HRIS, 北森,
SAP …: an account made in the admin, given a role, usually without a usable password) and
revokes anyone's. The key is shown once, on the page right after saving; what is stored cannot
give it back. ``positions.permissions`` answers every permission (superusers only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from api import services
from api.models import ApiToken
from positions.admin.base import AsksPermissions


@admin.register(ApiToken)
class ApiTokenAdmin(AsksPermissions, admin.ModelAdmin):
    list_display = (
        "name",
        "user",
        "prefix",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "prefix")
    autocomplete_fields = ()
    raw_id_fields = ("user",)
    actions = ["revoke"]
    ordering = ("-created_at", "-pk")

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None):
        if obj is None:
            return ("user", "name")
        return ("user", "name", "prefix", "created_at", "created_by", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None):
        if obj is None:
            return ()
        return ("user", "prefix", "created_at", "created_by", "last_used_at", "revoked_at")

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        try:
            issued = services.issue_token(
                owner=obj.user, name=obj.name, by=request.user, request=request
            )
        except (ValidationError, PermissionDenied) as error:
            raise PermissionDenied(str(error)) from error
        obj.pk = issued.token.pk
        obj.__dict__.update(
            {k: v for k, v in issued.token.__dict__.items() if not k.startswith("_")}
        )
        obj._state.adding = False
        request._api_new_key = issued.key

    def response_add(self, request: HttpRequest, obj: ApiToken, post_url_continue=None):
        key = getattr(request, "_api_new_key", "")
        if not key:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "title": "API 令牌已创建",
            "opts": self.opts,
            "token": obj,
            "key": key,
        }
        response = TemplateResponse(request, "api/admin_token_created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="吊销所选令牌")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> HttpResponse | None:
        count = 0
        for token in queryset.select_related("user"):
            if token.is_active:
                services.revoke_token(token=token, by=request.user, request=request)
                count += 1
        messages.success(request, f"已吊销 {count} 个令牌。")
        return None

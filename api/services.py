"""API tokens (create, find by key, revoke) and the audit events of API calls.

A key is ``jd_`` and 43 URL-safe random characters (256 bits); only its SHA-256 digest is
stored. A slow password hash would add nothing for a random key of that length and would cost
every request; the digest is looked up through its unique index.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from api.models import ApiToken
from audit.models import AuditAction
from audit.services import record
from positions import permissions

KEY_PREFIX = "jd_"
MAX_ACTIVE_TOKENS = 20  # per account: a list someone can still read and revoke
LAST_USED_EVERY = datetime.timedelta(minutes=1)  # last_used_at is written at most this often


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # shown once, never stored


def issue_token(
    *, owner: AbstractBaseUser, name: str, by: AbstractBaseUser, request: HttpRequest | None
) -> IssuedToken:
    """A new token for ``owner``: their own, or (a superuser's) an integration account's."""
    if owner.pk != by.pk and not permissions.can_issue_integration_tokens(by):
        raise PermissionDenied("只有超级管理员可以为其他账号创建 API 令牌。")
    if owner.pk == by.pk and not permissions.can_manage_own_api_tokens(by):
        raise PermissionDenied("请先登录。")
    name = (name or "").strip()
    if not name:
        raise ValidationError("请填写令牌名称。")
    if len(name) > 100:
        raise ValidationError("令牌名称不能超过 100 个字符。")
    if ApiToken.objects.active().filter(user=owner).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(f"每个账号最多 {MAX_ACTIVE_TOKENS} 个有效令牌，请先吊销不用的令牌。")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=owner, name=name, prefix=key[:10], digest=digest(key), created_by=by
    )
    record(
        AuditAction.API_TOKEN_CREATE,
        request=request,
        user=by,
        obj=owner,
        details={"token": str(token), "token_id": token.pk},
    )
    return IssuedToken(token=token, key=key)


def token_for_key(key: str) -> ApiToken | None:
    """The active token with this key, or None."""
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    return ApiToken.objects.active().select_related("user").filter(digest=digest(key)).first()


def mark_used(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def own_tokens(user: AbstractBaseUser) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at", "-pk")


def revoke_token(*, token: ApiToken, by: AbstractBaseUser, request: HttpRequest | None) -> ApiToken:
    """Revoke ``token`` (its owner, or a superuser); revoking twice changes nothing."""
    if not permissions.can_revoke_api_token(by, token.user_id):
        raise PermissionDenied("只能吊销自己的 API 令牌。")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=token.revoked_at)
        record(
            AuditAction.API_TOKEN_REVOKE,
            request=request,
            user=by,
            obj=token.user,
            details={"token": str(token), "token_id": token.pk},
        )
    return token


# --- the audit trail of API calls -------------------------------------------------------------


def record_write(
    request: HttpRequest, *, created: bool, obj: Model, details: dict[str, Any]
) -> None:
    """Every API write of a sheet (the workflow's steps are recorded by the workflow)."""
    action = AuditAction.API_CREATE if created else AuditAction.API_UPDATE
    record(action, request=request, obj=obj, details=details | _token_details(request))


def record_export(request: HttpRequest, *, what: str, details: dict[str, Any]) -> None:
    """Personal data read through the API (employees, assignments)."""
    record(
        AuditAction.API_EXPORT,
        request=request,
        object_type="api",
        object_id=what,
        object_label=what,
        details=details | _token_details(request),
    )


def _token_details(request: HttpRequest) -> dict[str, Any]:
    token = getattr(request, "auth", None)
    return {"token_id": token.pk} if isinstance(token, ApiToken) else {"session": True}

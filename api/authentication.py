"""``Authorization: Bearer <key>``: the token's digest finds it; revoked tokens and inactive
accounts are refused with a Chinese message (401)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from api import services


class TokenAuthentication(authentication.BaseAuthentication):
    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "令牌格式错误：应为 Authorization: Bearer <令牌>。"
            )
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(
                "令牌格式错误：令牌只含字母、数字、- 和 _。"
            ) from None
        token = services.token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed("令牌无效或已被吊销。")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("该令牌所属的账号已停用。")
        services.mark_used(token)
        return (token.user, token)

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class TokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema (registered by being defined)."""

    target_class = "api.authentication.TokenAuthentication"
    name = "BearerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "在「API 令牌」页面创建的令牌：Authorization: Bearer <令牌>",
        }

"""Bearer tokens: a revoked token, an inactive account and a malformed header are refused with a
Chinese message; a superuser issues tokens for integration accounts in the admin."""

from __future__ import annotations

import re

from django.urls import reverse

from api.models import ApiToken
from api.services import issue_token, revoke_token
from api.tests.helpers import ApiClient
from positions.tests.factories import UserFactory


def call(key: str):
    return ApiClient().client.get(reverse("api:department-list"), HTTP_AUTHORIZATION=key)


def test_token_revoked_is_refused(user):
    issued = issue_token(owner=user, name="x", by=user, request=None)
    assert call(f"Bearer {issued.key}").status_code == 200
    revoke_token(token=issued.token, by=user, request=None)
    response = call(f"Bearer {issued.key}")
    assert response.status_code == 401
    assert response.json()["detail"] == "令牌无效或已被吊销。"


def test_token_of_inactive_account_is_refused(user):
    issued = issue_token(owner=user, name="x", by=user, request=None)
    user.is_active = False
    user.save()
    assert call(f"Bearer {issued.key}").json()["detail"] == "该令牌所属的账号已停用。"


def test_token_malformed_header_is_refused_in_chinese(db):
    response = call("Bearer a b")
    assert response.status_code == 401
    assert response.json()["detail"] == "令牌格式错误：应为 Authorization: Bearer <令牌>。"
    assert call("Bearer jd_unknown").json()["detail"] == "令牌无效或已被吊销。"


def test_token_missing_is_401_in_chinese(db):
    response = ApiClient().get(reverse("api:position-list"))
    assert response.status_code == 401
    assert response.json()["detail"] == "身份认证信息未提供。"


def test_admin_superuser_issues_integration_token_shown_once(client, staff_user):
    integration = UserFactory(username="beisen-sync")
    integration.set_unusable_password()
    integration.save()
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:api_apitoken_add"), {"user": integration.pk, "name": "北森同步"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "已为账号 <strong>beisen-sync</strong> 创建令牌“北森同步”" in page
    key = re.search(r"jd_[A-Za-z0-9_-]{43}", page).group(0)
    assert ApiToken.objects.get(user=integration).created_by == staff_user
    assert call(f"Bearer {key}").status_code == 200


def test_admin_hr_editor_cannot_issue_tokens(client, hr_user, user):
    client.force_login(hr_user)
    response = client.post(reverse("admin:api_apitoken_add"), {"user": user.pk, "name": "x"})
    assert response.status_code == 403
    assert not ApiToken.objects.exists()

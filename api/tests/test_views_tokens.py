"""The API 令牌 page: a person's own tokens, the key shown once, stored hashed, revoked."""

from __future__ import annotations

import re

from django.urls import reverse

from api.models import ApiToken
from api.services import digest
from api.tests.helpers import ApiClient
from audit.models import AuditEvent
from positions.tests.text import page_text


def test_token_list_creates_a_token_shown_once_and_stored_hashed(user_client, user):
    response = user_client.post(reverse("api:token-list"), {"name": "北森同步"})
    assert response.status_code == 201
    text = page_text(response)
    assert "令牌已创建。请现在复制保存，离开本页后将无法再次查看" in text
    key = re.search(r"jd_[A-Za-z0-9_-]{43}", text).group(0)
    token = ApiToken.objects.get(user=user)
    assert token.digest == digest(key) and key not in (token.prefix, token.digest)
    assert "no-store" in response["Cache-Control"]
    again = page_text(user_client.get(reverse("api:token-list")))
    assert key not in again and "北森同步" in again and f"{token.prefix}…" in again
    assert AuditEvent.objects.filter(action="api_token_create", user=user).exists()
    assert (
        ApiClient()
        .client.get(reverse("api:department-list"), HTTP_AUTHORIZATION=f"Bearer {key}")
        .status_code
        == 200
    )


def test_token_list_without_a_name_says_so(user_client, user):
    response = user_client.post(reverse("api:token-list"), {"name": ""})
    assert response.status_code == 400
    assert "请填写令牌名称。" in page_text(response)
    assert not ApiToken.objects.exists()


def test_token_revoke_refuses_the_token_afterwards(user_client, user):
    user_client.post(reverse("api:token-list"), {"name": "北森同步"})
    token = ApiToken.objects.get(user=user)
    response = user_client.post(reverse("api:token-revoke", kwargs={"pk": token.pk}), follow=True)
    assert "已吊销令牌“北森同步”，使用它的请求将被拒绝。" in page_text(response)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_token_revoke", user=user).exists()


def test_token_revoke_of_someone_elses_token_is_not_found(client, user, hr_user):
    client.force_login(hr_user)
    client.post(reverse("api:token-list"), {"name": "HR 的令牌"})
    client.force_login(user)
    token = ApiToken.objects.get(user=hr_user)
    response = client.post(reverse("api:token-revoke", kwargs={"pk": token.pk}))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_account_menu_links_to_the_token_page(user_client):
    page = user_client.get(reverse("positions:department-tree")).content.decode()
    assert f'href="{reverse("api:token-list")}"' in page and "API 令牌" in page

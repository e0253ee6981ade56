"""Calling the API as a user: a real token, sent as a bearer header."""

from __future__ import annotations

import json

from django.test import Client

from api import services


def token_for(user) -> str:
    return services.issue_token(owner=user, name="测试", by=user, request=None).key


class ApiClient:
    """Django's test client with ``Authorization: Bearer <key>`` on every request."""

    def __init__(self, user=None) -> None:
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(user)}"} if user else {}

    def get(self, url: str, params=None, **extra):
        return self.client.get(url, params, **self.headers, **extra)

    def post(self, url: str, data=None, **extra):
        return self.client.post(
            url, json.dumps(data or {}), content_type="application/json", **self.headers, **extra
        )

    def patch(self, url: str, data=None, **extra):
        return self.client.patch(
            url, json.dumps(data or {}), content_type="application/json", **self.headers, **extra
        )

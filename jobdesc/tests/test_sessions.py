"""Sessions read through ``jobdesc.sessions``: the database stays the truth — a signed-out
or expired session is gone at the next request — and the read costs one query."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jobdesc.sessions import SessionStore
from positions.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("positions:position-list")


def sent_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.fixture
def zhao(db):
    return UserFactory(username="zhaoliu", first_name="赵六")


def test_sessions_engine_is_jobdesc_sessions():
    assert settings.SESSION_ENGINE == "jobdesc.sessions"


def test_sessions_signed_out_cookie_is_refused_at_the_next_request(client, zhao):
    client.post(reverse("login"), {"username": "zhaoliu", "password": "jobdesc-pass-123"})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(PAGE).status_code == 200

    client.post(reverse("logout"))
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie  # the old cookie, kept by someone
    response = client.get(PAGE)

    assert sent_to_login(response)
    assert not Session.objects.filter(session_key=cookie).exists()


def test_sessions_expired_row_is_not_read(zhao):
    store = SessionStore()
    store["greeting"] = "你好"
    store.create()
    key = store.session_key
    assert SessionStore(key).load() == {"greeting": "你好"}

    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    expired = SessionStore(key)

    assert expired.load() == {}
    assert expired.session_key is None


def test_sessions_read_once_per_request(client, zhao):
    client.force_login(zhao)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE).status_code == 200

    reads = [q for q in queries if q["sql"].startswith('SELECT "django_session"')]
    assert len(reads) == 1

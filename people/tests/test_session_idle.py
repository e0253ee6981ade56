"""Sessions end after SESSION_IDLE_MINUTES without a request (SESSION_COOKIE_AGE), and are
renewed while the person keeps working, at most once a minute."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from positions.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "jobdesc-pass-123"  # UserFactory's password
START = datetime.datetime(2025, 6, 2, 9, 0, tzinfo=datetime.UTC)
PAGE = reverse("positions:position-list")


@pytest.fixture
def zhao(db):
    return UserFactory(username="zhaoliu", first_name="赵六")


def at(minutes: float):
    return time_machine.travel(START + datetime.timedelta(minutes=minutes), tick=False)


def sent_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def session_writes(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum('"django_session"' in q["sql"] and "UPDATE" in q["sql"] for q in queries)


def test_session_cookie_age_follows_the_idle_setting(client, zhao):
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_MINUTES * 60 == 30 * 60

    response = client.post(reverse("login"), {"username": "zhaoliu", "password": PASSWORD})

    assert response.status_code == 302
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 30 * 60


def test_session_request_after_the_idle_time_is_sent_to_login(client, zhao):
    with at(0):
        client.force_login(zhao)
        assert client.get(PAGE).status_code == 200
    with at(31):
        response = client.get(PAGE)

    assert sent_to_login(response)


def test_session_kept_alive_by_requests_within_the_idle_time(client, zhao):
    with at(0):
        client.force_login(zhao)
    for minute in (20, 45, 70):  # 25 minutes apart at most: never idle for 30
        with at(minute):
            assert client.get(PAGE).status_code == 200, minute
    with at(70 + 31):
        assert sent_to_login(client.get(PAGE))


def test_session_renewed_at_most_once_a_minute(client, zhao):
    with at(0):
        client.force_login(zhao)
        assert session_writes(client, PAGE) == 0  # signing in saved a fresh session
    with at(0.5):
        assert session_writes(client, PAGE) == 0
    with at(1.5):
        assert session_writes(client, PAGE) == 1

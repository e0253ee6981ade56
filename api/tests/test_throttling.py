"""API_THROTTLE_RATE requests per token; the next one is refused with a Chinese 429."""

from __future__ import annotations

from django.urls import reverse

from api.tests.helpers import ApiClient
from jobdesc.tests.test_settings import start


def test_throttle_refuses_requests_beyond_the_rate_per_token(settings, user):
    settings.API_THROTTLE_RATE = "2/min"
    api = ApiClient(user)
    url = reverse("api:department-list")
    assert [api.get(url).status_code for _ in range(2)] == [200, 200]
    refused = api.get(url)
    assert refused.status_code == 429
    assert refused.json()["detail"] == "请求已被限流。 预计 60 秒后可用。"
    assert ApiClient(user).get(url).status_code == 200  # another token has its own count


def test_throttle_rate_setting_malformed_stops_startup_naming_it():
    result = start(DEBUG="1", API_THROTTLE_RATE="sixty a minute")
    assert result.returncode != 0
    assert "Environment variable API_THROTTLE_RATE='sixty a minute' is not a rate" in result.stderr

"""Each API test starts with no request counted against any token: the throttle's history is
kept in Django's cache, and token and user ids come round again (SQLite reuses them after a
rollback), so one test's calls must not count against the next test's token."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_throttle_history():
    cache.clear()
    yield
    cache.clear()

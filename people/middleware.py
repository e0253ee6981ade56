"""Signs a person out after SESSION_IDLE_MINUTES without a request (jobdesc/settings.py).

A session (its database row and its cookie) lives SESSION_COOKIE_AGE seconds from its last
save. Saving it on every request (SESSION_SAVE_EVERY_REQUEST) would write the session table on
every page view, on SQLite next to the task worker; instead a signed-in session is renewed
when a tenth of its age (at most a minute) has passed since the last renewal, so the idle limit
holds to within that much.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

RENEWED_AT = "_jobdesc_renewed_at"


def renewal_interval(cookie_age: int) -> int:
    """Seconds between two renewals of a session that lives ``cookie_age`` seconds."""
    return max(1, min(60, cookie_age // 10))


def session_renewed_at_login(sender, request: HttpRequest, user, **kwargs) -> None:
    """Signing in saves a fresh session: the first page after it need not renew it again."""
    request.session[RENEWED_AT] = int(time.time())


class SessionIdleMiddleware:
    """Between SessionMiddleware (which saves a modified session and renews its cookie) and
    the views: marks a signed-in session modified when it is due for renewal."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code >= 500:  # not saved by SessionMiddleware; the database may be down
            return response
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        session = request.session
        now = int(time.time())
        due = now - session.get(RENEWED_AT, 0) >= renewal_interval(settings.SESSION_COOKIE_AGE)
        if due or session.modified:
            session[RENEWED_AT] = now
        return response

"""Django's database sessions, read without compiling a query on every request.

``SESSION_ENGINE = "jobdesc.sessions"``. The session table stays the only truth: signing out,
the idle limit (``people.middleware.SessionIdleMiddleware``), key rotation at sign-in and
``clearsessions`` work exactly as with ``django.contrib.sessions.backends.db``. Only the read
that every request makes (the session row by its key) runs SQL compiled once per process
(``jobdesc.prepared``); the expiry is compared here rather than in SQL, with the same rule (a
session whose ``expire_date`` is not after now does not exist).
"""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from jobdesc.prepared import PreparedQuery

_SESSION_BY_KEY = PreparedQuery(lambda key: Session.objects.filter(session_key=key), [str])


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Session | None:
        found = _SESSION_BY_KEY.objects(self.session_key)
        if found and found[0].expire_date > timezone.now():
            return found[0]
        self._session_key = None
        return None

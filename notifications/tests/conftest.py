from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from notifications.tests.receivers import HttpReceiver, SmtpReceiver
from positions.tests.workflow_helpers import demo_world

WEBHOOK_SECRET = "whsec-0123456789abcdef"


@pytest.fixture
def smtp(settings):
    server = SmtpReceiver().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.NOTIFY_FROM_EMAIL = "jobdesc@example.com"
    yield server
    server.stop()


@pytest.fixture
def receiver(settings):
    server = HttpReceiver(secrets={"hook": WEBHOOK_SECRET}).start()
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    yield server
    server.stop()


@pytest.fixture
def demo(seed, settings):
    """The demo accounts on the seed organisation, each with an e-mail address."""
    world = demo_world(settings)
    for user in get_user_model().objects.all():
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])
    for name in ("hr", "manager", "director", "employee", "admin"):
        getattr(world, name).refresh_from_db()
    return world

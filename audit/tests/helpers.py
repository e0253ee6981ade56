"""Shared helpers of the audit tests."""

from __future__ import annotations

from audit.models import AuditEvent
from positions import permissions
from positions.tests.factories import UserFactory


def only_event(action: str) -> AuditEvent:
    """The one event of ``action`` (fails when there are none or several)."""
    found = list(AuditEvent.objects.filter(action=action))
    assert len(found) == 1, [(e.action, e.username, e.object_label) for e in found]
    return found[0]


def auditor(username: str = "auditor"):
    """An account holding the 审计员 role only."""
    user = UserFactory(username=username, first_name="审计员甲")
    user.groups.add(permissions.role_group(permissions.AUDITOR))
    return user

"""Reading and saving a person's 通知设置, and the message log HR reads."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from notifications.models import ChatRobot, Message, Preference


def preference_of(user: User) -> Preference:
    """The stored choice, or the default (e-mail when the account has an address)."""
    found = Preference.objects.filter(user=user).first()
    return found or Preference(user=user, email=bool(user.email))


def robot_kinds() -> set[str]:
    return set(ChatRobot.objects.filter(is_active=True).values_list("kind", flat=True))


def message_log(status: str = "") -> QuerySet[Message]:
    found = Message.objects.for_log()
    return found.filter(status=status) if status else found

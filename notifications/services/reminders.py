"""The daily run (``manage.py send_reminders``): 员工确认 reminders and 复核到期 for HR."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from notifications.models import Message
from notifications.services import messages
from notifications.services.events import acknowledgement_notices, link
from notifications.services.messages import Notice
from positions import permissions
from positions.models import Acknowledgement, Version
from positions.services.review import overdue_reviews


@dataclass(frozen=True)
class ReminderRun:
    acknowledgement_reminders: int
    review_due: int
    digests: int


def acknowledgement_reminders(today: datetime.date) -> int:
    """Remind holders who have not confirmed the version in force NOTIFY_ACK_REMINDER_DAYS
    days after it took effect — once per version and person."""
    cutoff = today - datetime.timedelta(days=settings.NOTIFY_ACK_REMINDER_DAYS)
    versions = list(
        Version.objects.current()
        .filter(effective_date__lte=cutoff, is_historical=False)
        .defer("sheet")
    )
    acknowledged = set(
        Acknowledgement.objects.filter(version__in=versions).values_list(
            "version_id", "employee__user_id"
        )
    )
    reminded = set(
        Message.objects.filter(
            event=Message.Event.ACK_REMINDER, reference__in=[f"version:{v.pk}" for v in versions]
        ).values_list("reference", "recipient_id")
    )
    by_reference = {f"version:{v.pk}": v.pk for v in versions}
    notices = [
        n
        for n in acknowledgement_notices(versions, reminder=True)
        if (by_reference[n.reference], n.recipient.pk) not in acknowledged
        and (n.reference, n.recipient.pk) not in reminded
    ]
    messages.notify(notices)
    return len(notices)


def review_due_notices(today: datetime.date) -> int:
    """Tell each HR editor about the sheets in their scope whose 复核 fell due and that they
    were not yet told about (once per position and due date)."""
    editors = User.objects.filter(
        is_active=True, groups__role__code=permissions.HR_EDITOR
    ).distinct()
    count = 0
    url = link("positions:review-overdue")
    for editor in editors:
        due = list(overdue_reviews(user=editor, today=today + datetime.timedelta(days=1)))
        references = {f"review:{p.pk}:{p.next_review_on}": p for p in due}
        told = set(
            Message.objects.filter(
                recipient=editor, event=Message.Event.REVIEW_DUE, reference__in=references
            ).values_list("reference", flat=True)
        )
        notices = [
            Notice(
                recipient=editor,
                event=Message.Event.REVIEW_DUE,
                subject=f"复核到期：{p.title}",
                body=f"职位说明书“{p.title}”（{p.department.name}）的复核日期为 "
                f"{p.next_review_on:%Y-%m-%d}，请安排复核。\n{url}",
                position_id=p.pk,
                reference=reference,
            )
            for reference, p in references.items()
            if reference not in told
        ]
        messages.notify(notices)
        count += len(notices)
    return count


def run(today: datetime.date | None = None) -> ReminderRun:
    today = today or timezone.localdate()
    with transaction.atomic():
        acks = acknowledgement_reminders(today)
        due = review_due_notices(today)
    digests = messages.send_digests()
    return ReminderRun(acks, due, digests)

"""Periodic review (定期复核): when a published sheet is due to be looked at again."""

from __future__ import annotations

import calendar
import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.utils import timezone

from positions import permissions
from positions.models import Position


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, clamped to the month's end (1月31日 + 1 → 2月28/29日)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def next_review_date(position: Position, *, published_on: datetime.date) -> datetime.date:
    """下次复核日期: one review interval (the position's, in months) after publishing.

    Approval stores it through the one writer (``services.workflow.approve``)."""
    return add_months(published_on, position.review_interval_months)


def overdue_reviews(
    *, user: User | AnonymousUser, today: datetime.date | None = None
) -> QuerySet[Position]:
    """Positions in force the user edits whose review date has passed, most overdue first."""
    today = today or timezone.localdate()
    return (
        Position.objects.filter(permissions.editable_positions_q(user))
        .in_force()
        .filter(next_review_on__lt=today)
        .select_related("department__parent")
        .order_by("next_review_on", "code", "title")
    )

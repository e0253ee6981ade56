"""Periodic review (定期复核): the list of sheets overdue for review."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from positions import permissions
from positions.services import review


def review_overdue(request: HttpRequest) -> HttpResponse:
    if not permissions.can_see_overdue_reviews(request.user):
        raise PermissionDenied("只有 HR 编辑可以查看复核到期的职位说明书。")
    today = timezone.localdate()
    positions = [
        (position, (today - position.next_review_on).days)
        for position in review.overdue_reviews(user=request.user, today=today)
    ]
    return render(
        request, "positions/review_overdue.html", {"positions": positions, "today": today}
    )

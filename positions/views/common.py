"""What several views need: one way to load a position the user may read, one attachment header."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header

from positions import permissions
from positions.models import Position, PositionQuerySet


def visible_position(
    request: HttpRequest, pk: int, queryset: PositionQuerySet | None = None
) -> Position:
    """A position the user may read (``permissions`` decides), from ``queryset`` (with its
    ``select_related`` …); 404 otherwise, so a draft's existence is not revealed."""
    base = queryset if queryset is not None else Position.objects.all()
    return get_object_or_404(base.filter(permissions.visible_positions_q(request.user)), pk=pk)


def attachment(response: HttpResponse, filename: str) -> HttpResponse:
    """Offer ``response`` as a download named ``filename`` (UTF-8 names as RFC 6266 asks)."""
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response

"""Periodic review (定期复核): the list of sheets overdue for review."""

from django.http import HttpRequest, HttpResponse


def review_overdue(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError

"""Change history of a position: the list, a diff between two states, restore."""

from django.http import HttpRequest, HttpResponse


def position_history(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def position_history_compare(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def position_restore(request: HttpRequest, pk: int, version_id: int) -> HttpResponse:
    raise NotImplementedError

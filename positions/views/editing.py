"""The HR editor: create, edit, copy and archive a position on one page."""

from django.http import HttpRequest, HttpResponse


def position_create(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def position_edit(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def position_copy(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def position_delete(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def position_picker(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def department_picker(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError

"""The signed-in person's own pages: 我的职位."""

from django.http import HttpRequest, HttpResponse


def my_position(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError

"""Views: who may (permissions), which service, which template. Nothing else."""

from django.http import HttpRequest, HttpResponse


def department_tree(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def department_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def position_list(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def position_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def position_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError

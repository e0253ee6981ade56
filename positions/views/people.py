"""People: the employee list, an employee's page, transfers (调岗) and leaving (离职)."""

from django.http import HttpRequest, HttpResponse


def employee_list(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def employee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def employee_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def employee_leave(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError

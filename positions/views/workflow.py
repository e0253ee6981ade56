"""The 编制 → 审核 → 审批 workflow: a position's workflow page and the 待办 queue."""

from django.http import HttpRequest, HttpResponse


def position_workflow(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def workflow_queue(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError

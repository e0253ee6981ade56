"""Positions through the API: the list (the page's filters), one sheet, its versions, writes
through the one writer with ETag / If-Match, and the workflow's steps.

Reads and refusals are the pages': ``visible_position`` (404 for what the caller may not read),
``versions.read_sheet``, ``permissions.sheet_write_refusal`` and the workflow service.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import reading, services, writing
from api.errors import FieldErrors, PreconditionRequired
from api.pagination import Pagination
from api.serializers import (
    ErrorSerializer,
    PositionContentSerializer,
    PositionDetailSerializer,
    PositionSummarySerializer,
    PreconditionFailedSerializer,
    VersionSummarySerializer,
    WorkflowSerializer,
)
from positions import permissions
from positions.filters import SORT_CHOICES, PositionFilter
from positions.models import Position
from positions.org import department_index
from positions.services import workflow
from positions.services.sheets import EditConflict, write_sheet
from positions.views.browse import listed_positions
from positions.views.common import visible_position

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="请求有误（中文说明）"),
    401: OpenApiResponse(ErrorSerializer, description="未提供或提供了无效的令牌"),
    403: OpenApiResponse(ErrorSerializer, description="没有权限"),
    404: OpenApiResponse(ErrorSerializer, description="不存在或无权查看"),
    429: OpenApiResponse(ErrorSerializer, description="请求过于频繁"),
}
WRITE_ERRORS = ERRORS | {
    412: OpenApiResponse(
        PreconditionFailedSerializer, description="If-Match 已过期：他人已修改，返回当前状态"
    ),
    428: OpenApiResponse(ErrorSerializer, description="缺少 If-Match 请求头"),
}
WORKFLOW_ERRORS = ERRORS | {
    409: OpenApiResponse(ErrorSerializer, description="职位当前状态不允许此操作")
}
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='读取该职位时得到的 ETag，如 "3"',
)
ETAG_NOTE = "成功；响应头 ETag 为工作稿的编辑版本（修改时放入 If-Match）"
FILTERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="关键词：名称、编号、部门或拼音首字母"),
    OpenApiParameter("department", OpenApiTypes.INT, description="所在部门 ID（含下级部门）"),
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        enum=[*Position.Status.values, "all"],
        description="状态；不填为未归档，all 为全部",
    ),
    OpenApiParameter("grade", OpenApiTypes.INT, description="职位等级（从），0–99"),
    OpenApiParameter("grade_to", OpenApiTypes.INT, description="职位等级（至），0–99"),
    OpenApiParameter(
        "staffing", OpenApiTypes.STR, enum=["vacant", "filled"], description="在岗情况"
    ),
    OpenApiParameter(
        "sort",
        OpenApiTypes.STR,
        enum=[value for value, _label in SORT_CHOICES],
        description="排序：department（默认，部门顺序）、code、title，前加 - 为倒序",
    ),
]


def _loaded(request: Request, pk: int) -> Position:
    return visible_position(request, pk, Position.objects.with_sheet())


def _detail_response(request: Request, position: Position, status_code: int = 200) -> Response:
    detail = reading.position_detail(request.user, position)
    data = PositionDetailSerializer(detail).data
    return Response(data, status=status_code, headers={"ETag": reading.etag(detail)})


def _expected_lock_version(request: Request) -> int:
    raw = request.headers.get("If-Match", "").strip()
    if not raw:
        raise PreconditionRequired()
    if raw == "*":
        raise PreconditionRequired("If-Match 须为读取该职位时得到的 ETag，不能用 *。")
    for value in raw.split(","):
        value = value.strip().removeprefix("W/").strip('"')
        if value.isdigit() and len(value) < 10:
            return int(value)
    return -1  # matches no version: 412 with the current state


def _stale(request: Request, pk: int) -> Response:
    current = _loaded(request, pk)
    detail = reading.position_detail(request.user, current)
    body = {
        "detail": f"职位“{current.title}”已被他人修改（当前编辑版本 {current.lock_version}），"
        "请根据当前内容重新修改。",
        "code": "precondition_failed",
        "current": PositionDetailSerializer(detail).data,
    }
    return Response(
        body, status=status.HTTP_412_PRECONDITION_FAILED, headers={"ETag": reading.etag(detail)}
    )


def _validated(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    if not serializer.is_valid():
        raise FieldErrors(serializer)
    return dict(serializer.validated_data)


def _validated_content(request: Request) -> dict:
    return _validated(PositionContentSerializer, request)


class PositionListView(APIView):
    pagination_class = Pagination

    @extend_schema(
        operation_id="positions_list",
        summary="职位列表",
        description="调用者能看到的职位（与「职位列表」页面相同的筛选、排序，分页）。"
        "HR 编辑和本部门经理看到工作稿，其他人看到现行版本。",
        parameters=FILTERS,
        responses={200: PositionSummarySerializer(many=True)} | ERRORS,
        tags=["职位"],
    )
    def get(self, request: Request) -> Response:
        listed = listed_positions(request)
        filterset = PositionFilter(
            request.query_params,
            queryset=listed_positions(request, superior=False),
            request=request,
        )
        if not filterset.is_valid():
            raise ValidationError([m for messages in filterset.errors.values() for m in messages])
        paginator = self.pagination_class()
        ids = paginator.paginate_queryset(
            filterset.qs.values_list("pk", flat=True), request, view=self
        )
        loaded = {position.pk: position for position in listed.filter(pk__in=ids)}
        rows = reading.position_summaries(
            [loaded[pk] for pk in ids if pk in loaded], department_index()
        )
        return paginator.get_paginated_response(PositionSummarySerializer(rows, many=True).data)

    @extend_schema(
        operation_id="positions_create",
        summary="新建职位",
        description="HR 编辑在其负责的部门中新建职位说明书（草稿），经唯一的写入服务写入，"
        "并记入审计日志。",
        request=PositionContentSerializer,
        responses={201: OpenApiResponse(PositionDetailSerializer, description=ETAG_NOTE)} | ERRORS,
        tags=["职位"],
    )
    def post(self, request: Request) -> Response:
        if not permissions.can_create_positions(request.user):
            raise PermissionDenied("只有 HR 编辑可以新建职位。")
        data = _validated_content(request)
        errors = writing.creation_refusal(request.user, data)
        if errors:
            raise ValidationError(errors)
        with transaction.atomic():
            content = writing.sheet_content(request.user, None, data)
            position = write_sheet(
                user=request.user, position=None, content=content, comment="通过 API 新建"
            )
            services.record_write(
                request, created=True, obj=position, details={"fields": sorted(data)}
            )
        return _detail_response(request, _loaded(request, position.pk), status.HTTP_201_CREATED)


class PositionDetailView(APIView):
    @extend_schema(
        operation_id="positions_retrieve",
        summary="职位说明书",
        description="调用者看到的职位说明书：HR 编辑和本部门经理看到工作稿（含草稿），"
        "其他人看到现行版本；与页面、PDF 的内容一致。ETag 为工作稿的编辑版本。",
        responses={200: OpenApiResponse(PositionDetailSerializer, description=ETAG_NOTE)} | ERRORS,
        tags=["职位"],
    )
    def get(self, request: Request, pk: int) -> Response:
        return _detail_response(request, _loaded(request, pk))

    @extend_schema(
        operation_id="positions_partial_update",
        summary="修改职位说明书",
        description="只修改请求中给出的字段和部分（给出的部分整体替换，带 id 的行保留其身份）。"
        "必须带 If-Match（读取时的 ETag）：缺少为 428，已过期为 412（返回当前状态）。"
        "已生效的职位开始编写下一版本，审批中的退回草稿。",
        parameters=[IF_MATCH],
        request=PositionContentSerializer,
        responses={200: OpenApiResponse(PositionDetailSerializer, description=ETAG_NOTE)}
        | WRITE_ERRORS,
        tags=["职位"],
    )
    def patch(self, request: Request, pk: int) -> Response:
        position = _loaded(request, pk)
        refusal = permissions.sheet_write_refusal(request.user, stored=position, department=None)
        if refusal is not None:
            raise PermissionDenied(refusal)
        expected = _expected_lock_version(request)
        data = _validated_content(request)
        if expected != position.lock_version:
            return _stale(request, pk)
        try:
            with transaction.atomic():
                content = writing.sheet_content(request.user, position, data)
                write_sheet(
                    user=request.user,
                    position=position,
                    content=content,
                    comment="通过 API 修改",
                    expected_lock_version=expected,
                )
                services.record_write(
                    request, created=False, obj=position, details={"fields": sorted(data)}
                )
        except EditConflict:
            return _stale(request, pk)
        return _detail_response(request, _loaded(request, pk))


class VersionListView(APIView):
    @extend_schema(
        operation_id="positions_versions_list",
        summary="版本列表",
        description="职位的所有已发布版本（V1、V2 …），新的在前。",
        responses={200: VersionSummarySerializer(many=True)} | ERRORS,
        tags=["版本"],
    )
    def get(self, request: Request, pk: int) -> Response:
        position = visible_position(request, pk, Position.objects.all())
        return Response(VersionSummarySerializer(reading.version_rows(position), many=True).data)


class VersionDetailView(APIView):
    @extend_schema(
        operation_id="positions_versions_retrieve",
        summary="某一版本的职位说明书",
        description="任一已发布版本，与打印的内容一致；旧版本的状态为 superseded。",
        responses={200: PositionDetailSerializer} | ERRORS,
        tags=["版本"],
    )
    def get(self, request: Request, pk: int, number: int) -> Response:
        position = _loaded(request, pk)
        detail = reading.position_detail(request.user, position, number=number)
        return Response(PositionDetailSerializer(detail).data)


def _workflow_view(step: str, summary: str, description: str):
    class WorkflowView(APIView):
        @extend_schema(
            operation_id=f"positions_{step}",
            summary=summary,
            description=description,
            request=WorkflowSerializer,
            responses={200: PositionDetailSerializer} | WORKFLOW_ERRORS,
            tags=["审批流程"],
        )
        def post(self, request: Request, pk: int) -> Response:
            position = visible_position(request, pk, Position.objects.select_related("department"))
            comment = _validated(WorkflowSerializer, request).get("comment", "")
            if step == "submit":
                workflow.submit(user=request.user, position=position)
            elif step == "review":
                workflow.review(user=request.user, position=position, comment=comment)
            elif step == "approve":
                workflow.approve(user=request.user, position=position, comment=comment)
            else:
                workflow.reject(user=request.user, position=position, comment=comment)
            return _detail_response(request, _loaded(request, pk))

    WorkflowView.__name__ = f"Position{step.title()}View"
    return WorkflowView


PositionSubmitView = _workflow_view(
    "submit", "提交审核", "草稿 → 待审核：负责该职位的 HR 编辑提交，成为编制人。"
)
PositionReviewView = _workflow_view(
    "review", "审核通过", "待审核 → 待审批：由部门设定的审核人执行，可附审核意见。"
)
PositionApproveView = _workflow_view(
    "approve", "审批通过", "待审批 → 已生效：本部门或上级部门的部门经理审批，发布为新版本。"
)
PositionRejectView = _workflow_view(
    "reject", "退回", "待审核或待审批 → 草稿：审核人或审批人退回，必须填写退回意见。"
)

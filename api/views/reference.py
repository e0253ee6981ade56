"""The department tree, the org tree (reporting lines) and employees (HR) through the API."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import reading, services
from api.pagination import Pagination
from api.serializers import (
    DepartmentSerializer,
    EmployeeDetailSerializer,
    EmployeeSerializer,
    OrgNodeSerializer,
)
from api.views.positions import ERRORS
from people.forms.people import EmployeeFilterForm
from people.services import people
from positions import permissions
from positions.models import Assignment, Employee, Position
from positions.org import department_index
from positions.views.browse import listed_positions


class DepartmentListView(APIView):
    @extend_schema(
        operation_id="departments_list",
        summary="部门树",
        description="全部部门，按树的先序排列（上级在前，同级按排序）；"
        "用 parent_id 和 depth 组成树。",
        responses={200: DepartmentSerializer(many=True)} | ERRORS,
        tags=["组织"],
    )
    def get(self, request: Request) -> Response:
        return Response(DepartmentSerializer(reading.department_rows(), many=True).data)


class OrgTreeView(APIView):
    pagination_class = Pagination

    @extend_schema(
        operation_id="org_tree_list",
        summary="组织架构（汇报关系）",
        description="调用者能看到的未归档职位及其直接上级（按调用者所见：读者为现行版本的汇报关系），"
        "按职位 ID 排序、分页；用 superior_id 组成树。",
        responses={200: OrgNodeSerializer(many=True)} | ERRORS,
        tags=["组织"],
    )
    def get(self, request: Request) -> Response:
        positions = listed_positions(request).active()
        visible = set(
            Position.objects.filter(permissions.visible_positions_q(request.user))
            .active()
            .values_list("pk", flat=True)
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(positions.order_by("pk"), request, view=self)
        nodes = reading.org_nodes(page, visible)
        return paginator.get_paginated_response(OrgNodeSerializer(nodes, many=True).data)


EMPLOYEE_FILTERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="姓名或工号"),
    OpenApiParameter(
        "department", OpenApiTypes.INT, description="现任职位所在部门 ID（含下级部门）"
    ),
    OpenApiParameter("left", OpenApiTypes.BOOL, description="true：包含已离职员工"),
]


class EmployeeListView(APIView):
    pagination_class = Pagination

    @extend_schema(
        operation_id="employees_list",
        summary="员工列表",
        description="仅 HR 编辑：其管理的员工（与「员工」页面相同），按工号排序、分页。"
        "每次读取记入审计日志。",
        parameters=EMPLOYEE_FILTERS,
        responses={200: EmployeeSerializer(many=True)} | ERRORS,
        tags=["员工"],
    )
    def get(self, request: Request) -> Response:
        if not permissions.can_read_employees_api(request.user):
            raise PermissionDenied("只有 HR 编辑可以查看员工列表。")
        index = department_index()
        form = EmployeeFilterForm(request.query_params, index=index)
        if not form.is_valid():
            raise ValidationError([m for messages in form.errors.values() for m in messages])
        filters = form.cleaned_data
        employees = people.managed_employees(request.user).with_position()
        if query := (filters.get("q") or "").strip():
            employees = employees.filter(Q(name__icontains=query) | Q(employee_no__icontains=query))
        if (department := filters.get("department")) is not None:
            in_department = Assignment.objects.current().filter(
                employee=OuterRef("pk"), position__department_id__in=index.subtree_ids(department)
            )
            employees = employees.filter(Exists(in_department))
        if not filters.get("left"):
            employees = employees.current()
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            employees.order_by("employee_no", "pk"), request, view=self
        )
        rows = [reading.employee_row(employee) for employee in page]
        services.record_export(
            request,
            what="employees",
            details={"count": len(rows), "query": request.query_params.urlencode()[:500]},
        )
        return paginator.get_paginated_response(EmployeeSerializer(rows, many=True).data)


class EmployeeDetailView(APIView):
    @extend_schema(
        operation_id="employees_retrieve",
        summary="员工及其任职记录",
        description="管理该员工的 HR 编辑，以及员工本人。每次读取记入审计日志。",
        responses={200: EmployeeDetailSerializer} | ERRORS,
        tags=["员工"],
    )
    def get(self, request: Request, pk: int) -> Response:
        employee = get_object_or_404(Employee.objects.select_related("user"), pk=pk)
        if not permissions.can_view_employee_details(request.user, employee):
            raise PermissionDenied("无权查看该员工的信息。")
        data = reading.employee_detail(request.user, employee)
        services.record_export(
            request, what="employee", details={"employee_id": employee.pk, "name": employee.name}
        )
        return Response(EmployeeDetailSerializer(data).data)

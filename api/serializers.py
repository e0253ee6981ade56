"""The API's request and response shapes, with Chinese descriptions for the OpenAPI schema.

Responses are built from what the positions services return (the shown labels of a list, the
sheet of ``versions.read_sheet``); requests are checked here for types, lengths and choices,
and then by the one writer (``full_clean`` of the position and every row).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from api.schema import SheetField
from positions.models import (
    Department,
    Duty,
    ManualLevel,
    Position,
    Qualification,
    Relationship,
)

SMALL_INT = {"min_value": 0, "max_value": 32767}
LONG_TEXT = 20000  # characters of one text field (a sheet's longest texts are a few hundred)
MAX_ROWS = 300  # rows of one section


def text(label: str, max_length: int = LONG_TEXT, **kwargs: Any) -> serializers.CharField:
    return serializers.CharField(
        help_text=label, max_length=max_length, allow_blank=True, required=False, **kwargs
    )


def choice(label: str, choices, **kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        help_text=label, choices=[("", "（空）"), *choices], required=False, **kwargs
    )


# --- reading ------------------------------------------------------------------------------------


class DepartmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="部门 ID")
    name = serializers.CharField(help_text="部门名称")
    code = serializers.CharField(help_text="部门编号")
    kind = serializers.ChoiceField(choices=Department.Kind.choices, help_text="类型")
    kind_label = serializers.CharField(help_text="类型（中文）")
    parent_id = serializers.IntegerField(allow_null=True, help_text="上级部门 ID；最上级为 null")
    depth = serializers.IntegerField(help_text="层级：最上级为 0")
    reviewer_role = serializers.CharField(help_text="职位说明书审核人：hr_editor 或 manager")


class PositionSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="职位 ID")
    title = serializers.CharField(help_text="职位名称（不看工作稿的读者看到现行版本的名称）")
    code = serializers.CharField(allow_blank=True, help_text="职位编号")
    department_id = serializers.IntegerField(help_text="所在部门 ID")
    department_name = serializers.CharField(help_text="所在部门名称")
    superior_id = serializers.IntegerField(allow_null=True, help_text="直接上级职位 ID")
    superior_title = serializers.CharField(allow_null=True, help_text="直接上级职位名称")
    status = serializers.ChoiceField(
        choices=Position.Status.choices, help_text="状态；读者看到的现行版本总是 published"
    )
    status_label = serializers.CharField(help_text="状态（中文）")
    current_version = serializers.IntegerField(
        allow_null=True, help_text="现行版本号（V1 为 1）；从未生效为 null"
    )
    reads_working_copy = serializers.BooleanField(
        help_text="true：调用者看到工作稿（HR 编辑、本部门经理）；false：看到现行版本"
    )
    headcount = serializers.IntegerField(allow_null=True, help_text="职位编制（人）")
    filled = serializers.IntegerField(help_text="在岗人数")


class VersionSummarySerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="版本号（V1 为 1）")
    label = serializers.CharField(help_text="版本标签，如 V1")
    title = serializers.CharField(help_text="该版本的职位名称")
    code = serializers.CharField(allow_blank=True, help_text="该版本的职位编号")
    effective_date = serializers.DateField(allow_null=True, help_text="生效日期")
    is_current = serializers.BooleanField(help_text="是否为现行版本")


# --- the editable content (read by editors, written by HR) ---------------------------------------


class DutyRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        required=False, allow_null=True, help_text="已有行的 ID（修改该行）；新行不填"
    )
    group = text("职责分组", 50)
    kind = choice("工作类别", Duty.Kind.choices)
    title = text("主要职责", 100)
    tasks = serializers.CharField(
        help_text="工作内容，每行一项（必填）", max_length=LONG_TEXT, allow_blank=True
    )
    responsibility = choice("负责程度", Duty.Responsibility.choices)
    assessment = text("考核要点")


class AuthorityRowSerializer(serializers.Serializer):
    """A row of 工作权限 — read-only: the position's cells of the 权责手册 version in force."""

    name = serializers.CharField(help_text="权限（事项与档位）", read_only=True)
    level = serializers.ChoiceField(
        help_text="权限级别", choices=ManualLevel.choices, read_only=True
    )


class RelationshipRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, allow_null=True, help_text="已有行的 ID")
    kind = serializers.ChoiceField(help_text="关系类型", choices=Relationship.Kind.choices)
    party = serializers.CharField(help_text="对象", max_length=100, allow_blank=True)
    purpose = text("联系内容")


class IndicatorRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, allow_null=True, help_text="已有行的 ID")
    name = serializers.CharField(help_text="指标", max_length=100, allow_blank=True)
    description = text("说明")


class QualificationSerializer(serializers.Serializer):
    education = choice("最低学历", Qualification.Education.choices)
    education_note = text("学历说明", 100)
    major = text("专业")
    experience_years = serializers.IntegerField(
        help_text="工作经验年数", allow_null=True, required=False, **SMALL_INT
    )
    experience = text("工作经验")
    background = text("资历")
    knowledge = text("专业知识 / 知识结构")
    skills = text("能力")
    competencies = text("能力素质")
    qualities = text("品质 / 意识")
    certificates = text("资格证书")


def rows(serializer: serializers.Serializer, label: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializer, required=False, max_length=MAX_ROWS, help_text=label
    )


class PositionContentSerializer(serializers.Serializer):
    """A sheet's editable content. Writing: only the fields and sections given change; a
    section given replaces all its rows (rows with ``id`` keep their identity)."""

    title = serializers.CharField(
        help_text="职位名称（新建时必填）", max_length=100, required=False
    )
    code = text("职位编号（非空时唯一）", 30)
    department = serializers.IntegerField(
        help_text="所在部门 ID（新建时必填）", required=False, min_value=1
    )
    reports_to = serializers.IntegerField(
        help_text="直接上级职位 ID；null 为无", required=False, allow_null=True, min_value=1
    )
    grade_min = serializers.IntegerField(
        help_text="职位等级下限", required=False, allow_null=True, **SMALL_INT
    )
    grade_max = serializers.IntegerField(
        help_text="职位等级上限", required=False, allow_null=True, **SMALL_INT
    )
    headcount = serializers.IntegerField(
        help_text="职位编制（人）", required=False, allow_null=True, **SMALL_INT
    )
    sort_order = serializers.IntegerField(
        help_text="部门内排序", required=False, min_value=-32768, max_value=32767
    )
    location = text("工作地点", 100)
    purpose = text("设岗目的 / 职位使命")
    summary = text("职位概要")
    commitments = text("主要责任，每行一项")
    work_environment = text("工作环境")
    other_requirements = text("其他要求")
    related_positions = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=100,
        help_text="相关职位 ID",
    )
    duties = rows(DutyRowSerializer(), "工作职责，按重要性排列（第 1 行最重要）")
    authorities = serializers.ListField(
        child=AuthorityRowSerializer(),
        read_only=True,
        help_text="工作权限（只读：取自现行权责手册，在权责手册中编辑）",
    )
    relationships = rows(RelationshipRowSerializer(), "工作关系")
    indicators = rows(IndicatorRowSerializer(), "关键绩效指标")
    qualification = QualificationSerializer(
        required=False, allow_null=True, help_text="任职资格；null 为删除"
    )

    def validate(self, attrs):
        if isinstance(self.initial_data, dict) and "authorities" in self.initial_data:
            raise serializers.ValidationError(
                {
                    "authorities": "工作权限取自权责手册，不能在职位说明书中修改；"
                    "请在权责手册中编辑。"
                }
            )
        return attrs


class PositionDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="职位 ID")
    reads_working_copy = serializers.BooleanField(
        help_text="true：sheet 是工作稿（可能是草稿）；false：sheet 是一个已生效版本"
    )
    version = serializers.IntegerField(
        allow_null=True, help_text="sheet 所示的版本号；工作稿为 null"
    )
    current_version = serializers.IntegerField(allow_null=True, help_text="现行版本号")
    versions = serializers.ListField(
        child=serializers.IntegerField(), help_text="所有已发布版本号，新的在前"
    )
    lock_version = serializers.IntegerField(
        allow_null=True, help_text="工作稿的编辑版本（即 ETag）；读者为 null"
    )
    can_edit = serializers.BooleanField(help_text="调用者能否修改该职位说明书")
    sheet = SheetField(help_text="职位说明书")
    content = PositionContentSerializer(
        allow_null=True, help_text="可编辑的内容（含各行 ID），仅对能修改的 HR 编辑给出"
    )


class PreconditionFailedSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="错误说明")
    code = serializers.CharField(help_text="precondition_failed")
    current = PositionDetailSerializer(help_text="该职位的当前状态（含新的 lock_version）")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="错误说明（中文）")
    code = serializers.CharField(help_text="错误代码")
    errors = serializers.JSONField(required=False, help_text="逐字段的错误（校验失败时）")


class WorkflowSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="意见：审核、审批时可选，退回时必填",
    )


# --- people and the org tree ------------------------------------------------------------------


class HeldPositionSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="职位 ID")
    title = serializers.CharField(help_text="职位名称")
    code = serializers.CharField(allow_blank=True, help_text="职位编号")
    department_name = serializers.CharField(help_text="所在部门")


class EmployeeSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="员工 ID")
    name = serializers.CharField(help_text="姓名")
    employee_no = serializers.CharField(help_text="工号")
    username = serializers.CharField(help_text="登录账号")
    hired_on = serializers.DateField(help_text="入职日期")
    left_on = serializers.DateField(allow_null=True, help_text="离职日期")
    position = HeldPositionSerializer(allow_null=True, help_text="现任职位")


class AssignmentSerializer(serializers.Serializer):
    position_id = serializers.IntegerField(
        allow_null=True, help_text="职位 ID（调用者看不到该职位时为 null）"
    )
    position_title = serializers.CharField(help_text="职位名称")
    start_date = serializers.DateField(help_text="任职开始日期")
    end_date = serializers.DateField(allow_null=True, help_text="任职结束日期")
    reason = serializers.CharField(help_text="任职原因：hire 入职、transfer 调岗")


class EmployeeDetailSerializer(EmployeeSerializer):
    assignments = AssignmentSerializer(many=True, help_text="任职记录，新的在前")


class OrgNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="职位 ID")
    title = serializers.CharField(help_text="职位名称（调用者所见）")
    code = serializers.CharField(allow_blank=True, help_text="职位编号")
    department_id = serializers.IntegerField(help_text="所在部门 ID")
    superior_id = serializers.IntegerField(
        allow_null=True, help_text="直接上级职位 ID；最上级（或上级对调用者不可见）为 null"
    )

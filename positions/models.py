"""The job-description data model.

A position (职位) belongs to a department (部门) and reports to another position (直接上级);
its direct reports (直接下属) are derived from that one link and never stored twice. Everything
a sheet says hangs off the position: duties, the qualification, working relationships and key
indicators; its 工作权限 are the position's cells of the 权责手册 (the end of this module).
"""

from __future__ import annotations

import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import F, Prefetch, Q
from django.urls import reverse

from positions.ids import position_number
from positions.layouts import DEPARTMENT_LAYOUT_CHOICES, LAYOUT_CHOICES
from positions.layouts import STANDARD as STANDARD_LAYOUT


def split_lines(text: str) -> list[str]:
    """Non-empty, stripped lines of a multi-line text field."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def grade_label(low: int | None, high: int | None) -> str:
    """职位等级 as printed: "5–8", "5", or "" when neither end is set."""
    if low is None and high is None:
        return ""
    if low is None or high is None or low == high:
        return str(low if low is not None else high)
    return f"{low}–{high}"


def staffing_label(filled: int, headcount: int | None) -> str:
    """在岗 / 编制, e.g. "2/3"; just "2" without a 职位编制."""
    return str(filled) if headcount is None else f"{filled}/{headcount}"


class Department(models.Model):
    class ReviewerRole(models.TextChoices):
        HR_EDITOR = "hr", "HR 编辑"
        MANAGER = "manager", "部门经理"

    class Kind(models.TextChoices):
        GROUP = "group", "集团公司"
        COMPANY = "company", "项目公司"
        DEPARTMENT = "department", "部门"

    name = models.CharField("部门名称", max_length=100)
    code = models.CharField("部门编号", max_length=30, unique=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    order = models.PositiveIntegerField("排序", default=0)
    reviewer_role = models.CharField(
        "职位说明书审核人",
        max_length=20,
        choices=ReviewerRole.choices,
        default=ReviewerRole.HR_EDITOR,
        help_text="本部门职位说明书提交后由谁审核：HR 编辑，或本部门的部门经理。",
    )
    sheet_layout = models.CharField(
        "打印版式",
        max_length=20,
        blank=True,
        default="",
        choices=DEPARTMENT_LAYOUT_CHOICES,
        help_text="本部门职位说明书打印（页面、PDF、Word、汇编）所用的版式；留空沿用公司信息中的设置。",
    )

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=F("pk")), name="positions_department_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("positions:department-detail", kwargs={"pk": self.pk})

    def ancestors(self) -> list[Department]:
        """From the root down to the parent of this department."""
        chain: list[Department] = []
        node = self.parent
        seen = {self.pk}
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return list(reversed(chain))

    @property
    def full_name(self) -> str:
        """Names from the root, e.g. 福州公司 / 销售部."""
        return " / ".join([d.name for d in self.ancestors()] + [self.name])

    def clean(self) -> None:
        super().clean()
        if self.parent_id is None:
            return
        if self.pk is not None and self.parent_id == self.pk:
            raise ValidationError({"parent": "部门不能以自身为上级部门。"})
        node = self.parent
        while node is not None:
            if self.pk is not None and node.pk == self.pk:
                raise ValidationError({"parent": "上级部门不能是本部门的下级部门。"})
            node = node.parent


def _signer(verbose_name: str) -> models.ForeignKey:
    """The user who signed one step off (kept when the account is deleted: SET_NULL)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class SignOffFields(models.Model):
    """编制 / 审核 / 审批: who signed the sheet off and when.

    The ``*_name`` fields keep the names as printed (all the seed's paper sheets have); the user
    fields say who signed off in the workflow.
    """

    prepared_by_name = models.CharField("编制人", max_length=50, blank=True)
    prepared_at = models.DateField("编制日期", null=True, blank=True)
    reviewed_by_name = models.CharField("审核人", max_length=50, blank=True)
    reviewed_at = models.DateField("审核日期", null=True, blank=True)
    approved_by_name = models.CharField("审批人", max_length=50, blank=True)
    approved_at = models.DateField("审批日期", null=True, blank=True)
    prepared_by = _signer("编制人账号")
    reviewed_by = _signer("审核人账号")
    approved_by = _signer("审批人账号")

    class Meta:
        abstract = True


def sheet_prefetches() -> list[str | Prefetch]:
    """The sections of a position's working copy a sheet shows (``with_sheet``)."""
    return [
        "duties",
        Prefetch("manual_rows", queryset=ManualVersionRow.objects.in_force()),
        "relationships",
        "indicators",
        Prefetch("direct_reports", queryset=Position.objects.order_by("code", "title")),
        Prefetch("related_positions", queryset=Position.objects.order_by("code", "title")),
    ]


class PositionQuerySet(models.QuerySet):
    def published(self) -> PositionQuerySet:
        return self.filter(status=Position.Status.PUBLISHED)

    def in_force(self) -> PositionQuerySet:
        """Positions with a published version in force (not archived)."""
        return self.filter(current_version__isnull=False).exclude(status=Position.Status.ARCHIVED)

    def drafts(self) -> PositionQuerySet:
        return self.filter(status=Position.Status.DRAFT)

    def active(self) -> PositionQuerySet:
        """Everything not archived."""
        return self.exclude(status=Position.Status.ARCHIVED)

    def with_staffing(self) -> PositionQuerySet:
        """Annotate ``filled``: how many employees (not left) hold each position now."""
        return self.annotate(
            filled=models.Count(
                "assignments",
                filter=Q(
                    assignments__end_date__isnull=True,
                    assignments__employee__left_on__isnull=True,
                ),
                distinct=True,
            )
        )

    def with_department(self) -> PositionQuerySet:
        return self.select_related("department", "reports_to")

    def with_sheet(self) -> PositionQuerySet:
        """Everything a sheet shows, in a fixed number of queries whatever the sizes."""
        return self.with_sheet_joins().prefetch_related(*sheet_prefetches())

    def with_sheet_joins(self) -> PositionQuerySet:
        """``with_sheet``'s joins without its sections: for pages that may show a published
        version instead (``prefetch_related_objects(..., *sheet_prefetches())`` adds them)."""
        return self.select_related(
            "department__parent__parent",
            "reports_to",
            "qualification",
            "current_version",
        ).defer("current_version__sheet")

    def search(self, query: str) -> PositionQuerySet:
        query = query.strip()
        if not query:
            return self
        return self.filter(
            Q(title__icontains=query)
            | Q(code__icontains=query)
            | Q(department__name__icontains=query)
        )


class Position(SignOffFields):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "待审核"
        REVIEWED = "reviewed", "待审批"
        PUBLISHED = "published", "已生效"
        ARCHIVED = "archived", "已归档"

    title = models.CharField("职位名称", max_length=100)
    code = models.CharField(
        "职位编号",
        max_length=30,
        blank=True,
        default="",
        help_text="如 FZ-XS-001、MK105；可留空，填写时必须唯一。",
    )
    department = models.ForeignKey(
        Department, verbose_name="所在部门", on_delete=models.PROTECT, related_name="positions"
    )
    reports_to = models.ForeignKey(
        "self",
        verbose_name="直接上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="direct_reports",
    )
    related_positions = models.ManyToManyField(
        "self", verbose_name="相关职位", blank=True, symmetrical=True
    )
    grade_min = models.PositiveSmallIntegerField("职位等级（低）", null=True, blank=True)
    grade_max = models.PositiveSmallIntegerField("职位等级（高）", null=True, blank=True)
    headcount = models.PositiveSmallIntegerField("职位编制", null=True, blank=True)
    sort_order = models.SmallIntegerField(
        "排序",
        default=0,
        help_text="同一部门内职位的排列顺序，数字小的在前（如总经理 1、副总经理 2）。",
    )
    location = models.CharField("工作地点", max_length=100, blank=True)
    purpose = models.TextField("设岗目的 / 职位使命", blank=True)
    summary = models.TextField("职位概要", blank=True)
    commitments = models.TextField(
        "主要责任", blank=True, help_text="每行一条，如“保证及时提供支持服务；”。"
    )
    work_environment = models.TextField("工作环境", blank=True)
    other_requirements = models.TextField("其他要求", blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    lock_version = models.PositiveIntegerField(
        "编辑版本号",
        default=1,
        editable=False,
        help_text="每次保存职位或其任一部分时加一；用于发现并发编辑（乐观锁）。",
    )
    review_interval_months = models.PositiveSmallIntegerField(
        "复核周期（月）", default=12, help_text="职位说明书生效后，每隔多少个月复核一次。"
    )
    next_review_on = models.DateField("下次复核日期", null=True, blank=True)
    # The version in force (the latest published one). Readers without draft rights see only
    # this; the fields above are the working copy HR edits towards the next version.
    current_version = models.ForeignKey(
        "Version",
        verbose_name="现行版本",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = PositionQuerySet.as_manager()

    class Meta:
        verbose_name = "职位"
        verbose_name_plural = "职位"
        ordering = ["department__order", "sort_order", "code", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=~Q(code=""), name="positions_position_code_unique"
            ),
            models.CheckConstraint(
                condition=Q(grade_min__isnull=True)
                | Q(grade_max__isnull=True)
                | Q(grade_min__lte=F("grade_max")),
                name="positions_position_grade_range",
            ),
            models.CheckConstraint(
                condition=~Q(reports_to=F("pk")), name="positions_position_not_own_superior"
            ),
        ]
        # Pages at scale (issue #21): counting and sorting the unarchived positions (the list),
        # and the per-department counts and reporting structure of the published ones (the org
        # chart), read these narrow indexes (index-only scans) instead of the wide table, whose
        # rows carry the sheet's texts — at 100,000 positions the table outgrows the cache.
        indexes = [
            models.Index(
                fields=["department", "code", "title", "id"],
                condition=~Q(status="archived"),
                name="positions_position_list_wc",
            ),
            models.Index(
                fields=["current_version", "department", "reports_to", "id"],
                condition=Q(current_version__isnull=False) & ~Q(status="archived"),
                name="positions_position_in_force",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.code}）" if self.code else self.title

    def get_absolute_url(self) -> str:
        return reverse("positions:position-sheet", kwargs={"pk": self.pk})

    @property
    def grade_display(self) -> str:
        return grade_label(self.grade_min, self.grade_max)

    def staffing_label(self, filled: int) -> str:
        """在岗 / 编制, e.g. "2/3"; just "2" when the position has no 职位编制."""
        return staffing_label(filled, self.headcount)

    @property
    def staffing(self) -> str:
        """``staffing_label`` for a position loaded ``with_staffing()``."""
        return self.staffing_label(self.filled)

    @property
    def commitment_lines(self) -> list[str]:
        return split_lines(self.commitments)

    def reporting_cycle(self) -> list[Position]:
        """The chain self → superior → … that returns to self, or [] when there is none."""
        if self.reports_to_id is None:
            return []
        chain: list[Position] = [self]
        seen = {self.pk} if self.pk is not None else set()
        try:
            node = self.reports_to
        except Position.DoesNotExist:  # no such superior: its field's own error says so
            return []
        while node is not None:
            if self.pk is not None and node.pk == self.pk:
                return [*chain, self]
            if node.pk in seen:
                return []  # a cycle further up that this position is not part of
            seen.add(node.pk)
            chain.append(node)
            node = node.reports_to
        return []

    # Who holds which code (code → (pk, title)), when a caller that cleans many positions at
    # once (the one writer's bulk writes) has looked them up in one query; None: ask the
    # database for this one.
    code_holders: dict[str, tuple[int, str]] | None = None

    def _code_clash(self) -> str | None:
        """The title of the other position holding this code, or None."""
        if self.code_holders is not None:
            pk, title = self.code_holders.get(self.code, (None, ""))
            return title if pk is not None and pk != self.pk else None
        clash = Position.objects.filter(code=self.code).exclude(pk=self.pk).first()
        return None if clash is None else clash.title

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        self.code = self.code.strip()
        if self.code:
            holder = self._code_clash()
            if holder is not None:
                errors["code"] = f"职位编号“{self.code}”已被“{holder}”使用。"
        if (
            self.grade_min is not None
            and self.grade_max is not None
            and self.grade_min > self.grade_max
        ):
            errors["grade_max"] = (
                f"职位等级范围无效：最低等级 {self.grade_min} 高于最高等级 {self.grade_max}。"
            )
        if self.reports_to_id is not None and self.pk is not None and self.reports_to_id == self.pk:
            errors["reports_to"] = "职位不能以自身为直接上级。"
        else:
            cycle = self.reporting_cycle()
            if cycle:
                names = " → ".join(p.title for p in cycle)
                errors["reports_to"] = f"汇报关系形成循环：{names}。"
        if errors:
            raise ValidationError(errors)


class Duty(models.Model):
    class Kind(models.TextChoices):
        KEY = "key", "重点工作"
        GENERAL = "general", "一般工作"

    class Responsibility(models.TextChoices):
        FULL = "full", "全责"
        PARTIAL = "partial", "部分"
        ASSIST = "assist", "协助"

    position = models.ForeignKey(
        Position, verbose_name="职位", on_delete=models.CASCADE, related_name="duties"
    )
    rank = models.PositiveSmallIntegerField("重要性", help_text="1 为最重要；决定职责的排列顺序。")
    group = models.CharField(
        "职责分组", max_length=50, blank=True, help_text="如“销售业务管理”；同组职责连续排列。"
    )
    kind = models.CharField("工作类别", max_length=10, choices=Kind.choices, blank=True)
    title = models.CharField("主要职责", max_length=100, blank=True)
    tasks = models.TextField("工作内容", help_text="每行一项工作任务。")
    responsibility = models.CharField(
        "负责程度", max_length=10, choices=Responsibility.choices, blank=True
    )
    assessment = models.TextField("考核要点", blank=True)

    class Meta:
        verbose_name = "工作职责"
        verbose_name_plural = "工作职责"
        ordering = ["position_id", "rank"]  # by id: no join to positions and departments
        constraints = [
            models.UniqueConstraint(fields=["position", "rank"], name="positions_duty_rank_unique"),
        ]

    def __str__(self) -> str:
        lines = self.task_lines
        return f"{self.rank}. {self.title or (lines[0] if lines else '')}"

    def get_absolute_url(self) -> str:
        return self.position.get_absolute_url() + f"#duty-{self.rank}"

    @property
    def task_lines(self) -> list[str]:
        return split_lines(self.tasks)


class Qualification(models.Model):
    class Education(models.TextChoices):
        HIGH_SCHOOL = "high_school", "高中/中专"
        COLLEGE = "college", "大专"
        BACHELOR = "bachelor", "本科"
        MASTER = "master", "硕士"
        DOCTOR = "doctor", "博士"

    position = models.OneToOneField(
        Position, verbose_name="职位", on_delete=models.CASCADE, related_name="qualification"
    )
    education = models.CharField("最低学历", max_length=20, choices=Education.choices, blank=True)
    education_note = models.CharField(
        "学历说明", max_length=100, blank=True, help_text="如“大学本科”“大专及以上学历”。"
    )
    major = models.TextField("专业", blank=True)
    experience_years = models.PositiveSmallIntegerField("工作经验（年）", null=True, blank=True)
    experience = models.TextField("工作经验", blank=True)
    background = models.TextField("资历", blank=True, help_text="专业、学历与经验的综合要求。")
    knowledge = models.TextField("专业知识 / 知识结构", blank=True)
    skills = models.TextField("能力", blank=True)
    competencies = models.TextField("能力素质", blank=True)
    qualities = models.TextField("品质 / 意识", blank=True)
    certificates = models.TextField("资格证书", blank=True)

    # The fields a sheet shows, in the sheet's order (editor, conflict report, history).
    SHEET_FIELDS = (
        "education",
        "education_note",
        "major",
        "experience_years",
        "experience",
        "background",
        "knowledge",
        "skills",
        "competencies",
        "qualities",
        "certificates",
    )

    class Meta:
        verbose_name = "任职资格"
        verbose_name_plural = "任职资格"
        ordering = ["position_id"]

    def __str__(self) -> str:
        return f"{self.position.title}的任职资格"

    def get_absolute_url(self) -> str:
        return self.position.get_absolute_url() + "#qualification"


class Relationship(models.Model):
    class Kind(models.TextChoices):
        INTERNAL = "internal", "内部工作关系"
        EXTERNAL = "external", "外部工作关系"
        ADMINISTRATIVE = "administrative", "行政管理关系"

    position = models.ForeignKey(
        Position, verbose_name="职位", on_delete=models.CASCADE, related_name="relationships"
    )
    kind = models.CharField("关系类型", max_length=20, choices=Kind.choices)
    party = models.CharField("对象", max_length=100, help_text="部门、职位或外部单位，如“客户”。")
    purpose = models.TextField("联系内容", blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "工作关系"
        verbose_name_plural = "工作关系"
        ordering = ["position_id", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.party}"

    def get_absolute_url(self) -> str:
        return self.position.get_absolute_url() + "#relationships"


class Indicator(models.Model):
    position = models.ForeignKey(
        Position, verbose_name="职位", on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.CharField("指标", max_length=100)
    description = models.TextField("说明", blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "关键指标"
        verbose_name_plural = "关键指标"
        ordering = ["position_id", "order", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.position.get_absolute_url() + "#indicators"


class EmployeeQuerySet(models.QuerySet):
    def current(self) -> EmployeeQuerySet:
        """Employees who have not left."""
        return self.filter(left_on__isnull=True)

    def with_position(self) -> EmployeeQuerySet:
        return self.select_related("user").prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.current().select_related("position__department"),
                to_attr="current_assignments",
            )
        )


class Employee(models.Model):
    """A person who holds (or held) positions; one user account each."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        on_delete=models.PROTECT,
        related_name="employee",
    )
    name = models.CharField("姓名", max_length=50)
    employee_no = models.CharField("工号", max_length=30, unique=True)
    hired_on = models.DateField("入职日期")
    left_on = models.DateField("离职日期", null=True, blank=True)

    objects = EmployeeQuerySet.as_manager()

    class Meta:
        verbose_name = "员工"
        verbose_name_plural = "员工"
        ordering = ["employee_no"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("hired_on")),
                name="positions_employee_left_after_hired",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.employee_no}）"

    def get_absolute_url(self) -> str:
        return reverse("positions:employee-detail", kwargs={"pk": self.pk})

    @property
    def has_left(self) -> bool:
        return self.left_on is not None

    def clean(self) -> None:
        super().clean()
        if self.left_on and self.hired_on and self.left_on < self.hired_on:
            raise ValidationError({"left_on": "离职日期不能早于入职日期。"})


class AssignmentQuerySet(models.QuerySet):
    def current(self) -> AssignmentQuerySet:
        """Assignments in force now (not ended)."""
        return self.filter(end_date__isnull=True)


class Assignment(models.Model):
    """Who held which position when: 入职, each 调岗 and 离职 open or close one of these."""

    class Reason(models.TextChoices):
        HIRE = "hire", "入职"
        TRANSFER = "transfer", "调岗"

    employee = models.ForeignKey(
        Employee, verbose_name="员工", on_delete=models.CASCADE, related_name="assignments"
    )
    position = models.ForeignKey(
        Position, verbose_name="职位", on_delete=models.PROTECT, related_name="assignments"
    )
    start_date = models.DateField("任职开始日期")
    end_date = models.DateField("任职结束日期", null=True, blank=True)
    reason = models.CharField(
        "任职原因", max_length=20, choices=Reason.choices, default=Reason.HIRE
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "任职记录"
        verbose_name_plural = "任职记录"
        ordering = ["employee", "-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="positions_assignment_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["employee"],
                condition=Q(end_date__isnull=True),
                name="positions_assignment_one_current",
            ),
        ]

    def __str__(self) -> str:
        until = self.end_date.isoformat() if self.end_date else "至今"
        period = f"{self.start_date.isoformat()} — {until}"
        return f"{self.employee.name}：{self.position.title}（{period}）"

    def get_absolute_url(self) -> str:
        return self.employee.get_absolute_url()


class EditorScope(models.Model):
    """Limits an HR editor to department subtrees; an HR editor without any scope edits all."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="HR 编辑",
        on_delete=models.CASCADE,
        related_name="editor_scopes",
    )
    department = models.ForeignKey(
        Department,
        verbose_name="可编辑的部门（含下级部门）",
        on_delete=models.CASCADE,
        related_name="editor_scopes",
    )

    class Meta:
        verbose_name = "HR 编辑范围"
        verbose_name_plural = "HR 编辑范围"
        ordering = ["user", "department"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department"], name="positions_editorscope_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.get_username()} → {self.department.name}"

    def get_absolute_url(self) -> str:
        return self.department.get_absolute_url()


class RoleManager(models.Manager):
    def get_by_natural_key(self, code: str) -> Role:
        return self.get(code=code)


class Role(models.Model):
    """A role (HR 编辑, 部门经理, 员工, 审计员) and the Django group that grants it.

    ``positions.permissions`` finds a user's roles by ``code``, never by the group's name: the
    name is only what people read, and a superuser may rename the group in the admin without
    anyone losing their role. A group without a role grants nothing, whatever its name.
    Migrations create the three roles with their groups; a role's group cannot be deleted.
    """

    class Code(models.TextChoices):
        HR_EDITOR = "hr_editor", "HR 编辑"
        MANAGER = "manager", "部门经理"
        EMPLOYEE = "employee", "员工"
        AUDITOR = "auditor", "审计员"

    code = models.CharField("角色", max_length=20, choices=Code.choices)
    group = models.OneToOneField(
        "auth.Group", verbose_name="用户组", on_delete=models.PROTECT, related_name="role"
    )

    objects = RoleManager()

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="positions_role_unique_code"),
            models.CheckConstraint(
                condition=Q(code__in=["hr_editor", "manager", "employee", "auditor"]),
                name="positions_role_known_code",
            ),
        ]

    def __str__(self) -> str:
        return self.get_code_display()

    def natural_key(self) -> tuple[str]:
        """Backups name a role by its code (its group by name): restoring links the roles a
        new database's migrations created, whatever their ids."""
        return (self.code,)


# Change history (django-reversion): a revision of a position holds the position and every
# section, so restoring one brings deleted duties back. Saving a section alone records the
# position with it.
SHEET_SECTIONS = ("duties", "relationships", "indicators", "qualification")
reversion.register(Position, follow=SHEET_SECTIONS)
for section_model in (Duty, Relationship, Indicator, Qualification):
    reversion.register(section_model, follow=("position",))


class WorkflowEvent(models.Model):
    """One step of the 编制 → 审核 → 审批 workflow, with who did it and why."""

    class Action(models.TextChoices):
        SUBMIT = "submit", "提交审核"
        REVIEW = "review", "审核通过"
        APPROVE = "approve", "审批通过"
        REJECT = "reject", "退回"
        # Go-live (services.golive): a file's own 编制/审核/审批, and a file imported in force.
        ORIGINAL_SIGNOFF = "original_signoff", "原文件签核"
        HISTORICAL_IMPORT = "historical_import", "历史文件导入"

    class SignoffStep(models.TextChoices):
        PREPARED = "prepared", "编制"
        REVIEWED = "reviewed", "审核"
        APPROVED = "approved", "审批"

    position = models.ForeignKey(
        Position, verbose_name="职位", on_delete=models.CASCADE, related_name="workflow_events"
    )
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        on_delete=models.PROTECT,
        related_name="workflow_events",
    )
    from_status = models.CharField("原状态", max_length=20, choices=Position.Status.choices)
    to_status = models.CharField("新状态", max_length=20, choices=Position.Status.choices)
    comment = models.TextField("意见", blank=True)
    # 原文件签核 only: the box of the imported file, the name and the date written in it.
    signoff_step = models.CharField(
        "原文件签核环节", max_length=10, choices=SignoffStep.choices, blank=True
    )
    signer_name = models.CharField("原文件签核人", max_length=50, blank=True)
    signed_on = models.DateField("原文件签核日期", null=True, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "审批记录"
        verbose_name_plural = "审批记录"
        ordering = ["position", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(action="reject") | ~Q(comment=""),
                name="positions_workflowevent_reject_has_comment",
            ),
            models.CheckConstraint(
                condition=~Q(action="original_signoff") | ~Q(signoff_step=""),
                name="positions_workflowevent_original_signoff_has_step",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position.title}：{self.get_action_display()}（{self.actor}）"

    def get_absolute_url(self) -> str:
        return reverse("positions:position-workflow", kwargs={"pk": self.position_id})


class VersionQuerySet(models.QuerySet):
    def current(self) -> VersionQuerySet:
        """Versions in force: each position's latest published version (archived excluded)."""
        return self.filter(position__current_version=F("pk")).exclude(
            position__status=Position.Status.ARCHIVED
        )


class Version(SignOffFields):
    """A published 职位说明书, frozen: the whole sheet as it stood, with its sign-off.

    ``sheet`` holds ``positions.sheet.Sheet.as_dict()`` built when the version was published;
    ``build_sheet(version)`` turns it back into the same sheet, so a version prints as it was
    whatever happened to the position, its superior or its department afterwards. The columns
    beside it repeat what lists and filters need without opening the JSON.
    """

    position = models.ForeignKey(
        Position, verbose_name="职位", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField("版本号")
    title = models.CharField("职位名称", max_length=100)
    code = models.CharField("职位编号", max_length=30, blank=True)
    department = models.ForeignKey(
        Department, verbose_name="所在部门", on_delete=models.PROTECT, related_name="versions"
    )
    sheet = models.JSONField("职位说明书内容")
    grade_min = models.PositiveSmallIntegerField("职位等级（低）", null=True, blank=True)
    grade_max = models.PositiveSmallIntegerField("职位等级（高）", null=True, blank=True)
    headcount = models.PositiveSmallIntegerField("职位编制", null=True, blank=True)
    # The reporting line as it stood, for the org chart and lists of readers.
    reports_to = models.ForeignKey(
        Position,
        verbose_name="直接上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    effective_date = models.DateField(
        "生效日期", null=True, blank=True, help_text="审批日期；历史文件未写明时为空。"
    )
    is_historical = models.BooleanField(
        "历史文件",
        default=False,
        help_text="由纸质或 Word 文件导入的已生效版本，未经系统审批流程。",
    )
    published_at = models.DateTimeField("发布时间", auto_now_add=True)

    objects = VersionQuerySet.as_manager()

    class Meta:
        verbose_name = "已生效版本"
        verbose_name_plural = "已生效版本"
        ordering = ["position", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["position", "number"], name="positions_version_unique_number"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="positions_version_number_min"),
        ]
        indexes = [
            # Where each version in force puts its position, read without the versions' heap:
            # the org chart's 部门架构 counts (orgchart.services.department_counts) join every
            # position in force to it, and with this index PostgreSQL merges the two index-only
            # scans in the order of positions_position_in_force (100,000 positions: 43 ms
            # instead of a 60-80 ms hash join over the versions' table).
            models.Index(fields=["id", "department"], name="positions_version_department"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.label}"

    def get_absolute_url(self) -> str:
        return reverse(
            "positions:version-sheet", kwargs={"pk": self.position_id, "number": self.number}
        )

    @property
    def label(self) -> str:
        return f"V{self.number}"

    @property
    def grade_display(self) -> str:
        return grade_label(self.grade_min, self.grade_max)


class Acknowledgement(models.Model):
    """员工确认: an employee has read the version of their position in force."""

    version = models.ForeignKey(
        Version, verbose_name="版本", on_delete=models.PROTECT, related_name="acknowledgements"
    )
    employee = models.ForeignKey(
        Employee, verbose_name="员工", on_delete=models.PROTECT, related_name="acknowledgements"
    )
    acknowledged_at = models.DateTimeField("确认时间", auto_now_add=True)
    ip_address = models.GenericIPAddressField(
        "确认 IP", null=True, blank=True, help_text="员工点击“我已阅读并确认”时的来源地址。"
    )

    class Meta:
        verbose_name = "员工确认"
        verbose_name_plural = "员工确认"
        ordering = ["version", "acknowledged_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "employee"], name="positions_acknowledgement_once_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee.name} 已确认 {self.version}"

    def get_absolute_url(self) -> str:
        return reverse(
            "positions:version-acknowledgements",
            kwargs={"pk": self.version.position_id, "number": self.version.number},
        )


class BookJob(models.Model):
    """A 职位说明书汇编 (department book) being built, or built, by the task worker.

    A book is identified by ``key``: a hash of the exact versions it prints (in order), its
    cover title and the templates and stylesheets that lay it out. Two requests for the same
    book share one job; a finished job's PDF lives in Django's storage and is served from there.
    """

    class Kind(models.TextChoices):
        DEPARTMENT = "department", "部门"
        SELECTION = "selection", "自选职位"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    key = models.CharField("汇编标识", max_length=64, editable=False)
    kind = models.CharField("范围", max_length=20, choices=Kind.choices)
    title = models.CharField("汇编名称", max_length=200)
    department = models.ForeignKey(
        Department,
        verbose_name="部门",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="book_jobs",
    )
    include_subdepartments = models.BooleanField("包含下级部门", default=False)
    version_ids = models.JSONField(
        "打印的版本", default=list, help_text="按打印顺序排列的版本 id。"
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField("已完成份数", default=0)
    total = models.PositiveIntegerField("总份数", default=0)
    error = models.TextField("失败原因", blank=True)
    file = models.FileField("PDF 文件", upload_to="books/", blank=True)
    file_size = models.PositiveIntegerField("文件大小（字节）", default=0)
    page_count = models.PositiveIntegerField("页数", default=0)
    task_id = models.CharField("任务 id", max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="book_jobs",
    )
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "职位说明书汇编"
        verbose_name_plural = "职位说明书汇编"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["key"], name="positions_bookjob_unique_key"),
            models.CheckConstraint(
                condition=Q(done__lte=F("total")), name="positions_bookjob_done_within_total"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(file=""), name="positions_bookjob_done_has_file"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_status_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("positions:book-detail", kwargs={"pk": self.pk})

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        """Progress for the bar: sheets prepared, the layout counted as the last tenth."""
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return int(90 * self.done / self.total)


class SearchEntry(models.Model):
    """One searchable section of a position, as one kind of reader sees it.

    ``search.services`` keeps these rows: for every position the working copy's
    sections (read by people with draft rights) and, for positions in force, the sections of
    the version in force (read by everyone else). ``normalised`` is ``text`` lower-cased with
    full-width ASCII folded (same length, so match offsets carry over); ``tokens`` holds the
    distinct two-character substrings of ``normalised`` (and, prefixed with ``^``, of
    ``initials``) separated by spaces — PostgreSQL indexes them with GIN, so two-character
    Chinese queries are index lookups.
    """

    class Source(models.TextChoices):
        WORKING = "working", "工作副本"
        VERSION = "version", "现行版本"

    class Section(models.TextChoices):
        TITLE = "title", "职位名称"
        CODE = "code", "职位编号"
        DEPARTMENT = "department", "所在部门"
        PURPOSE = "purpose", "设岗目的"
        SUMMARY = "summary", "职位概要"
        DUTIES = "duties", "工作职责"
        COMMITMENTS = "commitments", "主要责任"
        QUALIFICATION = "qualification", "任职资格"
        INDICATORS = "indicators", "关键指标"

    position = models.ForeignKey(
        Position, verbose_name="职位", on_delete=models.CASCADE, related_name="search_entries"
    )
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    section = models.CharField("部分", max_length=20, choices=Section.choices)
    rank = models.PositiveSmallIntegerField("排序", help_text="部分的先后：职位名称最先。")
    sort_code = models.CharField("职位编号（排序用）", max_length=30, blank=True)
    text = models.TextField("内容")
    normalised = models.TextField("规范化内容")
    initials = models.TextField("拼音首字母", blank=True)
    tokens = models.TextField("二字索引词", blank=True)

    class Meta:
        verbose_name = "搜索索引"
        verbose_name_plural = "搜索索引"
        ordering = ["position", "source", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["position", "source", "section"],
                name="positions_searchentry_unique_section",
            ),
        ]
        indexes = [
            models.Index(fields=["source", "position"], name="positions_search_src_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.position_id} {self.get_source_display()} {self.get_section_display()}"

    def get_absolute_url(self) -> str:
        return self.position.get_absolute_url()


class SearchDocument(models.Model):
    """The search index of one position as one kind of reader sees it, for ranking.

    ``keys`` holds, for every two-character token of the position's ``SearchEntry`` rows of
    that source, the token prefixed with the best (lowest) ``rank`` of a section containing it
    (``0销售`` when the title contains 销售), separated by spaces. ``search.services`` ranks and
    counts the positions of a query of two-character terms from these narrow rows (one per
    position, the keys stored out of line) instead of reading every matching section's row.
    """

    position = models.ForeignKey(
        Position, verbose_name="职位", on_delete=models.CASCADE, related_name="search_documents"
    )
    source = models.CharField("来源", max_length=10, choices=SearchEntry.Source.choices)
    sort_code = models.CharField("职位编号（排序用）", max_length=30, blank=True)
    keys = models.TextField("二字索引词（带最佳部分）", blank=True)

    class Meta:
        verbose_name = "搜索排序索引"
        verbose_name_plural = "搜索排序索引"
        ordering = ["position_id", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["position", "source"], name="positions_searchdocument_unique_source"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position_id} {self.get_source_display()}"


class CompanyProfile(models.Model):
    """公司信息: the one company identity printed on sheets, PDFs and book covers.

    A single row (pk 1, enforced by a constraint); ``services.company_profile()`` reads it and
    falls back to an unsaved default when HR has not filled it in yet.
    """

    SINGLETON_PK = 1
    LOGO_EXTENSIONS = ("png", "jpg", "jpeg", "svg")

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_PK, editable=False)
    name = models.CharField("公司名称", max_length=100)
    logo = models.FileField(
        "公司标志",
        upload_to="company/",
        blank=True,
        validators=[FileExtensionValidator(list(LOGO_EXTENSIONS))],
        help_text="PNG、JPEG 或 SVG 图片，打印在职位说明书页眉和汇编封面上。",
    )
    document_prefix = models.CharField(
        "文件编号前缀",
        max_length=30,
        blank=True,
        help_text="如 HXJT-HR；文件编号为“前缀-职位编号”。",
    )
    sheet_layout = models.CharField(
        "打印版式",
        max_length=20,
        default=STANDARD_LAYOUT,
        choices=LAYOUT_CHOICES,
        help_text="职位说明书默认的打印版式；部门可另行设置，打印时也可临时选择。",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "公司信息"
        verbose_name_plural = "公司信息"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="positions_companyprofile_single_row"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("positions:company-settings")

    def document_number(self, code: str, position_id: int) -> str:
        """文件编号 of a sheet: ``<prefix>-<职位编号>`` (the position id when it has no code)."""
        stem = position_number(code, position_id)
        prefix = self.document_prefix.strip()
        return f"{prefix}-{stem}" if prefix else stem


class ImportJob(models.Model):
    """A big import (Word batch, large Excel workbook or 花名册) run by the task worker.

    The uploaded files are staged through ``transfer.services.staging`` (Django's storage API)
    under ``token``; the worker parses them (``status`` 解析中, progress ``done``/``total``),
    stores what the preview shows in ``preview`` (JSON: every file or sheet with its status),
    and, once the importer confirms, writes everything in one transaction (确认中). While a
    confirmation runs on SQLite this row is the lock other writers are refused by.
    """

    class Kind(models.TextChoices):
        POSITIONS = "positions", "Excel 职位"
        ROSTER = "roster", "花名册"
        WORD = "word", "Word 职位说明书"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        PARSING = "parsing", "解析中"
        READY = "ready", "待确认"
        CONFIRM_QUEUED = "confirm_queued", "等待导入"
        CONFIRMING = "confirming", "导入中"
        DONE = "done", "已导入"
        FAILED = "failed", "失败"
        CANCELLED = "cancelled", "已取消"

    kind = models.CharField("导入类型", max_length=20, choices=Kind.choices)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.QUEUED)
    token = models.CharField("暂存标识", max_length=64, editable=False)
    title = models.CharField("文件", max_length=300, blank=True)
    done = models.PositiveIntegerField("已处理", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    stage = models.CharField("当前步骤", max_length=200, blank=True)
    preview = models.JSONField("预览", default=dict, blank=True)
    fingerprint = models.CharField("预览指纹", max_length=64, blank=True)
    choices = models.JSONField("导入选择", default=dict, blank=True)
    error = models.TextField("失败原因", blank=True)
    result = models.TextField("导入结果", blank=True)
    task_id = models.CharField("任务 id", max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="导入人",
        on_delete=models.CASCADE,
        related_name="import_jobs",
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done__lte=F("total")), name="positions_importjob_done_within_total"
            ),
        ]
        indexes = [models.Index(fields=["status"], name="positions_importjob_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}导入 #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("positions:import-job", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED)

    @property
    def running(self) -> bool:
        return self.status in (
            self.Status.QUEUED,
            self.Status.PARSING,
            self.Status.CONFIRM_QUEUED,
            self.Status.CONFIRMING,
        )


class TaskWorker(models.Model):
    """A running task worker (``manage.py worker``) and its last heartbeat.

    Every worker writes ``beat_at`` every few seconds; a running task whose worker has not beaten
    for ``TASK_LEASE_SECONDS`` lost its worker (killed, machine gone) and is re-queued once by
    any other worker, then failed (``positions.services.task_leases``).
    """

    worker_id = models.CharField("进程标识", max_length=64)
    hostname = models.CharField("主机", max_length=200, blank=True)
    pid = models.PositiveIntegerField("进程号", default=0)
    started_at = models.DateTimeField("启动时间", auto_now_add=True)
    beat_at = models.DateTimeField("最近心跳")

    class Meta:
        verbose_name = "任务处理进程"
        verbose_name_plural = "任务处理进程"
        ordering = ["-beat_at"]
        constraints = [
            models.UniqueConstraint(fields=["worker_id"], name="positions_taskworker_unique_id"),
        ]

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"


# --- 权责手册: the authority matrix, one versioned document kept as one data with the sheets ---


class ManualLevel(models.TextChoices):
    """权限级别 of a cell of the 权责手册 (a sheet's 工作权限 uses the same words)."""

    PROPOSE = "propose", "提议"
    REVIEW = "review", "审核"
    COUNTERSIGN = "countersign", "会签"
    APPROVE = "approve", "审批"
    EXECUTE = "execute", "执行"
    INFORM = "inform", "知情"


class Manual(SignOffFields):
    """权责手册 (分权手册): the working copy of the company's authority matrix.

    One row (pk 1, like 公司信息). Its rows are 事项 in categories, each split into bands (档位);
    its columns are positions and bodies that are not positions (董事会…). It has the sheets'
    workflow (编制 → 审核 → 审批, preparer ≠ reviewer ≠ approver) and versions: publishing freezes
    the whole matrix as a ``ManualVersion`` whose rows a position's 工作权限 shows.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "待审核"
        REVIEWED = "reviewed", "待审批"
        PUBLISHED = "published", "已生效"

    SINGLETON_PK = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_PK, editable=False)
    title = models.CharField("名称", max_length=100, default="权责手册")
    doc_no = models.CharField("文号", max_length=50, blank=True, help_text="如 HXJT-QZ-2026-01。")
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    lock_version = models.PositiveIntegerField(
        "编辑版本号",
        default=1,
        editable=False,
        help_text="每次保存权责手册时加一；用于发现并发编辑（乐观锁）。",
    )
    current_version = models.ForeignKey(
        "ManualVersion",
        verbose_name="现行版本",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "权责手册"
        verbose_name_plural = "权责手册"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="positions_manual_single_row"),
        ]

    def __str__(self) -> str:
        return self.title


class MatterCategory(models.Model):
    """事项类别, e.g. 财务管理, 合同管理, 营销管理, 人事管理."""

    manual = models.ForeignKey(
        Manual, verbose_name="权责手册", on_delete=models.CASCADE, related_name="categories"
    )
    name = models.CharField("类别", max_length=50)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "事项类别"
        verbose_name_plural = "事项类别"
        ordering = ["manual", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["manual", "name"], name="positions_mattercategory_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Matter(models.Model):
    """事项, e.g. 费用报销, 销售合同签订, 优惠申请, 招聘录用."""

    category = models.ForeignKey(
        MatterCategory, verbose_name="事项类别", on_delete=models.CASCADE, related_name="matters"
    )
    name = models.CharField("事项", max_length=100)
    note = models.CharField("说明", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "事项"
        verbose_name_plural = "事项"
        ordering = ["category", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "name"], name="positions_matter_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Band(models.Model):
    """档位: one row of the matrix — a matter, or one band of it (金额 ≤ 5 万, or a condition).

    A matter that is not split has one band with an empty condition.
    """

    matter = models.ForeignKey(
        Matter, verbose_name="事项", on_delete=models.CASCADE, related_name="bands"
    )
    condition = models.CharField(
        "档位/条件", max_length=100, blank=True, help_text="如“金额 ≤ 5 万”；不分档时留空。"
    )
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "档位"
        verbose_name_plural = "档位"
        ordering = ["matter", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["matter", "condition"], name="positions_band_unique_condition"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.matter.name}（{self.condition}）" if self.condition else self.matter.name


class Body(models.Model):
    """A column that is not a position: 董事会, 股东会, 总经理办公会."""

    manual = models.ForeignKey(
        Manual, verbose_name="权责手册", on_delete=models.CASCADE, related_name="bodies"
    )
    name = models.CharField("机构", max_length=50)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "决策机构"
        verbose_name_plural = "决策机构"
        ordering = ["manual", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["manual", "name"], name="positions_body_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Grant(models.Model):
    """One cell of the working matrix: a band × a position or a body → a level."""

    band = models.ForeignKey(
        Band, verbose_name="档位", on_delete=models.CASCADE, related_name="grants"
    )
    position = models.ForeignKey(
        Position,
        verbose_name="职位",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="grants",
    )
    body = models.ForeignKey(
        Body,
        verbose_name="机构",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="grants",
    )
    level = models.CharField("权限级别", max_length=12, choices=ManualLevel.choices)

    class Meta:
        verbose_name = "权责"
        verbose_name_plural = "权责"
        ordering = ["band", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(position__isnull=False, body__isnull=True)
                | Q(position__isnull=True, body__isnull=False),
                name="positions_grant_position_xor_body",
            ),
            models.UniqueConstraint(
                fields=["band", "position"],
                condition=Q(position__isnull=False),
                name="positions_grant_unique_position",
            ),
            models.UniqueConstraint(
                fields=["band", "body"],
                condition=Q(body__isnull=False),
                name="positions_grant_unique_body",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.band} · {self.get_level_display()}"


class ManualVersion(SignOffFields):
    """A published 权责手册, frozen: ``document`` holds the whole matrix as it stood.

    ``document`` = {"title", "doc_no", "categories": [{"name", "matters": [{"name", "note",
    "bands": [{"condition", "cells": {"p<position id>" | "b<body name>": level}}]}]}],
    "columns": [{"key", "label", "kind": "position"|"body", "department"}]}; the rows a sheet's
    工作权限 shows are repeated relationally in ``ManualVersionRow`` (one query per sheet).
    """

    manual = models.ForeignKey(
        Manual, verbose_name="权责手册", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField("版本号")
    doc_no = models.CharField("文号", max_length=50, blank=True)
    document = models.JSONField("权责手册内容")
    effective_date = models.DateField("生效日期", null=True, blank=True)
    published_at = models.DateTimeField("发布时间", auto_now_add=True)

    class Meta:
        verbose_name = "权责手册版本"
        verbose_name_plural = "权责手册版本"
        ordering = ["manual", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["manual", "number"], name="positions_manualversion_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="positions_manualversion_number_min"
            ),
        ]

    def __str__(self) -> str:
        return f"权责手册 {self.label}"

    @property
    def label(self) -> str:
        return f"V{self.number}"


class ManualVersionRowQuerySet(models.QuerySet):
    def in_force(self) -> ManualVersionRowQuerySet:
        """The rows of the manual version in force (one subquery; none before V1), in order."""
        current = Manual.objects.filter(pk=Manual.SINGLETON_PK).values("current_version_id")
        return (
            self.filter(version_id=models.Subquery(current[:1]))
            .select_related("version")
            .defer("version__document")
            .order_by("order", "pk")
        )


class ManualVersionRow(models.Model):
    """One position's cell of a published manual, as printed in its sheet's 工作权限."""

    version = models.ForeignKey(
        ManualVersion, verbose_name="权责手册版本", on_delete=models.CASCADE, related_name="rows"
    )
    position = models.ForeignKey(
        Position, verbose_name="职位", on_delete=models.CASCADE, related_name="manual_rows"
    )
    category = models.CharField("类别", max_length=50)
    matter = models.CharField("事项", max_length=100)
    condition = models.CharField("档位/条件", max_length=100, blank=True)
    level = models.CharField("权限级别", max_length=12, choices=ManualLevel.choices)
    order = models.PositiveIntegerField("排序", default=0)

    objects = ManualVersionRowQuerySet.as_manager()

    class Meta:
        verbose_name = "权责手册版本行"
        verbose_name_plural = "权责手册版本行"
        ordering = ["version", "position", "order"]
        indexes = [
            models.Index(fields=["version", "position"], name="positions_mvrow_version_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.matter}（{self.get_level_display()}）"


reversion.register(Manual)

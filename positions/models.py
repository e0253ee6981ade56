"""The job-description data model.

A position (职位) belongs to a department (部门) and reports to another position (直接上级);
its direct reports (直接下属) are derived from that one link and never stored twice. Everything
a sheet says hangs off the position: duties, authorities, the qualification, working
relationships and key indicators.
"""

from __future__ import annotations

import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Prefetch, Q
from django.urls import reverse


def split_lines(text: str) -> list[str]:
    """Non-empty, stripped lines of a multi-line text field."""
    return [line.strip() for line in text.splitlines() if line.strip()]


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


class PositionQuerySet(models.QuerySet):
    def published(self) -> PositionQuerySet:
        return self.filter(status=Position.Status.PUBLISHED)

    def drafts(self) -> PositionQuerySet:
        return self.filter(status=Position.Status.DRAFT)

    def active(self) -> PositionQuerySet:
        """Everything not archived."""
        return self.exclude(status=Position.Status.ARCHIVED)

    def visible_to(self, user) -> PositionQuerySet:
        """What the user may read (positions.permissions decides)."""
        from positions.permissions import visible_positions_q

        return self.filter(visible_positions_q(user))

    def editable_by(self, user) -> PositionQuerySet:
        """What the user may edit (positions.permissions decides)."""
        from positions.permissions import editable_positions_q

        return self.filter(editable_positions_q(user))

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
        return self.select_related(
            "department__parent__parent",
            "reports_to",
            "qualification",
        ).prefetch_related(
            "duties",
            "authorities",
            "relationships",
            "indicators",
            Prefetch("direct_reports", queryset=Position.objects.order_by("code", "title")),
            Prefetch("related_positions", queryset=Position.objects.order_by("code", "title")),
        )

    def search(self, query: str) -> PositionQuerySet:
        query = query.strip()
        if not query:
            return self
        return self.filter(
            Q(title__icontains=query)
            | Q(code__icontains=query)
            | Q(department__name__icontains=query)
        )


class Position(models.Model):
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
    prepared_by_name = models.CharField("编制人", max_length=50, blank=True)
    prepared_at = models.DateField("编制日期", null=True, blank=True)
    reviewed_by_name = models.CharField("审核人", max_length=50, blank=True)
    reviewed_at = models.DateField("审核日期", null=True, blank=True)
    approved_by_name = models.CharField("审批人", max_length=50, blank=True)
    approved_at = models.DateField("审批日期", null=True, blank=True)
    # Who signed off in the workflow (the *_name fields keep the names as printed, which is
    # all the seed's historical sheets have).
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="编制人账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="prepared_positions",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewed_positions",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="approved_positions",
    )
    review_interval_months = models.PositiveSmallIntegerField(
        "复核周期（月）", default=12, help_text="职位说明书生效后，每隔多少个月复核一次。"
    )
    next_review_on = models.DateField("下次复核日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = PositionQuerySet.as_manager()

    class Meta:
        verbose_name = "职位"
        verbose_name_plural = "职位"
        ordering = ["department__order", "code", "title"]
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

    def __str__(self) -> str:
        return f"{self.title}（{self.code}）" if self.code else self.title

    def get_absolute_url(self) -> str:
        return reverse("positions:position-sheet", kwargs={"pk": self.pk})

    @property
    def grade_display(self) -> str:
        if self.grade_min is None and self.grade_max is None:
            return ""
        if self.grade_min is None or self.grade_max is None or self.grade_min == self.grade_max:
            return str(self.grade_min if self.grade_min is not None else self.grade_max)
        return f"{self.grade_min}–{self.grade_max}"

    def staffing_label(self, filled: int) -> str:
        """在岗 / 编制, e.g. "2/3"; just "2" when the position has no 职位编制."""
        if self.headcount is None:
            return str(filled)
        return f"{filled}/{self.headcount}"

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
        node = self.reports_to
        while node is not None:
            if self.pk is not None and node.pk == self.pk:
                return [*chain, self]
            if node.pk in seen:
                return []  # a cycle further up that this position is not part of
            seen.add(node.pk)
            chain.append(node)
            node = node.reports_to
        return []

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        self.code = self.code.strip()
        if self.code:
            clash = Position.objects.filter(code=self.code).exclude(pk=self.pk)
            if clash.exists():
                errors["code"] = f"职位编号“{self.code}”已被“{clash.first().title}”使用。"
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
        ordering = ["position", "rank"]
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


class Authority(models.Model):
    class Level(models.TextChoices):
        PROPOSE = "propose", "提议"
        REVIEW = "review", "审核"
        APPROVE = "approve", "审批"
        EXECUTE = "execute", "执行"
        INFORM = "inform", "知情"

    position = models.ForeignKey(
        Position, verbose_name="职位", on_delete=models.CASCADE, related_name="authorities"
    )
    name = models.CharField("权限", max_length=100)
    level = models.CharField("权限级别", max_length=10, choices=Level.choices)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "工作权限"
        verbose_name_plural = "工作权限"
        ordering = ["position", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_level_display()}）"

    def get_absolute_url(self) -> str:
        return self.position.get_absolute_url() + "#authorities"


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
        ordering = ["position"]

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
        ordering = ["position", "order", "pk"]

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
        ordering = ["position", "order", "pk"]

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


# Change history (django-reversion): a revision of a position holds the position and every
# section, so restoring one brings deleted duties back. Saving a section alone records the
# position with it.
SHEET_SECTIONS = ("duties", "authorities", "relationships", "indicators", "qualification")
reversion.register(Position, follow=SHEET_SECTIONS)
for section_model in (Duty, Authority, Relationship, Indicator, Qualification):
    reversion.register(section_model, follow=("position",))


class WorkflowEvent(models.Model):
    """One step of the 编制 → 审核 → 审批 workflow, with who did it and why."""

    class Action(models.TextChoices):
        SUBMIT = "submit", "提交审核"
        REVIEW = "review", "审核通过"
        APPROVE = "approve", "审批通过"
        REJECT = "reject", "退回"

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
        ]

    def __str__(self) -> str:
        return f"{self.position.title}：{self.get_action_display()}（{self.actor}）"

    def get_absolute_url(self) -> str:
        return reverse("positions:position-workflow", kwargs={"pk": self.position_id})

"""factory_boy factories shared by the test modules."""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from positions.models import (
    Assignment,
    Department,
    Duty,
    EditorScope,
    Employee,
    Indicator,
    ManualLevel,
    Position,
    Qualification,
    Relationship,
    Role,
)
from positions.services import manual
from positions.services.versions import publish_version, publish_versions


def create_role_groups() -> None:
    """What migrations leave in a new database: the three role groups, each with its ``Role``.

    Transactional tests need it: their flush wipes what data migrations created.
    """
    for code, name in Role.Code.choices:
        if not Role.objects.filter(code=code).exists():
            group, _ = Group.objects.get_or_create(name=name)
            Role.objects.create(code=code, group=group)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("jobdesc-pass-123")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"部门{n}")
    code = factory.Sequence(lambda n: f"D{n:03d}")
    kind = Department.Kind.DEPARTMENT


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"职位{n}")
    code = factory.Sequence(lambda n: f"P-{n:04d}")
    department = factory.SubFactory(DepartmentFactory)
    status = Position.Status.PUBLISHED
    summary = "负责本职位的日常工作。"

    @factory.post_generation
    def publish(self, create, extracted, **kwargs):
        """A position made 已生效 gets its V1, as publishing does (``publish=False`` skips);
        inside ``published_together()`` at the end of the block, with the others."""
        if create and extracted is not False and self.status == Position.Status.PUBLISHED:
            if _publish_later is not None:
                _publish_later.append(self)
            else:
                publish_version(self)

    @classmethod
    def create_batch(cls, size, **kwargs):
        with published_together():
            return super().create_batch(size, **kwargs)


# The published positions PositionFactory made inside ``published_together()``, else None.
_publish_later: list[Position] | None = None


@contextmanager
def published_together() -> Iterator[None]:
    """The 已生效 positions PositionFactory makes in the block get their V1s at its end, all in
    one ``publish_versions`` (its queries are as many for one position as for fifty): for
    fixtures that build an organisation. Inside the block they have no version yet."""
    global _publish_later
    if _publish_later is not None:  # nested: the outer block publishes
        yield
        return
    _publish_later = []
    try:
        yield
        positions, _publish_later = _publish_later, None
        for position, version in zip(positions, publish_versions(positions), strict=True):
            position.current_version = version
    finally:
        _publish_later = None


class DutyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Duty

    position = factory.SubFactory(PositionFactory)
    rank = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"职责{n}")
    tasks = "完成本项工作任务；"
    responsibility = Duty.Responsibility.FULL


def publish_authorities(position, rows) -> None:
    """Give ``position`` these 工作权限 (``[(事项（档位）, level)]``): its cells of the 权责手册,
    written through the manual's writer and published as the manual's next version."""
    manual.write_position_authorities(
        user=None,
        authorities={position.pk: [manual.AuthorityLine(name, level) for name, level in rows]},
        source="测试",
    )
    manual.publish_manual(manual.get_manual())


class QualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Qualification

    position = factory.SubFactory(PositionFactory)
    education = Qualification.Education.BACHELOR


class RelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relationship

    position = factory.SubFactory(PositionFactory)
    kind = Relationship.Kind.EXTERNAL
    party = "客户"


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    position = factory.SubFactory(PositionFactory)
    name = factory.Sequence(lambda n: f"指标{n}")


class FullPositionFactory(PositionFactory):
    """A position with every sheet section filled: header, duties in groups, authorities,
    qualification, relationships of all three kinds, indicators and sign-off.

    ``FullPositionFactory(duties=40)`` sets the number of duties (default 4, in two groups).
    """

    class Meta:
        skip_postgeneration_save = True

    title = "销售经理"
    code = factory.Sequence(lambda n: f"FZ-XS-{n:03d}")
    department = factory.SubFactory(
        DepartmentFactory,
        name="销售部",
        parent=factory.SubFactory(
            DepartmentFactory,
            name="福州公司",
            kind=Department.Kind.COMPANY,
            parent=factory.SubFactory(
                DepartmentFactory, name="地产集团", kind=Department.Kind.GROUP
            ),
        ),
    )
    reports_to = factory.SubFactory(PositionFactory, title="副总经理", code="")
    grade_min = 5
    grade_max = 8
    headcount = 1
    location = "福州市"
    purpose = "组织完成项目销售目标，确保销售工作顺利进行。"
    summary = "负责制定并执行销售计划，管理销售团队，完成公司下达的销售任务。"
    commitments = "保证销售计划按时完成；\n保证销售数据准确、及时；"
    work_environment = "办公室及售楼处，偶尔出差。"
    other_requirements = "具有较强的主动性、责任心和客服意识。"
    prepared_by_name = "李鸿飞"
    prepared_at = datetime.date(2024, 3, 1)
    reviewed_by_name = "王审核"
    reviewed_at = datetime.date(2024, 3, 5)
    approved_by_name = "陈审批"
    approved_at = None

    @factory.post_generation
    def duties(self, create, extracted, **kwargs):
        if not create:
            return
        count = 4 if extracted is None else extracted
        for index in range(count):
            DutyFactory(
                position=self,
                rank=index + 1,
                group="销售业务管理" if index % 2 == 0 else "销售服务管理",
                kind=Duty.Kind.KEY if index < 2 else Duty.Kind.GENERAL,
                title=f"销售计划{index + 1}",
                tasks=f"根据公司年度目标制定销售计划第{index + 1}项；\n组织落实并跟踪执行情况；",
                responsibility=Duty.Responsibility.FULL
                if index % 2 == 0
                else Duty.Responsibility.PARTIAL,
                assessment="计划完成率",
            )

    @factory.post_generation
    def sections(self, create, extracted, **kwargs):
        if not create:
            return
        publish_authorities(
            self, [("优惠申请权", ManualLevel.PROPOSE), ("销售合同审核权", ManualLevel.REVIEW)]
        )
        QualificationFactory(
            position=self,
            education=Qualification.Education.BACHELOR,
            education_note="大学本科",
            major="营销、经济管理类专业",
            experience_years=5,
            experience="具有 2 年以上规范地产企业客服经验",
            knowledge="地产法规及政策",
            skills="具有较强过程控制、解决问题、谈判能力",
            qualities="具有变革意识",
        )
        RelationshipFactory(
            position=self, kind=Relationship.Kind.EXTERNAL, party="客户", purpose="售前、售后服务"
        )
        RelationshipFactory(
            position=self, kind=Relationship.Kind.INTERNAL, party="财务部", purpose="回款核对"
        )
        RelationshipFactory(position=self, kind=Relationship.Kind.ADMINISTRATIVE, party="营销总监")
        IndicatorFactory(
            position=self, name="服务及时性", description="客户投诉 24 小时内响应", order=1
        )
        IndicatorFactory(position=self, name="数据准确性", order=2)
        PositionFactory(title="售楼员", code="", department=self.department, reports_to=self)
        PositionFactory(title="收款文员", code="", department=self.department, reports_to=self)
        self.related_positions.add(
            PositionFactory(title="营销策划专员", code="", department=self.department)
        )

    # Published after every section exists (post-generation runs in declaration order, the
    # inherited ``publish`` first), so V1 holds the whole sheet; ``publish=False`` skips it.
    @factory.post_generation
    def publish(self, create, extracted, **kwargs):
        self._publish = extracted

    @factory.post_generation
    def published_version(self, create, extracted, **kwargs):
        wanted = self.__dict__.pop("_publish", None) is not False
        if create and wanted and self.status == Position.Status.PUBLISHED:
            if _publish_later is not None:
                _publish_later.append(self)
            else:
                publish_version(self)

    @classmethod
    def create(cls, **kwargs):
        """Its superior, the two subordinates, the related position and itself: their V1s in one
        ``publish_versions`` (the sheets are read before any of them is published either way)."""
        with published_together():
            return super().create(**kwargs)


class EmployeeFactory(factory.django.DjangoModelFactory):
    """An employee with a user account; ``EmployeeFactory(position=p)`` also makes them hold p."""

    class Meta:
        model = Employee
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"员工{n}")
    employee_no = factory.Sequence(lambda n: f"E{n:05d}")
    hired_on = datetime.date(2024, 3, 1)

    @factory.post_generation
    def position(self, create, extracted, **kwargs):
        if create and extracted is not None:
            AssignmentFactory(employee=self, position=extracted, start_date=self.hired_on)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    employee = factory.SubFactory(EmployeeFactory)
    position = factory.SubFactory(PositionFactory)
    start_date = datetime.date(2024, 3, 1)
    reason = Assignment.Reason.HIRE


class EditorScopeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EditorScope

    user = factory.SubFactory(UserFactory)
    department = factory.SubFactory(DepartmentFactory)

"""factory_boy factories shared by the test modules."""

import factory
from django.contrib.auth import get_user_model

from positions.models import (
    Authority,
    Department,
    Duty,
    Indicator,
    Position,
    Qualification,
    Relationship,
)


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

    title = factory.Sequence(lambda n: f"职位{n}")
    code = factory.Sequence(lambda n: f"P-{n:04d}")
    department = factory.SubFactory(DepartmentFactory)
    status = Position.Status.PUBLISHED
    summary = "负责本职位的日常工作。"


class DutyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Duty

    position = factory.SubFactory(PositionFactory)
    rank = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"职责{n}")
    tasks = "完成本项工作任务；"
    responsibility = Duty.Responsibility.FULL


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authority

    position = factory.SubFactory(PositionFactory)
    name = factory.Sequence(lambda n: f"权限{n}")
    level = Authority.Level.EXECUTE


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

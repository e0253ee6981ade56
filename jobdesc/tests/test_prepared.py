"""QuerySets compiled once per process (``jobdesc.prepared``): the same rows as the QuerySet,
and a loud refusal of what cannot be prepared."""

from __future__ import annotations

import pytest
from django.db.models import F, Q

from jobdesc.prepared import PreparedQuery
from positions.models import Position
from positions.tests.factories import PositionFactory

pytestmark = pytest.mark.django_db


def by_code(code: str):
    return Position.objects.filter(code=code).annotate(department_name=F("department__name"))


def test_prepared_objects_are_the_querysets_rows_with_annotations():
    first = PositionFactory(title="售楼员", code="FZ-XS-101")
    PositionFactory(title="销售经理", code="FZ-XS-001")
    prepared = PreparedQuery(by_code, [str])

    found = prepared.objects("FZ-XS-101")
    again = prepared.objects("FZ-XS-001")

    assert found == [first]
    assert found[0].title == "售楼员"
    assert found[0].department_name == first.department.name
    assert [position.title for position in again] == ["销售经理"]
    assert prepared.objects("FZ-XS-999") == []


def test_prepared_rows_are_the_querysets_values():
    position = PositionFactory(title="售楼员")
    prepared = PreparedQuery(
        lambda pk: Position.objects.filter(pk=pk).values_list("pk", "title"), [int]
    )

    assert prepared.rows(position.pk) == [(position.pk, "售楼员")]
    assert prepared.rows(position.pk + 1000) == []


def test_prepared_refuses_an_argument_used_twice():
    prepared = PreparedQuery(lambda pk: Position.objects.filter(Q(pk=pk) | Q(reports_to=pk)), [int])

    with pytest.raises(RuntimeError, match="must be exactly one"):
        prepared.rows(1)


def test_prepared_refuses_an_argument_of_another_type():
    prepared = PreparedQuery(lambda pk: Position.objects.filter(pk=pk), [int])

    with pytest.raises(TypeError, match="is not int"):
        prepared.rows("1")
    with pytest.raises(TypeError, match="takes 1 arguments"):
        prepared.rows(1, 2)
    with pytest.raises(TypeError, match="int or str"):
        PreparedQuery(lambda day: Position.objects.filter(created_at=day), [object])

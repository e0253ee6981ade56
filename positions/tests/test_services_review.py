"""Periodic review (定期复核): next review dates and the overdue list."""

import datetime

import pytest

from positions.models import Position
from positions.services import review
from positions.tests.factories import DepartmentFactory, EditorScopeFactory, PositionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 3, 15), 12, datetime.date(2027, 3, 15)),
        (datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2027, 12, 31), 2, datetime.date(2028, 2, 29)),
        (datetime.date(2026, 11, 30), 6, datetime.date(2027, 5, 30)),
    ],
)
def test_add_months_clamps_to_month_end(day, months, expected):
    assert review.add_months(day, months) == expected


def test_next_review_date_uses_the_positions_interval():
    position = PositionFactory(review_interval_months=6)
    assert review.next_review_date(
        position, published_on=datetime.date(2026, 5, 20)
    ) == datetime.date(2026, 11, 20)


def test_overdue_reviews_lists_published_past_due_within_scope(hr_user):
    today = datetime.date(2026, 11, 28)
    due = PositionFactory(title="销售经理", next_review_on=datetime.date(2026, 10, 27))
    PositionFactory(title="售楼员", next_review_on=datetime.date(2026, 12, 1))  # not yet
    PositionFactory(title="收款文员", next_review_on=today)  # due today, not overdue
    PositionFactory(
        title="草稿职位", status=Position.Status.DRAFT, next_review_on=datetime.date(2025, 1, 1)
    )
    assert list(review.overdue_reviews(user=hr_user, today=today)) == [due]

    scoped = EditorScopeFactory(department=DepartmentFactory(name="营销策划部")).user
    scoped.groups.add(*hr_user.groups.all())
    assert list(review.overdue_reviews(user=scoped, today=today)) == []

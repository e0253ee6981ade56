"""The 复核到期 page, with the clock frozen the way a real review falls due."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from positions.models import Position
from positions.services import review
from positions.tests.factories import PositionFactory
from positions.tests.text import page_text

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def schedule(position: Position, *, published_on: datetime.date) -> None:
    """As approval does: 下次复核日期 one review interval after publishing."""
    due = review.next_review_date(position, published_on=published_on)
    Position.objects.filter(pk=position.pk).update(next_review_on=due)


def test_review_overdue_lists_position_published_13_months_ago(hr_client):
    with time_machine.travel(datetime.datetime(2025, 10, 15, 10, 0, tzinfo=SHANGHAI), tick=False):
        published = PositionFactory(title="销售经理", code="FZ-XS-001")
        schedule(published, published_on=datetime.date(2025, 10, 15))
        fresh = PositionFactory(title="售楼员", code="FZ-XS-101")
    with time_machine.travel(datetime.datetime(2026, 11, 15, 10, 0, tzinfo=SHANGHAI), tick=False):
        schedule(fresh, published_on=datetime.date(2026, 11, 1))
        page = page_text(hr_client.get(reverse("positions:review-overdue")))
    assert "共 1 份" in page
    assert "FZ-XS-001 销售经理" in page
    assert "2026-10-15 31 天" in page
    assert "售楼员" not in page


def test_review_overdue_empty_says_so(hr_client):
    page = page_text(hr_client.get(reverse("positions:review-overdue")))
    assert "没有到期未复核的职位说明书。" in page


def test_review_overdue_refused_to_employees(user_client):
    assert user_client.get(reverse("positions:review-overdue")).status_code == 403


def test_review_overdue_anonymous_redirected_to_login(client):
    response = client.get(reverse("positions:review-overdue"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_review_overdue_ignores_query_noise(hr_client):
    with time_machine.travel(datetime.datetime(2025, 10, 15, 10, 0, tzinfo=SHANGHAI), tick=False):
        published = PositionFactory(title="销售经理", code="FZ-XS-001")
        schedule(published, published_on=datetime.date(2025, 10, 15))
    with time_machine.travel(datetime.datetime(2026, 11, 15, 10, 0, tzinfo=SHANGHAI), tick=False):
        response = hr_client.get(reverse("positions:review-overdue") + "?page=abc&sort=x")
    assert response.status_code == 200
    page = page_text(response)
    assert "共 1 份" in page
    assert "FZ-XS-001 销售经理" in page


def test_sheet_shows_next_review_date(hr_client):
    position = PositionFactory(title="销售经理", next_review_on=datetime.date(2027, 11, 28))
    page = page_text(hr_client.get(position.get_absolute_url()))
    assert "下次复核日期：2027-11-28" in page


def test_position_list_links_hr_to_overdue_reviews(client, hr_user, user):
    link = f'href="{reverse("positions:review-overdue")}"'
    client.force_login(hr_user)
    assert link in client.get(reverse("positions:position-list")).content.decode()
    client.force_login(user)
    assert link not in client.get(reverse("positions:position-list")).content.decode()

"""导入预览 · 只看有变化: the 无变化 rows can be hidden, by a plain link (no JavaScript)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from positions.tests.factories import EmployeeFactory, PositionFactory
from positions.tests.text import html_text
from transfer.tests.excel_helpers import open_bytes, roster_book, save
from transfer.tests.test_views_transfer import upload

pytestmark = pytest.mark.django_db


def plan_rows(page: str) -> list[str]:
    """The visible text of each row of the preview's table."""
    body = re.search(r'<table[^>]*id="import-plan".*?<tbody>(.*?)</tbody>', page, flags=re.S)
    return [html_text(row) for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), flags=re.S)]


@pytest.fixture
def preview_url(seed, hr_client):
    """The seed exported, one position renamed in the file, uploaded: one 更新, the rest 无变化."""
    workbook = open_bytes(hr_client.get(reverse("positions:position-export")).content)
    sheet = workbook["职位"]
    title_column = [cell.value for cell in sheet[1]].index("职位名称") + 1
    sheet.cell(row=2, column=title_column).value = "改过名的职位"
    return upload(hr_client, save(workbook))["Location"]


def test_position_preview_shows_all_rows_by_default(hr_client, preview_url):
    page = hr_client.get(preview_url).content.decode()

    rows = plan_rows(page)
    assert len(rows) == 19
    assert sum(row.startswith("无变化") for row in rows) == 18
    assert 'href="?changed=1"' in page and "只看有变化（1）" in html_text(page)


def test_position_preview_changed_only_hides_unchanged_rows(hr_client, preview_url):
    page = hr_client.get(preview_url, {"changed": "1"}).content.decode()

    rows = plan_rows(page)
    assert len(rows) == 1
    assert rows[0].startswith("更新") and "改过名的职位" in rows[0]
    assert "全部（19）" in html_text(page)
    # The summary still counts the whole file, and confirming still imports it.
    assert '<strong class="text-body">18</strong> 个无变化' in page
    assert "确认导入" in page


def test_roster_preview_changed_only_hides_unchanged_rows(hr_client):
    clerk = PositionFactory(code="FZ-XS-101", title="售楼员")
    PositionFactory(code="FZ-XS-102", title="客服专员")
    EmployeeFactory(name="王已在", employee_no="E1000", position=clerk)
    data = roster_book(
        [
            ["王已在", "E1000", "FZ-XS-101", datetime.date(2024, 3, 1)],
            ["林小华", "E1001", "FZ-XS-102", datetime.date(2026, 3, 2)],
        ]
    )
    url = upload(hr_client, data, "花名册.xlsx", kind="roster")["Location"]

    everything = plan_rows(hr_client.get(url).content.decode())
    changed = plan_rows(hr_client.get(url, {"changed": "1"}).content.decode())

    assert [row.split()[0] for row in everything] == ["无变化", "入职（新建员工）"]
    assert len(changed) == 1 and "林小华" in changed[0]

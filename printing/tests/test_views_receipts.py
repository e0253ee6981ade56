"""签收单: a holder's own from 我的职位, a version's all from 员工确认 — the PDFs as printed."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from urllib.parse import unquote

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from positions import permissions
from positions.models import Acknowledgement, Position
from positions.services.versions import publish_version
from positions.tests.factories import EmployeeFactory, FullPositionFactory, UserFactory
from positions.tests.text import compact, page_text, pdf_pages, pdf_text

pytestmark = pytest.mark.django_db

CONFIRMED_AT = datetime.datetime(2025, 3, 4, 2, 5, 6, tzinfo=datetime.UTC)  # 10:05:06 in Shanghai


@pytest.fixture
def clerk() -> Position:
    """售楼员 with V2 in force."""
    position = FullPositionFactory(title="售楼员", code="FZ-XS-101")
    position.summary = "负责客户接待与销售。"
    position.save()
    publish_version(position)
    position.refresh_from_db()
    assert position.current_version.number == 2
    return position


def holder(position: Position, name: str, number: str):
    user = UserFactory(username=f"u-{number}")
    user.groups.add(permissions.role_group(permissions.EMPLOYEE))
    return EmployeeFactory(user=user, name=name, employee_no=number, position=position)


def confirm(client, employee, position: Position, ip: str = "10.1.2.3") -> Acknowledgement:
    """The holder clicks 我已阅读并确认 on 我的职位 (from ``ip``), at CONFIRMED_AT."""
    client.force_login(employee.user)
    response = client.post(
        reverse("positions:my-position-acknowledge"),
        {"version": position.current_version_id},
        REMOTE_ADDR=ip,
    )
    assert response.status_code == 302
    ack = Acknowledgement.objects.get(employee=employee, version=position.current_version)
    Acknowledgement.objects.filter(pk=ack.pk).update(acknowledged_at=CONFIRMED_AT)
    return ack


def test_receipt_pdf_names_holder_version_fingerprint_time_and_ip(client, clerk):
    employee = holder(clerk, "林员工", "FZ0004")
    confirm(client, employee, clerk, ip="10.1.2.3")

    page = client.get(reverse("positions:my-position"))
    link = re.search(r'id="receipt-button" href="([^"]+)"', page.content.decode())
    assert link and "下载签收单" in page_text(page)
    response = client.get(link.group(1))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert unquote(response["Content-Disposition"]).endswith("售楼员-V2-签收单-FZ0004.pdf")
    text = compact(pdf_text(response.content))
    stored = json.dumps(
        clerk.current_version.sheet, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    fingerprint = hashlib.sha256(stored.encode()).hexdigest()[:12]
    assert "职位说明书签收单" in text
    assert "林员工" in text and "FZ0004" in text
    assert "售楼员（FZ-XS-101）" in text and "V2" in text
    assert fingerprint in text
    assert "2025-03-0410:05:06（北京时间）" in text  # Asia/Shanghai, not UTC
    assert "10.1.2.3" in text
    assert AuditEvent.objects.filter(action="export_receipt", username="u-FZ0004").exists()


def test_version_receipts_pdf_has_one_page_per_confirmation_then_who_has_not(
    client, clerk, hr_user
):
    first = holder(clerk, "林员工", "FZ0004")
    second = holder(clerk, "黄员工", "FZ0005")
    holder(clerk, "郑员工", "FZ0006")  # has not confirmed
    confirm(client, first, clerk, ip="10.0.0.1")
    confirm(client, second, clerk, ip="10.0.0.2")
    hr_client = client
    hr_client.force_login(hr_user)

    kwargs = {"pk": clerk.pk, "number": 2}
    page = hr_client.get(reverse("positions:version-acknowledgements", kwargs=kwargs))
    assert "打印签收单" in page_text(page)
    response = hr_client.get(reverse("positions:version-receipts", kwargs=kwargs))

    assert response.status_code == 200
    pages = [compact(text) for text in pdf_pages(response.content)]
    assert len(pages) == 3
    assert "林员工" in pages[0] and "10.0.0.1" in pages[0] and "黄员工" not in pages[0]
    assert "黄员工" in pages[1] and "10.0.0.2" in pages[1] and "林员工" not in pages[1]
    assert "尚未确认名单" in pages[2] and "郑员工" in pages[2] and "FZ0006" in pages[2]
    assert "林员工" not in pages[2] and "黄员工" not in pages[2]


def test_employee_cannot_download_another_holders_receipt(client, clerk):
    ack = confirm(client, holder(clerk, "林员工", "FZ0004"), clerk)
    client.force_login(holder(clerk, "黄员工", "FZ0005").user)

    url = reverse("positions:acknowledgement-receipt", kwargs={"pk": ack.pk})
    assert client.get(url).status_code == 404
    kwargs = {"pk": clerk.pk, "number": 2}
    assert client.get(reverse("positions:version-receipts", kwargs=kwargs)).status_code == 403


def test_my_position_offers_the_word_file_of_the_version_read(client, clerk):
    employee = holder(clerk, "林员工", "FZ0004")
    client.force_login(employee.user)

    page = client.get(reverse("positions:my-position")).content.decode()
    link = re.search(r'id="docx-button" href="([^"]+)"', page)
    assert link and link.group(1) == reverse(
        "positions:version-docx", kwargs={"pk": clerk.pk, "number": 2}
    )
    assert 'id="receipt-button"' not in page  # nothing confirmed yet: no 签收单
    response = client.get(link.group(1))
    assert response.status_code == 200
    assert unquote(response["Content-Disposition"]).endswith(".docx")

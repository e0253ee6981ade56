"""The audit trail is read by the 审计员 (and superusers), exported as xlsx, never changed;
old events go only through ``prune_audit_events``."""

from __future__ import annotations

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from audit import services, workbook
from audit.models import AppendOnlyError, AuditEvent
from audit.models import AuditAction as Action
from audit.tests.helpers import auditor
from positions import permissions
from positions.models import Position
from positions.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: datetime.date, hour: int = 10):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI), tick=False
    )


@pytest.fixture
def trail(seed):
    """王人事 approved the 售楼员 on 3 March and exported Excel on 5 March; 林员工 failed to
    sign in on 4 March."""
    hr = UserFactory(username="wangrenshi", first_name="王人事")
    employee = UserFactory(username="linyuangong", first_name="林员工")
    clerk = Position.objects.get(code="FZ-XS-101")
    with at(datetime.date(2026, 3, 3)):
        services.record(Action.APPROVE, user=hr, obj=clerk, details={"to_status": "published"})
    with at(datetime.date(2026, 3, 4)):
        services.record(Action.LOGIN_FAILED, user=employee, username="linyuangong")
    with at(datetime.date(2026, 3, 5)):
        services.record(Action.EXPORT_EXCEL, user=hr, details={"count": 3})
    return {"hr": hr, "employee": employee, "clerk": clerk}


@pytest.fixture
def reader(client, trail):
    """The 审计员, signed in now (signing in is an event too: the newest row)."""
    user = auditor()
    client.force_login(user)
    return user


def table_rows(response) -> list[str]:
    """The text of each row of the events table."""
    page = response.content.decode()
    body = page.split('id="audit-table"', 1)[1].split("</tbody>", 1)[0]
    return [" ".join(row.split("</tr>")[0].split()) for row in body.split("<tr>")[2:]]


def test_auditor_reads_the_list_newest_first(client, trail, reader):
    response = client.get(reverse("positions:audit-list"))

    assert response.status_code == 200
    rows = table_rows(response)
    assert len(rows) == 4
    assert "登录" in rows[0] and ">auditor<" in rows[0]
    assert "2026-03-05" in rows[1] and "导出 Excel" in rows[1] and "wangrenshi" in rows[1]
    assert "2026-03-04" in rows[2] and "登录失败" in rows[2] and "linyuangong" in rows[2]
    approve = rows[3]
    assert (
        "审批通过" in approve and "售楼员（FZ-XS-101）" in approve and "新状态：已生效" in approve
    )
    assert 'id="nav-audit"' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"user": "wangrenshi"}, ["导出 Excel", "审批通过"]),
        ({"action": "login_failed"}, ["登录失败"]),
        ({"date_from": "2026-03-04", "date_to": "2026-03-04"}, ["登录失败"]),
        ({"obj": "售楼员"}, ["审批通过"]),
    ],
    ids=["user", "action", "one day", "object"],
)
def test_auditor_filters_the_list(client, reader, query, expected):
    rows = table_rows(client.get(reverse("positions:audit-list"), query))

    labels = sorted(Action.labels, key=len, reverse=True)  # 登录失败 before 登录
    assert [next(label for label in labels if label in row) for row in rows] == expected


def test_auditor_reads_one_users_and_one_positions_events(client, trail, reader):
    mine = client.get(reverse("positions:audit-user", args=[trail["hr"].pk]))
    clerk = client.get(reverse("positions:audit-position", args=[trail["clerk"].pk]))

    assert "用户 wangrenshi（王人事）" in mine.content.decode()
    assert len(table_rows(mine)) == 2
    assert "职位 售楼员（FZ-XS-101）" in clerk.content.decode()
    (row,) = table_rows(clerk)
    assert "审批通过" in row and "wangrenshi" in row


def test_auditor_exports_the_filtered_events_as_xlsx(client, trail, reader):
    response = client.get(reverse("positions:audit-export"), {"user": "wangrenshi"})

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == workbook.XLSX_HEADERS
    assert [(r[0], r[1], r[4], r[7], r[8]) for r in rows[1:]] == [
        (datetime.datetime(2026, 3, 5, 10), "wangrenshi", "导出 Excel", None, "条数：3"),
        (
            datetime.datetime(2026, 3, 3, 10),
            "wangrenshi",
            "审批通过",
            "售楼员（FZ-XS-101）",
            "新状态：已生效",
        ),
    ]
    exported = AuditEvent.objects.get(action=Action.EXPORT_AUDIT)
    assert exported.user == reader
    assert exported.details == {"count": 2, "filters": {"user": "wangrenshi"}}


@pytest.mark.parametrize("role", [permissions.HR_EDITOR, permissions.EMPLOYEE])
def test_hr_editor_and_employee_get_403_on_every_audit_page(client, trail, role):
    user = UserFactory(username=f"not-auditor-{role}")
    user.groups.add(permissions.role_group(role))
    client.force_login(user)

    urls = [
        reverse("positions:audit-list"),
        reverse("positions:audit-user", args=[trail["hr"].pk]),
        reverse("positions:audit-position", args=[trail["clerk"].pk]),
        reverse("positions:audit-export"),
    ]

    assert [client.get(url).status_code for url in urls] == [403] * 4
    assert "nav-audit" not in client.get(reverse("positions:my-position")).content.decode()
    assert not AuditEvent.objects.filter(action=Action.EXPORT_AUDIT).exists()


def test_auditor_changes_nothing_else(client, trail, reader):
    clerk = trail["clerk"]

    assert client.get(reverse("positions:position-edit", args=[clerk.pk])).status_code == 403
    response = client.post(reverse("positions:position-edit", args=[clerk.pk]), {"title": "改"})
    assert response.status_code == 403
    assert client.get(reverse("positions:employee-list")).status_code == 403
    assert client.get(reverse("positions:position-create")).status_code == 403
    assert client.get(reverse("positions:import-export")).status_code == 403
    admin = client.get(reverse("admin:index"))
    assert admin.status_code == 403
    assert "您没有访问管理后台的权限" in admin.content.decode()
    event = AuditEvent.objects.first()
    response = client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": 1})
    assert response.status_code == 403
    clerk.refresh_from_db()
    assert clerk.title == "售楼员"
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_nobody_changes_or_deletes_an_event_in_the_admin(client, trail):
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    event = AuditEvent.objects.get(action=Action.APPROVE)
    count = AuditEvent.objects.count()

    page = client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert "删除" not in page.content.decode().split('id="content-main"', 1)[1]
    change = client.post(
        reverse("admin:audit_auditevent_change", args=[event.pk]), {"username": "somebody"}
    )
    delete = client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"})
    bulk = client.post(
        reverse("admin:audit_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )

    assert (change.status_code, delete.status_code) == (403, 403)
    assert bulk.status_code in (200, 302)
    assert AuditEvent.objects.count() == count
    event.refresh_from_db()
    assert event.username == "wangrenshi"


def test_event_refuses_update_and_delete_in_code(trail):
    event = AuditEvent.objects.get(action=Action.APPROVE)

    event.username = "somebody"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(username="somebody")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).username == "wangrenshi"


# --- retention -----------------------------------------------------------------------------------


def test_prune_removes_events_older_than_the_retention_and_keeps_the_rest(db):
    old = datetime.date(2025, 1, 10)
    kept = datetime.date(2025, 5, 1)
    with at(old):
        services.record(Action.LOGIN, username="old")
    with at(kept):
        services.record(Action.LOGIN, username="kept")

    with at(datetime.date(2025, 7, 20)):  # 191 and 80 days later
        out = io.StringIO()
        call_command("prune_audit_events", stdout=out)

    assert "已清理 1 条" in out.getvalue()
    assert list(
        AuditEvent.objects.filter(action=Action.LOGIN).values_list("username", flat=True)
    ) == ["kept"]
    prune = AuditEvent.objects.get(action=Action.PRUNE)
    assert (prune.details["count"], prune.details["retention_days"]) == (1, 180)


def test_prune_refuses_fewer_days_than_the_retention(db, settings):
    with at(datetime.date(2025, 1, 10)):
        services.record(Action.LOGIN, username="old")

    with at(datetime.date(2025, 3, 1)):
        with pytest.raises(CommandError, match="至少保留 180 天"):
            call_command("prune_audit_events", "--days", "30")
        settings.AUDIT_RETENTION_DAYS = 30
        with pytest.raises(CommandError, match="少于 180 天"):
            call_command("prune_audit_events")

    assert AuditEvent.objects.filter(username="old").exists()
    assert not AuditEvent.objects.filter(action=Action.PRUNE).exists()

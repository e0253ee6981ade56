"""Each audited action appends exactly one event naming who, what and which object."""

from __future__ import annotations

import io

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditAction as Action
from audit.models import AuditEvent
from audit.tests.helpers import auditor, only_event
from positions import permissions
from positions.models import Department, EditorScope, Position
from positions.services import workflow
from positions.tests.factories import UserFactory
from positions.tests.workflow_helpers import demo_world
from printing.services import books
from printing.tests.book_helpers import run_worker

pytestmark = pytest.mark.django_db

PASSWORD = "jobdesc-pass-123"  # UserFactory's password
ADDRESS = "203.0.113.7"


def sign_in(client, username: str, password: str):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ADDRESS
    )


# --- signing in ----------------------------------------------------------------------------------


def test_login_records_one_event_with_user_and_address(client):
    zhang = UserFactory(username="zhangsan")

    assert sign_in(client, "zhangsan", PASSWORD).status_code == 302

    event = only_event(Action.LOGIN)
    assert (event.user, event.username, event.ip_address) == (zhang, "zhangsan", ADDRESS)
    assert AuditEvent.objects.count() == 1


def test_login_failed_records_the_username_as_typed(client):
    zhang = UserFactory(username="zhangsan")

    sign_in(client, "zhangsan", "wrong-password")
    sign_in(client, "nobody-here", "wrong-password")

    failed = list(AuditEvent.objects.filter(action=Action.LOGIN_FAILED).order_by("pk"))
    assert [(e.user, e.username, e.ip_address) for e in failed] == [
        (zhang, "zhangsan", ADDRESS),
        (None, "nobody-here", ADDRESS),
    ]
    assert not AuditEvent.objects.filter(action=Action.LOGIN).exists()


def test_lockout_after_five_failures_records_one_lockout(client):
    zhang = UserFactory(username="zhangsan")

    responses = [sign_in(client, "zhangsan", "wrong-password") for _ in range(5)]

    assert responses[-1].status_code == 429
    event = only_event(Action.LOCKOUT)
    assert (event.user, event.username, event.ip_address) == (zhang, "zhangsan", ADDRESS)
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED).count() == 5


def test_client_address_behind_trusted_proxies(client, settings):
    settings.AUDIT_TRUSTED_PROXY_COUNT = 1
    UserFactory(username="zhangsan")

    client.post(
        reverse("login"),
        {"username": "zhangsan", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.9, 192.0.2.44",
    )

    assert only_event(Action.LOGIN).ip_address == "192.0.2.44"  # what our one proxy saw


# --- roles, scopes and the admin -----------------------------------------------------------------


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_adding_a_user_to_the_hr_group_in_the_admin_records_the_role_change(client, superuser):
    account = UserFactory(username="wangwu", first_name="王五")
    client.force_login(superuser)
    hr_group = permissions.role_group(permissions.HR_EDITOR)

    response = client.post(
        reverse("admin:auth_user_change", args=[account.pk]),
        {
            "username": "wangwu",
            "first_name": "王五",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "groups": [hr_group.pk],
            "date_joined_0": "2025-01-01",
            "date_joined_1": "09:00:00",
        },
        REMOTE_ADDR=ADDRESS,
    )

    assert response.status_code == 302, response.content.decode()
    assert permissions.access(User.objects.get(pk=account.pk)).is_hr_editor
    event = only_event(Action.ROLE_CHANGE)
    assert (event.user, event.ip_address) == (superuser, ADDRESS)
    assert (event.object_type, event.object_id) == ("auth.user", str(account.pk))
    assert event.object_label == "wangwu（王五）"
    assert event.details == {"added": ["hr_editor"], "removed": []}
    # The admin's own log of the change is an event too.
    admin_change = only_event(Action.ADMIN_CHANGE)
    assert (admin_change.user, admin_change.object_id) == (superuser, str(account.pk))


def test_adding_an_editor_scope_in_the_admin_records_it(client, superuser, departments):
    editor = UserFactory(username="hr-fz")
    editor.groups.add(permissions.role_group(permissions.HR_EDITOR))
    client.force_login(superuser)

    response = client.post(
        reverse("admin:positions_editorscope_add"),
        {"user": editor.pk, "department": departments["fuzhou"].pk},
        REMOTE_ADDR=ADDRESS,
    )

    assert response.status_code == 302, response.content.decode()
    scope = EditorScope.objects.get(user=editor)
    event = only_event(Action.SCOPE_ADD)
    assert (event.user, event.ip_address) == (superuser, ADDRESS)
    assert (event.object_type, event.object_id) == ("positions.editorscope", str(scope.pk))
    assert event.details == {"account": "hr-fz", "department": "福州公司"}
    assert only_event(Action.ADMIN_ADD).object_type == "positions.editorscope"


def test_deleting_departments_in_bulk_in_the_admin_records_each(client, superuser, departments):
    client.force_login(superuser)
    doomed = [departments["finance"], departments["channel"]]

    response = client.post(
        reverse("admin:positions_department_changelist"),
        {"action": "delete_selected", "_selected_action": [d.pk for d in doomed], "post": "yes"},
    )

    assert response.status_code == 302
    assert not Department.objects.filter(pk__in=[d.pk for d in doomed]).exists()
    deleted = AuditEvent.objects.filter(action=Action.ADMIN_DELETE)
    assert sorted(deleted.values_list("object_label", flat=True)) == ["渠道组", "财务部"]
    assert {e.user for e in deleted} == {superuser}


def test_unlocking_an_account_in_the_axes_admin_records_the_deletion(client, superuser):
    """Other apps' admins (django-axes here) reach the trail too: deleting a lockout record,
    which unlocks the account, is recorded with who did it."""
    attempt = AccessAttempt.objects.create(
        username="zhangsan", ip_address="10.1.2.3", user_agent="", failures_since_start=5
    )
    client.force_login(superuser)

    response = client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    event = only_event(Action.ADMIN_DELETE)
    assert (event.user, event.object_type) == (superuser, "axes.accessattempt")


# --- the workflow --------------------------------------------------------------------------------


def test_workflow_approve_on_the_page_records_one_approve(client, seed, settings):
    demo = demo_world(settings)
    position = workflow.submit(user=demo.hr, position=demo.draft)
    position = workflow.review(user=demo.manager, position=position)
    client.force_login(demo.director)

    response = client.post(
        reverse("positions:position-workflow", kwargs={"pk": position.pk}),
        {"action": "approve", "confirmed": "1"},
        REMOTE_ADDR=ADDRESS,
    )

    assert response.status_code == 302
    event = only_event(Action.APPROVE)
    assert (event.user, event.ip_address) == (demo.director, ADDRESS)
    assert (event.object_type, event.object_id) == ("positions.position", str(position.pk))
    assert event.object_label == "售楼员（FZ-XS-101）"
    assert event.details == {"from_status": "reviewed", "to_status": "published"}
    assert only_event(Action.SUBMIT).user == demo.hr
    assert only_event(Action.REVIEW).user == demo.manager


# --- exports -------------------------------------------------------------------------------------


@pytest.fixture
def hr(seed, hr_user):
    return hr_user


@pytest.fixture
def clerk(seed) -> Position:
    return Position.objects.get(code="FZ-XS-101")  # 售楼员, published (V1)


def download(client, user, name: str, **kwargs):
    client.force_login(user)
    response = client.get(reverse(name, kwargs=kwargs), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    return response


def assert_export(action: str, user, position: Position | None = None) -> AuditEvent:
    event = only_event(action)
    assert (event.user, event.ip_address) == (user, ADDRESS)
    if position is not None:
        assert (event.object_type, event.object_id) == ("positions.position", str(position.pk))
        assert event.object_label == f"{position.title}（{position.code}）"
    return event


def test_excel_export_records_one_event(client, hr):
    download(client, hr, "positions:position-export")

    event = assert_export(Action.EXPORT_EXCEL, hr)
    assert event.details["count"] == Position.objects.count()


def test_word_download_records_one_event(client, hr, clerk):
    download(client, hr, "positions:position-docx", pk=clerk.pk)

    assert assert_export(Action.EXPORT_WORD, hr, clerk).details == {"version": "工作稿"}


def test_draft_pdf_records_one_event_and_a_stored_version_pdf_none(client, hr, clerk):
    # A draft is pending: HR prints the working copy (with none, the version in force).
    Position.objects.filter(pk=clerk.pk).update(status=Position.Status.DRAFT)
    download(client, hr, "positions:position-pdf", pk=clerk.pk)
    download(client, hr, "positions:version-pdf", pk=clerk.pk, number=1)

    assert_export(Action.EXPORT_DRAFT_PDF, hr, clerk)


def test_book_download_records_one_event(client, hr):
    selection = books.department_selection(
        Department.objects.get(name="销售部"), include_subdepartments=False
    )
    job = books.request_book(selection)
    run_worker()

    download(client, hr, "positions:book-download", pk=job.pk)

    event = assert_export(Action.EXPORT_BOOK, hr)
    assert (event.object_type, event.object_id) == ("positions.bookjob", str(job.pk))


def test_acknowledgement_xlsx_records_one_event(client, hr, clerk):
    download(client, hr, "positions:version-acknowledgements-xlsx", pk=clerk.pk, number=1)

    assert assert_export(Action.EXPORT_ACKNOWLEDGEMENTS, hr, clerk).details == {"version": "V1"}


def test_backup_export_records_one_event(seed, tmp_path):
    archive = tmp_path / "backup.zip"

    call_command("export_all", str(archive), stdout=io.StringIO())

    event = only_event(Action.EXPORT_BACKUP)
    assert event.user is None
    assert event.details["archive"] == str(archive)
    assert event.details["rows"] > 0


def test_audit_export_is_recorded_and_formulas_stay_text(client, db):
    reader = auditor()
    sign_in(client, '=HYPERLINK("http://evil")', "x")

    response = download(client, reader, "positions:audit-export")

    sheet = load_workbook(io.BytesIO(response.content)).active
    usernames = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '=HYPERLINK("http://evil")' in usernames
    cell = next(c for c in sheet["B"][1:] if c.value == '=HYPERLINK("http://evil")')
    assert cell.data_type == "s"
    assert only_event(Action.EXPORT_AUDIT).user == reader

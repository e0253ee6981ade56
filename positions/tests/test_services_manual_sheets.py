"""A sheet's 工作权限 and the 权责手册 agree: through edits, workflow and versions (seed data)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from positions import permissions
from positions.models import Position, Version
from positions.services import manual as manual_service
from positions.services import versions, workflow
from positions.services.seed import load_seed_manual
from positions.sheet import build_sheet
from positions.tests.factories import EmployeeFactory, UserFactory
from positions.tests.workflow_helpers import second_hr

pytestmark = pytest.mark.django_db

SEED_CLERK_ROWS = [
    ("优惠申请（折扣 ≥ 99%）", "执行"),
    ("优惠申请（98% ≤ 折扣 < 99%）", "执行"),
    ("优惠申请（95% ≤ 折扣 < 98%）", "执行"),
    ("优惠申请（折扣 < 95%）", "执行"),
    ("认购书退换", "执行"),
    ("销售合同签订（标准合同文本）", "执行"),
    ("销售合同签订（非标准条款）", "执行"),
]


def clerk() -> Position:
    return Position.objects.with_sheet().get(code="FZ-XS-101")


def rows(sheet) -> list[tuple[str, str]]:
    return [(a.name, a.level_label) for a in sheet.authorities]


def manual_cells(position: Position, document: dict | None = None) -> list[tuple[str, str]]:
    """The position's cells as the matrix says, in the sheet's wording."""
    document = document or manual_service.manual_document()
    key = manual_service.position_key(position.pk)
    found = []
    for category in document["categories"]:
        for matter in category["matters"]:
            for band in matter["bands"]:
                level = band["cells"].get(key)
                if level:
                    name = manual_service.band_label(matter["name"], band["condition"])
                    found.append((name, manual_service.LEVEL_LABELS[level]))
    return found


def leader():
    """赵总, 部门经理 holding 总经理 in 福州项目公司: approves the manual."""
    user = UserFactory(username="boss", first_name="赵总")
    user.groups.add(permissions.role_group(permissions.MANAGER))
    EmployeeFactory(user=user, name="赵总", position=Position.objects.get(title="总经理"))
    return user


def publish_v2(change: dict[str, str]) -> None:
    """Edit the working copy (the clerk's cells) and take it through the workflow."""
    preparer, reviewer, approver = second_hr("hr-a"), second_hr("hr-b"), leader()
    document = manual_service.manual_document()
    key = manual_service.position_key(Position.objects.get(code="FZ-XS-101").pk)
    for category in document["categories"]:
        for matter in category["matters"]:
            for band in matter["bands"]:
                label = manual_service.band_label(matter["name"], band["condition"])
                if label in change:
                    band["cells"][key] = change[label]
    manual_service.write_manual(
        user=preparer, document=document, lock_version=document["lock_version"], source="测试"
    )
    manual_service.submit(user=preparer)
    manual_service.review(user=reviewer)
    manual_service.approve(user=approver)


def test_seed_sheet_shows_the_manual_v1_rows_as_the_matrix_says(seed):
    sheet = build_sheet(clerk())
    assert rows(sheet) == SEED_CLERK_ROWS
    assert rows(sheet) == manual_cells(clerk())
    assert sheet.authority_source == "依据权责手册 V1"
    frozen = build_sheet(Version.objects.get(position__code="FZ-XS-101", number=1))
    assert rows(frozen) == SEED_CLERK_ROWS


def test_sheet_keeps_the_version_in_force_while_the_manual_is_edited(seed):
    document = manual_service.manual_document()
    document["categories"][0]["matters"][1]["bands"][0]["cells"].pop(
        manual_service.position_key(clerk().pk)
    )
    manual_service.write_manual(
        user=second_hr(), document=document, lock_version=document["lock_version"], source="测试"
    )
    assert rows(build_sheet(clerk())) == SEED_CLERK_ROWS  # the draft is not in force
    assert ("认购书退换", "执行") not in manual_cells(clerk())


def test_after_manual_v2_sheet_shows_v2_and_its_v1_keeps_the_v1_rows(seed):
    publish_v2({"认购书退换": "propose"})

    sheet = build_sheet(clerk())
    assert ("认购书退换", "提议") in rows(sheet)
    assert sheet.authority_source == "依据权责手册 V2"
    assert rows(sheet) == manual_cells(clerk())  # the sheet and the matrix agree
    frozen = build_sheet(Version.objects.get(position__code="FZ-XS-101", number=1))
    assert rows(frozen) == SEED_CLERK_ROWS  # V1 keeps the rows it was published with
    assert frozen.authority_source == "依据权责手册 V1"


def test_sheet_published_after_manual_v2_freezes_the_v2_rows(seed):
    publish_v2({"认购书退换": "propose"})
    Position.objects.filter(code="FZ-XS-101").update(status=Position.Status.REVIEWED)
    workflow.approve(user=leader_again(), position=Position.objects.get(code="FZ-XS-101"))
    v2 = build_sheet(Version.objects.get(position__code="FZ-XS-101", number=2))
    assert ("认购书退换", "提议") in rows(v2)
    assert v2.authority_source == "依据权责手册 V2"


def leader_again():
    return UserFactory._meta.model.objects.get(username="boss")


def test_sheet_page_in_force_says_when_the_manual_moved_on(seed, client):
    """The cached HTML of the sheet in force changes with the manual version in force."""
    reader = UserFactory(username="reader")
    client.force_login(reader)
    url = reverse("positions:position-sheet", args=[clerk().pk])
    before = client.get(url).content.decode()
    assert "依据权责手册 V1" in before
    assert "现行权责手册为" not in before

    publish_v2({"认购书退换": "propose"})

    after = client.get(url).content.decode()
    assert "依据权责手册 V1（现行权责手册为 V2，以权责手册为准）" in after


def test_editor_shows_the_manual_rows_read_only_with_a_link(seed, client):
    hr = second_hr("hr-editor")
    client.force_login(hr)
    page = client.get(reverse("positions:position-edit", args=[clerk().pk])).content.decode()
    assert "在权责手册中编辑" in page
    link = f'href="{reverse("rights:working-copy")}?department={clerk().department_id}"'
    assert link in page
    assert "优惠申请（折扣 &lt; 95%）" in page
    assert 'name="authorities-TOTAL_FORMS"' not in page


def test_loading_the_seed_manual_again_publishes_the_same_rows_as_v2(seed):
    version = load_seed_manual()
    assert version.label == "V2"
    assert rows(build_sheet(clerk())) == SEED_CLERK_ROWS
    assert build_sheet(clerk()).authority_source == "依据权责手册 V2"


def test_version_in_force_read_as_an_employee_shows_the_frozen_rows(seed):
    reader = UserFactory(username="reader2")
    read = versions.read_sheet(reader, clerk())
    assert rows(read.sheet) == SEED_CLERK_ROWS

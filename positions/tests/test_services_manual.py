"""The 权责手册's one writer: document, validation, scope, lock, checks, workflow, versions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from reversion.models import Version as Revision

from positions import permissions
from positions.models import Band, Grant, Manual, ManualVersionRow, Matter, Position
from positions.services import manual as manual_service
from positions.services.manual import ManualEditConflict, check_manual, manual_document
from positions.tests.factories import (
    DepartmentFactory,
    EmployeeFactory,
    PositionFactory,
    UserFactory,
    published_together,
)
from positions.tests.workflow_helpers import second_hr

pytestmark = pytest.mark.django_db
Status = Manual.Status


def hr(username="hr-m", scope=None):
    return second_hr(username, scope)


def leader(position, username="boss"):
    user = UserFactory(username=username, first_name="赵总")
    user.groups.add(permissions.role_group(permissions.MANAGER))
    EmployeeFactory(user=user, name="赵总", position=position)
    return user


@pytest.fixture
def org():
    company = DepartmentFactory(name="项目公司", code="C", kind="company")
    sales = DepartmentFactory(name="销售部", code="C-S", parent=company)
    finance = DepartmentFactory(name="财务部", code="C-F", parent=company)
    with published_together():
        return {
            "company": company,
            "sales": sales,
            "finance": finance,
            "gm": PositionFactory(title="总经理", department=company, grade_min=9, grade_max=10),
            "manager": PositionFactory(
                title="销售经理", department=sales, grade_min=6, grade_max=7
            ),
            "clerk": PositionFactory(title="售楼员", department=sales, grade_min=2, grade_max=3),
            "cashier": PositionFactory(title="出纳", department=finance),
        }


def doc(cells, *, condition="折扣 ≤ 98%", bodies=("董事会",), matter="优惠申请"):
    return {
        "title": "权责手册",
        "doc_no": "HXJT-QZ-2026-01",
        "columns": [{"key": f"b{b}", "kind": "body", "label": b} for b in bodies],
        "categories": [
            {
                "name": "营销管理",
                "matters": [
                    {
                        "name": matter,
                        "note": "",
                        "bands": [{"condition": condition, "cells": cells}],
                    }
                ],
            }
        ],
    }


def keys(org):
    return {name: f"p{org[name].pk}" for name in ("gm", "manager", "clerk", "cashier")}


def write(user, document, **kwargs):
    lock = manual_service.get_manual().lock_version
    return manual_service.write_manual(
        user=user, document=document, lock_version=lock, source="测试", **kwargs
    )


def test_write_manual_round_trips_through_the_document(org):
    k = keys(org)
    cells = {k["clerk"]: "execute", k["manager"]: "审核", k["gm"]: "approve", "b董事会": "inform"}
    manual = write(hr(), doc(cells))
    document = manual_document()
    assert document["doc_no"] == "HXJT-QZ-2026-01"
    assert document["lock_version"] == manual.lock_version
    band = document["categories"][0]["matters"][0]["bands"][0]
    assert band == {
        "condition": "折扣 ≤ 98%",
        "cells": {
            k["clerk"]: "execute",
            k["manager"]: "review",
            k["gm"]: "approve",
            "b董事会": "inform",
        },
    }
    labels = [c["label"] for c in document["columns"]]
    assert labels == ["总经理", "出纳", "销售经理", "售楼员", "董事会"]


def test_write_manual_stale_lock_is_a_conflict_and_changes_nothing(org):
    k = keys(org)
    write(hr(), doc({k["clerk"]: "execute"}))
    with pytest.raises(ManualEditConflict, match="权责手册在您编辑期间已被他人修改"):
        manual_service.write_manual(
            user=hr("hr-other"),
            document=doc({k["clerk"]: "inform"}),
            lock_version=1,
            source="测试",
        )
    assert list(Grant.objects.values_list("level", flat=True)) == ["execute"]


def test_write_manual_bad_input_refused_in_chinese_nothing_changed(org):
    k = keys(org)
    write(hr(), doc({k["clerk"]: "execute"}))
    lock = Manual.objects.get().lock_version
    bad = doc({k["clerk"]: "拍板"})
    bad["categories"][0]["matters"].append({"name": "优惠申请", "bands": []})
    with pytest.raises(ValidationError) as error:
        write(hr(), bad)
    messages = error.value.messages
    assert (
        "“优惠申请（折扣 ≤ 98%）”：未知的权限级别“拍板”"
        "（可选：提议、审核、会签、审批、执行、知情）。" in messages
    )
    assert "“营销管理”中事项“优惠申请”重复。" in messages
    with pytest.raises(ValidationError, match="列“p999999”的职位不存在（可能已被删除）。"):
        write(hr(), doc({"p999999": "approve"}))
    assert Manual.objects.get().lock_version == lock
    assert list(Grant.objects.values_list("level", flat=True)) == ["execute"]


def test_write_manual_size_and_length_limits(org, monkeypatch):
    too_long = doc({}, matter="事" * 101)
    with pytest.raises(ValidationError, match="超过 100 个字"):
        write(hr(), too_long)
    monkeypatch.setattr(manual_service, "MAX_BANDS", 1)
    two = doc({})
    two["categories"][0]["matters"][0]["bands"].append({"condition": "其他", "cells": {}})
    with pytest.raises(ValidationError, match="权责手册最多 1 个档位"):
        write(hr(), two)
    assert not Band.objects.exists()


def test_write_manual_scoped_editor_replaces_only_its_columns(org):
    k = keys(org)
    write(hr(), doc({k["cashier"]: "inform", k["clerk"]: "execute"}))
    sales_hr = hr("hr-sales", org["sales"])
    scoped = manual_document(scope=org["sales"])
    assert [c["label"] for c in scoped["columns"]] == ["销售经理", "售楼员", "董事会"]
    write(sales_hr, doc({k["clerk"]: "propose"}), scope=org["sales"])
    band = manual_document()["categories"][0]["matters"][0]["bands"][0]
    assert band["cells"] == {k["cashier"]: "inform", k["clerk"]: "propose"}


def test_write_manual_outside_scope_refused(org):
    k = keys(org)
    sales_hr = hr("hr-sales", org["sales"])
    with pytest.raises(PermissionDenied, match="您无权编辑“财务部”的权责。"):
        write(sales_hr, doc({k["cashier"]: "inform"}), scope=org["finance"])
    with pytest.raises(ValidationError, match="职位“出纳”不在“销售部”范围内"):
        write(sales_hr, doc({k["cashier"]: "inform"}), scope=org["sales"])
    with pytest.raises(PermissionDenied, match="请选择您负责的部门"):
        write(sales_hr, doc({}))
    employee = UserFactory(username="emp")
    with pytest.raises(PermissionDenied, match="只有 HR 编辑可以编辑权责手册。"):
        write(employee, doc({}))
    assert not Grant.objects.exists()


def test_write_manual_archived_position_keeps_but_never_gains_cells(org):
    k = keys(org)
    write(hr(), doc({k["clerk"]: "execute"}))
    Position.objects.filter(pk=org["clerk"].pk).update(status=Position.Status.ARCHIVED)
    write(hr(), doc({k["clerk"]: "execute"}))  # kept as it is
    with pytest.raises(ValidationError, match="职位“售楼员”已归档，不能再授予权限。"):
        write(hr(), doc({k["clerk"]: "execute"}, condition="另一档"))


# --- checks: each rule, and the same band without the fault passes ---


def clean_cells(k):
    return {k["clerk"]: "execute", k["manager"]: "review", k["gm"]: "approve"}


def issues_of(org, cells):
    write(hr(), doc(cells))
    return [issue.message for issue in check_manual(manual_document())]


def test_check_manual_clean_band_has_no_issue(org):
    assert issues_of(org, clean_cells(keys(org))) == []


def test_check_manual_band_without_approval(org):
    cells = clean_cells(keys(org))
    del cells[keys(org)["gm"]]
    assert issues_of(org, cells) == ["“优惠申请（折扣 ≤ 98%）”没有审批。"]


def test_check_manual_band_with_two_approvals(org):
    k = keys(org)
    cells = clean_cells(k) | {"b董事会": "approve"}
    assert issues_of(org, cells) == [
        "“优惠申请（折扣 ≤ 98%）”有 2 个审批（总经理、董事会），应只有一个。"
    ]


def test_check_manual_band_without_execution(org):
    k = keys(org)
    cells = clean_cells(k) | {k["clerk"]: "propose"}
    assert issues_of(org, cells) == ["“优惠申请（折扣 ≤ 98%）”没有执行。"]


def test_check_manual_same_person_reviews_and_approves(org):
    """One person holding (acting in) both the 审核 and the 审批 column of a band."""
    k = keys(org)
    write(hr(), doc(clean_cells(k)))
    document = manual_document()
    holder = EmployeeFactory(name="兼任者", position=org["gm"]).pk
    document = manual_document()
    for column in document["columns"]:
        if column["key"] == k["manager"]:
            column["holders"].append(holder)  # also acting 销售经理
    assert [i.message for i in check_manual(document)] == [
        "“优惠申请（折扣 ≤ 98%）”由同一人既审核（销售经理）又审批（总经理）。"
    ]
    assert [c["holders"] for c in document["columns"] if c["key"] == k["gm"]] == [[holder]]


def test_check_manual_approval_not_above_review_grade(org):
    k = keys(org)
    cells = {k["clerk"]: "execute", k["manager"]: "approve", k["gm"]: "review"}
    assert issues_of(org, cells) == [
        "“优惠申请（折扣 ≤ 98%）”的审批（销售经理，6–7 级）不高于审核（总经理，9–10 级）。"
    ]


def test_check_manual_archived_column_holding_cells(org):
    k = keys(org)
    write(hr(), doc(clean_cells(k)))
    Position.objects.filter(pk=org["clerk"].pk).update(status=Position.Status.ARCHIVED)
    messages = [issue.message for issue in check_manual(manual_document())]
    assert messages == ["职位“售楼员”已归档，仍在权责手册中持有权限。"]


# --- workflow and versions ---


def test_workflow_publishes_a_version_with_rows_per_position(org):
    k = keys(org)
    preparer, reviewer = hr("hr-a"), hr("hr-b")
    approver = leader(org["gm"])
    write(preparer, doc(clean_cells(k)))
    manual_service.submit(user=preparer)
    with pytest.raises(PermissionDenied, match="编制人不能审核自己编制的权责手册。"):
        manual_service.review(user=preparer)
    manual_service.review(user=reviewer)
    with pytest.raises(PermissionDenied, match="审核人不能同时审批同一份权责手册。"):
        manual_service.approve(user=reviewer)
    with pytest.raises(PermissionDenied, match="编制人不能审批自己编制的权责手册。"):
        manual_service.approve(user=preparer)
    version = manual_service.approve(user=approver)
    manual = Manual.objects.get()
    assert (manual.status, manual.current_version, version.label) == (
        Status.PUBLISHED,
        version,
        "V1",
    )
    assert (version.prepared_by_name, version.reviewed_by_name, version.approved_by_name) == (
        "李人事",
        "李人事",
        "赵总",
    )
    rows = ManualVersionRow.objects.filter(position=org["clerk"])
    assert [(r.category, r.matter, r.condition, r.get_level_display()) for r in rows] == [
        ("营销管理", "优惠申请", "折扣 ≤ 98%", "执行")
    ]
    assert [c["label"] for c in version.document["columns"]] == [
        "总经理",
        "销售经理",
        "售楼员",
        "董事会",
    ]


def test_workflow_step_in_wrong_state_refused(org):
    with pytest.raises(ValidationError, match="权责手册当前状态为“草稿”，不能执行此操作"):
        manual_service.review(user=hr())


def test_workflow_reject_needs_a_comment_and_returns_to_draft(org):
    preparer = hr("hr-a")
    write(preparer, doc({}))
    manual_service.submit(user=preparer)
    with pytest.raises(ValidationError, match="请填写退回意见。"):
        manual_service.reject(user=hr("hr-b"), comment=" ")
    manual = manual_service.reject(user=hr("hr-c"), comment="补充财务类事项")
    assert manual.status == Status.DRAFT


def test_edit_of_published_manual_starts_next_draft_version_in_force_stays(org):
    k = keys(org)
    write(hr("hr-a"), doc(clean_cells(k)))
    manual = Manual.objects.get()
    version = manual_service.publish_manual(manual)
    write(hr("hr-a"), doc(clean_cells(k) | {k["clerk"]: "inform"}))
    manual = Manual.objects.get()
    assert (manual.status, manual.current_version) == (Status.DRAFT, version)
    assert ManualVersionRow.objects.get(position=org["clerk"]).level == "execute"


def test_scoped_hr_may_not_review_manual(org):
    write(hr("hr-a"), doc({}))
    manual_service.submit(user=hr("hr-a"))
    with pytest.raises(PermissionDenied, match="权责手册由负责全公司的 HR 编辑审核。"):
        manual_service.review(user=hr("hr-sales", org["sales"]))


def test_renamed_matter_rows_replace_the_old_ones(org):
    k = keys(org)
    write(hr(), doc(clean_cells(k)))
    write(hr(), doc(clean_cells(k), matter="价格调整"))
    assert list(Matter.objects.values_list("name", flat=True)) == ["价格调整"]
    assert Grant.objects.count() == 3


def test_edit_of_a_manual_under_review_returns_it_to_draft(org):
    preparer, reviewer = hr("hr-a"), hr("hr-b")
    write(preparer, doc({}))
    manual_service.submit(user=preparer)
    manual_service.review(user=reviewer)
    manual = write(hr("hr-c"), doc({}, condition="另一档"))
    assert (manual.status, manual.reviewed_by_name, manual.prepared_by_name) == (
        Status.DRAFT,
        "",
        "李人事",
    )
    comments = [v.revision.comment for v in Revision.objects.get_for_object(manual)]
    assert comments[0] == "编辑权责手册（测试）（退回草稿，需重新提交审核）"

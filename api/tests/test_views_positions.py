"""Positions through the API: what readers and HR get, writes with ETag / If-Match, bad input,
the workflow, and the audit trail."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from api.tests.helpers import ApiClient
from audit.models import AuditEvent
from positions import permissions
from positions.models import Duty, Position
from positions.services import versions
from positions.tests.factories import EditorScopeFactory, UserFactory


@pytest.fixture(autouse=True)
def unthrottled(settings):
    settings.API_THROTTLE_RATE = "100000/min"


@pytest.fixture
def hr(seed):
    user = UserFactory(username="api-hr", first_name="王人事")
    user.groups.add(permissions.role_group(permissions.HR_EDITOR))
    return user


@pytest.fixture
def employee(seed):
    return UserFactory(username="api-employee")


@pytest.fixture
def clerk(seed) -> Position:
    return Position.objects.get(code="FZ-XS-101")  # 售楼员, published V1


def detail_url(position: Position) -> str:
    return reverse("api:position-detail", kwargs={"pk": position.pk})


def edit(api: ApiClient, position: Position, data: dict, etag: str | None = None):
    etag = etag or api.get(detail_url(position))["ETag"]
    return api.patch(detail_url(position), data, HTTP_IF_MATCH=etag)


def test_position_detail_sheet_is_the_one_the_pages_show(hr, employee, clerk):
    body = ApiClient(employee).get(detail_url(clerk)).json()
    expected = versions.read_sheet(employee, Position.objects.with_sheet().get(pk=clerk.pk))
    assert body["sheet"] == json.loads(json.dumps(expected.sheet.as_dict()))
    assert body["reads_working_copy"] is False and body["version"] == 1
    assert body["content"] is None  # only editors get the editable rows


def test_position_list_reader_sees_the_version_in_force_not_the_draft(hr, employee, clerk):
    assert edit(ApiClient(hr), clerk, {"title": "置业顾问"}).status_code == 200
    rows = ApiClient(employee).get(reverse("api:position-list"), {"q": "FZ-XS-101"}).json()
    assert [(r["title"], r["status_label"]) for r in rows["results"]] == [("售楼员", "已生效")]
    rows = ApiClient(hr).get(reverse("api:position-list"), {"q": "FZ-XS-101"}).json()
    assert [(r["title"], r["status_label"]) for r in rows["results"]] == [("置业顾问", "草稿")]
    sheet = ApiClient(employee).get(detail_url(clerk)).json()["sheet"]
    assert sheet["title"] == "售楼员"


def test_position_list_bad_filter_is_a_chinese_400(employee):
    response = ApiClient(employee).get(reverse("api:position-list"), {"status": "nonsense"})
    assert response.status_code == 400
    assert response.json()["detail"] == "状态“nonsense”无效，请从列表中选择。"


def test_position_patch_without_if_match_is_refused_with_428(hr, clerk):
    response = ApiClient(hr).patch(detail_url(clerk), {"title": "置业顾问"})
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]
    assert Position.objects.get(pk=clerk.pk).title == "售楼员"


def test_position_patch_stale_if_match_gets_412_with_the_current_state(hr, clerk):
    api = ApiClient(hr)
    first = api.get(detail_url(clerk))["ETag"]
    assert edit(api, clerk, {"title": "置业顾问"}, etag=first).status_code == 200
    stale = edit(api, clerk, {"title": "销售顾问"}, etag=first)
    assert stale.status_code == 412
    body = stale.json()
    assert "已被他人修改" in body["detail"]
    assert body["current"]["sheet"]["title"] == "置业顾问"
    assert stale["ETag"] == f'"{body["current"]["lock_version"]}"'
    assert Position.objects.get(pk=clerk.pk).title == "置业顾问"


def test_position_patch_writes_through_the_one_writer_and_is_audited(hr, clerk):
    api = ApiClient(hr)
    content = api.get(detail_url(clerk)).json()["content"]
    duties = content["duties"]
    duties[0]["title"] = "客户接待（修订）"
    response = edit(api, clerk, {"duties": [*duties, {"tasks": "整理客户档案"}]})
    assert response.status_code == 200
    stored = Position.objects.get(pk=clerk.pk)
    assert stored.status == Position.Status.DRAFT  # the draft of V2; V1 stays in force
    assert stored.current_version.number == 1
    assert list(stored.duties.order_by("rank").values_list("pk", flat=True))[:-1] == [
        d["id"] for d in duties
    ]
    assert stored.duties.get(rank=len(duties) + 1).tasks == "整理客户档案"
    event = AuditEvent.objects.get(action="api_update")
    assert (event.user, event.object_label) == (hr, "售楼员（FZ-XS-101）")


def test_position_patch_row_of_another_position_is_refused(hr, clerk):
    other = Duty.objects.exclude(position=clerk).first()
    response = edit(ApiClient(hr), clerk, {"duties": [{"id": other.pk, "tasks": "x"}]})
    assert response.status_code == 400
    assert response.json()["detail"] == f"工作职责：id {other.pk} 不是该职位的工作职责。"
    assert Duty.objects.get(pk=other.pk).position_id == other.position_id


def test_position_create_by_hr_is_a_draft_and_audited(hr, seed):
    sales = Position.objects.get(code="FZ-XS-101").department
    response = ApiClient(hr).post(
        reverse("api:position-list"),
        {
            "title": "案场主管",
            "code": "FZ-XS-060",
            "department": sales.pk,
            "duties": [{"tasks": "带队"}],
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["sheet"]["title"] == "案场主管" and body["sheet"]["status_label"] == "草稿"
    assert AuditEvent.objects.filter(action="api_create", object_id=str(body["id"])).exists()


def test_position_create_bad_input_changes_nothing(hr, seed):
    before = Position.objects.count()
    response = ApiClient(hr).post(
        reverse("api:position-list"), {"title": "案场主管", "department": 999999}
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "所在部门：部门 ID 999999 不存在。"
    assert Position.objects.count() == before


def test_position_create_outside_scope_is_refused(seed):
    scoped = UserFactory(username="scoped")
    scoped.groups.add(permissions.role_group(permissions.HR_EDITOR))
    sales = Position.objects.get(code="FZ-XS-101").department
    EditorScopeFactory(user=scoped, department=sales)
    marketing = Position.objects.get(code="MK105").department
    response = ApiClient(scoped).post(
        reverse("api:position-list"), {"title": "品牌经理", "department": marketing.pk}
    )
    assert response.status_code == 403
    assert (
        response.json()["detail"]
        == f"部门“{marketing.name}”不在您负责的范围内，不能把职位放入该部门。"
    )


def test_position_submit_through_the_workflow_is_audited(hr, clerk):
    api = ApiClient(hr)
    edit(api, clerk, {"summary": "新的概要"})
    response = api.post(reverse("api:position-submit", kwargs={"pk": clerk.pk}))
    assert response.status_code == 200
    assert response.json()["sheet"]["status_label"] == "待审核"
    assert AuditEvent.objects.filter(action="submit", user=hr).exists()
    again = api.post(reverse("api:position-submit", kwargs={"pk": clerk.pk}))
    assert again.status_code == 409
    assert "当前状态为“待审核”" in again.json()["detail"]


def test_version_detail_prints_any_version(employee, clerk):
    body = (
        ApiClient(employee)
        .get(reverse("api:version-detail", kwargs={"pk": clerk.pk, "number": 1}))
        .json()
    )
    assert body["version"] == 1 and body["sheet"]["title"] == "售楼员"
    missing = ApiClient(employee).get(
        reverse("api:version-detail", kwargs={"pk": clerk.pk, "number": 7})
    )
    assert missing.status_code == 404 and missing.json()["detail"] == "没有这个版本。"


def test_position_patch_body_too_large_is_refused_before_parsing(hr, clerk):
    api = ApiClient(hr)
    etag = api.get(detail_url(clerk))["ETag"]
    response = api.patch(detail_url(clerk), {"summary": "长" * 1_000_000}, HTTP_IF_MATCH=etag)
    assert response.status_code == 413, response.content.decode()[:3000]
    assert response.json()["detail"] == "请求体过大（超过 2.5 MB），未保存任何内容。"
    assert Position.objects.get(pk=clerk.pk).summary != "长" * 1_000_000


def test_position_patch_malformed_json_is_a_chinese_400(hr, clerk):
    api = ApiClient(hr)
    etag = api.get(detail_url(clerk))["ETag"]
    response = api.client.patch(
        detail_url(clerk),
        "{not json",
        content_type="application/json",
        HTTP_IF_MATCH=etag,
        **api.headers,
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("请求体不是合法的 JSON")


def test_position_list_queries_do_not_grow_with_the_page(hr, employee):
    for user in (hr, employee):
        api = ApiClient(user)
        api.get(reverse("api:position-list"))  # first use: the token's last_used_at, caches
        counts = []
        for size in (2, 15):
            with CaptureQueriesContext(connection) as queries:
                body = api.get(reverse("api:position-list"), {"page_size": size}).json()
            assert len(body["results"]) == size
            counts.append(len(queries))
        assert counts[0] == counts[1]


def test_position_patch_bad_row_is_named_in_chinese(hr, clerk):
    response = edit(ApiClient(hr), clerk, {"duties": [{"tasks": "a"}, {"tasks": "b", "kind": "x"}]})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "工作职责第 2 行：工作类别：“x” 不是合法选项。"
    assert body["errors"] == {"duties": {"1": {"kind": ["“x” 不是合法选项。"]}}}


def test_position_create_wrong_type_is_named_in_chinese(hr, seed):
    response = ApiClient(hr).post(reverse("api:position-list"), {"title": "x", "grade_min": "高"})
    assert response.status_code == 400
    assert response.json()["detail"] == "职位等级下限：请填写合法的整数值。"


def test_position_authorities_are_read_only_from_the_manual(hr, clerk):
    api = ApiClient(hr)
    content = api.get(detail_url(clerk)).json()["content"]
    assert content["authorities"][0] == {"name": "优惠申请（折扣 ≥ 99%）", "level": "execute"}
    lock = Position.objects.get(pk=clerk.pk).lock_version
    response = edit(api, clerk, {"authorities": [{"name": "新权限", "level": "approve"}]})
    assert response.status_code == 400
    assert (
        "工作权限取自权责手册，不能在职位说明书中修改；请在权责手册中编辑。"
        in (response.json()["detail"])
    )
    assert Position.objects.get(pk=clerk.pk).lock_version == lock

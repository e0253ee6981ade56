"""The 权责手册 grid editor: its page and the JSON endpoint it loads and saves through."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from positions.models import Grant, Manual
from positions.tests.manual_ui_helpers import (
    build_org,
    employee,
    hr,
    key,
    marketing_document,
    write,
)
from positions.tests.text import page_text

pytestmark = pytest.mark.django_db

DATA = "rights:grid-data"


@pytest.fixture
def org():
    return build_org()


def put(client, document, lock_version, department=None):
    url = reverse(DATA)
    if department is not None:
        url += f"?department={department.pk}"
    body = json.dumps({"document": document, "lock_version": lock_version})
    return client.put(url, body, content_type="application/json")


def test_grid_page_shows_the_editor_with_its_data_url(client, org):
    client.force_login(hr())
    response = client.get(reverse("rights:grid"))
    assert response.status_code == 200
    text = page_text(response)
    assert "编辑权责手册" in text
    assert "全部（整个权责手册）" in text
    assert f'data-url="{reverse(DATA)}"' in response.content.decode()
    assert "js/manual-grid.js" in response.content.decode()


def test_grid_page_scoped_hr_starts_in_its_department_and_sees_only_it(client, org):
    client.force_login(hr("hr-sales", scope=org["sales"]))
    response = client.get(reverse("rights:grid"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-url="{reverse(DATA)}?department={org["sales"].pk}"' in html
    assert "全部（整个权责手册）" not in page_text(response)
    assert "财务部" not in page_text(response)


def test_grid_page_scoped_hr_refused_outside_its_scope(client, org):
    client.force_login(hr("hr-sales", scope=org["sales"]))
    response = client.get(reverse("rights:grid"), {"department": org["finance"].pk})
    assert response.status_code == 403
    assert "您无权编辑“财务部”的权责。" in page_text(response)


def test_grid_page_employee_refused(client, org):
    client.force_login(employee(org["clerk"]))
    response = client.get(reverse("rights:grid"))
    assert response.status_code == 403
    assert "只有 HR 编辑可以编辑权责手册。" in page_text(response)


def test_grid_data_get_returns_the_scoped_document_and_its_checks(client, org):
    editor = hr()
    write(editor, marketing_document(org))
    client.force_login(editor)
    response = client.get(reverse(DATA), {"department": org["sales"].pk})
    assert response.status_code == 200
    payload = response.json()
    labels = [column["label"] for column in payload["document"]["columns"]]
    assert labels == ["销售经理", "售楼员", "董事会"]  # the subtree's positions + every body
    assert payload["scope"] == org["sales"].pk
    band = payload["document"]["categories"][0]["matters"][0]["bands"][0]
    assert band["cells"] == {key(org["clerk"]): "propose", key(org["manager"]): "approve"}
    messages = [check["message"] for check in payload["checks"]]
    assert "“优惠申请（折扣 ≤ 98%）”没有执行。" in messages
    first = payload["checks"][0]
    assert set(first) == {"category", "matter", "condition", "column", "message"}


def test_grid_data_put_writes_through_the_one_writer(client, org):
    editor = hr()
    write(editor, marketing_document(org))
    client.force_login(editor)
    document = client.get(reverse(DATA)).json()["document"]
    document["categories"][0]["matters"][1]["bands"][0]["cells"][key(org["cashier"])] = "inform"
    response = put(client, document, document["lock_version"])
    assert response.status_code == 200
    assert response.json()["document"]["lock_version"] == document["lock_version"] + 1
    grant = Grant.objects.get(position=org["cashier"])
    assert (grant.band.matter.name, grant.get_level_display()) == ("认购", "知情")


def test_grid_data_put_stale_lock_version_is_409_and_changes_nothing(client, org):
    editor = hr()
    write(editor, marketing_document(org))
    client.force_login(editor)
    document = client.get(reverse(DATA)).json()["document"]
    stale = document["lock_version"]
    write(editor, marketing_document(org))  # someone saves meanwhile
    document["categories"][0]["name"] = "销售管理"
    response = put(client, document, stale)
    assert response.status_code == 409
    assert response.json()["detail"].startswith("权责手册在您编辑期间已被他人修改")
    assert Manual.objects.get().categories.get().name == "营销管理"


def test_grid_data_put_bad_level_is_refused_with_the_reason(client, org):
    editor = hr()
    client.force_login(editor)
    document = marketing_document(org)
    document["categories"][0]["matters"][0]["bands"][0]["cells"][key(org["clerk"])] = "审定"
    lock = Manual.objects.get_or_create(pk=1)[0].lock_version
    response = put(client, document, lock)
    assert response.status_code == 400
    payload = response.json()
    assert payload["detail"] == "权责手册有错误，未保存："
    assert any("未知的权限级别“审定”" in error for error in payload["errors"])
    assert not Grant.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", "提交的内容不是有效的 JSON，未保存。"),
        ('{"lock_version": 1}', "提交的内容缺少权责手册（document），未保存。"),
        ('{"document": {}}', "缺少编辑版本号（lock_version），未保存。请刷新页面后重新编辑。"),
    ],
)
def test_grid_data_put_malformed_body_is_400(client, org, body, message):
    client.force_login(hr())
    response = client.put(reverse(DATA), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == message


def test_grid_data_put_over_the_upload_limit_is_400(client, org, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    client.force_login(hr())
    document = marketing_document(org)
    document["categories"][0]["matters"][0]["note"] = "说" * 400_000
    response = put(client, document, 1)
    assert response.status_code == 400
    assert (
        response.json()["detail"] == "提交的内容超过 1.0 MB，未保存。请选择部门范围，分部门编辑。"
    )
    assert not Grant.objects.exists()


def test_grid_data_bad_department_is_400(client, org):
    client.force_login(hr())
    response = client.get(reverse(DATA), {"department": "abc"})
    assert response.status_code == 400
    assert response.json()["detail"] == "部门编号“abc”无效。"


def test_grid_data_scoped_hr_may_not_write_other_columns(client, org):
    client.force_login(hr("hr-sales", scope=org["sales"]))
    response = client.get(reverse(DATA), {"department": org["finance"].pk})
    assert response.status_code == 403
    assert response.json()["detail"] == "您无权编辑“财务部”的权责。"


def test_grid_data_employee_refused(client, org):
    client.force_login(employee(org["clerk"]))
    response = client.get(reverse(DATA))
    assert response.status_code == 403
    assert response.json()["detail"] == "只有 HR 编辑可以编辑权责手册。"

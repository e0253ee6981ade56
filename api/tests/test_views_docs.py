"""The OpenAPI schema and the offline docs page."""

from __future__ import annotations

import re

from django.urls import reverse

from api.tests.helpers import ApiClient


def test_docs_page_is_served_from_our_static_files_without_inline_code(user_client):
    response = user_client.get(reverse("api:docs"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>jobdesc API 文档</title>" in page
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in sources
    assert all(s.startswith("/") for s in sources)  # nothing from a CDN
    assert "<style" not in page and "<script>" not in page  # CSP: no inline style or script
    script = user_client.get(reverse("api:docs") + "?script=")
    assert script.status_code == 200 and reverse("api:schema") in script.content.decode()


def test_docs_page_sends_visitors_to_the_login_page(client, db):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_schema_describes_every_operation_in_chinese(user):
    response = ApiClient(user).get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "jobdesc 职位说明书 API"
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert len(operations) == 14
    summaries = {op["operationId"]: op["summary"] for op in operations}
    assert summaries["positions_partial_update"] == "修改职位说明书"
    assert summaries["positions_reject"] == "退回"
    sheet = schema["components"]["schemas"]["PositionDetail"]["properties"]["sheet"]
    assert sheet["properties"]["duties"]["description"] == "工作职责（按分组）"


def test_not_found_under_api_is_json_in_chinese(user):
    response = ApiClient(user).get("/api/v1/positions/-1/")
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "detail": "未找到该接口或对象，请查阅 API 文档。",
    }

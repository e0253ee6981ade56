"""The 权责手册 in Excel: export as each reader reads it, and the two-step import."""

from __future__ import annotations

import io
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from positions.models import Grant, Manual
from positions.services import manual as manual_service
from positions.tests.manual_ui_helpers import (
    build_org,
    employee,
    hr,
    marketing_document,
    publish,
    write,
)
from positions.tests.text import page_text
from transfer.services import manual_excel

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return build_org()


def sheet_of(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))[manual_excel.SHEET]


def upload(client, data: bytes, name: str = "权责手册.xlsx"):
    file = SimpleUploadedFile(name, data)
    return client.post(reverse("positions:manual-import"), {"manual-file": file})


def exported(department=None) -> bytes:
    document = manual_service.manual_document(scope=department)
    return manual_excel.manual_workbook(document, scope_id=department.pk if department else None)


def test_manual_export_hr_gets_the_working_copy_of_its_scope(client, org):
    editor = hr()
    write(editor, marketing_document(org))
    client.force_login(editor)
    response = client.get(reverse("positions:manual-export"), {"department": org["sales"].pk})
    assert response.status_code == 200
    sheet = sheet_of(response)
    assert [c.value for c in sheet[2]][4:] == ["销售经理", "售楼员", "董事会"]
    assert [c.value for c in sheet[5]][3:] == ["折扣 ≤ 98%", "审批", "提议", None]
    assert "权责手册-工作稿-销售部-" in unquote(response["Content-Disposition"])


def test_manual_export_employee_gets_the_version_in_force(client, org):
    publish(org)
    editor = hr()
    changed = marketing_document(org)
    changed["categories"][0]["name"] = "销售管理"  # a draft after V1: employees never see it
    write(editor, changed)
    client.force_login(employee(org["clerk"]))
    response = client.get(reverse("positions:manual-export"))
    assert response.status_code == 200
    assert sheet_of(response)["A5"].value == "营销管理"
    assert "权责手册-V1-" in unquote(response["Content-Disposition"])


def test_manual_export_employee_without_a_version_in_force_is_404(client, org):
    write(hr(), marketing_document(org))
    client.force_login(employee(org["clerk"]))
    response = client.get(reverse("positions:manual-export"))
    assert response.status_code == 404
    assert "权责手册尚无生效版本。" in page_text(response)


def test_manual_import_page_hr_only(client, org):
    client.force_login(employee(org["clerk"]))
    response = client.get(reverse("positions:manual-import"))
    assert response.status_code == 403
    assert "只有 HR 编辑可以导入权责手册。" in page_text(response)
    client.force_login(hr())
    response = client.get(reverse("positions:manual-import"))
    assert response.status_code == 200
    assert "从 Excel 导入权责手册" in page_text(response)


def test_manual_import_preview_then_confirm_writes_everything(client, org):
    editor = hr()
    write(editor, marketing_document(org))
    client.force_login(editor)
    workbook = load_workbook(io.BytesIO(exported(org["sales"])))
    sheet = workbook[manual_excel.SHEET]
    sheet["F7"] = "执行"  # 认购 × 售楼员: unchanged
    sheet["E7"] = "审核"  # 认购 × 销售经理: 审批 → 审核
    output = io.BytesIO()
    workbook.save(output)
    response = upload(client, output.getvalue())
    assert response.status_code == 302
    preview_url = response["Location"]
    preview = client.get(preview_url)
    text = page_text(preview)
    assert "范围：销售部及下级部门的职位" in text
    assert "单元格变化 1 处" in text
    assert "营销管理 / 认购 销售经理 审批 审核" in text
    assert "“认购”没有审批。" in text  # the checks of the result
    assert Grant.objects.get(position=org["manager"], band__matter__name="认购").level == "approve"
    lock = Manual.objects.get().lock_version
    response = client.post(preview_url, {"action": "confirm", "lock_version": lock})
    assert response.status_code == 302
    assert response["Location"].endswith(f"?department={org['sales'].pk}")
    assert Grant.objects.get(position=org["manager"], band__matter__name="认购").level == "review"
    assert Manual.objects.get().lock_version == lock + 1


def test_manual_import_bad_cell_listed_and_nothing_written(client, org):
    editor = hr()
    write(editor, marketing_document(org))
    client.force_login(editor)
    workbook = load_workbook(io.BytesIO(exported()))
    workbook[manual_excel.SHEET]["F7"] = "审定"
    output = io.BytesIO()
    workbook.save(output)
    preview_url = upload(client, output.getvalue())["Location"]
    preview = client.get(preview_url)
    text = page_text(preview)
    assert "第 7 行 F 列：“审定”不是权限级别" in text
    assert "确认导入" not in text
    lock = Manual.objects.get().lock_version
    response = client.post(preview_url, {"action": "confirm", "lock_version": lock})
    assert response.status_code == 400
    assert Manual.objects.get().lock_version == lock


def test_manual_import_stale_preview_is_shown_again_nothing_written(client, org):
    editor = hr()
    write(editor, marketing_document(org))
    client.force_login(editor)
    workbook = load_workbook(io.BytesIO(exported()))
    workbook[manual_excel.SHEET]["E7"] = "知情"
    output = io.BytesIO()
    workbook.save(output)
    preview_url = upload(client, output.getvalue())["Location"]
    lock = Manual.objects.get().lock_version
    write(editor, marketing_document(org))  # saved by someone else after the preview
    response = client.post(preview_url, {"action": "confirm", "lock_version": lock})
    assert response.status_code == 409
    assert "预览之后权责手册已被他人修改，未写入任何数据。" in page_text(response)
    assert not Grant.objects.filter(level="inform", band__matter__name="认购").exists()


def test_manual_import_not_an_xlsx_refused(client, org):
    client.force_login(hr())
    response = upload(client, b"hello", name="权责手册.txt")
    assert response.status_code == 400
    assert "Excel" in page_text(response) or "xlsx" in page_text(response)


def test_manual_import_preview_unknown_token_is_404(client, org):
    client.force_login(hr())
    response = client.get(reverse("positions:manual-import-preview", kwargs={"token": "x" * 32}))
    assert response.status_code == 404
    assert "导入已完成、已取消或已过期，请重新上传文件。" in page_text(response)


def test_manual_import_cancel_discards_the_upload(client, org):
    editor = hr()
    write(editor, marketing_document(org))
    client.force_login(editor)
    preview_url = upload(client, exported())["Location"]
    response = client.post(preview_url, {"action": "cancel"}, follow=True)
    assert "已取消导入“权责手册.xlsx”，未写入任何数据。" in page_text(response)
    assert client.get(preview_url).status_code == 404


def test_transfer_page_offers_the_manual_to_hr_only(client, org):
    client.force_login(hr())
    text = page_text(client.get(reverse("positions:import-export")))
    assert "权责手册（Excel）" in text
    assert "导入权责手册" in text
    client.force_login(employee(org["clerk"]))
    assert client.get(reverse("positions:import-export")).status_code == 403

"""导入/导出 pages: template download, upload → preview → confirm, export, roster, bad input."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from positions import permissions
from positions.models import Employee, Position
from positions.tests.factories import (
    DepartmentFactory,
    EmployeeFactory,
    PositionFactory,
    UserFactory,
)
from positions.tests.text import page_text
from transfer.services import excel, staging
from transfer.tests.excel_helpers import (
    duty_row,
    encrypted_office_file,
    open_bytes,
    position_row,
    roster_book,
    row_counts,
    save,
)
from transfer.tests.test_services_staging import stored_files

pytestmark = pytest.mark.django_db
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def sales(db):
    return DepartmentFactory(name="销售部", code="FZ-XS")


LEGACY = Path(__file__).parent / "fixtures" / "legacy"


def upload(client, data: bytes, name: str = "职位.xlsx", kind: str = "positions"):
    url = reverse("positions:position-import" if kind == "positions" else "positions:roster-import")
    return client.post(url, {f"{kind}-file": SimpleUploadedFile(name, data)})


def fingerprint(page: str) -> str:
    return re.search(r'name="fingerprint" value="([0-9a-f]+)"', page).group(1)


def confirm(client, preview_url: str):
    page = client.get(preview_url).content.decode()
    return client.post(preview_url, {"action": "confirm", "fingerprint": fingerprint(page)})


def employee_user(username: str = "emp"):
    user = UserFactory(username=username)
    user.groups.add(permissions.role_group(permissions.EMPLOYEE))
    return user


# --- the page and the downloads ---------------------------------------------------------------


def test_import_export_page_offers_all_three_to_hr(hr_client):
    page = hr_client.get(reverse("positions:import-export")).content.decode()
    assert "导出职位" in page and "导入职位" in page and "导入花名册" in page
    assert "不超过 10 MB" in page
    assert f'href="{reverse("positions:word-import")}"' in page  # Word files come in here too


def test_import_export_page_offers_manager_export_only(client, departments):
    manager = employee_user("mgr")
    manager.groups.add(permissions.role_group(permissions.MANAGER))
    client.force_login(manager)
    page = client.get(reverse("positions:import-export")).content.decode()
    assert 'id="export-card"' in page
    assert 'id="position-import-card"' not in page and 'id="roster-import-card"' not in page
    assert 'id="word-import-card"' not in page


def test_import_export_page_forbidden_to_employee_and_login_for_anonymous(client):
    url = reverse("positions:import-export")
    assert client.get(url)["Location"].startswith(reverse("login"))
    client.force_login(employee_user())
    assert client.get(url).status_code == 403
    assert client.get(reverse("positions:position-export")).status_code == 403


def test_template_download_is_an_xlsx_attachment(hr_client):
    response = hr_client.get(reverse("positions:position-import-template"))
    assert response["Content-Type"] == XLSX_TYPE
    assert "attachment" in response["Content-Disposition"]
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert open_bytes(response.content).sheetnames[0] == "职位"


# --- the happy path ---------------------------------------------------------------------------


def test_template_filled_with_three_positions_imports_and_sheets_show_them(hr_client, sales):
    template = open_bytes(hr_client.get(reverse("positions:position-import-template")).content)
    for name in ("职位", "工作职责", "工作权限", "任职资格", "工作关系", "关键指标"):
        template[name].delete_rows(2, template[name].max_row)
    template["职位"].append(position_row("XS-100", "销售总监", "FZ-XS"))
    template["职位"].append(position_row("XS-110", "渠道经理", "销售部", "XS-100"))
    template["职位"].append(position_row("XS-120", "客服专员", "FZ-XS", "XS-100"))
    template["工作职责"].append(duty_row("XS-100", 1, "制定年度销售策略", title="销售策略"))
    template["工作职责"].append(duty_row("XS-110", 1, "开发分销渠道"))
    template["工作职责"].append(duty_row("XS-120", 1, "受理客户投诉", kind="一般工作"))
    before = row_counts()

    response = upload(hr_client, save(template))
    assert response.status_code == 302
    preview_url = response["Location"]
    page = hr_client.get(preview_url).content.decode()
    assert '新建 <strong class="text-body">3</strong> 个职位' in page
    for text in ("XS-100", "销售总监", "渠道经理", "客服专员", "确认导入"):
        assert text in page
    assert row_counts() == before  # the preview wrote nothing

    response = confirm(hr_client, preview_url)
    assert response.status_code == 302
    assert Position.objects.filter(code__startswith="XS-1").count() == 3
    for code, title, duty in (
        ("XS-100", "销售总监", "制定年度销售策略"),
        ("XS-110", "渠道经理", "开发分销渠道"),
        ("XS-120", "客服专员", "受理客户投诉"),
    ):
        position = Position.objects.get(code=code)
        sheet = hr_client.get(position.get_absolute_url()).content.decode()
        assert title in sheet and code in sheet and duty in sheet
    assert (
        "销售总监"
        in hr_client.get(
            reverse("positions:position-sheet", args=[Position.objects.get(code="XS-110").pk])
        ).content.decode()
    )
    # the stored file is gone with the session entry: the preview URL no longer works
    assert hr_client.get(preview_url).status_code == 404


def test_cancel_discards_the_upload_and_writes_nothing(hr_client, sales):
    before = row_counts()
    template = open_bytes(hr_client.get(reverse("positions:position-import-template")).content)
    template["职位"]["A2"] = "XS-1"
    template["工作职责"]["A2"] = "XS-1"
    for name in ("工作权限", "任职资格", "工作关系", "关键指标"):
        template[name].delete_rows(2, 5)
    preview_url = upload(hr_client, save(template), "新职位.xlsx")["Location"]
    assert stored_files(staging.FOLDER)
    response = hr_client.post(preview_url, {"action": "cancel"}, follow=True)
    assert "已取消导入“新职位.xlsx”，未写入任何数据。" in response.content.decode()
    assert not stored_files(staging.FOLDER)
    assert hr_client.get(preview_url).status_code == 404
    assert row_counts() == before


def test_preview_of_an_upload_older_than_a_day_is_not_found(hr_client, hr_user, sales):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        preview_url = upload(hr_client, valid_workbook(), "职位.xlsx")["Location"]
        assert "导入预览：职位.xlsx" in hr_client.get(preview_url).content.decode()
        traveller.shift(datetime.timedelta(hours=25))
        hr_client.force_login(hr_user)  # idle for a day: signed out (SESSION_IDLE_MINUTES)

        assert hr_client.get(preview_url).status_code == 404
    assert not stored_files(staging.FOLDER)


def test_roster_preview_does_not_open_a_positions_upload(hr_client, sales):
    preview_url = upload(hr_client, valid_workbook())["Location"]
    token = preview_url.rstrip("/").rsplit("/", 1)[-1]

    roster_url = reverse("positions:roster-import-preview", kwargs={"token": token})

    assert hr_client.get(roster_url).status_code == 404
    assert hr_client.get(preview_url).status_code == 200


def test_confirm_with_outdated_fingerprint_shows_plan_again_and_writes_nothing(hr_client, sales):
    workbook = open_bytes(excel.template_workbook())
    workbook["职位"]["A2"] = "XS-1"
    for name in ("工作职责", "工作权限", "任职资格", "工作关系", "关键指标"):
        workbook[name].delete_rows(2, 5)
    preview_url = upload(hr_client, save(workbook))["Location"]
    before = row_counts()
    response = hr_client.post(preview_url, {"action": "confirm", "fingerprint": "stale"})
    assert response.status_code == 400
    assert "预览之后系统中的数据已有变化" in response.content.decode()
    assert row_counts() == before


# --- bad input --------------------------------------------------------------------------------


def valid_workbook() -> bytes:
    workbook = open_bytes(excel.template_workbook())
    workbook["职位"]["A2"] = "XS-1"
    workbook["工作职责"]["A2"] = workbook["工作职责"]["A3"] = "XS-1"
    for name in ("工作权限", "任职资格", "工作关系", "关键指标"):
        workbook[name].delete_rows(2, 5)
    return save(workbook)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"name,code\n", "职位.xlsx", "文件类型不支持：请上传Excel 工作簿（.xlsx）"),
        (None, "职位.xlsx", "文件已损坏"),
        (encrypted_office_file(), "职位.xlsx", "文件已加密"),
        (b"", "职位.xlsx", "文件是空的"),
    ],
    ids=["wrong-type", "corrupt", "encrypted", "empty"],
)
def test_upload_refuses_bad_files_with_message(hr_client, sales, data, name, message):
    if data is None:
        whole = valid_workbook()
        data = whole[: len(whole) - 200]
    before = row_counts()
    response = upload(hr_client, data, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert row_counts() == before


def test_legacy_xls_upload_without_libreoffice_is_refused_with_save_as_hint(
    hr_client, sales, settings
):
    settings.LIBREOFFICE_BINARY = "no-such-soffice"
    legacy = bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 200 + "Workbook".encode("utf-16-le")
    before = row_counts()
    response = upload(hr_client, legacy, "职位.xls")
    assert response.status_code == 400
    assert "另存为 .xlsx 格式后重新上传" in response.content.decode()
    assert row_counts() == before


@pytest.mark.libreoffice
def test_legacy_xls_upload_is_converted_and_previewed(hr_client, sales):
    legacy = (LEGACY / "职位.xls").read_bytes()
    response = upload(hr_client, legacy, "职位.xls")
    assert response.status_code == 302
    page = hr_client.get(response["Location"]).content.decode()
    assert "档案管理员" in page and "LEG-1" in page


def test_upload_over_limit_is_refused_naming_the_limit(hr_client, settings, sales):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024 * 1024
    before = row_counts()
    response = upload(hr_client, b"PK\x03\x04" + b"x" * (1024 * 1024 + 600 * 1024))
    assert response.status_code == 400
    page = response.content.decode()
    assert "文件过大（1.6 MB）：上传上限为 1 MB。" in page
    assert "不超过 1 MB" in page
    assert row_counts() == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda wb: wb["职位"].cell(row=2, column=7, value="=1+2"), "公式单元格没有计算结果"),
        (lambda wb: wb["职位"].cell(row=1, column=15, value="备注"), "未知的列“备注”"),
        (lambda wb: wb["工作职责"].merge_cells("F2:F3"), "合并单元格 F2:F3"),
        (lambda wb: wb["职位"].delete_rows(2), "工作表“职位”没有数据行"),
        (lambda wb: wb["职位"].cell(row=2, column=3, value="不存在"), "未知的部门“不存在”"),
        (lambda wb: wb["职位"].cell(row=2, column=4, value="XS-9"), "未知的直接上级职位编号"),
        (lambda wb: wb["职位"].cell(row=2, column=4, value="XS-1"), "职位不能以自身为直接上级"),
    ],
    ids=["formula", "extra-column", "merged", "empty", "department", "superior", "self"],
)
def test_preview_lists_problem_and_confirm_writes_nothing(hr_client, sales, change, message):
    workbook = open_bytes(valid_workbook())
    change(workbook)
    before = row_counts()
    preview_url = upload(hr_client, save(workbook))["Location"]
    page = hr_client.get(preview_url).content.decode()
    assert message in page and "确认导入" not in page
    response = hr_client.post(preview_url, {"action": "confirm", "fingerprint": fingerprint(page)})
    assert response.status_code == 400 and message in response.content.decode()
    assert row_counts() == before


def test_employee_cannot_upload(client, sales):
    client.force_login(employee_user())
    before = row_counts()
    assert upload(client, valid_workbook()).status_code == 403
    assert row_counts() == before


def test_preview_of_another_session_is_not_found(hr_client, client, sales, hr_user):
    preview_url = upload(hr_client, valid_workbook())["Location"]

    other = UserFactory(username="hr-2")
    other.groups.add(permissions.role_group(permissions.HR_EDITOR))
    client.force_login(other)
    assert client.get(preview_url).status_code == 404


# --- export -----------------------------------------------------------------------------------


def test_export_follows_the_position_list_filter(hr_client, departments):
    PositionFactory(code="XS-1", title="售楼员", department=departments["sales"])
    PositionFactory(code="CW-1", title="会计", department=departments["finance"])
    response = hr_client.get(
        reverse("positions:position-export"), {"department": departments["sales"].pk}
    )
    assert response["Content-Type"] == XLSX_TYPE
    codes = [
        r[0] for r in open_bytes(response.content)["职位"].iter_rows(min_row=2, values_only=True)
    ]
    assert codes == ["XS-1"]


def test_export_filters_what_a_manager_of_another_department_reads(client, departments):
    regraded = PositionFactory(
        code="XS-1", title="售楼员", department=departments["sales"], grade_min=5, grade_max=6
    )
    head = PositionFactory(code="CW-1", title="财务经理", department=departments["finance"])
    Position.objects.filter(pk=regraded.pk).update(
        grade_min=8, grade_max=9, status=Position.Status.DRAFT
    )
    manager = employee_user("qian")
    manager.groups.add(permissions.role_group(permissions.MANAGER))
    EmployeeFactory(user=manager, position=head)
    client.force_login(manager)

    def exported(**params) -> list[str]:
        response = client.get(reverse("positions:position-export"), params)
        assert response["Content-Type"] == XLSX_TYPE
        rows = open_bytes(response.content)["职位"].iter_rows(min_row=2, values_only=True)
        return [row[0] for row in rows]

    # 销售部's draft regrade is not what the manager of 财务部 reads: V1 at 5–6, 已生效.
    assert exported(status="draft") == []
    assert exported(status="published") == ["XS-1", "CW-1"]
    assert exported(grade="8") == []
    assert exported(grade="5") == ["XS-1"]


def test_export_then_import_round_trip_of_seed_shows_no_change(seed, hr_client):
    data = hr_client.get(reverse("positions:position-export")).content
    preview_url = upload(hr_client, data)["Location"]
    page = hr_client.get(preview_url).content.decode()
    assert '<strong class="text-body">19</strong> 个无变化' in page
    assert "文件内容与系统一致，无需导入。" in page and "确认导入" not in page


def test_position_list_links_to_export_with_its_filter(hr_client, departments):
    page = hr_client.get(reverse("positions:position-list"), {"q": "销售"}).content.decode()
    assert f"{reverse('positions:position-export')}?q=%E9%94%80%E5%94%AE" in page


# --- roster -----------------------------------------------------------------------------------


def test_roster_upload_preview_confirm_hires(hr_client):
    clerk = PositionFactory(code="FZ-XS-101", title="售楼员")
    data = roster_book([["林小华", "E1001", "FZ-XS-101", datetime.date(2026, 3, 2)]])
    response = upload(hr_client, data, "花名册.xlsx", kind="roster")
    preview_url = response["Location"]
    page = hr_client.get(preview_url).content.decode()
    assert "林小华" in page and "入职（新建员工）" in page
    assert confirm(hr_client, preview_url).status_code == 302
    employee = Employee.objects.get(employee_no="E1001")
    assert employee.assignments.get().position == clerk


def test_roster_bad_row_is_listed_and_nothing_written(hr_client):
    EmployeeFactory(employee_no="E1")
    data = roster_book([["张三", "E2", "NOPE", "2026-01-05"]])
    before = row_counts()
    preview_url = upload(hr_client, data, "花名册.xlsx", kind="roster")["Location"]
    page = hr_client.get(preview_url).content.decode()
    assert "未知的职位编号“NOPE”" in page
    response = hr_client.post(preview_url, {"action": "confirm", "fingerprint": fingerprint(page)})
    assert response.status_code == 400
    assert row_counts() == before


def test_roster_template_download(hr_client):
    response = hr_client.get(reverse("positions:roster-import-template"))
    assert open_bytes(response.content).sheetnames == ["花名册", "说明"]


# --- shared object storage (S3) ---------------------------------------------------------------


@pytest.mark.s3
def test_upload_staged_in_s3_is_confirmed_and_discarded(s3_storage, hr_client, hr_user, sales):
    response = upload(hr_client, valid_workbook())

    assert response.status_code == 302
    preview_url = response["Location"]
    staged = stored_files(staging.FOLDER)
    assert [name.rsplit("/", 1)[1] for name in staged] == ["0.upload", "manifest.json"]
    assert staged[0].startswith(f"{staging.FOLDER}/{hr_user.pk}/")
    with default_storage.open(staged[0], "rb") as handle:  # the workbook as uploaded
        assert open_bytes(handle.read())["职位"]["A2"].value == "XS-1"
    page = hr_client.get(preview_url).content.decode()
    assert '新建 <strong class="text-body">1</strong> 个职位' in page

    response = confirm(hr_client, preview_url)

    assert response.status_code == 302
    assert Position.objects.filter(code="XS-1").exists()
    assert stored_files(staging.FOLDER) == []  # the confirmed upload is gone from the bucket


def test_upload_with_storage_unreachable_says_so_and_writes_nothing(
    s3_unreachable, hr_client, sales
):
    before = row_counts()
    response = upload(hr_client, valid_workbook())

    assert response.status_code == 503
    page = response.content.decode()
    assert "文件存储暂时不可用，请稍后再试" in page
    assert "Traceback" not in page
    assert row_counts() == before


def test_roster_upload_with_storage_unreachable_says_so(s3_unreachable, hr_client):
    response = upload(hr_client, roster_book([]), "花名册.xlsx", kind="roster")

    assert response.status_code == 503
    assert "文件存储暂时不可用，请稍后再试" in response.content.decode()


def test_preview_with_storage_unreachable_shows_the_storage_page(s3_unreachable, hr_client, sales):
    url = reverse("positions:position-import-preview", kwargs={"token": "a" * 32})

    response = hr_client.get(url)

    assert response.status_code == 503
    page = response.content.decode()
    assert "文件存储暂时不可用，请稍后再试" in page and "返回首页" in page
    assert "Traceback" not in page


def test_preview_of_an_update_shows_the_ordered_diff_of_its_duties(seed, hr_client, hr_user):
    stored = Position.objects.filter(code="FZ-XS-101")
    workbook = open_bytes(excel.position_workbook(excel.contents_for(hr_user, stored)))
    duties = workbook["工作职责"]
    duties.insert_rows(3)
    group, kind = duties["C2"].value, duties["D2"].value
    for column, value in enumerate(["FZ-XS-101", 2, group, kind, "", "新增的一条职责"], start=1):
        duties.cell(row=3, column=column, value=value)
    preview_url = upload(hr_client, save(workbook))["Location"]

    page = hr_client.get(preview_url)

    diff = page_text(page).split("查看变化", 1)[1]
    assert "工作职责" in diff and "新增 1" in diff and "新增的一条职责" in diff
    assert "删除" not in diff  # the duties after the new one stay in place


def company_roster_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "在职人员"
    sheet.append(["福州项目公司员工花名册"])
    sheet.append(["序号", "员工姓名", "员工编号", "所属部门", "职位", "入职时间", "身份证号"])
    for row in rows:
        sheet.append(row)
    return save(workbook)


def test_company_roster_preview_asks_to_choose_then_confirms_the_choice(seed, hr_client):
    sales = Position.objects.get(code="FZ-XS-101").department
    second = PositionFactory(title="售楼员", code="", department=sales)
    data = company_roster_bytes([[1, "林小华", "E7001", "销售部", "售楼员", "2024/3/1", "3501"]])
    preview_url = upload(hr_client, data, "花名册.xlsx", kind="roster")["Location"]

    page = page_text(hr_client.get(preview_url))
    assert "“销售部 / 售楼员”对应 2 个职位，请在预览中选择一个。" in page
    assert "已忽略以下列（系统不保存这些个人信息）：身份证号。" in page
    assert "确认导入" not in page

    chosen = hr_client.get(preview_url, {"position-3": second.pk})
    assert "发现" not in page_text(chosen)
    response = hr_client.post(
        preview_url,
        {
            "action": "confirm",
            "fingerprint": fingerprint(chosen.content.decode()),
            "position-3": second.pk,
        },
    )

    assert response.status_code == 302
    employee = Employee.objects.get(employee_no="E7001")
    assert employee.assignments.get().position == second

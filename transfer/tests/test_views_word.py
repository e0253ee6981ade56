"""Word pages: the .docx download and the import (upload → preview → confirm)."""

from __future__ import annotations

import datetime
import io
from urllib.parse import quote

import docx
import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from positions import permissions
from positions.models import Department, Duty, Position, Version
from positions.tests.factories import EditorScopeFactory, UserFactory
from positions.tests.text import page_text
from transfer.services import staging
from transfer.services.word import DOCX_CONTENT_TYPE
from transfer.tests import word_helpers
from transfer.tests.corpus import generate
from transfer.tests.test_services_staging import stored_files
from transfer.tests.test_services_word_import import fake_legacy_doc

pytestmark = pytest.mark.django_db

IMPORT_URL = "positions:word-import"


def docx_url(position: Position, **query) -> str:
    url = reverse("positions:position-docx", kwargs={"pk": position.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def title_of(response) -> str:
    assert response["Content-Type"] == DOCX_CONTENT_TYPE
    return docx.Document(io.BytesIO(response.content)).paragraphs[0].text


def counts() -> tuple[int, int, int]:
    return Position.objects.count(), Duty.objects.count(), Version.objects.count()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


# --- download -----------------------------------------------------------------------------------


def test_position_docx_downloads_the_sheet_with_its_filename(seed, hr_client):
    manager = Position.objects.get(code="FZ-XS-001")

    response = hr_client.get(docx_url(manager))

    assert response.status_code == 200
    assert title_of(response) == "销售经理职位说明书"
    assert response["Content-Disposition"] == (
        f"attachment; filename*=utf-8''{quote('FZ-XS-001-销售经理.docx')}"
    )


def test_position_docx_prints_in_the_departments_layout_or_a_one_off_one(seed, hr_client):
    manager = Position.objects.get(code="FZ-XS-001")
    Department.objects.filter(pk=manager.department_id).update(sheet_layout="a")

    by_department = hr_client.get(docx_url(manager))
    one_off = hr_client.get(docx_url(manager, layout="c"))

    assert title_of(by_department) == "销售经理职位说明书(补充)"
    cells = [c.text for c in docx.Document(io.BytesIO(by_department.content)).tables[0]._cells]
    assert cells[:6] == ["职位名称", "销售经理", "所在部门", "销售部", "直接上级", "副总经理"]
    assert title_of(one_off) == "销售经理职位说明书"
    one_off_text = [p.text for p in docx.Document(io.BytesIO(one_off.content)).paragraphs]
    assert one_off_text[1:4] == ["一、基本情况", "二、职位概要", "三、工作职责及内容"]


def test_position_docx_with_an_unknown_layout_is_refused_in_chinese(seed, hr_client):
    manager = Position.objects.get(code="FZ-XS-001")

    response = hr_client.get(docx_url(manager, layout="zz"))

    assert response.status_code == 400
    assert response.content.decode() == "没有这种打印版式：zz。请从 standard、a、b、c 中选择。"


def test_position_docx_gives_employees_the_version_in_force_and_hr_the_draft(seed, user, hr_client):
    user_client = Client()
    user_client.force_login(user)
    clerk = Position.objects.get(code="FZ-XS-101")
    Position.objects.filter(pk=clerk.pk).update(title="置业顾问", status=Position.Status.DRAFT)

    assert title_of(user_client.get(docx_url(clerk))) == "售楼员职位说明书"
    assert title_of(hr_client.get(docx_url(clerk))) == "置业顾问职位说明书"
    assert title_of(hr_client.get(docx_url(clerk, version=1))) == "售楼员职位说明书"
    by_route = reverse("positions:version-docx", kwargs={"pk": clerk.pk, "number": 1})
    assert title_of(user_client.get(by_route)) == "售楼员职位说明书"


def test_position_docx_of_a_draft_only_position_is_not_found_for_an_employee(
    user_client, departments
):
    draft = Position.objects.create(title="案场主管", department=departments["sales"])

    response = user_client.get(docx_url(draft))

    assert response.status_code == 404
    assert "案场主管" not in response.content.decode(errors="ignore")


@pytest.mark.parametrize("version", ["abc", "99", "²", "9" * 40])
def test_position_docx_with_a_bad_version_is_not_found(seed, hr_client, version):
    clerk = Position.objects.get(code="FZ-XS-101")

    assert hr_client.get(docx_url(clerk, version=version)).status_code == 404


# --- import ---------------------------------------------------------------------------------------


def test_word_import_page_shows_the_upload_form(hr_client):
    response = hr_client.get(reverse(IMPORT_URL))

    assert response.status_code == 200
    assert "从 Word 导入职位说明书" in page_text(response)
    assert 'type="file"' in response.content.decode() and "multiple" in response.content.decode()


def test_word_import_is_forbidden_to_employees_and_sends_visitors_to_login(user_client, client):
    assert user_client.get(reverse(IMPORT_URL)).status_code == 403
    assert user_client.post(reverse(IMPORT_URL)).status_code == 403
    client.logout()
    response = client.get(reverse(IMPORT_URL))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_word_import_upload_preview_confirm_creates_drafts(seed, hr_client):
    Position.objects.filter(code="MK105").update(code="MK105-OLD")
    files = [
        upload("销售管理专员.docx", word_helpers.layout_c()),
        upload("营销策划专员.docx", word_helpers.layout_b()),
    ]
    response = hr_client.post(reverse(IMPORT_URL), {"files": files})
    assert response.status_code == 302
    preview_url = response["Location"]

    preview = hr_client.get(preview_url)
    page = page_text(preview)
    assert preview.status_code == 200
    assert "销售管理专员" in page and "YX-XG-01" in page and "营销策划专员" in page
    assert "文件中没有所在部门，请选择所在部门。" in page
    assert "营销策划部经理" in page  # listed under 未识别的内容
    before = counts()

    refused = hr_client.post(preview_url, {"action": "confirm"})
    assert refused.status_code == 400
    assert "营销策划专员.docx：文件中没有所在部门，请选择所在部门。" in page_text(refused)
    assert counts() == before

    marketing = Department.objects.get(name="营销策划部")
    done = hr_client.post(preview_url, {"action": "confirm", "department-1": marketing.pk})
    assert done.status_code == 302
    created = Position.objects.filter(code__in=["YX-XG-01", "MK105"])
    assert {(p.title, p.status) for p in created} == {
        ("销售管理专员", Position.Status.DRAFT),
        ("营销策划专员", Position.Status.DRAFT),
    }
    assert Position.objects.get(code="MK105").department == marketing
    page = page_text(hr_client.get(Position.objects.get(code="YX-XG-01").get_absolute_url()))
    assert "计划管理：参与拟订项目开发总体规划" in page and "重点工作" in page
    assert hr_client.get(preview_url).status_code == 404  # the upload is gone once imported


def test_word_import_of_an_existing_code_updates_its_draft_not_the_version(seed, hr_client):
    clerk = Position.objects.get(code="FZ-XS-101")
    version_sheet = clerk.current_version.sheet

    response = hr_client.post(
        reverse(IMPORT_URL), {"files": [upload("a.docx", word_helpers.layout_a())]}
    )
    preview = hr_client.get(response["Location"])
    text = page_text(preview)
    assert "更新“售楼员”的草稿，现行版本不变" in text
    assert "将改动的内容" in text and "原文件签核 记入审批记录，不作为草稿的签核" in text
    done = hr_client.post(response["Location"], {"action": "confirm"})

    assert done.status_code == 302 and done["Location"] == clerk.get_absolute_url()
    clerk.refresh_from_db()
    assert clerk.status == Position.Status.DRAFT
    assert clerk.duties.count() == 2
    assert Version.objects.get(pk=clerk.current_version_id).sheet == version_sheet


def test_word_import_of_a_title_the_department_has_offers_update_or_new(seed, hr_client):
    Position.objects.filter(code="FZ-XS-101").update(code="FZ-XS-101-OLD")
    response = hr_client.post(
        reverse(IMPORT_URL), {"files": [upload("a.docx", word_helpers.layout_a())]}
    )
    preview_url = response["Location"]
    text = page_text(hr_client.get(preview_url))
    assert "同名职位" in text and "更新“售楼员”" in text and "新建" in text
    assert "将更新该职位，编号改为“FZ-XS-101”" in text
    before = Position.objects.filter(title="售楼员").count()

    done = hr_client.post(preview_url, {"action": "confirm", "mode-0": "create"})

    assert done.status_code == 302
    assert Position.objects.filter(title="售楼员").count() == before + 1
    assert Position.objects.get(code="FZ-XS-101").status == Position.Status.DRAFT
    assert Position.objects.get(code="FZ-XS-101-OLD").status == Position.Status.PUBLISHED


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("说明书.docx", "这不是 Word 文件".encode(), "文件类型不支持"),
        ("说明书.docx", b"PK\x03\x04broken", "文件已损坏"),
        ("说明书.docx", word_helpers.plain_document("只有一段文字"), "不像职位说明书"),
        ("招聘需求申请表.docx", generate.recruitment_request(), "不像职位说明书：只找到职位名称；"),
    ],
    ids=["text renamed", "corrupt zip", "not a job description", "recruitment request"],
)
def test_word_import_bad_file_shows_the_message_and_writes_nothing(
    seed, hr_client, name, data, message
):
    before = counts()

    response = hr_client.post(
        reverse(IMPORT_URL),
        {"files": [upload("好的.docx", word_helpers.layout_c()), upload(name, data)]},
    )

    assert response.status_code == 400
    page = page_text(response)
    assert "以下文件无法导入，本次上传未保存任何内容" in page and message in page
    assert counts() == before
    assert not default_storage.exists(staging.FOLDER)  # nothing staged


def test_word_import_file_over_the_limit_is_refused(seed, hr_client, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 20_000
    data = word_helpers.plain_document("很长的文件" * 8000)

    response = hr_client.post(reverse(IMPORT_URL), {"files": [upload("大.docx", data)]})

    assert response.status_code == 400
    assert "文件过大" in page_text(response)


def test_word_import_legacy_doc_without_libreoffice_asks_to_save_as_docx(seed, hr_client, settings):
    settings.LIBREOFFICE_BINARY = "jobdesc-no-such-soffice"

    response = hr_client.post(reverse(IMPORT_URL), {"files": [upload("旧.doc", fake_legacy_doc())]})

    assert response.status_code == 400
    assert "服务器上未安装 LibreOffice" in page_text(response)
    assert "另存为 .docx 格式后重新上传" in page_text(response)


def test_word_import_without_a_file_asks_for_one(hr_client):
    response = hr_client.post(reverse(IMPORT_URL), {})

    assert response.status_code == 400
    assert "请选择要导入的 Word 文件。" in page_text(response)


def test_word_import_preview_of_another_users_upload_is_not_found(seed, hr_client, hr_user):
    other = UserFactory(username="other-hr")
    token = staging.stage(other, [("c.docx", word_helpers.layout_c())], kind="word")

    response = hr_client.get(reverse("positions:word-import-preview", kwargs={"token": token}))

    assert response.status_code == 404


def test_word_import_cancel_discards_the_upload(seed, hr_client):
    response = hr_client.post(
        reverse(IMPORT_URL), {"files": [upload("c.docx", word_helpers.layout_c())]}
    )
    before = counts()

    cancelled = hr_client.post(response["Location"], {"action": "cancel"}, follow=True)

    assert "已取消导入，未写入任何数据。" in page_text(cancelled)
    assert counts() == before
    assert hr_client.get(response["Location"]).status_code == 404
    assert not stored_files(staging.FOLDER)


def test_word_import_preview_of_an_upload_older_than_a_day_is_not_found(seed, hr_client, hr_user):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        response = hr_client.post(
            reverse(IMPORT_URL), {"files": [upload("c.docx", word_helpers.layout_c())]}
        )
        assert "销售管理专员" in page_text(hr_client.get(response["Location"]))
        traveller.shift(datetime.timedelta(hours=25))
        hr_client.force_login(hr_user)  # idle for a day: signed out (SESSION_IDLE_MINUTES)

        assert hr_client.get(response["Location"]).status_code == 404


@pytest.mark.parametrize("token", ["not-a-token", "x" * 32 + "..", "..%2F..%2Fetc"])
def test_word_import_preview_with_a_malformed_token_is_not_found(hr_client, token):
    url = reverse("positions:word-import-preview", kwargs={"token": token})

    assert hr_client.get(url).status_code == 404


# --- shared object storage (S3) ---------------------------------------------------------------


@pytest.mark.s3
def test_word_import_staged_in_s3_is_confirmed(seed, s3_storage, hr_client, hr_user):
    content = word_helpers.layout_c()
    files = [upload("销售管理专员.docx", content)]
    response = hr_client.post(reverse(IMPORT_URL), {"files": files})

    assert response.status_code == 302
    preview_url = response["Location"]
    staged = stored_files(staging.FOLDER)
    assert [name.rsplit("/", 1)[1] for name in staged] == ["0.upload", "manifest.json"]
    assert staged[0].startswith(f"{staging.FOLDER}/{hr_user.pk}/")
    with default_storage.open(staged[0], "rb") as handle:
        assert handle.read() == content
    assert "销售管理专员" in page_text(hr_client.get(preview_url))

    done = hr_client.post(preview_url, {"action": "confirm"})

    assert done.status_code == 302
    created = Position.objects.get(code="YX-XG-01")
    assert (created.title, created.status) == ("销售管理专员", Position.Status.DRAFT)
    assert stored_files(staging.FOLDER) == []
    assert hr_client.get(preview_url).status_code == 404


def test_word_import_with_storage_unreachable_says_so_and_writes_nothing(
    seed, s3_unreachable, hr_client
):
    before = counts()
    response = hr_client.post(
        reverse(IMPORT_URL), {"files": [upload("销售管理专员.docx", word_helpers.layout_c())]}
    )

    assert response.status_code == 503
    assert "文件存储暂时不可用，请稍后再试" in page_text(response)
    assert counts() == before


def test_word_import_of_our_own_unchanged_export_changes_nothing(seed, hr_client):
    manager = Position.objects.get(code="FZ-XS-001")
    lock_version = manager.lock_version
    exported = hr_client.get(docx_url(manager)).content
    response = hr_client.post(reverse(IMPORT_URL), {"files": [upload("m.docx", exported)]})
    preview = hr_client.get(response["Location"])
    assert "与“销售经理”相同，不会改动" in page_text(preview)

    done = hr_client.post(response["Location"], {"action": "confirm"}, follow=True)

    assert "文件与系统中的职位说明书相同，未作任何改动。" in page_text(done)
    manager.refresh_from_db()
    assert (manager.status, manager.lock_version) == (Position.Status.PUBLISHED, lock_version)


# --- go-live: 原文件签核 and 作为已生效版本导入 --------------------------------------------------


def staged_layout_c(client) -> str:
    response = client.post(
        reverse(IMPORT_URL), {"files": [upload("销售管理专员.docx", word_helpers.layout_c())]}
    )
    assert response.status_code == 302
    return response["Location"]


def workflow_page(client, position: Position) -> str:
    url = reverse("positions:position-workflow", kwargs={"pk": position.pk})
    return page_text(client.get(url))


def test_word_import_as_draft_keeps_the_file_signoff_in_the_records_not_on_the_draft(
    seed, hr_client
):
    preview_url = staged_layout_c(hr_client)
    assert "原文件签核" in page_text(hr_client.get(preview_url))

    hr_client.post(preview_url, {"action": "confirm"})

    position = Position.objects.get(code="YX-XG-01")
    assert position.status == Position.Status.DRAFT
    assert (position.prepared_by_name, position.reviewed_by_name, position.approved_by_name) == (
        "",
        "",
        "",
    )
    page = workflow_page(hr_client, position)
    for line in ("编制：王人事，2006-09-01", "审核：郑长胜，2006-09-05", "审批：赵总，2006-09-10"):
        assert line in page
    assert page.count("原文件签核") >= 3


def test_word_import_in_force_makes_a_historical_v1_signed_as_the_file(seed, hr_client):
    preview_url = staged_layout_c(hr_client)
    preview = page_text(hr_client.get(preview_url))
    assert "作为已生效版本导入" in preview

    # The seed has a 销售管理专员 of its own: the file is imported as a new position (新建).
    done = hr_client.post(preview_url, {"action": "confirm-in-force", "mode-0": "create"})

    assert done.status_code == 302, page_text(done)[-600:]
    position = Position.objects.get(code="YX-XG-01")
    assert done.status_code == 302 and done["Location"] == position.get_absolute_url()
    version = position.current_version
    assert (position.status, version.number, version.is_historical) == (
        Position.Status.PUBLISHED,
        1,
        True,
    )
    assert [(v.prepared_by_name, v.reviewed_by_name, v.approved_by_name) for v in [version]] == [
        ("王人事", "郑长胜", "赵总")
    ]
    assert version.effective_date == datetime.date(2006, 9, 10)
    sheet = page_text(hr_client.get(done["Location"]))
    assert (
        "已将 1 份职位说明书作为已生效版本导入（销售管理专员），均为历史文件 V1，按原文件签核。"
        in (sheet)
    )
    records = workflow_page(hr_client, position)
    assert "历史文件导入" in records and "编制：王人事，2006-09-01" in records


def test_word_import_in_force_refused_to_a_scoped_hr_editor(seed, client):
    scoped = UserFactory(username="hr-scoped")
    scoped.groups.add(permissions.role_group(permissions.HR_EDITOR))
    EditorScopeFactory(user=scoped, department=Department.objects.get(name="营销策划部"))
    client.force_login(scoped)
    preview_url = staged_layout_c(client)
    assert "作为已生效版本导入" not in page_text(client.get(preview_url))
    before = counts()

    refused = client.post(preview_url, {"action": "confirm-in-force"})

    assert refused.status_code == 403
    assert "只有不限部门范围的 HR 编辑可以作为已生效版本导入；请导入为草稿后提交审核。" in (
        page_text(refused)
    )
    assert counts() == before


def test_word_preview_of_an_existing_position_shows_the_ordered_diff(seed, hr_client):
    response = hr_client.post(
        reverse(IMPORT_URL), {"files": [upload("a.docx", word_helpers.layout_a())]}
    )
    page = page_text(hr_client.get(response["Location"]))

    assert "查看与现有“售楼员”相比的变化" in page
    diff = page.split("查看与现有“售楼员”相比的变化", 1)[1]
    assert "工作职责" in diff

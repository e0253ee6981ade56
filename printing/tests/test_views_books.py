"""The department book pages: choose, follow the job, download — as users see them."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from positions import permissions
from positions.models import BookJob, Department, Position, Version
from positions.tests.factories import (
    DepartmentFactory,
    EmployeeFactory,
    FullPositionFactory,
    PositionFactory,
    UserFactory,
)
from positions.tests.text import compact, page_text, pdf_text
from printing import render_pool
from printing.services import company
from printing.tests.book_helpers import run_worker

pytestmark = pytest.mark.django_db

CREATE = reverse("positions:book-create")


@pytest.fixture(autouse=True)
def fresh_company_profile():
    company.forget_company_profile()
    yield
    company.forget_company_profile()


@pytest.fixture
def sales(db) -> Department:
    group = DepartmentFactory(name="海峡集团", code="HX", kind=Department.Kind.GROUP)
    sales = DepartmentFactory(name="销售部", code="FZ-XS", parent=group)
    FullPositionFactory(title="销售经理", code="FZ-XS-001", department=sales)
    PositionFactory(title="置业顾问", code="FZ-XS-002", department=sales)
    Position.objects.filter(department=sales, code="").update(status=Position.Status.ARCHIVED)
    return sales


@pytest.fixture
def employee_client(client, sales):
    """林员工, an 员工 holding 置业顾问: reads published versions only."""
    user = UserFactory(username="employee", first_name="林员工")
    user.groups.add(permissions.role_group(permissions.EMPLOYEE))
    EmployeeFactory(user=user, name="林员工", position=Position.objects.get(code="FZ-XS-002"))
    client.force_login(user)
    return client


def download(client, job: BookJob) -> bytes:
    response = client.get(reverse("positions:book-download", kwargs={"pk": job.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


# --- happy paths -------------------------------------------------------------------------------


def test_department_page_offers_the_book_form(employee_client, sales):
    response = employee_client.get(sales.get_absolute_url())
    html = response.content.decode()
    assert f'action="{CREATE}"' in html
    assert f'name="department" value="{sales.pk}"' in html
    assert "打印汇编" in html


def test_department_tree_links_to_the_book_page(employee_client):
    response = employee_client.get(reverse("positions:department-tree"))
    assert f'href="{CREATE}"' in response.content.decode()
    assert "打印汇编" in page_text(response)


def test_book_choose_page_lists_versions_in_force(employee_client, sales):
    response = employee_client.get(CREATE, {"department": sales.pk})
    assert response.status_code == 200
    page = page_text(response)
    assert "销售经理" in page and "置业顾问" in page
    assert "销售部" in page
    manager = Position.objects.get(code="FZ-XS-001")
    assert f'value="{manager.pk}" checked' in response.content.decode()


def test_book_department_request_runs_and_downloads(employee_client, sales):
    response = employee_client.post(CREATE, {"department": sales.pk})
    job = BookJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()

    page = employee_client.get(job.get_absolute_url())
    assert page.status_code == 200
    text = page_text(page)
    assert "销售部 · 职位说明书汇编" in text
    assert "排队中" in text
    assert 'http-equiv="refresh"' in page.content.decode()  # without JavaScript: reload
    status = employee_client.get(reverse("positions:book-status", kwargs={"pk": job.pk})).json()
    assert (status["status"], status["done"], status["total"]) == ("queued", 0, 2)
    assert status["finished"] is False

    run_worker()

    status = employee_client.get(reverse("positions:book-status", kwargs={"pk": job.pk})).json()
    assert (status["status"], status["done"], status["percent"]) == ("done", 2, 100)
    assert status["finished"] is True
    page = employee_client.get(job.get_absolute_url())
    assert "下载 PDF" in page_text(page)
    assert 'http-equiv="refresh"' not in page.content.decode()
    content = download(employee_client, job)
    text = compact(pdf_text(content))
    assert "职位说明书汇编" in text
    assert "销售经理职位说明书" in text and "置业顾问职位说明书" in text


def test_book_same_request_twice_shares_the_job_and_the_stored_file(employee_client, sales):
    employee_client.post(CREATE, {"department": sales.pk})
    run_worker()
    job = BookJob.objects.get()
    response = employee_client.post(CREATE, {"department": sales.pk})
    assert response["Location"] == job.get_absolute_url()
    assert BookJob.objects.count() == 1
    job.refresh_from_db()
    assert job.status == BookJob.Status.DONE
    assert download(employee_client, job).startswith(b"%PDF")


def test_book_hand_picked_positions(employee_client, sales):
    clerk = Position.objects.get(code="FZ-XS-002")
    response = employee_client.post(CREATE, {"positions": [clerk.pk]})
    job = BookJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert job.title == "自选职位"
    assert job.version_ids == [clerk.current_version_id]
    run_worker()
    text = compact(pdf_text(download(employee_client, job)))
    assert "置业顾问职位说明书" in text
    assert "销售经理职位说明书" not in text


def test_book_for_an_employee_prints_published_text_not_a_draft(employee_client, sales):
    manager = Position.objects.get(code="FZ-XS-001")
    Position.objects.filter(pk=manager.pk).update(
        title="销售总监（未发布）", status=Position.Status.DRAFT
    )
    choose = page_text(employee_client.get(CREATE))
    assert "销售经理" in choose and "未发布" not in choose
    employee_client.post(CREATE, {"department": sales.pk})
    job = BookJob.objects.get()
    assert "未发布" not in page_text(employee_client.get(job.get_absolute_url()))
    run_worker()
    text = compact(pdf_text(download(employee_client, job)))
    assert "销售经理职位说明书" in text
    assert "未发布" not in text


def test_book_failure_shows_the_message_naming_the_position(employee_client, sales):
    manager = Position.objects.get(code="FZ-XS-001")
    Version.objects.filter(pk=manager.current_version_id).update(sheet={"title": "坏"})
    employee_client.post(CREATE, {"department": sales.pk})
    run_worker()
    job = BookJob.objects.get()
    page = employee_client.get(job.get_absolute_url())
    text = page_text(page)
    assert "失败" in text
    assert "职位“销售经理”（FZ-XS-001）的职位说明书无法生成" in text
    assert "重新生成" in text
    status = employee_client.get(reverse("positions:book-status", kwargs={"pk": job.pk})).json()
    assert status["status"] == "failed"
    assert "销售经理" in status["error"]
    missing = employee_client.get(reverse("positions:book-download", kwargs={"pk": job.pk}))
    assert missing.status_code == 404


# --- permissions -------------------------------------------------------------------------------


def test_book_pages_send_anonymous_visitors_to_login(client, sales):
    response = client.post(CREATE, {"department": sales.pk})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not BookJob.objects.exists()


def test_book_with_an_archived_position_is_hidden_from_employees(employee_client, hr_user):
    clerk = Position.objects.get(code="FZ-XS-002")
    employee_client.post(CREATE, {"positions": [clerk.pk]})
    job = BookJob.objects.get()
    Position.objects.filter(pk=clerk.pk).update(status=Position.Status.ARCHIVED)
    for name in ("book-detail", "book-status", "book-download"):
        url = reverse(f"positions:{name}", kwargs={"pk": job.pk})
        assert employee_client.get(url).status_code == 403
    hr_client = Client()
    hr_client.force_login(hr_user)
    assert hr_client.get(job.get_absolute_url()).status_code == 200


# --- bad input ---------------------------------------------------------------------------------


def test_book_empty_selection_is_refused_in_chinese(employee_client, sales):
    response = employee_client.post(CREATE, {})
    assert response.status_code == 400
    assert "请选择一个部门，或至少勾选一个职位。" in page_text(response)
    assert not BookJob.objects.exists()


def test_book_draft_position_is_refused_and_the_choice_kept(employee_client, sales):
    draft = PositionFactory(title="案场主管", department=sales, status=Position.Status.DRAFT)
    clerk = Position.objects.get(code="FZ-XS-002")
    response = employee_client.post(CREATE, {"positions": [clerk.pk, draft.pk]})
    assert response.status_code == 400
    assert "所选职位不存在或尚无已生效的职位说明书。" in page_text(response)
    assert f'value="{clerk.pk}" checked' in response.content.decode()
    assert not BookJob.objects.exists()


def test_book_department_without_versions_is_refused(employee_client, sales):
    empty = DepartmentFactory(name="策划部", parent=sales.parent)
    response = employee_client.post(CREATE, {"department": empty.pk})
    assert response.status_code == 400
    assert "“策划部”没有已生效的职位说明书，无法打印汇编。" in page_text(response)


def test_book_unknown_department_is_refused(employee_client, sales):
    response = employee_client.post(CREATE, {"department": 999999})
    assert response.status_code == 400
    assert "所选部门不存在。" in page_text(response)


def test_book_download_before_it_is_done_is_not_found(employee_client, sales):
    employee_client.post(CREATE, {"department": sales.pk})
    job = BookJob.objects.get()
    response = employee_client.get(reverse("positions:book-download", kwargs={"pk": job.pk}))
    assert response.status_code == 404


# --- limits ------------------------------------------------------------------------------------


def test_book_job_over_its_time_limit_is_marked_failed_with_the_reason(
    settings, employee_client, sales
):
    worker = render_pool.worker(settings.PDF_RENDER_MAX_RENDERS)
    worker.render("<p>预热</p>", 60)  # started and warm: the limit below is the book's
    FullPositionFactory(title="超长职位", code="FZ-XS-009", department=sales, duties=400)
    Position.objects.filter(department=sales, code="").update(status=Position.Status.ARCHIVED)
    settings.BOOK_JOB_TIMEOUT_SECONDS = 2
    started = worker.started

    employee_client.post(CREATE, {"department": sales.pk})
    run_worker()

    job = BookJob.objects.get()
    assert job.status == BookJob.Status.FAILED
    assert not job.file
    text = page_text(employee_client.get(job.get_absolute_url()))
    assert "汇编生成超过时间限制（2 秒），已中止。" in text
    assert "请按部门分开打印或减少所选职位后重试" in text
    assert worker.started == started + 1  # the layout was aborted: its worker replaced


@pytest.mark.parametrize("bad", ["²", "٣", "9" * 40], ids=["superscript", "arabic-indic", "huge"])
def test_book_form_ignores_a_department_that_is_not_an_id(employee_client, sales, bad):
    response = employee_client.get(CREATE, {"department": bad})
    assert response.status_code == 200
    html = response.content.decode()
    assert "销售经理" in html and " checked" not in html  # the form, nothing ticked


@pytest.mark.parametrize("bad", ["²", "9" * 19, "9" * 40], ids=["superscript", "19-digits", "huge"])
def test_book_positions_that_are_not_ids_are_refused_in_chinese(employee_client, sales, bad):
    clerk = Position.objects.get(code="FZ-XS-002")
    response = employee_client.post(CREATE, {"positions": [clerk.pk, bad]})
    assert response.status_code == 400
    assert "所选职位无效。" in page_text(response)
    assert f'value="{clerk.pk}" checked' in response.content.decode()
    assert not BookJob.objects.exists()


# --- 全选本部门 ---------------------------------------------------------------------------------


def test_book_choose_page_has_a_whole_department_checkbox(employee_client, sales):
    html = employee_client.get(CREATE).content.decode()

    box = re.search(
        r'<label[^>]*book-choose-department[^>]*>\s*<input[^>]*name="whole_department"'
        rf'[^>]*value="{sales.pk}"[^>]*>(.*?)</label>',
        html,
        flags=re.S,
    )
    assert box, "no 全选本部门 checkbox for 销售部"
    assert "checked" not in box.group(0).split(">")[1]
    assert "销售部" in box.group(1) and "全选本部门" in box.group(1)


def test_book_choose_page_ticks_the_department_box_when_all_are_ticked(employee_client, sales):
    html = employee_client.get(CREATE, {"department": sales.pk}).content.decode()

    assert re.search(rf'name="whole_department"[^>]*value="{sales.pk}" checked', html)


def test_book_whole_department_box_prints_the_department_without_javascript(employee_client, sales):
    response = employee_client.post(CREATE, {"whole_department": [sales.pk]})

    job = BookJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    manager, clerk = (Position.objects.get(code=c) for c in ("FZ-XS-001", "FZ-XS-002"))
    assert job.version_ids == [manager.current_version_id, clerk.current_version_id]


# --- shared object storage (S3) ---------------------------------------------------------------


@pytest.mark.s3
def test_book_stored_in_s3_is_downloaded_from_it(s3_storage, employee_client, sales):
    employee_client.post(CREATE, {"department": sales.pk})
    run_worker()

    job = BookJob.objects.get()
    assert job.status == BookJob.Status.DONE
    assert job.file.name.startswith("books/")
    assert type(job.file.storage._wrapped).__module__ == "jobdesc.s3"
    assert job.file.storage.size(job.file.name) == job.file_size
    content = download(employee_client, job)
    text = compact(pdf_text(content))
    assert "销售经理职位说明书" in text and "置业顾问职位说明书" in text
    # Asked again, the stored book in S3 is the answer: no new job, no new render.
    employee_client.post(CREATE, {"department": sales.pk})
    assert BookJob.objects.count() == 1
    assert download(employee_client, job) == content


def test_book_with_storage_unreachable_fails_with_the_storage_message(
    s3_unreachable, employee_client, sales
):
    employee_client.post(CREATE, {"department": sales.pk})
    run_worker()

    job = BookJob.objects.get()
    assert job.status == BookJob.Status.FAILED
    text = page_text(employee_client.get(job.get_absolute_url()))
    assert "文件存储暂时不可用，请稍后再试（汇编已排版，但未能保存）。" in text
    assert "重新生成" in text


def test_book_download_with_storage_unreachable_shows_the_storage_page(
    s3_unreachable, employee_client, sales
):
    employee_client.post(CREATE, {"department": sales.pk})
    BookJob.objects.update(status=BookJob.Status.DONE, file="books/stored-earlier.pdf")
    job = BookJob.objects.get()

    response = employee_client.get(reverse("positions:book-download", kwargs={"pk": job.pk}))

    assert response.status_code == 503
    text = page_text(response)
    assert "文件存储暂时不可用，请稍后再试" in text
    assert "返回首页" in text and "Traceback" not in response.content.decode()

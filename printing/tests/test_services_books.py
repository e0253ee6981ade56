"""Department books (职位说明书汇编): selection, one-document rendering, the job on the queue."""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from positions.models import BookJob, Department, Position, TaskWorker, Version
from positions.services import task_leases, versions
from positions.tests.factories import DepartmentFactory, FullPositionFactory, PositionFactory
from printing.services import books, company
from printing.tests.book_helpers import run_worker

pytestmark = pytest.mark.django_db

TITLES = ("销售经理", "置业顾问", "案场经理")


@pytest.fixture(autouse=True)
def fresh_company_profile():
    """The company identity is cached per process: start and end each test without it."""
    company.forget_company_profile()
    yield
    company.forget_company_profile()


def make_sales() -> Department:
    group = DepartmentFactory(name="海峡集团", code="HX", kind=Department.Kind.GROUP)
    company = DepartmentFactory(
        name="福州公司", code="FZ", kind=Department.Kind.COMPANY, parent=group
    )
    sales = DepartmentFactory(name="销售部", code="FZ-XS", parent=company)
    for number, title in enumerate(TITLES, start=1):
        FullPositionFactory(title=title, code=f"FZ-XS-{number:03d}", department=sales)
    # The factory adds uncoded direct reports to the department: keep the book to the three.
    Position.objects.filter(department=sales, code="").update(status=Position.Status.ARCHIVED)
    return sales


@pytest.fixture
def sales(db) -> Department:
    return make_sales()


@pytest.fixture(scope="module")
def book_pdf(django_db_setup, django_db_blocker) -> tuple[PdfReader, books.BookPdf]:
    """The 销售部 book, rendered once for the module's tests that only read it (the rows it is
    made from are rolled back at once)."""
    with django_db_blocker.unblock(), transaction.atomic():
        company.forget_company_profile()
        selection = books.department_selection(make_sales(), include_subdepartments=False)
        pdf = books.render_book(selection.versions, title=selection.title)
        transaction.set_rollback(True)
    company.forget_company_profile()
    return PdfReader(io.BytesIO(pdf.content)), pdf


def page_texts(reader: PdfReader) -> list[str]:
    """Each page's text without whitespace (letter-spaced headings extract as 职 位 …)."""
    return [re.sub(r"\s+", "", page.extract_text()) for page in reader.pages]


def contents_entries(text: str) -> dict[str, int]:
    """Title → page number, read from the contents page's dotted lines."""
    entries = {}
    for line in text.splitlines():
        match = re.match(r"^\s*(?:FZ-XS-\d{3})?\s*(\S+?)\s*[.·…\s]+\s*(\d+)\s*$", line)
        if match and match.group(1) in TITLES:
            entries[match.group(1)] = int(match.group(2))
    return entries


# --- what a book prints ------------------------------------------------------------------------


def test_department_selection_prints_versions_in_force_by_code(sales):
    selection = books.department_selection(sales, include_subdepartments=False)
    assert [v.title for v in selection.versions] == list(TITLES)
    assert selection.title == "销售部"
    assert selection.version_ids == [
        Position.objects.get(title=title).current_version_id for title in TITLES
    ]


def test_department_selection_with_subdepartments_adds_their_positions(sales):
    channel = DepartmentFactory(name="渠道组", code="FZ-XS-QD", parent=sales)
    PositionFactory(title="渠道专员", code="FZ-XS-201", department=channel)
    own = books.department_selection(sales, include_subdepartments=False)
    whole = books.department_selection(sales, include_subdepartments=True)
    assert "渠道专员" not in [v.title for v in own.versions]
    assert [v.title for v in whole.versions] == [*TITLES, "渠道专员"]
    assert whole.title == "销售部（含下级部门）"


def test_department_selection_without_versions_in_force_is_refused(sales):
    empty = DepartmentFactory(name="策划部", parent=sales.parent)
    PositionFactory(title="策划专员", department=empty, status=Position.Status.DRAFT)
    with pytest.raises(books.BookError, match="“策划部”没有已生效的职位说明书"):
        books.department_selection(empty, include_subdepartments=False)


def test_positions_selection_refuses_positions_without_a_version(sales):
    draft = PositionFactory(title="案场主管", department=sales, status=Position.Status.DRAFT)
    with pytest.raises(books.BookError, match="尚未生效"):
        books.positions_selection([Position.objects.get(title="置业顾问"), draft])


# --- the rendered book -------------------------------------------------------------------------


def test_render_book_has_cover_contents_and_each_sheet(book_pdf):
    reader, pdf = book_pdf
    texts = page_texts(reader)
    cover = texts[0]
    assert "职位说明书汇编" in cover
    assert "销售部" in cover
    assert "共3份" in cover
    contents = texts[1]
    assert "目录" in contents
    for title in TITLES:
        assert title in contents
        assert any(f"{title}职位说明书" in text for text in texts[2:])
    assert pdf.page_count == len(reader.pages)


def test_render_book_prints_only_cover_contents_and_sheet_text(book_pdf):
    """No template comment or other developer text reaches the paper: the pages are the cover,
    the contents and the sheets, and the only ASCII words are codes (FZ-XS-001, V1 …)."""
    reader, _pdf = book_pdf
    raw = [page.extract_text() for page in reader.pages]
    for number, text in enumerate(raw, start=1):
        assert re.findall(r"[A-Za-z]{3,}", text) == [], f"page {number}: {text[-300:]}"
        for word in ("partial", "template", "context", "WeasyPrint", "string-set"):
            assert word.lower() not in text.lower(), f"page {number}"
    texts = page_texts(reader)
    assert "职位说明书汇编" in texts[0]
    assert texts[1].startswith("目录")
    for title in TITLES:
        assert title in texts[1]
    # Every page after the contents belongs to a sheet: its footer names the document.
    assert all("文件编号FZ-XS-" in text for text in texts[2:])
    # The contents page ends with its last entry (and the page number), nothing after it.
    contents = re.sub(r"第\d+页/共\d+页$", "", texts[1])
    assert re.sub(r"[.·…\d]+$", "", contents).endswith(TITLES[-1])


def test_render_book_outline_has_one_entry_per_position(book_pdf):
    reader, _pdf = book_pdf
    top_level = [item for item in reader.outline if not isinstance(item, list)]
    assert [item.title for item in top_level] == [f"{title}职位说明书" for title in TITLES]


def test_render_book_contents_page_numbers_match_sheet_start_pages(book_pdf):
    reader, _pdf = book_pdf
    texts = page_texts(reader)
    entries = contents_entries(reader.pages[1].extract_text())
    assert set(entries) == set(TITLES)
    top_level = [item for item in reader.outline if not isinstance(item, list)]
    for title, item in zip(TITLES, top_level, strict=True):
        page = entries[title]
        assert f"{title}职位说明书" in texts[page - 1]
        assert reader.get_destination_page_number(item) + 1 == page
    # Each sheet starts on a new page: the sheets' start pages are distinct and increasing.
    assert sorted(entries.values()) == [entries[title] for title in TITLES]
    assert len(set(entries.values())) == 3


def test_render_book_embeds_one_cjk_sans_family_only(book_pdf):
    reader, _pdf = book_pdf
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    assert fonts <= {"Noto-Sans-CJK-SC", "Noto-Sans-CJK-SC-Bold"}
    assert "Noto-Sans-CJK-SC" in fonts


def test_render_book_cover_names_the_company_and_document_number(sales):
    company.save_company_profile(name="海峡地产集团有限公司", document_prefix="HXJT-HR")
    selection = books.department_selection(sales, include_subdepartments=False)
    pdf = books.render_book(selection.versions, title=selection.title, department_code="FZ-XS")
    reader = PdfReader(io.BytesIO(pdf.content))
    cover = page_texts(reader)[0]
    assert "海峡地产集团有限公司" in cover
    assert "文件编号HXJT-HR-FZ-XS-HB" in cover
    assert "文件编号HXJT-HR-FZ-XS-001" in page_texts(reader)[2]  # the first sheet's footer
    assert reader.metadata.author == "海峡地产集团有限公司"


def test_render_book_cover_without_company_profile_names_the_top_department(sales):
    selection = books.department_selection(sales, include_subdepartments=False)
    pdf = books.render_book(selection.versions, title=selection.title)
    assert "海峡集团" in page_texts(PdfReader(io.BytesIO(pdf.content)))[0]


def test_render_book_reports_progress_per_sheet(sales):
    selection = books.department_selection(sales, include_subdepartments=False)
    seen = []
    books.render_book(
        selection.versions, title=selection.title, progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_render_book_prints_published_text_not_the_draft(sales):
    manager = Position.objects.get(title="销售经理")
    Position.objects.filter(pk=manager.pk).update(
        title="销售总监（草稿新名称）", status=Position.Status.DRAFT
    )
    selection = books.department_selection(sales, include_subdepartments=False)
    pdf = books.render_book(selection.versions, title=selection.title)
    text = "".join(page_texts(PdfReader(io.BytesIO(pdf.content))))
    assert "销售经理职位说明书" in text
    assert "草稿新名称" not in text


# --- the job on the task queue -----------------------------------------------------------------


def test_request_book_twice_shares_one_job(sales, hr_user, user):
    selection = books.department_selection(sales, include_subdepartments=False)
    first = books.request_book(selection, hr_user)
    again = books.request_book(
        books.department_selection(sales, include_subdepartments=False), user
    )
    assert again.pk == first.pk
    assert BookJob.objects.count() == 1
    assert DBTaskResult.objects.count() == 1
    assert first.status == BookJob.Status.QUEUED
    assert (first.done, first.total) == (0, 3)
    assert first.requested_by == hr_user


def test_book_job_runs_on_the_db_worker_and_is_served_from_storage_after(sales, user):
    job = books.request_book(books.department_selection(sales, include_subdepartments=False), user)
    run_worker()
    job.refresh_from_db()
    assert job.status == BookJob.Status.DONE
    assert (job.done, job.total) == (3, 3)
    assert job.error == ""
    assert job.started_at <= job.finished_at
    task = DBTaskResult.objects.get()
    assert task.status == "SUCCESSFUL"
    with job.file.open("rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF")
    assert job.file_size == len(content)
    assert len(PdfReader(io.BytesIO(content)).pages) == job.page_count

    again = books.request_book(
        books.department_selection(sales, include_subdepartments=False), user
    )
    assert again.pk == job.pk
    assert again.status == BookJob.Status.DONE
    assert DBTaskResult.objects.count() == 1  # nothing queued: the stored file is the book


def test_book_job_with_a_corrupt_sheet_fails_naming_the_position(sales, user):
    clerk = Position.objects.get(title="置业顾问")
    Version.objects.filter(pk=clerk.current_version_id).update(sheet={"title": "坏数据"})
    job = books.request_book(books.department_selection(sales, include_subdepartments=False), user)
    run_worker()
    job.refresh_from_db()
    assert job.status == BookJob.Status.FAILED
    assert "职位“置业顾问”（FZ-XS-002）的职位说明书无法生成" in job.error
    assert job.done == 1  # 销售经理 was prepared, 置业顾问 failed
    assert not job.file


def test_failed_book_is_queued_again_when_requested_again(sales, user):
    clerk = Position.objects.get(title="置业顾问")
    good_sheet = Version.objects.get(pk=clerk.current_version_id).sheet
    Version.objects.filter(pk=clerk.current_version_id).update(sheet={})
    selection = books.department_selection(sales, include_subdepartments=False)
    job = books.request_book(selection, user)
    run_worker()
    Version.objects.filter(pk=clerk.current_version_id).update(sheet=good_sheet)
    again = books.request_book(selection, user)
    assert again.pk == job.pk
    assert (again.status, again.error) == (BookJob.Status.QUEUED, "")
    run_worker()
    again.refresh_from_db()
    assert again.status == BookJob.Status.DONE


def test_new_version_makes_a_new_book(sales, user):
    first = books.request_book(
        books.department_selection(sales, include_subdepartments=False), user
    )
    versions.publish_version(Position.objects.get(title="置业顾问"))
    second = books.request_book(
        books.department_selection(sales, include_subdepartments=False), user
    )
    assert second.pk != first.pk
    assert second.version_ids != first.version_ids


def _claimed_by_a_dead_worker(job: BookJob, worker: str) -> None:
    """The job's task claimed by ``worker``, which then stopped beating (killed) long ago."""
    started = timezone.now() - datetime.timedelta(minutes=20)
    TaskWorker.objects.update_or_create(worker_id=worker, defaults={"beat_at": started})
    task = DBTaskResult.objects.get(pk=job.task_id)
    DBTaskResult.objects.filter(pk=task.pk).update(
        status="RUNNING", started_at=started, worker_ids=[*task.worker_ids, worker]
    )
    BookJob.objects.filter(pk=job.pk).update(
        status=BookJob.Status.RUNNING, done=1, started_at=started
    )


def test_book_abandoned_by_a_dead_worker_is_the_reapers_once_then_failed(sales, user, settings):
    settings.TASK_LEASE_SECONDS = 5
    selection = books.department_selection(sales, include_subdepartments=False)
    job = books.request_book(selection, user)
    task_leases.beat("alive")
    _claimed_by_a_dead_worker(job, "killed-1")

    # Asking again while it is 生成中 neither queues a second task nor resets it.
    again = books.request_book(selection, user)
    assert (again.pk, again.status, again.done) == (job.pk, BookJob.Status.RUNNING, 1)
    assert DBTaskResult.objects.count() == 1

    assert task_leases.reap().requeued == (job.task_id,)
    job.refresh_from_db()
    assert (job.status, job.done) == (BookJob.Status.QUEUED, 0)

    _claimed_by_a_dead_worker(job, "killed-2")
    BookJob.objects.filter(pk=job.pk).update(key="k" * 64)  # whatever became of its key
    assert task_leases.reap().failed == (job.task_id,)
    job.refresh_from_db()
    assert (job.status, job.error) == (
        BookJob.Status.FAILED,
        "生成任务中断（处理进程已停止），请重新生成",
    )

    # Asked for afresh, the book gets a job and a task of its own; the worker builds it.
    fresh = books.request_book(selection, user)
    assert fresh.pk != job.pk and fresh.status == BookJob.Status.QUEUED
    run_worker()
    fresh.refresh_from_db()
    assert fresh.status == BookJob.Status.DONE


def test_book_running_recently_is_left_to_its_worker(sales, user):
    selection = books.department_selection(sales, include_subdepartments=False)
    job = books.request_book(selection, user)
    BookJob.objects.filter(pk=job.pk).update(
        status=BookJob.Status.RUNNING, done=1, started_at=timezone.now()
    )
    again = books.request_book(selection, user)
    assert (again.status, again.done) == (BookJob.Status.RUNNING, 1)
    assert DBTaskResult.objects.count() == 1


def test_book_key_is_unique_in_the_database(sales, user):
    job = books.request_book(books.department_selection(sales, include_subdepartments=False), user)
    with pytest.raises(IntegrityError), transaction.atomic():
        BookJob.objects.create(key=job.key, kind=BookJob.Kind.SELECTION, title="自选职位")


def test_book_key_changes_when_the_book_stylesheet_changes(sales, settings, tmp_path):
    selection = books.department_selection(sales, include_subdepartments=False)
    before = books.book_key(selection)
    assert books.book_key(selection) == before
    original = finders.find("css/book.css")
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "book.css").write_text(
        Path(original).read_text(encoding="utf-8") + "\n/* 封面改版 */\n", encoding="utf-8"
    )
    settings.STATICFILES_DIRS = [tmp_path, *settings.STATICFILES_DIRS]
    assert books.book_key(selection) != before

"""Stored PDFs of published versions: rendered once, served from storage, renewed on change."""

import io
import multiprocessing
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse

from positions.models import Position
from positions.services import versions
from positions.services.versions import publish_version
from positions.tests.factories import FullPositionFactory, PositionFactory
from positions.tests.text import pdf_text
from printing import pdf, render_pool
from printing.services import company
from printing.services import stored as printing
from printing.tests.book_helpers import run_worker

BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture(autouse=True)
def isolated_printing(settings, tmp_path):
    """Storage in a temporary MEDIA_ROOT, renders in this process, a fresh company identity."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PDF_RENDER_TIMEOUT_SECONDS = 0
    company.forget_company_profile()
    yield
    company.forget_company_profile()


def pdf_url(position: Position) -> str:
    return reverse("positions:position-pdf", kwargs={"pk": position.pk})


def stored_files(position: Position) -> list[str]:
    folder = f"{printing.STORAGE_PREFIX}/{position.pk}"
    if not default_storage.exists(folder):
        return []
    return sorted(default_storage.listdir(folder)[1])


def read_version_pdf(position: Position) -> bytes:
    """The PDF of the version in force, through the service the PDF view uses."""
    position = Position.objects.with_sheet().get(pk=position.pk)

    read = versions.read_sheet(AnonymousUser(), position)
    assert read.version is not None
    return printing.sheet_pdf(read)


@pytest.fixture
def published(db):
    return FullPositionFactory(title="销售经理", code="FZ-XS-001", duties=3)


def test_sheet_pdf_second_download_is_served_without_rendering(published):
    before = printing.render_count()

    first = read_version_pdf(published)
    second = read_version_pdf(published)

    assert printing.render_count() == before + 1
    assert second == first
    assert "销售经理" in pdf_text(second)
    assert [name[:3] for name in stored_files(published)] == ["v1-"]


def test_position_pdf_view_second_request_served_from_storage(user_client, published):
    first = user_client.get(pdf_url(published))
    rendered = printing.render_count()
    second = user_client.get(pdf_url(published))

    assert first.status_code == second.status_code == 200
    assert printing.render_count() == rendered
    assert second.content == first.content
    assert second["Content-Type"] == "application/pdf"
    assert second["Content-Disposition"] == first["Content-Disposition"]
    assert second["Content-Disposition"] == (
        "attachment; filename*=utf-8''FZ-XS-001-%E9%94%80%E5%94%AE%E7%BB%8F%E7%90%86-V1.pdf"
    )  # FZ-XS-001-销售经理-V1.pdf


def test_version_pdf_view_second_request_served_from_storage(client, hr_user, published):
    url = reverse("positions:version-pdf", kwargs={"pk": published.pk, "number": 1})
    client.force_login(hr_user)  # draft rights: still gets the stored V1 when asking for it
    first = client.get(url)
    rendered = printing.render_count()
    second = client.get(url)

    assert printing.render_count() == rendered
    assert second.content == first.content
    assert second["Content-Disposition"] == first["Content-Disposition"]


def test_sheet_pdf_new_version_renders_again(published):
    read_version_pdf(published)
    before = printing.render_count()

    Position.objects.filter(pk=published.pk).update(title="销售总监")
    publish_version(Position.objects.get(pk=published.pk))
    data = read_version_pdf(published)

    assert printing.render_count() == before + 1
    assert "销售总监" in pdf_text(data)
    assert sorted(name[:3] for name in stored_files(published)) == ["v1-", "v2-"]


def test_sheet_pdf_renders_again_after_sheet_css_changes(settings, tmp_path, published):
    static_copy = tmp_path / "static"
    (static_copy / "css").mkdir(parents=True)
    shutil.copy(BASE_DIR / "static" / "css" / "sheet.css", static_copy / "css" / "sheet.css")
    settings.STATICFILES_DIRS = [static_copy, *settings.STATICFILES_DIRS]
    assert Path(finders.find("css/sheet.css")) == static_copy / "css" / "sheet.css"
    read_version_pdf(published)
    read_version_pdf(published)
    before = printing.render_count()

    with (static_copy / "css" / "sheet.css").open("a") as css:
        css.write("\n.sheet-heading { letter-spacing: 0.2em; }\n")
    read_version_pdf(published)

    assert printing.render_count() == before + 1
    assert len(stored_files(published)) == 1  # the outdated copy is gone


def test_sheet_pdf_renders_again_after_a_template_changes(settings, tmp_path, published):
    def template_dir(name: str, extra: str) -> Path:
        folder = tmp_path / name
        shutil.copytree(BASE_DIR / "templates", folder)
        partial = folder / "positions" / "_sheet_signoff.html"
        partial.write_text(partial.read_text(encoding="utf-8") + extra, encoding="utf-8")
        return folder

    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [engine | {"DIRS": [template_dir("before", "")]}]
    read_version_pdf(published)
    read_version_pdf(published)
    before = printing.render_count()

    settings.TEMPLATES = [engine | {"DIRS": [template_dir("after", "<p>本表一式两份</p>")]}]
    data = read_version_pdf(published)

    assert printing.render_count() == before + 1
    assert "本表一式两份" in pdf_text(data)


def test_sheet_pdf_renders_again_after_company_changes(published):
    read_version_pdf(published)
    before = printing.render_count()

    company.save_company_profile(name="海峡地产集团有限公司", document_prefix="HX-HR")
    data = read_version_pdf(published)
    read_version_pdf(published)

    assert printing.render_count() == before + 1
    text = pdf_text(data)
    assert "海峡地产集团有限公司" in text
    assert "HX-HR-FZ-XS-001" in text


def test_sheet_pdf_working_copy_is_rendered_every_time_and_never_stored(hr_client, published):
    read_version_pdf(published)  # V1 is stored: HR must still get the working copy
    stored = stored_files(published)
    Position.objects.filter(pk=published.pk).update(status=Position.Status.DRAFT, title="草拟职位")
    before = printing.render_count()

    first = hr_client.get(pdf_url(published))
    second = hr_client.get(pdf_url(published))

    assert first.status_code == second.status_code == 200
    assert printing.render_count() == before + 2
    assert "草拟职位" in pdf_text(second.content)
    assert "草稿" in pdf_text(second.content)
    assert stored_files(published) == stored


def test_warm_pdfs_stores_every_version_in_force_once(db):
    positions = [PositionFactory(code=f"FZ-XS-{n:03d}") for n in range(3)]
    draft = PositionFactory(status=Position.Status.DRAFT)
    out = io.StringIO()

    call_command("warm_pdfs", stdout=out)
    rendered = printing.render_count()
    call_command("warm_pdfs", stdout=out)

    assert "已生成 3 份 PDF" in out.getvalue()
    assert "已生成 0 份 PDF，3 份已是最新" in out.getvalue()
    assert printing.render_count() == rendered
    assert all(stored_files(position) for position in positions)
    assert stored_files(draft) == []


# ---------------------------------------------------------------- the warm worker


def test_position_pdf_renders_in_the_warm_worker(settings, user_client, published):

    settings.PDF_RENDER_TIMEOUT_SECONDS = 60
    worker = render_pool.worker(settings.PDF_RENDER_MAX_RENDERS)
    worker.stop()  # no worker running: only a render through the pool starts one
    assert worker.pid is None

    response = user_client.get(pdf_url(published))

    assert response.status_code == 200
    assert "销售经理" in pdf_text(response.content)
    # The render ran in a child process of ours, the worker, which is still there and warm.
    assert worker.pid is not None and worker.pid != os.getpid()
    assert worker.pid in [child.pid for child in multiprocessing.active_children()]


def test_position_pdf_render_over_the_time_limit_shows_an_error_page(settings, user_client, db):
    settings.PDF_RENDER_TIMEOUT_SECONDS = 60
    worker = render_pool.worker(settings.PDF_RENDER_MAX_RENDERS)
    worker.render("<p>预热</p>", 60)  # started and warm: the limit below is the render's
    huge = FullPositionFactory(title="超长职位", duties=400)
    settings.PDF_RENDER_TIMEOUT_SECONDS = 1
    started = worker.started

    response = user_client.get(pdf_url(huge))

    assert response.status_code == 503
    page = response.content.decode()
    assert "生成 PDF 超时" in page
    assert "超长职位" in page
    assert worker.started == started + 1  # the stuck worker was replaced
    settings.PDF_RENDER_TIMEOUT_SECONDS = 60
    assert user_client.get(pdf_url(FullPositionFactory(duties=2))).status_code == 200


# ---------------------------------------------------------------- limits of the render entry


def test_position_pdf_over_the_html_limit_is_refused_before_rendering(settings, hr_client, db):
    settings.PDF_MAX_HTML_MB = 1
    huge = PositionFactory(title="超大职位", summary="职位概要" * 100_000)  # 1.1 MiB of UTF-8
    sheets, documents = printing.render_count(), pdf.render_count()

    response = hr_client.get(pdf_url(huge))

    assert response.status_code == 422
    page = response.content.decode()
    assert "打印内容过大（1.1 MB，上限 1 MB），未生成 PDF。请精简内容或分开打印。" in page
    assert "超大职位" in page
    assert (printing.render_count(), pdf.render_count()) == (sheets, documents)
    assert stored_files(huge) == []


def test_render_entry_refuses_oversized_html_with_its_message(settings):
    html = "<p>" + "x" * (5 * 1024 * 1024) + "</p>"  # just over the default 5 MB
    documents = pdf.render_count()

    with pytest.raises(pdf.PdfTooLarge) as refused:
        pdf.render_html(html, timeout=0)

    assert (
        str(refused.value)
        == "打印内容过大（5.0 MB，上限 5 MB），未生成 PDF。请精简内容或分开打印。"
    )
    assert pdf.render_count() == documents


# --- shared object storage (S3) ---------------------------------------------------------------


@pytest.mark.s3
def test_position_pdf_stored_in_s3_is_served_back_from_it(s3_storage, user_client, published):
    before = printing.render_count()
    first = user_client.get(pdf_url(published))

    assert first.status_code == 200
    assert printing.render_count() == before + 1
    stored = stored_s3_files(published)
    assert [name[:3] for name in stored] == ["v1-"]
    with default_storage.open(f"{printing.STORAGE_PREFIX}/{published.pk}/{stored[0]}") as handle:
        assert handle.read() == first.content  # what the bucket holds is what was served
    second = user_client.get(pdf_url(published))
    assert second.status_code == 200
    assert printing.render_count() == before + 1  # from S3, not rendered again
    assert second.content == first.content
    text = pdf_text(second.content)
    assert "销售经理" in text and "FZ-XS-001" in text


def stored_s3_files(position: Position) -> list[str]:
    return sorted(default_storage.listdir(f"{printing.STORAGE_PREFIX}/{position.pk}")[1])


def test_position_pdf_with_storage_unreachable_renders_without_storing(
    s3_unreachable, user_client, hr_user, published
):
    before = printing.render_count()
    response = user_client.get(pdf_url(published))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "销售经理" in text and "FZ-XS-001" in text
    again = user_client.get(pdf_url(published))
    assert again.status_code == 200 and "销售经理" in pdf_text(again.content)
    assert printing.render_count() == before + 2  # nothing stored: each request renders
    user_client.force_login(hr_user)
    version = user_client.get(
        reverse("positions:version-pdf", kwargs={"pk": published.pk, "number": 1})
    )
    assert version.status_code == 200 and "销售经理" in pdf_text(version.content)


def test_warm_pdfs_with_storage_unreachable_stops_with_the_storage_message(s3_unreachable, db):
    PositionFactory(code="FZ-XS-001")

    with pytest.raises(CommandError) as caught:
        call_command("warm_pdfs", stdout=io.StringIO())
    assert str(caught.value).startswith("文件存储暂时不可用，请稍后再试（EndpointConnectionError")


def test_publishing_a_version_stores_its_pdf_and_readers_get_the_stored_copy(
    user_client, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publish_version(Position.objects.with_sheet().get(pk=published.pk))  # V2
    run_worker()  # the task queued by the publication
    rendered = printing.render_count()

    response = user_client.get(pdf_url(published))

    assert [name[:3] for name in stored_files(published)] == ["v2-"]
    assert printing.render_count() == rendered  # the reader got the stored copy
    assert response["Content-Disposition"].endswith("-V2.pdf")
    assert "销售经理" in pdf_text(response.content)


def test_publish_render_skips_a_version_replaced_before_it_ran(
    published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publish_version(Position.objects.with_sheet().get(pk=published.pk))  # V2
        publish_version(Position.objects.with_sheet().get(pk=published.pk))  # V3
    before = printing.render_count()

    run_worker()

    assert printing.render_count() == before + 1
    assert [name[:3] for name in stored_files(published)] == ["v3-"]


def test_position_pdf_for_hr_without_a_pending_draft_is_the_stored_version(hr_client, published):
    first = hr_client.get(pdf_url(published))
    rendered = printing.render_count()
    second = hr_client.get(pdf_url(published))

    assert printing.render_count() == rendered  # the version in force, from storage
    assert second.content == first.content
    assert second["Content-Disposition"].endswith("-V1.pdf")
    assert "草稿" not in pdf_text(second.content)
    assert [name[:3] for name in stored_files(published)] == ["v1-"]


def test_prints_working_copy_only_while_a_draft_is_pending(hr_user, user, published):
    from positions import permissions  # noqa: PLC0415

    assert not permissions.prints_working_copy(hr_user, published)
    published.status = Position.Status.DRAFT
    assert permissions.prints_working_copy(hr_user, published)
    assert not permissions.prints_working_copy(user, published)  # 员工: never a draft


# --- the stored copy's fast path: what every download of a version in force costs -----------


def test_position_pdf_stored_copy_served_in_three_queries(
    user_client, published, django_assert_max_num_queries
):
    first = user_client.get(pdf_url(published))
    version_url = reverse("positions:version-pdf", kwargs={"pk": published.pk, "number": 1})

    # The session, the user with their roles, the version in force with its position and layout.
    with django_assert_max_num_queries(3):
        again = user_client.get(pdf_url(published))
    with django_assert_max_num_queries(3):
        by_number = user_client.get(version_url)

    assert again.status_code == by_number.status_code == 200
    assert again.content == by_number.content == first.content
    assert by_number["Content-Disposition"] == first["Content-Disposition"]


def test_position_pdf_of_an_archived_position_is_refused_to_an_employee(user_client, published):
    assert user_client.get(pdf_url(published)).status_code == 200  # stored
    Position.objects.filter(pk=published.pk).update(status=Position.Status.ARCHIVED)
    version_url = reverse("positions:version-pdf", kwargs={"pk": published.pk, "number": 1})

    assert user_client.get(pdf_url(published)).status_code == 404
    assert user_client.get(version_url).status_code == 404


def test_version_pdf_of_a_superseded_version_is_stored_and_served_again(user_client, published):
    Position.objects.filter(pk=published.pk).update(title="销售总监")
    publish_version(Position.objects.get(pk=published.pk))
    old_url = reverse("positions:version-pdf", kwargs={"pk": published.pk, "number": 1})

    first = user_client.get(old_url)
    rendered = printing.render_count()
    again = user_client.get(old_url)
    current = user_client.get(pdf_url(published))

    assert printing.render_count() == rendered + 1  # only the new version in force rendered
    assert again.content == first.content
    assert "销售经理" in pdf_text(again.content)
    assert "销售总监" in pdf_text(current.content)
    assert again["Content-Disposition"].endswith("-V1.pdf")
    assert current["Content-Disposition"].endswith("-V2.pdf")

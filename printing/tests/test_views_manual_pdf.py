"""The 权责手册 as an A3 landscape PDF: a version (stored once) and the working copy (草稿)."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from positions.services import manual as manual_service
from positions.tests.manual_ui_helpers import (
    build_org,
    employee,
    hr,
    key,
    leader,
    marketing_document,
    publish,
    write,
)
from positions.tests.text import compact, page_text, pdf_pages, pdf_text
from printing.services import manual_pdf
from printing.tests.book_helpers import run_worker

pytestmark = pytest.mark.django_db

A3_LANDSCAPE = (1190.55, 841.89)  # points


@pytest.fixture
def org():
    return build_org()


def page_size(data: bytes) -> tuple[float, float]:
    box = PdfReader(io.BytesIO(data)).pages[0].mediabox
    return round(float(box.width), 2), round(float(box.height), 2)


def big_document(org: dict, bands: int = 120, extra_columns: int = 0) -> dict:
    document = marketing_document(org)
    columns = [
        {"key": f"b机构{n}", "kind": "body", "label": f"机构{n}"} for n in range(extra_columns)
    ]
    document["columns"] += columns
    matters = [
        {
            "name": f"事项{n}",
            "note": "",
            "bands": [
                {
                    "condition": "",
                    "cells": {key(org["clerk"]): "execute", key(org["manager"]): "approve"}
                    | {c["key"]: "inform" for c in columns},
                }
            ],
        }
        for n in range(bands)
    ]
    document["categories"].append({"name": "财务管理", "matters": matters})
    return document


def test_manual_version_pdf_reads_back_header_legend_and_cells(client, org):
    version = publish(org)
    client.force_login(employee(org["clerk"]))
    response = client.get(reverse("positions:manual-version-pdf", kwargs={"number": 1}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = response.content
    assert page_size(data) == A3_LANDSCAPE
    text = compact(pdf_text(data))
    assert compact("权责手册") in text
    assert "文号：HXJT-QZ-2026-01" in text
    assert "版本：V1" in text
    assert "生效日期：2026年12月1日" in text
    assert "权限级别：提议审核会签审批执行知情" in text
    assert "营销管理优惠申请折扣≤98%" in text
    assert "第1页共1页" in text
    assert "草稿" not in text
    assert version.label == "V1"


def test_manual_version_pdf_is_stored_once_under_its_fingerprint(client, org):
    publish(org)
    client.force_login(employee(org["clerk"]))
    url = reverse("positions:manual-version-pdf", kwargs={"number": 1})
    first = client.get(url).content
    name = manual_pdf.stored_name(1, manual_pdf.fingerprint())
    assert default_storage.exists(name)
    with default_storage.open(name, "rb") as handle:
        assert handle.read() == first
    before = manual_pdf.pdf.render_count()
    assert client.get(url).content == first
    assert manual_pdf.pdf.render_count() == before  # served from storage, not rendered


def test_manual_draft_pdf_has_the_watermark_on_every_page_and_repeats_headers(client, org):
    editor = hr()
    write(editor, big_document(org, bands=120))
    client.force_login(editor)
    response = client.get(reverse("positions:manual-draft-pdf"))
    assert response.status_code == 200
    pages = [compact(page) for page in pdf_pages(response.content)]
    assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        assert "草稿" in page
        assert "类别事项档位/条件总经理" in page  # the header row on every page
        assert f"第{number}页共{len(pages)}页" in page
    assert "工作稿（未生效）" in pages[0]


def test_manual_pdf_many_columns_print_in_groups_with_the_first_columns_repeated(org):
    document = big_document(org, bands=3, extra_columns=40)
    edition = manual_pdf.Edition("", None, "草稿", draft=True)
    data = manual_pdf.render_manual(document, edition, in_process=True)
    text = compact(pdf_text(data))
    assert "第1部分（共2部分）：第1–28列" in text
    assert "第2部分（共2部分）：第29–41列" in text
    assert text.count("类别事项档位/条件") == 2


def test_manual_draft_pdf_employee_refused(client, org):
    client.force_login(employee(org["clerk"]))
    response = client.get(reverse("positions:manual-draft-pdf"))
    assert response.status_code == 403
    assert "只有 HR 编辑和权责手册的审核、审批人可以打印工作稿。" in page_text(response)


def test_manual_version_pdf_unknown_version_is_404(client, org):
    client.force_login(employee(org["clerk"]))
    response = client.get(reverse("positions:manual-version-pdf", kwargs={"number": 9}))
    assert response.status_code == 404
    assert "权责手册没有这个版本。" in page_text(response)


def test_manual_draft_pdf_too_large_is_refused_in_chinese(client, org, settings):
    settings.PDF_MAX_HTML_MB = 0
    editor = hr()
    write(editor, marketing_document(org))
    client.force_login(editor)
    response = client.get(reverse("positions:manual-draft-pdf"))
    assert response.status_code == 422
    assert "打印内容过大" in page_text(response)


def test_warm_manual_pdf_stores_the_version_in_force_once(org):
    out = io.StringIO()
    call_command("warm_manual_pdf", stdout=out)
    assert out.getvalue() == "权责手册尚无生效版本，未生成 PDF。\n"
    publish(org)
    call_command("warm_manual_pdf", stdout=out)
    assert "权责手册 V1 的 PDF 已生成并保存。" in out.getvalue()
    assert default_storage.exists(manual_pdf.stored_name(1, manual_pdf.fingerprint()))
    call_command("warm_manual_pdf", stdout=out)
    assert "权责手册 V1 的 PDF 已是最新，无需重新生成。" in out.getvalue()


def test_approving_the_manual_stores_its_pdf_in_the_worker(
    client, org, django_capture_on_commit_callbacks
):
    name = manual_pdf.stored_name(1, manual_pdf.fingerprint())
    with django_capture_on_commit_callbacks(execute=True):
        publish(org)  # … approve: V1 in force, its render queued on commit
    assert not default_storage.exists(name)  # queued, not rendered in the request

    run_worker()

    assert default_storage.exists(name)
    with default_storage.open(name, "rb") as handle:
        stored = handle.read()
    assert "已生效" in compact(pdf_text(stored))
    assert "优惠申请折扣≤98%" in compact(pdf_text(stored))
    client.force_login(employee(org["clerk"]))
    before = manual_pdf.pdf.render_count()
    response = client.get(reverse("positions:manual-version-pdf", kwargs={"number": 1}))
    assert response.content == stored
    assert manual_pdf.pdf.render_count() == before  # the reader got the stored copy


def test_approval_render_skips_a_version_replaced_before_the_worker_ran(
    org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publish(org)  # V1
        editor = hr("hr-again", name="周人事")
        document = marketing_document(org)
        document["doc_no"] = "HXJT-QZ-2026-02"
        write(editor, document)
        manual_service.submit(user=editor)
        manual_service.review(user=hr("hr-rev2", name="吴审核"))
        manual_service.approve(user=leader(org["gm"], username="boss2"))  # V2
    before = manual_pdf.pdf.render_count()

    run_worker()

    assert manual_pdf.pdf.render_count() == before + 1  # V2 only
    assert not default_storage.exists(manual_pdf.stored_name(1, manual_pdf.fingerprint()))
    assert default_storage.exists(manual_pdf.stored_name(2, manual_pdf.fingerprint()))

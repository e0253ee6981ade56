"""Print layouts on paper: the seed's forms read back from the PDF, the company default, the
department override, the one-off choice, stored PDFs kept per layout, and books."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from positions.layouts import LAYOUTS
from positions.models import CompanyProfile, Department, Position, Version
from positions.permissions import HR_EDITOR, role_group
from positions.tests.factories import FullPositionFactory, UserFactory
from positions.tests.text import compact, html_text, page_text
from printing.services import books, company
from printing.services import stored as printing

# Each seed sheet's form, with the labels its paper shows, in the order they appear.
FORMS = {
    "销售经理": (
        "a",
        (
            "销售经理职位说明书(补充)",
            "职位名称",
            "所在部门",
            "直接上级",
            "职位编号",
            "工作地点",
            "制定者",
            "职位等级",
            "填写日期",
            "审核者",
            "职位概要描述",
            "职位关系",
            "直属上司",
            "本职位",
            "直接下属",
            "工作内容与主要职责",
            "重要性",
            "主要职责",
            "工作内容",
        ),
    ),
    "营销策划专员": (
        "b",
        (
            "营销策划专员职位说明书",
            "职位名称",
            "职位代码",
            "MK105",
            "职位等级",
            "直属上级",
            "设岗目的",
            "工作职责",
            "序号",
            "工作内容",
            "职位关系",
            "营销策划经理",
            "本职位",
        ),
    ),
    "销售管理专员": (
        "c",
        (
            "销售管理专员职位说明书",
            "职位名称",
            "职位编号",
            "所属部门",
            "职位编制",
            "直接上级",
            "直接下属",
            "岗位职等",
            "职位使命",
            "工作职责及内容",
            "职责描述",
            "负责程度",
            "考核要点",
            "参与部门管理",
            "销售业务管理",
            "编制：",
            "时间：",
            "审核：",
            "时间：",
            "审批：",
            "时间：",
        ),
    ),
}


@pytest.fixture(autouse=True)
def isolated_printing(settings, tmp_path):
    """Storage in a temporary MEDIA_ROOT, renders in this process, a fresh company identity."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PDF_RENDER_TIMEOUT_SECONDS = 0
    company.forget_company_profile()
    yield
    company.forget_company_profile()


def pdf_url(position: Position, layout: str = "") -> str:
    url = reverse("positions:position-pdf", kwargs={"pk": position.pk})
    return f"{url}?layout={layout}" if layout else url


def read_back(data: bytes) -> str:
    """The PDF's text as laid out on the page (poppler's pdftotext), without whitespace: the
    labels in the order a reader meets them, top to bottom, left to right."""
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True, timeout=60
    )
    return compact(result.stdout.decode())


def in_order(text: str, labels: tuple[str, ...]) -> list[str]:
    """The labels not found in ``text`` after the previous one (empty: all in order)."""
    missing, at = [], 0
    for label in labels:
        found = text.find(label, at)
        if found < 0:
            missing.append(label)
        else:
            at = found + len(label)
    return missing


def seed_position(title: str) -> Position:
    return Position.objects.get(title=title)


def stored_files(position: Position) -> list[str]:
    folder = f"{printing.STORAGE_PREFIX}/{position.pk}"
    if not default_storage.exists(folder):
        return []
    return sorted(default_storage.listdir(folder)[1])


def set_company_layout(key: str) -> None:
    profile = company.company_profile()
    company.save_company_profile(
        name=profile.name, document_prefix=profile.document_prefix, sheet_layout=key
    )
    company.forget_company_profile()


@pytest.mark.parametrize("title", list(FORMS))
def test_seed_sheet_prints_in_its_forms_layout_with_its_labels_in_order(seed, user_client, title):
    key, labels = FORMS[title]

    response = user_client.get(pdf_url(seed_position(title), key))

    assert response["Content-Type"] == "application/pdf"
    assert in_order(read_back(response.content), labels) == []


def test_seed_sheet_page_shows_the_chosen_layout(seed, user_client):
    position = seed_position("销售管理专员")
    url = reverse("positions:position-sheet", kwargs={"pk": position.pk})

    text = compact(page_text(user_client.get(f"{url}?layout=c")))

    assert in_order(text, FORMS["销售管理专员"][1]) == []
    html = user_client.get(f"{url}?layout=c").content.decode()
    assert re.search(r'id="pdf-button" href="[^"]*/pdf/\?layout=c"', html)
    assert '<option value="c" selected>' in html


def test_company_layout_prints_every_sheet_and_a_department_overrides_it(seed, user_client):
    set_company_layout("c")
    planner = seed_position("营销策划专员")
    Department.objects.filter(pk=planner.department_id).update(sheet_layout="b")

    planner_text = read_back(user_client.get(pdf_url(planner)).content)
    manager_text = read_back(user_client.get(pdf_url(seed_position("销售经理"))).content)

    assert in_order(planner_text, FORMS["营销策划专员"][1]) == []
    assert "职位使命" not in planner_text
    assert "工作职责及内容" in manager_text
    assert "编制：" in manager_text
    assert "职位说明书(补充)" not in manager_text


def test_one_off_layout_overrides_the_department(seed, user_client):
    planner = seed_position("营销策划专员")
    Department.objects.filter(pk=planner.department_id).update(sheet_layout="b")

    text = read_back(user_client.get(pdf_url(planner, "a")).content)

    assert "营销策划专员职位说明书(补充)" in text
    assert "职位代码" not in text


def test_unknown_layout_is_refused_with_a_chinese_message(seed, user_client):
    position = seed_position("销售经理")
    page_url = reverse("positions:position-sheet", kwargs={"pk": position.pk})
    before = printing.render_count()

    pdf_response = user_client.get(pdf_url(position, "zz"))
    page_response = user_client.get(f"{page_url}?layout=zz")

    assert pdf_response.status_code == page_response.status_code == 400
    assert "没有这种打印版式：zz。请从 standard、a、b、c 中选择。" in page_text(pdf_response)
    assert "没有这种打印版式：zz" in page_response.content.decode()
    assert printing.render_count() == before
    assert stored_files(position) == []


@pytest.fixture
def published(db):
    return FullPositionFactory(title="销售经理", code="FZ-XS-001", duties=3)


def test_stored_pdf_is_kept_per_layout(user_client, published):
    default = user_client.get(pdf_url(published))
    one_off = user_client.get(pdf_url(published, "a"))
    rendered = printing.render_count()
    again = user_client.get(pdf_url(published))
    one_off_again = user_client.get(pdf_url(published, "a"))

    assert printing.render_count() == rendered  # both served from storage
    assert again.content == default.content
    assert one_off_again.content == one_off.content
    assert default.content != one_off.content
    names = stored_files(published)
    assert [name.split("-")[:2] for name in names] == [["v1", "a"], ["v1", "standard"]]


def test_stored_pdf_fingerprint_differs_per_layout(published):
    fingerprints = {
        key: printing.layout_fingerprint(None, layout) for key, layout in LAYOUTS.items()
    }

    assert len(set(fingerprints.values())) == len(LAYOUTS)


def test_forget_older_deletes_only_older_copies_of_the_same_layout(user_client, published):
    folder = f"{printing.STORAGE_PREFIX}/{published.pk}"
    for stale in ("v1-a-0123456789abcdef0123.pdf", "v1-0123456789abcdef0123.pdf"):
        default_storage.save(f"{folder}/{stale}", ContentFile(b"%PDF old"))
    user_client.get(pdf_url(published))  # stores the standard layout
    assert "v1-a-0123456789abcdef0123.pdf" in stored_files(published)  # another layout: kept

    user_client.get(pdf_url(published, "a"))

    names = stored_files(published)
    assert "v1-a-0123456789abcdef0123.pdf" not in names
    assert "v1-0123456789abcdef0123.pdf" not in names  # named before layouts: replaced
    assert [name.split("-")[1] for name in names] == ["a", "standard"]


def test_stored_copy_resolves_the_layout_in_at_most_one_light_query(
    user_client, published, django_assert_num_queries
):
    user_client.get(pdf_url(published))
    user_client.get(pdf_url(published, "b"))
    version = Version.objects.select_related("position").get(position=published)
    company.company_profile()  # cached for the process, as in a running server

    with django_assert_num_queries(1):
        assert printing.stored_copy(version) is not None
    with django_assert_num_queries(0):
        assert printing.stored_copy(version, "b") is not None
    with django_assert_num_queries(0):
        assert printing.stored_copy(version, "c") is None  # not stored yet: never renders


def test_stored_copy_with_the_department_setting_read_already_needs_no_query(
    user_client, published, django_assert_num_queries
):
    user_client.get(pdf_url(published))
    version = Version.objects.select_related("position").get(position=published)
    company.company_profile()

    with django_assert_num_queries(0):
        copy = printing.stored_copy(version, department_setting="")
    assert copy == user_client.get(pdf_url(published)).content
    with django_assert_num_queries(0):  # another layout's copy is not stored yet
        assert printing.stored_copy(version, department_setting="b") is None


def test_book_prints_each_sheet_in_its_departments_layout_and_its_key_includes_them(seed):
    profile = company.company_profile()
    manager = seed_position("销售经理")
    planner = seed_position("营销策划专员")
    versions = [manager.current_version, planner.current_version]
    selection = books.BookSelection(kind="selection", title="自选职位", versions=tuple(versions))
    key_before = books.book_key(selection, profile)

    Department.objects.filter(pk=planner.department_id).update(sheet_layout="b")
    Department.objects.filter(pk=manager.department_id).update(sheet_layout="a")
    entries = books.book_entries(versions, company=profile)

    assert books.book_key(selection, profile) != key_before
    assert "销售经理职位说明书(补充)" in compact(html_text(entries[0].html))
    assert "职位代码" in compact(html_text(entries[1].html))
    assert [layout.key for layout in books.sheet_layouts(versions, profile)] == ["a", "b"]


def test_company_settings_saves_the_default_layout(seed, client):
    editor = UserFactory(username="hr-all")
    editor.groups.add(role_group(HR_EDITOR))
    client.force_login(editor)
    url = reverse("positions:company-settings")

    bad = client.post(url, {"name": "海峡集团", "sheet_layout": "zz"})
    good = client.post(url, {"name": "海峡集团", "sheet_layout": "b"}, follow=True)

    assert bad.status_code == 200
    assert "请选择有效的打印版式。" in page_text(bad)
    assert "公司信息已保存" in page_text(good)
    assert CompanyProfile.objects.get().sheet_layout == "b"

"""公司信息: HR edits the company identity; it shows on every sheet."""

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from positions.models import CompanyProfile
from positions.permissions import EMPLOYEE, HR_EDITOR, role_group
from positions.tests.factories import (
    DepartmentFactory,
    EditorScopeFactory,
    PositionFactory,
    UserFactory,
)
from printing.services import company

URL = reverse("positions:company-settings")


@pytest.fixture(autouse=True)
def isolated_company(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    company.forget_company_profile()
    yield
    company.forget_company_profile()


def png_bytes() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\x1f\x4e\x8c"))
        + chunk(b"IEND", b"")
    )


def test_company_settings_saves_name_prefix_and_logo(hr_client):
    response = hr_client.post(
        URL,
        {
            "name": "海峡地产集团有限公司",
            "document_prefix": "HXDC-HR",
            "logo": SimpleUploadedFile("标志.png", png_bytes(), content_type="image/png"),
        },
        follow=True,
    )

    assert response.redirect_chain == [(URL, 302)]
    assert "公司信息已保存" in response.content.decode()
    profile = CompanyProfile.objects.get()
    assert (profile.name, profile.document_prefix) == ("海峡地产集团有限公司", "HXDC-HR")
    assert profile.logo.name.endswith(".png")
    assert company.company_profile().name == "海峡地产集团有限公司"
    page = response.content.decode()
    assert 'value="海峡地产集团有限公司"' in page
    assert "HXDC-HR-FZ-XS-001" in page  # the preview
    assert 'src="data:image/png;base64,' in page


def test_company_settings_shows_on_the_sheet_page(hr_client):
    position = PositionFactory(title="售楼员", code="FZ-XS-101")
    hr_client.post(URL, {"name": "海峡地产集团有限公司", "document_prefix": "HXDC"})

    page = hr_client.get(reverse("positions:position-sheet", kwargs={"pk": position.pk}))

    text = page.content.decode()
    assert 'class="sheet-company-name">海峡地产集团有限公司<' in text
    assert "HXDC-FZ-XS-101" in text


def test_company_settings_unset_shows_the_default_from_the_org_tree(hr_client):
    DepartmentFactory(name="海峡集团", parent=None, order=0)

    page = hr_client.get(URL).content.decode()

    assert "尚未设置公司信息" in page
    assert "海峡集团" in page


def test_company_settings_clear_logo_removes_the_file(hr_client):
    company.save_company_profile(
        name="海峡地产",
        document_prefix="",
        logo=SimpleUploadedFile("logo.png", png_bytes()),
    )
    stored = CompanyProfile.objects.get().logo
    storage, name = stored.storage, stored.name

    hr_client.post(URL, {"name": "海峡地产", "document_prefix": "", "clear_logo": "on"})

    assert not CompanyProfile.objects.get().logo
    assert not storage.exists(name)


@pytest.mark.parametrize(
    ("filename", "content", "error"),
    [
        ("logo.gif", b"GIF89a\x01\x00\x01\x00", "公司标志只能是 PNG、JPEG 或 SVG 图片"),
        ("logo.png", b"MZ\x90\x00 not an image", "文件内容不是有效的 PNG、JPEG 或 SVG 图片"),
        (
            "logo.svg",
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg></svg>',
            "SVG 不能包含 DOCTYPE",
        ),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><text x="0" y="9">HX</text></svg>',
            "SVG 标志中含有文字",
        ),
    ],
)
def test_company_settings_bad_logo_keeps_typed_values(hr_client, filename, content, error):
    response = hr_client.post(
        URL,
        {
            "name": "海峡地产集团有限公司",
            "document_prefix": "HXDC-HR",
            "logo": SimpleUploadedFile(filename, content),
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert error in page
    assert 'value="海峡地产集团有限公司"' in page
    assert 'value="HXDC-HR"' in page
    assert not CompanyProfile.objects.exists()


def test_company_settings_refuses_an_empty_name_and_a_prefix_with_spaces(hr_client):
    response = hr_client.post(URL, {"name": "  ", "document_prefix": "HX DC"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "请填写公司名称。" in page
    assert "文件编号前缀不能包含空格。" in page
    assert not CompanyProfile.objects.exists()


def test_company_settings_is_refused_to_employees_and_scoped_hr(client, db):
    employee = UserFactory(username="lin")
    employee.groups.add(role_group(EMPLOYEE))
    scoped = UserFactory(username="scoped-hr")
    scoped.groups.add(role_group(HR_EDITOR))
    EditorScopeFactory(user=scoped, department=DepartmentFactory())

    for user in (employee, scoped):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, {"name": "篡改"}).status_code == 403
    assert not CompanyProfile.objects.exists()


def test_company_settings_sends_anonymous_to_login(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_company_settings_link_in_menu_only_for_those_who_may_edit(client, hr_user, user):
    me = reverse("positions:my-position")
    client.force_login(hr_user)
    assert 'id="nav-company"' in client.get(me).content.decode()
    client.force_login(user)
    assert 'id="nav-company"' not in client.get(me).content.decode()

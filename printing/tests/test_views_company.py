"""公司信息: HR edits the company identity; it shows on every sheet."""

import importlib
import io
import random
import struct
import types
import zlib

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from positions.models import CompanyProfile
from positions.permissions import EMPLOYEE, HR_EDITOR, role_group
from positions.tests.factories import (
    DepartmentFactory,
    EditorScopeFactory,
    PositionFactory,
    UserFactory,
)
from printing.services import company

remove_svg_logo = importlib.import_module(
    "positions.migrations.0014_remove_svg_company_logo"
).remove_svg_logo

URL = reverse("positions:company-settings")
NOT_RASTER = "请上传 PNG 或 JPEG 格式的标志。"


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
        ("logo.gif", b"GIF89a\x01\x00\x01\x00", NOT_RASTER),
        ("logo.png", b"MZ\x90\x00 not an image", NOT_RASTER),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', NOT_RASTER),
        ("logo.png", png_bytes()[:40], "公司标志文件已损坏或无法读取"),
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


# --- logo limits: PNG or JPEG only, bounded in bytes and pixels -------------------------------


def nested_use_svg() -> bytes:
    """~2 KB of SVG whose nested <use> elements draw 10^9 shapes (a renderer bomb)."""
    levels = [
        f'<g id="l{n}">' + "".join(f'<use href="#l{n - 1}"/>' for _ in range(10)) + "</g>"
        for n in range(1, 10)
    ]
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><defs>'
        '<path id="l0" d="M0 0h1v1z"/>' + "".join(levels) + '</defs><use href="#l9"/></svg>'
    ).encode()


def png_header(width: int, height: int) -> bytes:
    """A PNG claiming ``width`` × ``height`` pixels with a tiny body (a decompression bomb)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00" * 4096))
        + chunk(b"IEND", b"")
    )


def pillow_image(width: int, height: int, fmt: str = "PNG", *, noise: bool = False) -> bytes:
    image = Image.new("RGB", (width, height), "#c0392b")
    if noise:
        pixels = random.Random(1).randbytes(width * height * 3)  # incompressible
        image = Image.frombytes("RGB", (width, height), pixels)
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def post_logo(client, filename: str, content: bytes):
    return client.post(
        URL,
        {
            "name": "海峡地产集团有限公司",
            "document_prefix": "",
            "logo": SimpleUploadedFile(filename, content),
        },
    )


def stored_company_files() -> list[str]:
    return default_storage.listdir("company")[1] if default_storage.exists("company") else []


@pytest.mark.parametrize("filename", ["logo.svg", "logo.png"])
def test_company_settings_refuses_an_svg_logo_and_stores_nothing(hr_client, filename):
    content = nested_use_svg()
    assert len(content) < 2048  # passes any size check: only its type refuses it

    response = post_logo(hr_client, filename, content)

    assert response.status_code == 200
    assert NOT_RASTER in response.content.decode()
    assert not CompanyProfile.objects.exists()
    assert stored_company_files() == []


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (png_header(60_000, 60_000), "公司标志的尺寸不能超过 2000×2000 像素，请缩小后再上传。"),
        (
            png_header(12_000, 9_000),
            "公司标志的尺寸不能超过 2000×2000 像素（当前 12000×9000 像素）",
        ),
        (pillow_image(2001, 10), "（当前 2001×10 像素）"),
    ],
)
def test_company_settings_refuses_a_logo_of_too_many_pixels(hr_client, content, error):
    assert len(content) < 10 * 1024

    response = post_logo(hr_client, "logo.png", content)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not CompanyProfile.objects.exists()
    assert stored_company_files() == []


def test_company_settings_refuses_a_logo_over_512_kb(hr_client):
    content = pillow_image(600, 600, noise=True)
    assert len(content) > 512 * 1024

    response = post_logo(hr_client, "logo.png", content)

    assert "公司标志不能超过 512 KB（当前" in response.content.decode()
    assert not CompanyProfile.objects.exists()


def test_company_settings_pixel_limit_is_a_setting(settings, hr_client):
    settings.COMPANY_LOGO_MAX_PIXELS = 100

    response = post_logo(hr_client, "logo.png", pillow_image(120, 40))

    assert "公司标志的尺寸不能超过 100×100 像素（当前 120×40 像素）" in response.content.decode()


def test_company_settings_png_logo_is_accepted_and_printed_in_the_pdf(settings, hr_client):
    settings.PDF_RENDER_TIMEOUT_SECONDS = 0
    position = PositionFactory(title="销售经理")

    response = post_logo(hr_client, "标志.png", pillow_image(120, 40))
    assert response.status_code == 302
    assert CompanyProfile.objects.get().logo.name.endswith(".png")
    pdf = hr_client.get(reverse("positions:position-pdf", kwargs={"pk": position.pk}))

    assert pdf.status_code == 200
    images = PdfReader(io.BytesIO(pdf.content)).pages[0].images
    assert [(image.image.width, image.image.height) for image in images] == [(120, 40)]


def test_company_settings_jpeg_named_png_is_stored_as_jpg(hr_client):
    response = post_logo(hr_client, "logo.png", pillow_image(60, 20, "JPEG"))

    assert response.status_code == 302
    assert CompanyProfile.objects.get().logo.name.endswith(".jpg")


def test_svg_logo_migration_clears_the_logo_and_company_settings_asks_for_a_new_one(hr_client):
    svg = default_storage.save("company/logo.svg", ContentFile(nested_use_svg()))
    CompanyProfile.objects.create(name="海峡地产", logo=svg)

    remove_svg_logo(apps, types.SimpleNamespace(connection=connection))

    assert not CompanyProfile.objects.get().logo
    assert not default_storage.exists(svg)
    page = hr_client.get(URL).content.decode()
    assert "原标志为 SVG 格式，已停用，请上传 PNG 或 JPEG 格式的标志。" in page
    # A new logo ends the notice.
    assert post_logo(hr_client, "logo.png", pillow_image(120, 40)).status_code == 302
    assert "原标志为 SVG 格式" not in hr_client.get(URL).content.decode()


def test_svg_logo_migration_keeps_a_png_logo(hr_client):
    png = default_storage.save("company/logo.png", ContentFile(pillow_image(120, 40)))
    CompanyProfile.objects.create(name="海峡地产", logo=png)

    remove_svg_logo(apps, types.SimpleNamespace(connection=connection))

    assert CompanyProfile.objects.get().logo.name == png
    assert default_storage.exists(png)
    assert "原标志为 SVG 格式" not in hr_client.get(URL).content.decode()


# --- shared object storage (S3) ---------------------------------------------------------------


@pytest.mark.s3
def test_company_settings_logo_stored_in_s3_is_printed_in_the_pdf(settings, s3_storage, hr_client):
    settings.PDF_RENDER_TIMEOUT_SECONDS = 0
    position = PositionFactory(title="销售经理")

    response = post_logo(hr_client, "标志.png", pillow_image(120, 40))

    assert response.status_code == 302
    logo = CompanyProfile.objects.get().logo
    assert logo.name.startswith("company/") and logo.name.endswith(".png")
    assert type(logo.storage._wrapped).__module__ == "jobdesc.s3"
    assert default_storage.listdir("company") == ([], [logo.name.removeprefix("company/")])
    page = hr_client.get(URL).content.decode()
    assert 'src="data:image/png;base64,' in page
    # WeasyPrint gets the logo's bytes from storage as a data: URL and fetches nothing.
    pdf = hr_client.get(reverse("positions:position-pdf", kwargs={"pk": position.pk}))
    assert pdf.status_code == 200
    images = PdfReader(io.BytesIO(pdf.content)).pages[0].images
    assert [(image.image.width, image.image.height) for image in images] == [(120, 40)]


def test_company_settings_logo_with_storage_unreachable_says_so_and_saves_nothing(
    s3_unreachable, hr_client
):
    response = post_logo(hr_client, "标志.png", pillow_image(120, 40))

    assert response.status_code == 503
    page = response.content.decode()
    assert "文件存储暂时不可用，请稍后再试" in page
    assert 'value="海峡地产集团有限公司"' in page  # what was typed is kept
    assert not CompanyProfile.objects.exists()

"""The sheet PDF: what it says, which fonts it embeds, and what it refuses to load."""

import datetime
import io
import re
import struct
import subprocess
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin

import pytest
import weasyprint
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.templatetags.static import static
from django.urls import reverse
from PIL import Image, ImageChops
from pypdf import PdfReader
from pypdf.generic import StreamObject

from positions.models import Position
from positions.services.versions import publish_version
from positions.sheet import build_sheet
from positions.tests.factories import DutyFactory, FullPositionFactory, PositionFactory
from positions.tests.text import compact, pdf_pages, pdf_text
from printing import pdf
from printing.pdf import BASE_URL, FetchRefused, StaticFileFetcher, html_to_pdf, render_pdf
from printing.services import company as company_service

STYLE_SUFFIX = re.compile(r"[-,](Regular|Bold|Medium|Light|DemiLight|Thin|Black|Heavy)$")


def pdf_holds(data: bytes, needle: bytes) -> bool:
    """Whether any (decompressed) stream of the PDF — pages, attachments … — contains needle."""
    reader = PdfReader(io.BytesIO(data))
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(number)
        except Exception:
            continue
        if isinstance(obj, StreamObject) and needle in obj.get_data():
            return True
    return False


def pdf_fonts(data: bytes) -> list[dict]:
    """Every font on every page: name without subset prefix, family, whether embedded."""
    fonts = []
    for page in PdfReader(io.BytesIO(data)).pages:
        resources = page.get("/Resources")
        font_dict = resources.get_object().get("/Font") if resources else None
        if not font_dict:
            continue
        for font in font_dict.get_object().values():
            font = font.get_object()
            descriptor_owner = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = descriptor_owner["/FontDescriptor"].get_object()
            name = re.sub(r"^[A-Z]{6}\+", "", str(font["/BaseFont"]).lstrip("/"))
            family = str(descriptor.get("/FontFamily") or STYLE_SUFFIX.sub("", name))
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts.append({"name": name, "family": family, "embedded": embedded})
    return fonts


class RecordingServer:
    """A real HTTP server on an ephemeral localhost port that records every request."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        recorded = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                recorded.append(self.path)
                body = b"root:x:0:0:root:/root:/bin/bash\n"
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> "RecordingServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def http_server():
    with RecordingServer() as server:
        yield server


# ---------------------------------------------------------------- content and fonts


@pytest.fixture
def full_pdf(db):
    position = FullPositionFactory(code="FZ-XS-001", duties=12)
    sheet = build_sheet(Position.objects.with_sheet().get(pk=position.pk))
    return render_pdf(sheet)


def test_render_pdf_contains_title_code_department_and_duty(full_pdf):
    text = pdf_text(full_pdf)

    assert full_pdf.startswith(b"%PDF-")
    assert "销售经理" in text
    assert "职位说明书" in text
    assert "FZ-XS-001" in text
    assert "销售部" in text
    assert "根据公司年度目标制定销售计划第1项；" in text
    assert "李鸿飞" in text


def test_render_pdf_has_page_x_of_y_footer(full_pdf):
    reader = PdfReader(io.BytesIO(full_pdf))
    total = len(reader.pages)

    assert total >= 2
    for number, page in enumerate(reader.pages, start=1):
        footer = re.search(r"第\s*(\d+)\s*页\s*/\s*共\s*(\d+)\s*页", page.extract_text())
        assert footer is not None, f"page {number} has no footer"
        assert (int(footer[1]), int(footer[2])) == (number, total)


def pages_text(data: bytes) -> list[str]:
    """Each page's text with all whitespace removed (letter-spaced words come back whole)."""
    return [compact(page) for page in pdf_pages(data)]


def render_position(position: Position) -> bytes:
    return render_pdf(build_sheet(Position.objects.with_sheet().get(pk=position.pk)))


def test_render_pdf_unpublished_has_draft_watermark_on_every_page(db):
    # 待审核: the stamp and the footer say 待审核, so 草稿 on a page can only be the watermark.
    position = FullPositionFactory(code="FZ-XS-001", duties=40, status=Position.Status.SUBMITTED)
    pages = pages_text(render_position(position))
    assert len(pages) >= 3
    assert all("草稿" in page for page in pages)
    assert all("待审核" in page for page in pages)  # the footer's state


def test_render_pdf_published_has_no_watermark(full_pdf):
    assert not any("草稿" in page for page in pages_text(full_pdf))


def test_render_pdf_footer_carries_code_state_and_effective_date(db):
    position = FullPositionFactory(
        code="FZ-XS-001", duties=30, approved_at=datetime.date(2026, 5, 20)
    )
    pages = pages_text(render_position(position))
    assert len(pages) >= 2
    for page in pages:
        # No 文件编号 prefix: the number is said once (文件编号 = 职位编号).
        assert "文件编号FZ-XS-001·版本V1·已生效·生效日期2026-05-20" in page


def test_render_pdf_embeds_one_cjk_family(full_pdf):
    fonts = pdf_fonts(full_pdf)

    assert fonts
    assert all(font["embedded"] for font in fonts), fonts
    families = {font["family"] for font in fonts}
    assert len(families) == 1, families
    assert "CJK" in families.pop()


def test_position_pdf_view_serves_the_sheet(user_client):
    # A reader without draft rights gets the version in force: the duty is in V1.

    position = PositionFactory(title="售楼员", code="FZ-XS-101", publish=False)
    DutyFactory(position=position, rank=1, tasks="负责对看楼客户的基本状况进行详细的资料登记；")
    publish_version(position)

    response = user_client.get(reverse("positions:position-pdf", kwargs={"pk": position.pk}))

    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "售楼员" in text
    assert "FZ-XS-101" in text
    assert "负责对看楼客户的基本状况进行详细的资料登记；" in text
    assert re.search(r"第\s*1\s*页\s*/\s*共\s*1\s*页", text)


# ---------------------------------------------------------------- what may be loaded


def test_position_pdf_with_hostile_text_loads_nothing(user_client, http_server):
    url = f"http://127.0.0.1:{http_server.port}/x"
    position = PositionFactory(
        summary=f'<img src="{url}">',
        purpose='<link rel="stylesheet" href="file:///etc/passwd">',
        commitments=(
            '<img src="/static/../../etc/passwd">\n<link rel="attachment" href="file:///etc/passwd">'
        ),
    )
    DutyFactory(position=position, rank=1, tasks=f"<img src={url}>")

    response = user_client.get(reverse("positions:position-pdf", kwargs={"pk": position.pk}))

    assert response.status_code == 200
    assert http_server.requests == []
    assert "root:" not in pdf_text(response.content)
    assert not pdf_holds(response.content, b"root:")


def test_html_to_pdf_fetcher_blocks_raw_html_resources(http_server):
    html = (
        f"<p>正文</p><img src=http://127.0.0.1:{http_server.port}/x>"
        f'<link rel="stylesheet" href="http://127.0.0.1:{http_server.port}/style.css">'
        '<img src="/static/../../etc/passwd">'
        '<link rel="attachment" href="file:///etc/passwd">'
        '<a rel="attachment" href="/static/%2e%2e/%2e%2e/etc/passwd">附件</a>'
    )

    pdf = html_to_pdf(html)

    assert http_server.requests == []
    assert "正文" in pdf_text(pdf)
    assert PdfReader(io.BytesIO(pdf)).attachments == {}
    assert not pdf_holds(pdf, b"root:")


def test_default_weasyprint_fetcher_would_leak(http_server):
    """Control: without our fetcher the same HTML reaches the server and embeds /etc/passwd,
    so the tests above would fail if StaticFileFetcher were not in the way."""
    html = (
        f"<p>正文</p><img src=http://127.0.0.1:{http_server.port}/x>"
        '<link rel="attachment" href="file:///etc/passwd">'
    )

    pdf = weasyprint.HTML(string=html, base_url=BASE_URL).write_pdf()

    assert http_server.requests == ["/x"]
    assert pdf_holds(pdf, b"root:")


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/x.png",
        "ftp://127.0.0.1/x",
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://otherhost/etc/passwd",
        f"file://{settings.BASE_DIR / 'static'}/../../../../etc/passwd",
        f"file://{settings.BASE_DIR / 'static'}/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        f"file://{settings.BASE_DIR / 'positions' / 'models.py'}",
        urljoin(BASE_URL, "/static/../../etc/passwd"),
        urljoin(BASE_URL, "/static/%2e%2e/%2e%2e/etc/passwd"),
        urljoin(BASE_URL, "/static/css/%2E%2E/%2E%2E/%2E%2E/%2E%2E/etc/passwd"),
        urljoin(BASE_URL, "/static/css%2f..%2f..%2f..%2fetc/passwd"),
        urljoin(BASE_URL, "/static/css/..%5c..%5cetc/passwd"),
        urljoin(BASE_URL, "/static/no-such-file.css"),
        urljoin(BASE_URL, "/etc/passwd"),
        "javascript:alert(1)",
    ],
)
def test_static_file_fetcher_refuses(url):
    with pytest.raises(FetchRefused):
        StaticFileFetcher().fetch(url)


def test_static_file_fetcher_refuses_http_without_a_request(http_server):
    with pytest.raises(FetchRefused):
        StaticFileFetcher().fetch(f"http://127.0.0.1:{http_server.port}/x")

    assert http_server.requests == []


def test_static_file_fetcher_serves_static_css():
    response = StaticFileFetcher().fetch(urljoin(BASE_URL, static("css/sheet.css")))

    assert response.status == 200
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


def test_static_file_fetcher_serves_hashed_name_collected_in_static_root(tmp_path, settings):
    """In production `{% static %}` links collectstatic's hashed copies (book.css →
    book.<hash>.css), which only STATIC_ROOT holds; the book and org chart PDFs link so."""
    settings.STATIC_ROOT = tmp_path / "collected"
    (settings.STATIC_ROOT / "css").mkdir(parents=True)
    (settings.STATIC_ROOT / "css" / "book.0123abcd4567.css").write_text(".cover { margin: 0 }")

    response = StaticFileFetcher().fetch(urljoin(BASE_URL, "/static/css/book.0123abcd4567.css"))

    assert response.read() == b".cover { margin: 0 }"
    with pytest.raises(FetchRefused):
        StaticFileFetcher().fetch(urljoin(BASE_URL, "/static/css/book.ffffffffffff.css"))


def test_static_file_fetcher_serves_file_url_inside_static():
    path = Path(settings.BASE_DIR) / "static" / "css" / "sheet.css"

    response = StaticFileFetcher().fetch(path.as_uri())

    assert b"counter(pages)" in response.read()


def test_static_file_fetcher_allows_data_urls():
    response = StaticFileFetcher().fetch("data:text/plain;base64,5q2j5paH")

    assert response.read().decode() == "正文"


def test_static_file_fetcher_refuses_symlink_leading_out(tmp_path, settings):
    static_dir = tmp_path / "static"
    (static_dir / "css").mkdir(parents=True)
    (static_dir / "css" / "ok.css").write_text("p { color: red }")
    (static_dir / "css" / "passwd.css").symlink_to("/etc/passwd")
    (static_dir / "outside").symlink_to("/etc")
    settings.STATICFILES_DIRS = [static_dir]

    fetcher = StaticFileFetcher()

    assert b"color: red" in fetcher.fetch(urljoin(BASE_URL, "/static/css/ok.css")).read()
    for url in (
        urljoin(BASE_URL, "/static/css/passwd.css"),
        urljoin(BASE_URL, "/static/outside/passwd"),
        (static_dir / "css" / "passwd.css").as_uri(),
        (static_dir / "outside" / "passwd").as_uri(),
    ):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)


# ---------------------------------------------------------------- print-grade sheet (issue 6)


@pytest.fixture
def company(db):
    company_service.forget_company_profile()
    profile = company_service.save_company_profile(
        name="海峡地产集团有限公司", document_prefix="HXDC-HR"
    )
    yield profile
    company_service.forget_company_profile()


def one_page_pdf() -> bytes:
    position = PositionFactory(title="售楼员", code="FZ-XS-101")
    DutyFactory(position=position, rank=1, tasks="负责对看楼客户的基本状况进行详细的资料登记；")

    version = publish_version(Position.objects.get(pk=position.pk))
    return render_pdf(build_sheet(version))


def all_fonts(data: bytes) -> list[dict]:
    """Every font object anywhere in the file (pages, forms, margin boxes)."""
    reader = PdfReader(io.BytesIO(data))
    fonts = []
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(number)
        except Exception:
            continue
        if not hasattr(obj, "get") or obj.get("/Type") != "/Font" or "/DescendantFonts" in obj:
            continue
        descriptor = obj["/FontDescriptor"].get_object() if "/FontDescriptor" in obj else {}
        font_file = next(
            (descriptor[key].get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
             if key in descriptor),
            None,
        )  # fmt: skip
        fonts.append(
            {
                "name": str(obj["/BaseFont"]).lstrip("/"),
                "subtype": str(obj["/Subtype"]),
                "file_subtype": str(font_file.get("/Subtype")) if font_file is not None else "",
                "file_size": len(font_file.get_data()) if font_file is not None else 0,
            }
        )
    return fonts


def test_render_pdf_one_page_sheet_embeds_only_noto_sans_cjk_regular_and_bold_subsets(db):
    data = one_page_pdf()
    fonts = all_fonts(data)

    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    assert sorted(re.sub(r"^[A-Z]{6}\+", "", font["name"]) for font in fonts) == [
        "Noto-Sans-CJK-SC",
        "Noto-Sans-CJK-SC-Bold",
    ]
    for font in fonts:
        assert re.match(r"^[A-Z]{6}\+", font["name"]), "not a subset"
        assert font["subtype"] == "/CIDFontType0"
        assert font["file_subtype"] == "/CIDFontType0C"  # the bare, renumbered CFF subset
        assert 0 < font["file_size"] < 80_000
    assert len(data) < 300_000


def test_render_pdf_subset_keeps_text_extractable_with_many_glyphs(db):
    # Glyph ids are renumbered in the embedded subset; text must still come back exactly.
    text = "鑫淼犇骉龘靐齉爨麤" + "职位说明书销售经理财务部" * 3
    position = PositionFactory(summary=text)
    data = render_position(position)

    assert text in "".join(pdf_text(data).split())


def rasterise(data: bytes, folder: Path, name: str) -> list:
    """Each page of the PDF as an RGB image at 100 dpi (poppler's pdftoppm)."""

    source = folder / f"{name}.pdf"
    source.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-r", "100", "-png", str(source), str(folder / name)],
        check=True,
        timeout=120,
    )
    return [Image.open(page).convert("RGB") for page in sorted(folder.glob(f"{name}-*.png"))]


def test_compact_cjk_subset_looks_exactly_like_weasyprints_own(db, tmp_path):
    """The renumbered CFF subsets draw the same glyphs as WeasyPrint's own embedding: the
    sheet rendered both ways and rasterised differs in at most 0.1 % of its pixels."""

    position = FullPositionFactory(
        title="售楼员",
        summary="鑫淼犇骉龘靐齉爨麤，负责对看楼客户的基本状况进行详细的资料登记",
        duties=6,
    )
    html = pdf.sheet_html(build_sheet(Position.objects.with_sheet().get(pk=position.pk)))
    ours = html_to_pdf(html, stylesheets=pdf.PDF_STYLESHEETS)
    theirs = html_to_pdf(html, compact_fonts=False, stylesheets=pdf.PDF_STYLESHEETS)
    # Two different files: ours embeds bare CFF subsets, WeasyPrint's own OpenType ones.
    assert {font["file_subtype"] for font in all_fonts(ours)} == {"/CIDFontType0C"}
    assert "/CIDFontType0C" not in {font["file_subtype"] for font in all_fonts(theirs)}

    our_pages, their_pages = (
        rasterise(ours, tmp_path, "ours"),
        rasterise(theirs, tmp_path, "theirs"),
    )

    assert len(our_pages) == len(their_pages) >= 1
    for page, (mine, reference) in enumerate(zip(our_pages, their_pages, strict=True), start=1):
        assert mine.size == reference.size
        pixels = mine.size[0] * mine.size[1]
        inked = sum(reference.convert("L").histogram()[:128])  # dark pixels
        assert inked > pixels * 0.005, f"page {page} is nearly blank"
        changed = pixels - ImageChops.difference(mine, reference).convert("L").histogram()[0]
        assert changed <= pixels * 0.001, f"page {page}: {changed} of {pixels} pixels differ"


def test_render_pdf_prints_company_and_document_number(company):
    data = render_position(FullPositionFactory(code="FZ-XS-001", duties=2))
    text = pdf_text(data)

    assert "海峡地产集团有限公司" in text
    assert "文件编号 HXDC-HR-FZ-XS-001" in text


def test_render_pdf_footer_has_document_number_code_version_and_pages(company):
    pages = pages_text(render_position(FullPositionFactory(code="FZ-XS-001", duties=30)))

    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert "文件编号HXDC-HR-FZ-XS-001·职位编号FZ-XS-001·版本V1·已生效" in page
        assert f"第{number}页/共{len(pages)}页" in page


def test_render_pdf_metadata_names_title_company_subject_and_date(company):
    data = render_position(FullPositionFactory(title="销售经理", code="FZ-XS-001", duties=2))
    info = PdfReader(io.BytesIO(data)).metadata

    assert info.title == "销售经理（FZ-XS-001） 职位说明书 V1"
    assert info.author == "海峡地产集团有限公司"
    assert "销售经理 职位说明书" in info.subject
    assert "HXDC-HR-FZ-XS-001" in info.subject
    assert info.creation_date is not None


def test_render_pdf_outline_has_the_sheet_and_one_entry_per_section(db):
    data = render_position(FullPositionFactory(title="销售经理", duties=2))
    outline = PdfReader(io.BytesIO(data)).outline

    assert outline[0].title == "销售经理职位说明书"
    sections = [item.title for item in outline[1]]
    assert sections[:2] == ["一、设岗目的", "二、职位概要"]
    assert "三、工作内容与主要职责" in sections
    assert any(title.endswith("任职资格") for title in sections)
    assert len(sections) >= 6


def test_render_pdf_repeats_duties_header_and_never_splits_a_duty(db):
    position = FullPositionFactory(code="FZ-XS-001", duties=40)
    pages = pages_text(render_position(position))
    duty_pages = [page for page in pages if "根据公司年度目标制定销售计划" in page]

    assert len(duty_pages) >= 2
    assert all("重要性主要职责工作内容" in page for page in duty_pages)
    for index in range(1, 41):
        whole = f"根据公司年度目标制定销售计划第{index}项；组织落实并跟踪执行情况；"
        assert sum(whole in page for page in pages) == 1, f"duty {index} split or missing"


def test_render_pdf_wraps_a_long_chinese_task_inside_its_cell(db):
    long_task = "负责统筹组织项目销售现场的客户接待来访登记认筹选房签约回款按揭办理" * 8
    position = PositionFactory(code="FZ-XS-009")
    DutyFactory(position=position, rank=1, tasks=long_task)

    data = render_pdf(build_sheet(publish_version(Position.objects.get(pk=position.pk))))
    page = pages_text(data)[0]

    assert long_task in page  # every character printed: wrapped, not clipped


def test_render_pdf_prints_the_company_logo(db, settings, tmp_path):

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00\x00\x00\xff"))
        + chunk(b"IEND", b"")
    )
    settings.MEDIA_ROOT = tmp_path
    company_service.forget_company_profile()
    company_service.save_company_profile(
        name="海峡地产", document_prefix="", logo=SimpleUploadedFile("logo.png", png)
    )
    try:
        data = render_position(PositionFactory())
    finally:
        company_service.forget_company_profile()
    reader = PdfReader(io.BytesIO(data))
    images = reader.pages[0].images

    assert len(images) == 1
    assert "海峡地产" in pdf_text(data)
    assert {re.sub(r"^[A-Z]{6}\+", "", font["name"]) for font in all_fonts(data)} == {
        "Noto-Sans-CJK-SC",
        "Noto-Sans-CJK-SC-Bold",
    }

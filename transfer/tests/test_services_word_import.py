"""Importing 职位说明书 from Word: the seed's three layouts, our own export, and bad files."""

from __future__ import annotations

import dataclasses
import datetime
import io
import shutil
import subprocess
import zipfile

import docx
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from reversion.models import Revision

from positions.layouts import LAYOUTS
from positions.models import (
    Department,
    Duty,
    Manual,
    Position,
    Qualification,
    SearchEntry,
    Version,
)
from positions.services import manual as manual_service
from positions.sheet import build_sheet
from positions.tests.factories import EditorScopeFactory, FullPositionFactory
from transfer.services.legacy import convert_legacy
from transfer.services.word import render_docx
from transfer.services.word_import.parser import parse_docx
from transfer.services.word_import.reader import WordImportError
from transfer.services.word_import.resolve import resolve_import
from transfer.services.word_import.upload import read_upload
from transfer.services.word_import.vocabulary import (
    column_key,
    experience_years,
    label_key,
    section_key,
)
from transfer.services.word_import.write import import_sheets, preview_changes
from transfer.tests import word_helpers
from transfer.tests.corpus import generate

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=DOCX)


def row_counts() -> dict[str, int]:
    return {
        "positions": Position.objects.count(),
        "duties": Duty.objects.count(),
        "qualifications": Qualification.objects.count(),
        "versions": Version.objects.count(),
    }


def sheet_of(position: Position):
    return build_sheet(Position.objects.with_sheet().get(pk=position.pk))


# --- labels ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("职位名称", "title"),
        ("岗位名称：", "title"),
        ("直属上级", "superior"),
        ("直属 上司", "superior"),
        ("职位代码", "code"),
        ("岗位编号", "code"),
        ("所属部门", "department"),
        ("制 定 者", "prepared_by"),
        ("审 核 者：", "reviewed_by"),
        ("岗位职等", "grade"),
        ("品质 / 意识", "qualities"),
        ("职位名称：售楼员", None),  # a label with its value is not a label cell
    ],
)
def test_label_key_recognises_variants_and_spaced_labels(label, key):
    assert label_key(label) == key


# --- our own export comes back -----------------------------------------------------------------


def test_docx_export_of_sales_manager_imported_back_changes_nothing(seed, hr_user):
    manager = Position.objects.with_sheet().get(code="FZ-XS-001")
    before = build_sheet(manager)
    revisions = Revision.objects.count()

    parsed = parse_docx(render_docx(before), "FZ-XS-001-销售经理.docx")
    plan = resolve_import(hr_user, parsed)
    assert plan.ok, plan.problems
    assert (plan.existing, plan.match) == (manager, "code")
    assert parsed.unrecognised == []
    preview_changes(hr_user, [plan])
    assert plan.unchanged and plan.field_differences == []
    (written,) = import_sheets(hr_user, [plan])

    written.refresh_from_db()
    assert written.pk == manager.pk
    assert (written.status, written.lock_version) == (
        Position.Status.PUBLISHED,
        manager.lock_version,
    )
    assert Revision.objects.count() == revisions
    assert sheet_of(written) == before


@pytest.mark.parametrize("key", ["a", "b", "c"])
@pytest.mark.parametrize("title", ["销售经理", "营销策划专员", "销售管理专员"])
def test_docx_export_in_each_print_layout_imported_back_changes_nothing(seed, hr_user, key, title):
    position = Position.objects.with_sheet().get(title=title)
    before = build_sheet(position)
    revisions = Revision.objects.count()

    parsed = parse_docx(render_docx(before, layout=LAYOUTS[key]), f"{title}.docx")
    plan = resolve_import(hr_user, parsed)
    assert plan.ok, plan.problems
    assert plan.existing == position
    assert parsed.unrecognised == []
    preview_changes(hr_user, [plan])
    assert plan.field_differences == []
    assert plan.unchanged
    import_sheets(hr_user, [plan])

    assert Revision.objects.count() == revisions
    assert sheet_of(position) == before


def test_docx_export_edited_imports_as_a_draft_without_the_files_sign_off(seed, hr_user):
    manager = Position.objects.with_sheet().get(code="FZ-XS-001")
    before = build_sheet(manager)
    version_sheet = manager.current_version.sheet
    parsed = parse_docx(render_docx(before), "FZ-XS-001-销售经理.docx")
    parsed.summary.append("负责案场的日常管理。")

    plan = resolve_import(hr_user, parsed)
    preview_changes(hr_user, [plan])

    assert [(d["section"], d["status_label"], d["new"]) for d in plan.field_differences] == [
        ("职位概要", "新增", "负责案场的日常管理。")
    ]
    assert (
        "“销售经理”已生效：导入后开始新版本的草稿，现行版本及其签核保持不变，草稿需重新提交审核。"
        in (plan.warnings)
    )
    # The file's sign-off is read as 原文件签核, never as the draft's.
    assert [row[1:4] for row in plan.original_signoff_rows] == [
        ("编制", "李鸿飞", "2006-08-16"),
        ("审核", "郑长胜", ""),
    ]
    (written,) = import_sheets(hr_user, [plan])

    after = sheet_of(written)
    assert after.summary == (*before.summary, "负责案场的日常管理。")
    assert after.duties == before.duties and after.header == before.header
    assert [(s.name, s.date) for s in after.sign_offs] == [("", "")] * 3
    written.refresh_from_db()
    assert written.status == Position.Status.DRAFT
    # The published version is untouched and still in force.
    assert written.current_version_id == manager.current_version_id
    assert Version.objects.get(pk=manager.current_version_id).sheet == version_sheet


SECTION_FIELDS = (
    "title",
    "code",
    "department",
    "header",
    "superior",
    "related_positions",
    "purpose",
    "summary",
    "duties",
    "commitments",
    "authorities",
    "qualifications",
    "relationships",
    "indicators",
)


def test_docx_export_of_every_seed_position_imports_back_unchanged(seed, hr_user):
    positions = list(Position.objects.with_sheet().order_by("pk"))
    before = {p.pk: build_sheet(p) for p in positions}

    taken: set[str] = set()
    plans = [
        resolve_import(hr_user, parse_docx(render_docx(sheet), sheet.filename), taken_codes=taken)
        for sheet in before.values()
    ]
    assert [p.problems for p in plans if p.problems] == []
    written = import_sheets(hr_user, plans)

    assert Position.objects.count() == len(positions)
    for position in written:
        after, original = sheet_of(position), before[position.pk]
        for name in SECTION_FIELDS:
            assert getattr(after, name) == getattr(original, name), (original.title, name)


# --- the seed's three layouts ------------------------------------------------------------------


def test_layout_a_header_table_with_spaced_sign_off_labels_is_recognised(seed, hr_user):
    parsed = parse_docx(word_helpers.layout_a(), "售楼员.docx")

    assert (parsed.title, parsed.code, parsed.department, parsed.superior) == (
        "售楼员",
        "FZ-XS-101",
        "销售部",
        "销售经理",
    )
    assert parsed.location == "福州市"
    assert parsed.summary == ["做好客户的售前、售中、售后引导、服务工作，完成个人销售任务。"]
    assert [(d.title, d.tasks) for d in parsed.duties] == [
        (
            "客户服务",
            [
                "负责对看楼客户的基本状况进行详细的资料登记",
                "负责对已登记的客户进行良好沟通并跟踪服务",
            ],
        ),
        ("销售服务", ["承担销售合同的签订和变更工作", "承担客户入住的通知工作"]),
    ]
    assert parsed.authorities == [("优惠申请权", "执行"), ("合同变更申请权", "提议")]
    assert parsed.qualifications == {
        "education": ["大专"],
        "experience": ["2 年以上地产销售工作经验"],
        "knowledge": ["地产法规及政策"],
        "skills": ["具有较强的沟通能力"],
        "qualities": ["具有较强的客服意识"],
    }
    assert parsed.sign_offs == {
        "prepared_by": "李鸿飞",
        "prepared_at": "2006年8月16日",
        "reviewed_by": "郑长胜",
    }
    assert parsed.related == "收款文员"
    plan = resolve_import(hr_user, parsed)
    assert plan.ok and plan.existing == Position.objects.get(code="FZ-XS-101")
    assert plan.dates["prepared_at"].isoformat() == "2006-08-16"


def test_layout_b_card_without_department_asks_for_one_then_imports(seed, hr_user):
    Position.objects.filter(code="MK105").update(code="MK105-OLD")  # so the file makes a new one
    parsed = parse_docx(word_helpers.layout_b(), "营销策划专员.docx")

    assert (parsed.title, parsed.code, parsed.grade, parsed.superior) == (
        "营销策划专员",
        "MK105",
        "5-8",
        "营销策划经理",
    )
    assert parsed.purpose == ["根据部门工作要求，对具体宣传工作进行策划，完成上级交给的任务。"]
    assert [d.tasks for d in parsed.duties] == [
        ["根据部门工作要求，进行营销策划某一具体部分的工作；"],
        ["根据工作要求，编写营销策划方案，收集、了解市场情况；"],
    ]
    assert parsed.qualifications["education"] == ["大学本科"]
    assert parsed.qualifications["major"] == ["营销、经济管理类、行政类和地产类专业"]
    assert parsed.unrecognised_texts == ["营销策划部经理"]  # the org diagram is listed, not guessed

    plan = resolve_import(hr_user, parsed)
    assert plan.problems == ["文件中没有所在部门，请选择所在部门。"]
    marketing = Department.objects.get(name="营销策划部")
    plan = resolve_import(hr_user, parsed, department=marketing)
    # A new 职位编号 with a title the department has: updating it is proposed, never a duplicate.
    old = Position.objects.get(code="MK105-OLD")
    assert (plan.existing, plan.match, plan.can_choose_create) == (old, "title", True)
    assert (
        "“营销策划部”已有职位“营销策划专员”（编号 MK105-OLD），"
        "文件的职位编号“MK105”在系统中不存在：将更新该职位，编号改为“MK105”。如需另建新职位，请选择「新建」。"
    ) in plan.warnings
    plan = resolve_import(hr_user, parsed, department=marketing, create_new=True)
    assert plan.ok and plan.existing is None and plan.title_match == old
    assert "“营销策划部”已有职位“营销策划专员”（编号 MK105-OLD）；按您的选择新建一个同名职位。" in (
        plan.warnings
    )
    (position,) = import_sheets(hr_user, [plan])

    sheet = sheet_of(position)
    assert (sheet.title, sheet.code, sheet.department) == ("营销策划专员", "MK105", "营销策划部")
    assert sheet.superior == "营销策划经理"
    assert (position.grade_min, position.grade_max) == (5, 8)
    assert position.status == Position.Status.DRAFT and position.current_version is None
    assert [row.label for row in sheet.qualifications] == ["学历", "专业", "工作经验", "专业知识"]
    assert position.qualification.education == Qualification.Education.BACHELOR
    assert position.qualification.experience_years == 3  # 「三年以上」


@pytest.mark.parametrize("variant", ["kinds", "areas"])
def test_layout_c_full_form_with_grouped_duties_and_sign_off_is_recognised(seed, hr_user, variant):
    parsed = parse_docx(word_helpers.layout_c(variant), "销售管理专员.docx")

    assert (parsed.title, parsed.code, parsed.department, parsed.superior) == (
        "销售管理专员",
        "YX-XG-01",
        "营销策划部",
        "营销策划部总经理",
    )
    assert (parsed.grade, parsed.headcount, parsed.location) == ("6", "1 人", "福州市")
    assert parsed.purpose == ["在营销策划部总经理的领导下，负责公司所有开发项目的销售管理工作。"]
    duties = [(d.group, d.kind, d.tasks, d.responsibility, d.assessment) for d in parsed.duties]
    if variant == "kinds":
        assert duties == [
            ("", "key", ["计划管理：参与拟订项目开发总体规划"], "full", ["计划的合理性"]),
            (
                "",
                "key",
                ["销售管理：负责各项目日常销售数据的收集、汇总"],
                "full",
                ["报表准确性及时性"],
            ),
            ("", "general", ["制度建设：参与拟订和修改公司营销管理制度"], "partial", []),
        ]
    else:
        assert duties == [
            (
                "参与部门管理",
                "",
                ["参与部门管理，提出改善工作的建议；"],
                "partial",
                ["建议的科学合理性"],
            ),
            ("参与部门管理", "", ["参加部门的相关工作会议；"], "partial", []),
            ("销售业务管理", "", ["协助部门领导制定销售管理相关流程和制度；"], "full", []),
        ]
    assert parsed.commitments == ["保证及时提供支持服务；", "保证销售数据准确。"]
    assert parsed.relationships == [
        ("internal", "项目公司销售部", ""),
        ("external", "客户", ""),
        ("external", "营销策划公司", ""),
        ("external", "销售代理公司", ""),
        ("administrative", "营销策划部总经理", ""),
    ]
    assert set(parsed.qualifications) == {"background", "skills", "qualities", "knowledge"}
    assert [name for name, _ in parsed.indicators] == [
        "服务及时性",
        "数据准确性",
        "提供数据及时性",
        "重大失误次数",
    ]
    assert parsed.sign_offs == {
        "prepared_by": "王人事",
        "prepared_at": "2006-09-01",
        "reviewed_by": "郑长胜",
        "reviewed_at": "2006-09-05",
        "approved_by": "赵总",
        "approved_at": "2006-09-10",
    }
    assert parsed.unrecognised == []

    plan = resolve_import(hr_user, parsed)
    assert plan.ok, plan.problems
    (position,) = import_sheets(hr_user, [plan])
    sheet = sheet_of(position)
    headings = [group.heading for group in sheet.duties.groups]
    assert headings == (
        ["重点工作", "一般工作"] if variant == "kinds" else ["参与部门管理", "销售业务管理"]
    )
    # Read for the preview, but never copied onto the draft: it is signed in jobdesc.
    assert [(s.label, s.name, s.date) for s in sheet.sign_offs] == [
        ("编制", "", ""),
        ("审核", "", ""),
        ("审批", "", ""),
    ]
    assert position.headcount == 1 and position.status == Position.Status.DRAFT
    assert SearchEntry.objects.filter(position=position, text__contains="计划管理").exists() == (
        variant == "kinds"
    )
    assert SearchEntry.objects.filter(position=position, text="销售管理专员").exists()


# --- problems and bad files ----------------------------------------------------------------------


def test_resolve_import_refuses_a_code_the_user_may_not_edit(seed, hr_user):
    scoped = hr_user
    EditorScopeFactory(user=scoped, department=Department.objects.get(name="销售部"))
    parsed = parse_docx(word_helpers.layout_c(), "销售管理专员.docx")
    parsed.code = "MK105"  # 营销策划专员, 营销策划部: outside the scope

    plan = resolve_import(scoped, parsed)

    assert "职位编号“MK105”已被“营销策划专员”使用，您无权修改该职位。" in plan.problems


def test_import_sheets_writes_nothing_when_one_file_has_a_problem(seed, hr_user):
    Position.objects.filter(code="MK105").update(code="MK105-OLD")
    good = resolve_import(hr_user, parse_docx(word_helpers.layout_c(), "c.docx"))
    bad = resolve_import(hr_user, parse_docx(word_helpers.layout_b(), "b.docx"))  # no department
    before = row_counts()

    with pytest.raises(ValidationError) as excinfo:
        import_sheets(hr_user, [good, bad])

    assert excinfo.value.messages == ["b.docx：文件中没有所在部门，请选择所在部门。"]
    assert row_counts() == before


def test_same_code_twice_in_one_upload_is_a_problem(seed, hr_user):
    taken: set[str] = set()
    data = word_helpers.layout_c()
    resolve_import(hr_user, parse_docx(data, "1.docx"), taken_codes=taken)
    second = resolve_import(hr_user, parse_docx(data, "2.docx"), taken_codes=taken)

    assert "职位编号“YX-XG-01”在本次上传的文件中出现了不止一次。" in second.problems


def corrupt_docx() -> bytes:
    data = bytearray(word_helpers.layout_a())
    start = data.index(b"word/document.xml") + 40
    data[start : start + 200] = b"\x00" * 200  # damage the compressed body: CRC fails
    return bytes(data)


def fake_legacy_doc() -> bytes:
    """The start of an OLE compound file holding a WordDocument stream (Word 97–2003)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + "WordDocument".encode("utf-16-le")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("说明书.docx", "职位名称：售楼员".encode(), "文件类型不支持"),
        ("说明书.docx", corrupt_docx(), "文件已损坏"),
        ("说明书.docx", word_helpers.plain_document("职位说明书", "没有表格"), "不像职位说明书"),
        ("说明书.docx", b"", "文件是空的"),
    ],
    ids=["text renamed", "corrupt zip", "no tables", "empty"],
)
def test_read_upload_refuses_bad_files_with_a_chinese_message(seed, name, data, message):
    before = row_counts()

    with pytest.raises(WordImportError) as excinfo:
        read_upload(upload(name, data))

    assert message in str(excinfo.value)
    assert row_counts() == before


def test_read_upload_refuses_a_file_over_the_limit(seed, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 10_000
    data = word_helpers.plain_document("很长的文件" * 5000)
    assert len(data) > 10_000

    with pytest.raises(WordImportError) as excinfo:
        read_upload(upload("大文件.docx", data))

    assert "文件过大" in str(excinfo.value) and "上传上限为 0 MB" not in str(excinfo.value)


def test_read_upload_of_legacy_doc_without_libreoffice_asks_to_save_as_docx(seed, settings):
    settings.LIBREOFFICE_BINARY = "jobdesc-no-such-soffice"
    before = row_counts()

    with pytest.raises(WordImportError) as excinfo:
        read_upload(upload("2006年说明书.doc", fake_legacy_doc()))

    assert "未安装 LibreOffice" in str(excinfo.value)
    assert "另存为 .docx" in str(excinfo.value)
    assert row_counts() == before


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_convert_legacy_turns_a_doc_into_docx_when_libreoffice_is_installed(tmp_path):
    source = tmp_path / "a.docx"
    source.write_bytes(word_helpers.layout_a())
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "doc", "--outdir", str(tmp_path), str(source)],
        check=True,
        timeout=120,
    )
    converted = convert_legacy((tmp_path / "a.doc").read_bytes(), "docx")
    assert parse_docx(converted).code == "FZ-XS-101"


def test_parse_docx_of_a_zip_that_is_not_word_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")

    with pytest.raises(WordImportError) as excinfo:
        parse_docx(buffer.getvalue())

    assert "不是 Word 文档" in str(excinfo.value)


def without_ranks(table):
    return [
        (group.heading, [dataclasses.replace(row, rank=0) for row in group.duties])
        for group in table.groups
    ]


def test_docx_export_of_a_position_with_every_section_imports_back_unchanged(db, hr_user):
    position = FullPositionFactory(status=Position.Status.DRAFT)
    before = sheet_of(position)

    plan = resolve_import(hr_user, parse_docx(render_docx(before), before.filename))
    assert plan.ok and plan.warnings == [] and plan.existing == position
    (written,) = import_sheets(hr_user, [plan])

    after = sheet_of(written)
    for name in SECTION_FIELDS:
        if name != "duties":
            assert getattr(after, name) == getattr(before, name), name
    # 重要性 is renumbered in the order the sheet shows (groups interleaved by rank come out
    # one group after the other); everything a reader sees is the same.
    assert without_ranks(after.duties) == without_ranks(before.duties)
    assert (written.grade_min, written.grade_max, written.headcount) == (5, 8, 1)


def test_a_file_holding_two_sheets_is_a_problem_not_a_merge(seed, hr_user):
    document = docx.Document(io.BytesIO(word_helpers.layout_c()))
    second = docx.Document(io.BytesIO(word_helpers.layout_a()))
    for element in second.element.body.iterchildren():
        if not element.tag.endswith("sectPr"):
            document.element.body.append(element)
    parsed = parse_docx(word_helpers.save(document), "两份.docx")

    plan = resolve_import(hr_user, parsed)

    assert (
        "文件中还有另一份职位说明书（售楼员、FZ-XS-101）。每个文件只能放一份，请拆分后分别上传。"
        in plan.problems
    )


def test_tables_nested_in_a_layout_table_are_read(seed, hr_user):
    document = docx.Document()
    outer = document.add_table(rows=2, cols=1)
    outer.rows[0].cells[0].paragraphs[0].text = "销售管理专员职位说明书"
    inner = outer.rows[1].cells[0].add_table(rows=2, cols=4)
    word_helpers.fill(
        inner,
        [
            ["职位名称", "销售管理专员", "职位编号", "YX-XG-01"],
            ["所属部门", "营销策划部", "直接上级", "总经理"],
        ],
    )
    duties = outer.rows[1].cells[0].add_table(rows=2, cols=2)
    word_helpers.fill(duties, [["序号", "工作内容"], ["1", "负责销售数据的收集"]])

    parsed = parse_docx(word_helpers.save(document), "嵌套.docx")

    assert (parsed.title, parsed.code, parsed.department, parsed.superior) == (
        "销售管理专员",
        "YX-XG-01",
        "营销策划部",
        "总经理",
    )
    assert [duty.tasks for duty in parsed.duties] == [["负责销售数据的收集"]]


# --- what the parser recognises, one behaviour each (documents from the corpus generator) -------


def parse_built(name: str):
    data, _expected = generate.BUILDERS[name]()
    return parse_docx(data, f"{name}.docx")


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("工作内容/工作任务", ("duties", "tasks")),
        ("工作内容 / 工作任务", ("duties", "tasks")),
        ("考核标准 Performance Standard", ("duties", "assessment")),
        ("内部工作关系部门及职位", ("relationship_columns", "internal")),
    ],
)
def test_column_key_reads_combined_and_bilingual_headers(label, key):
    assert column_key(label) == key


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("一、职位概要", "summary"),
        ("（一）工作职责", "duties"),
        ("1. 任职资格", "qualifications"),
        ("第三部分 任职资格与条件", "qualifications"),
        ("【工作职责】", "duties"),
        ("Responsibilities", "duties"),
        ("责权范围", "scope"),
    ],
)
def test_section_key_strips_the_numbering_chinese_documents_use(heading, key):
    assert section_key(heading) == key


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("一年以上会计工作经验", 1),
        ("三年以上房地产销售经验", 3),
        ("5 年以上地产营销", 5),
        ("半年", None),
    ],
)
def test_experience_years_reads_chinese_and_arabic_numbers(text, years):
    assert experience_years(text) == years


def test_sign_off_rows_give_each_date_to_its_own_step():
    parsed = parse_built("05-seed-c-group-rows-unmerged")

    assert parsed.original_signoff == {
        "prepared_by": "王人事",
        "prepared_at": "2006-09-01",
        "reviewed_by": "郑长胜",
        "reviewed_at": "2006-09-05",
        "approved_by": "赵总",
        "approved_at": "2006-09-10",
    }


def test_group_rows_with_empty_cells_are_groups_not_duties():
    parsed = parse_built("05-seed-c-group-rows-unmerged")

    assert [(d.kind, d.tasks[0][:4]) for d in parsed.duties] == [
        ("key", "计划管理"),
        ("key", "销售管理"),
        ("general", "制度建设"),
    ]


def test_relationship_labels_and_a_key_indicator_paragraph_are_read():
    parsed = parse_built("23-relationship-labels-and-indicator-line")

    assert parsed.relationships == [
        ("internal", "各部门负责人", ""),
        ("internal", "财务部", ""),
        ("external", "人才市场", ""),
        ("external", "社保中心", ""),
    ]
    assert [name for name, _ in parsed.indicators] == ["招聘及时率", "培训计划完成率", "档案准确率"]
    assert parsed.unrecognised == []


def test_duties_from_word_auto_numbering_are_read():
    parsed = parse_built("09-word-auto-numbered-duties")

    assert [d.tasks for d in parsed.duties] == [
        ["审核原始凭证，编制记账凭证"],
        ["编制月度、年度财务报表"],
        ["配合外部审计与税务检查"],
    ]


def test_an_unknown_heading_ends_the_section_and_is_listed_with_where_it_stands():
    parsed = parse_built("11-unknown-heading-ends-summary")

    assert parsed.summary == ["负责公司招聘、入离职手续、培训组织与员工档案管理。"]
    assert [str(item) for item in parsed.unrecognised] == [
        "五、晋升通道（正文·未知标题，其后内容不归入上一节）",
        "可晋升为人力资源主管。（「晋升通道」下）",
    ]


def test_line_form_without_any_table_is_read():
    parsed = parse_built("12-public-line-form-no-table")

    assert (parsed.title, parsed.code, parsed.department, parsed.superior) == (
        "人力资源专员",
        "HR-003",
        "人力行政部",
        "人力行政经理",
    )
    assert len(parsed.duties) == 4 and parsed.qualifications["knowledge"] == [
        "熟悉劳动法及相关法规"
    ]


def test_public_template_basic_grid_scope_and_qualifications_are_mapped():
    parsed = parse_built("13-public-table-template")

    assert (parsed.company, parsed.holder, parsed.superior, parsed.indirect_reports) == (
        "海峡地产集团",
        "张三",
        "人力行政经理",
        "无",
    )
    assert parsed.document_number == "JD-2023-017"
    assert parsed.original_signoff == {"approved_at": "2023-05-01"}
    assert parsed.commitments == ["对招聘质量负责", "对员工档案的准确性负责"]
    assert [name for name, _ in parsed.authorities] == ["对应聘人员的初试权", "对培训计划的建议权"]
    assert parsed.qualifications["knowledge"] == ["熟悉劳动法及相关法规", "公司各部门业务流程"]


def test_text_boxes_are_read_once_and_headers_give_the_title():
    boxed = parse_built("16-text-box-header")
    header = parse_built("17-title-in-page-header")

    assert (boxed.title, boxed.code, boxed.department) == ("会计", "CW-002", "财务部")
    assert boxed.unrecognised == []
    assert header.position_title == "人力资源专员"


def test_resolve_refuses_two_editions_of_one_sheet(seed, hr_user):
    plan = resolve_import(hr_user, parse_docx(generate.two_editions(), "两份.docx"))

    assert (
        "文件中有两份同名的职位说明书（售楼员）。请删去重复的一份，或拆分后分别上传。"
        in plan.problems
    )


def test_two_files_of_one_title_for_one_department_are_refused(seed, hr_user):
    data, _ = generate.BUILDERS["31-chinese-numbered-duty-table-cells"]()
    titles: set[tuple[int, str]] = set()
    resolve_import(hr_user, parse_docx(data, "1.docx"), taken_titles=titles)
    second = resolve_import(hr_user, parse_docx(data, "2.docx"), taken_titles=titles)

    assert "本次上传中有两个文件都是“销售部”的“售楼员”，请只保留一份。" in second.problems


def test_import_keeps_related_positions_and_review_date_the_file_does_not_name(seed, hr_user):
    clerk = Position.objects.get(code="FZ-XS-101")
    manager = Position.objects.get(code="FZ-XS-001")
    clerk.related_positions.add(manager)
    Position.objects.filter(pk=clerk.pk).update(next_review_on=datetime.date(2027, 6, 30))
    parsed = parse_built("31-chinese-numbered-duty-table-cells")

    plan = resolve_import(hr_user, parsed)
    (written,) = import_sheets(hr_user, [plan])

    assert plan.keep_related
    assert "文件中没有相关职位，保留现有的相关职位：销售经理。" in plan.warnings
    assert list(written.related_positions.all()) == [manager]
    written.refresh_from_db()
    assert written.next_review_on == datetime.date(2027, 6, 30)


def test_an_unknown_heading_row_in_a_table_ends_the_summary():
    document = docx.Document()
    word_helpers.table(
        document,
        [
            ["职位名称", "会计", "所在部门", "财务部"],
            ["直接上级", "财务部经理", "职位编号", "CW-002"],
        ],
    )
    box = word_helpers.table(
        document,
        [["职位概要"], ["负责日常会计核算。"], ["五、晋升通道"], ["可晋升为财务主管。"]],
    )
    assert len(box.rows) == 4
    document.add_paragraph("工作职责")
    document.add_paragraph("1. 审核原始凭证")

    parsed = parse_docx(word_helpers.save(document), "会计.docx")

    assert parsed.summary == ["负责日常会计核算。"]
    assert [str(item) for item in parsed.unrecognised] == [
        "五、晋升通道（正文表格 2 第 3 行·未知标题，其后内容不归入上一节）",
        "可晋升为财务主管。（「晋升通道」下）",
    ]


def test_bian_zhi_with_a_number_is_the_headcount_not_a_signature():
    document = docx.Document()
    word_helpers.table(
        document,
        [
            ["岗位名称", "会计", "所属部门", "财务部"],
            ["编制", "2人", "直接上级", "财务部经理"],
        ],
    )
    document.add_paragraph("岗位职责")
    document.add_paragraph("1. 审核原始凭证")

    parsed = parse_docx(word_helpers.save(document), "会计.docx")

    assert (parsed.headcount, parsed.original_signoff) == ("2人", {})


def test_a_file_with_more_paragraphs_than_any_sheet_is_refused():
    document = docx.Document()
    for number in range(5001):
        document.add_paragraph(f"第 {number} 段")

    with pytest.raises(WordImportError) as excinfo:
        parse_docx(word_helpers.save(document), "很长.docx")

    assert str(excinfo.value) == (
        "文件有 5001 段，超过 5000 段，不像一份职位说明书。请每个文件只放一份职位说明书后再上传。"
    )


def test_a_label_over_its_value_in_one_cell_is_read():
    document = docx.Document()
    word_helpers.table(
        document,
        [
            ["职位名称：\n会计", "所在部门：\n财务部", "直接上级：\n财务部经理"],
            ["工作职责：\n1. 审核原始凭证\n2. 编制财务报表", "", ""],
        ],
    )

    parsed = parse_docx(word_helpers.save(document), "会计.docx")

    assert (parsed.title, parsed.department, parsed.superior) == ("会计", "财务部", "财务部经理")
    assert [d.tasks for d in parsed.duties] == [["审核原始凭证"], ["编制财务报表"]]
    assert parsed.unrecognised == []


def test_docx_authorities_edited_go_to_the_manual_working_copy(seed, hr_user):
    manager = Position.objects.with_sheet().get(code="FZ-XS-001")
    before = build_sheet(manager)
    parsed = parse_docx(render_docx(before), "FZ-XS-001-销售经理.docx")
    assert parsed.authorities[0] == ("优惠申请（折扣 ≥ 99%）", "知情")
    parsed.authorities[0] = ("优惠申请（折扣 ≥ 99%）", "审核")

    plan = resolve_import(hr_user, parsed)
    (written,) = import_sheets(hr_user, [plan])

    document = manual_service.manual_document()
    band = document["categories"][0]["matters"][0]["bands"][0]
    assert band["cells"][manual_service.position_key(manager.pk)] == "review"
    assert Manual.objects.get().status == Manual.Status.DRAFT
    # In the sheets once the manual is published: the version in force still says 知情.
    assert sheet_of(written).authorities == before.authorities

"""Published versions on every surface: what readers see while HR edits the next version."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from orgchart import services as orgchart
from positions import permissions
from positions.models import Acknowledgement, Department, Position
from positions.services import acknowledgements, versions, workflow
from positions.tests.editing_helpers import add_duty, duty_count, editor_data
from positions.tests.factories import EmployeeFactory, UserFactory
from positions.tests.text import compact, page_text
from positions.tests.workflow_helpers import Demo, demo_world

Status = Position.Status


@pytest.fixture
def demo(seed, settings) -> Demo:
    return demo_world(settings)


@pytest.fixture
def sales_manager(demo) -> Position:
    return Position.objects.get(code="FZ-XS-001")


@pytest.fixture
def reader(sales_manager):
    """吴员工, an 员工 without draft rights who holds 销售经理 (the seed's V1 is in force)."""
    user = UserFactory(username="wu")
    user.groups.add(permissions.role_group(permissions.EMPLOYEE))
    EmployeeFactory(user=user, name="吴员工", employee_no="E9001", position=sales_manager)
    return user


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def edit_as_hr(client, demo: Demo, position: Position, **changes) -> None:
    client.force_login(demo.hr)
    data = editor_data(demo.hr, position) | changes
    url = reverse("positions:position-edit", kwargs={"pk": position.pk})
    response = client.post(url, data, follow=True)  # follow: the flash message is read by HR
    assert response.redirect_chain, response.content.decode()[:2000]


def surfaces(client, user, position: Position) -> dict[str, str]:
    """What the user reads of the position on each surface."""
    client.force_login(user)
    pk = position.pk
    return {
        "sheet": client.get(
            reverse("positions:position-sheet", kwargs={"pk": pk})
        ).content.decode(),
        "me": client.get(reverse("positions:my-position")).content.decode(),
        "pdf": pdf_text(client.get(reverse("positions:position-pdf", kwargs={"pk": pk})).content),
        "tree": client.get(reverse("positions:department-tree")).content.decode(),
    }


def publish_through_workflow(demo: Demo, position: Position) -> Position:
    position = workflow.submit(user=demo.hr, position=position)
    position = workflow.review(user=demo.manager, position=position)
    return workflow.approve(user=demo.director, position=position)


def test_seed_sheet_is_a_historical_v1_with_the_paper_sign_off(client, reader, sales_manager):
    v1 = sales_manager.current_version
    assert (v1.number, v1.is_historical, v1.effective_date.isoformat()) == (1, True, "2006-08-16")
    assert (v1.prepared_by_name, v1.reviewed_by_name) == ("李鸿飞", "郑长胜")
    page = surfaces(client, reader, sales_manager)
    for surface in ("sheet", "me", "pdf"):
        assert "李鸿飞" in page[surface] and "郑长胜" in page[surface], surface
        assert "2006-08-16" in page[surface], surface
    assert "V1" in page["pdf"]


def test_editing_after_publishing_leaves_v1_unchanged_for_a_reader_everywhere(
    client, demo, reader, sales_manager
):
    edit_as_hr(
        client, demo, sales_manager, title="销售总监", summary="草稿里新写的职位概要，尚未审批。"
    )
    stored = Position.objects.get(pk=sales_manager.pk)
    assert stored.status == Status.DRAFT and stored.current_version.number == 1

    seen = surfaces(client, reader, sales_manager)
    for surface, text in seen.items():
        assert "销售总监" not in text, surface
        assert "草稿里新写的职位概要" not in text, surface
    for surface in ("sheet", "me", "pdf", "tree"):
        assert "销售经理" in seen[surface], surface
    for surface in ("sheet", "me", "pdf"):  # V1's own 职位概要, not the draft's
        assert "负责公司自营项目的售楼处管理" in seen[surface], surface

    search = reverse("positions:search")
    found = client.get(search, {"q": "草稿里新写"}).content.decode()
    assert "没有找到与“草稿里新写”相关的职位" in found
    found = client.get(search, {"q": "销售经理"}).content.decode()
    assert sales_manager.get_absolute_url() in found  # V1's title still finds it

    # HR reads the working copy, told that V1 stays in force.
    client.force_login(demo.hr)
    html = client.get(sales_manager.get_absolute_url()).content.decode()
    assert "销售总监" in html and "草稿里新写的职位概要" in html
    assert "现行版本 V1 继续有效" in html


def test_publishing_again_creates_v2_and_v1_still_prints_as_it_was(
    client, demo, reader, sales_manager
):
    superior = sales_manager.reports_to
    edit_as_hr(client, demo, sales_manager, title="销售总监")
    publish_through_workflow(demo, Position.objects.get(pk=sales_manager.pk))
    # The superior is renamed and republished after 销售经理's V1 was frozen.
    Position.objects.filter(pk=superior.pk).update(title="常务副总经理")
    versions.publish_version(Position.objects.get(pk=superior.pk))

    position = Position.objects.get(pk=sales_manager.pk)
    assert [v.number for v in position.versions.all()] == [2, 1]
    assert position.current_version.number == 2
    today = timezone.localdate().isoformat()

    seen = surfaces(client, reader, position)
    assert "销售总监" in seen["sheet"] and "销售总监" in seen["me"] and "销售总监" in seen["pdf"]
    assert "V2" in seen["pdf"] and today in seen["pdf"]

    client.force_login(reader)
    v1_pdf = client.get(reverse("positions:version-pdf", kwargs={"pk": position.pk, "number": 1}))
    assert v1_pdf.status_code == 200
    assert "V1.pdf" in v1_pdf["Content-Disposition"]
    text = pdf_text(v1_pdf.content)
    assert "销售经理" in text and "销售总监" not in text
    assert "副总经理" in text and "常务副总经理" not in text  # the superior's title as it stood
    assert "李鸿飞" in text and "2006-08-16" in text and "V1" in text
    assert "已被 V2 取代" in text and "草稿" not in text

    v1_page = client.get(
        reverse("positions:version-sheet", kwargs={"pk": position.pk, "number": 1})
    )
    html = v1_page.content.decode()
    assert "这是历史版本" in html and "已被现行版本 V2 取代" in html
    assert "常务副总经理" not in html


def test_version_list_and_compare_show_the_changes(client, demo, reader, sales_manager):
    edit_as_hr(client, demo, sales_manager, title="销售总监")
    publish_through_workflow(demo, Position.objects.get(pk=sales_manager.pk))
    client.force_login(reader)

    listing = client.get(reverse("positions:version-list", kwargs={"pk": sales_manager.pk}))
    html = listing.content.decode()
    assert 'id="version-2"' in html and 'id="version-1"' in html
    assert "历史文件" in html and "王人事" in html and "赵总" in html
    assert "员工确认" not in html  # HR's column only

    compare = client.get(
        reverse("positions:version-compare", kwargs={"pk": sales_manager.pk}), {"a": 1, "b": 2}
    )
    html = compare.content.decode()
    assert compare.status_code == 200
    assert "修改职位名称V1：销售经理V2：销售总监" in compact(page_text(compare))
    assert "销售<del>经理</del>" in html and "销售<ins>总监</ins>" in html  # the changed words


def test_version_compare_rejects_unknown_or_equal_versions(client, reader, sales_manager):
    client.force_login(reader)
    url = reverse("positions:version-compare", kwargs={"pk": sales_manager.pk})
    response = client.get(url, {"a": 1, "b": 9})
    assert response.status_code == 400
    assert "该职位只有一个已生效版本" in response.content.decode()
    versions.publish_version(Position.objects.get(pk=sales_manager.pk))
    assert "请选择两个存在的版本" in client.get(url, {"a": 1, "b": 9}).content.decode()
    response = client.get(url, {"a": 2, "b": 2})
    assert response.status_code == 400
    assert "请选择两个不同的版本" in response.content.decode()
    assert client.get(url, {"a": "x", "b": "1"}).status_code == 400


def test_unknown_version_number_is_not_found(client, reader, sales_manager):
    client.force_login(reader)
    kwargs = {"pk": sales_manager.pk, "number": 7}
    assert client.get(reverse("positions:version-sheet", kwargs=kwargs)).status_code == 404
    assert client.get(reverse("positions:version-pdf", kwargs=kwargs)).status_code == 404


# --- 员工确认 ----------------------------------------------------------------------------------


def test_holder_sees_banner_until_acknowledging_once(client, reader, sales_manager):
    client.force_login(reader)
    me = reverse("positions:my-position")
    html = client.get(me).content.decode()
    assert 'id="acknowledge-banner"' in html and "我已阅读并确认" in html

    version = sales_manager.current_version
    url = reverse("positions:my-position-acknowledge")
    response = client.post(url, {"version": version.pk}, follow=True)
    html = response.content.decode()
    assert "已确认阅读 销售经理 V1 职位说明书" in html
    assert 'id="acknowledge-banner"' not in html and 'id="acknowledged-note"' in html
    client.post(url, {"version": version.pk})  # a second click changes nothing
    assert Acknowledgement.objects.filter(version=version).count() == 1


def test_acknowledging_a_position_not_held_is_refused(client, demo, sales_manager):
    client.force_login(demo.employee)  # 林员工 holds 售楼员, not 销售经理
    response = client.post(
        reverse("positions:my-position-acknowledge"),
        {"version": sales_manager.current_version.pk},
        follow=True,
    )
    assert "只有该职位的现任员工可以确认本职位说明书" in response.content.decode()
    assert not Acknowledgement.objects.exists()


def test_new_version_asks_for_a_new_acknowledgement(client, demo, reader, sales_manager):
    acknowledgements.acknowledge(user=reader, version=sales_manager.current_version)
    old = sales_manager.current_version
    edit_as_hr(client, demo, sales_manager, title="销售总监")
    publish_through_workflow(demo, Position.objects.get(pk=sales_manager.pk))
    client.force_login(reader)
    html = client.get(reverse("positions:my-position")).content.decode()
    assert 'id="acknowledge-banner"' in html and "V2 已生效" in html
    response = client.post(
        reverse("positions:my-position-acknowledge"), {"version": old.pk}, follow=True
    )
    assert "V1 已不是现行版本" in response.content.decode()


def test_hr_sees_who_acknowledged_and_exports_it(client, demo, reader, sales_manager):
    version = sales_manager.current_version
    # 吴员工 yes; 陈经理 (holder) not yet
    acknowledgements.acknowledge(user=reader, version=version)
    client.force_login(demo.hr)
    kwargs = {"pk": sales_manager.pk, "number": 1}
    html = client.get(reverse("positions:version-acknowledgements", kwargs=kwargs)).content.decode()
    assert "吴员工" in html and "陈经理" in html
    assert 'id="ack-count">1 人' in html and 'id="pending-count">1 人' in html

    response = client.get(reverse("positions:version-acknowledgements-xlsx", kwargs=kwargs))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {row[1]: row for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["吴员工"][3] == "已确认" and rows["吴员工"][4] is not None
    assert rows["陈经理"][3] == "未确认" and rows["陈经理"][4] is None
    assert sheet["A1"].value == "销售经理（FZ-XS-001） V1 员工确认情况"


def test_employee_cannot_see_acknowledgements(client, reader, sales_manager):
    client.force_login(reader)
    kwargs = {"pk": sales_manager.pk, "number": 1}
    assert (
        client.get(reverse("positions:version-acknowledgements", kwargs=kwargs)).status_code == 403
    )
    assert (
        client.get(reverse("positions:version-acknowledgements-xlsx", kwargs=kwargs)).status_code
        == 403
    )


def test_a_drafts_department_move_reaches_readers_only_once_published(
    client, demo, reader, sales_manager
):
    marketing = Department.objects.get(name="营销策划部")
    Position.objects.filter(pk=sales_manager.pk).update(department=marketing, status=Status.DRAFT)
    client.force_login(reader)
    sales_page = client.get(reverse("positions:department-detail", kwargs={"pk": demo.sales.pk}))
    marketing_page = client.get(reverse("positions:department-detail", kwargs={"pk": marketing.pk}))
    url = sales_manager.get_absolute_url()
    assert f'href="{url}"' in sales_page.content.decode()
    assert f'href="{url}"' not in marketing_page.content.decode()

    client.force_login(demo.hr)
    marketing_page = client.get(reverse("positions:department-detail", kwargs={"pk": marketing.pk}))
    assert f'href="{url}"' in marketing_page.content.decode()


def test_stored_pdf_of_a_version_says_superseded_once_a_new_version_is_in_force(
    client, demo, reader, sales_manager
):
    client.force_login(reader)
    url = reverse("positions:version-pdf", kwargs={"pk": sales_manager.pk, "number": 1})
    first = pdf_text(client.get(url).content)  # rendered and stored while V1 is in force
    assert "已生效" in first and "取代" not in first
    assert pdf_text(client.get(url).content) == first  # served from storage

    versions.publish_version(Position.objects.get(pk=sales_manager.pk))

    later = pdf_text(client.get(url).content)
    assert "已被 V2 取代" in later and "销售经理" in later


def test_a_drafts_new_reporting_line_reaches_readers_only_once_published(
    client, demo, reader, sales_manager
):
    collector = Position.objects.get(title="收款文员")
    Position.objects.filter(pk=collector.pk).update(
        reports_to=Position.objects.get(title="副总经理"), status=Status.DRAFT
    )

    chart = orgchart.position_chart(reader, sales_manager.pk)
    below = {card.title for card in chart.cards.values() if card.pk != sales_manager.pk}
    assert "收款文员" in below
    client.force_login(reader)
    me = client.get(reverse("positions:my-position")).content.decode()
    assert "收款文员" in me.split('id="my-reports-heading"')[1]

    hr_chart = orgchart.position_chart(demo.hr, sales_manager.pk)
    assert "收款文员" not in {card.title for card in hr_chart.cards.values()}


def test_a_drafts_grade_and_headcount_stay_hidden_from_readers(client, demo, reader, sales_manager):
    Position.objects.filter(pk=sales_manager.pk).update(
        grade_min=11, grade_max=12, headcount=9, status=Status.DRAFT
    )
    pages = {
        "list": reverse("positions:position-list"),
        "tree": reverse("positions:department-tree"),
        "department": reverse("positions:department-detail", kwargs={"pk": demo.sales.pk}),
    }
    client.force_login(reader)
    for name, url in pages.items():
        html = client.get(url).content.decode()
        assert "11–12" not in html and "/9<" not in html, name
    client.force_login(demo.hr)
    for name, url in pages.items():
        assert "11–12" in client.get(url).content.decode(), name


def test_sheet_offers_pdf_and_word_of_what_the_user_reads(client, demo, reader, sales_manager):
    kwargs = {"pk": sales_manager.pk}
    client.force_login(reader)
    html = client.get(sales_manager.get_absolute_url()).content.decode()
    v1 = kwargs | {"number": 1}
    assert f'href="{reverse("positions:version-pdf", kwargs=v1)}"' in html
    assert f'href="{reverse("positions:version-docx", kwargs=v1)}"' in html
    client.force_login(demo.hr)
    html = client.get(sales_manager.get_absolute_url()).content.decode()
    assert f'href="{reverse("positions:position-pdf", kwargs=kwargs)}"' in html
    assert f'href="{reverse("positions:position-docx", kwargs=kwargs)}"' in html


@pytest.mark.parametrize("bad", ["²", "abc", "9" * 40], ids=["superscript", "letters", "huge"])
def test_acknowledging_a_version_that_is_not_an_id_is_not_found(client, reader, bad):
    client.force_login(reader)
    response = client.post(reverse("positions:my-position-acknowledge"), {"version": bad})
    assert response.status_code == 404
    assert not Acknowledgement.objects.exists()


NEW_DUTY = "每月编制销售分析报告，向副总经理汇报销售进展"


def add_duty_as_hr(client, demo: Demo, position: Position, *, after: int) -> None:
    """HR adds one duty right after the ``after``-th (same group), through the editor."""
    client.force_login(demo.hr)
    data = editor_data(demo.hr, position)
    ranks = sorted(range(duty_count(data)), key=lambda i: int(data[f"duties-{i}-rank"]))
    neighbour = ranks[after - 1]
    for i in ranks[after:]:
        data[f"duties-{i}-rank"] = str(int(data[f"duties-{i}-rank"]) + 1)
    add_duty(
        data,
        rank=str(int(data[f"duties-{neighbour}-rank"]) + 1),
        group=data[f"duties-{neighbour}-group"],
        kind=data[f"duties-{neighbour}-kind"],
        tasks=NEW_DUTY,
    )
    url = reverse("positions:position-edit", kwargs={"pk": position.pk})
    response = client.post(url, data, follow=True)
    assert response.redirect_chain, response.content.decode()[:2000]


def test_version_compare_marks_only_the_inserted_duty_as_added(client, demo, reader, sales_manager):
    add_duty_as_hr(client, demo, sales_manager, after=1)
    publish_through_workflow(demo, Position.objects.get(pk=sales_manager.pk))
    client.force_login(reader)
    url = reverse("positions:version-compare", kwargs={"pk": sales_manager.pk})
    text = page_text(client.get(url, {"a": 1, "b": 2}))
    assert "V1（生效日期 2006-08-16）→ V2" in text and "共 1 处变更" in text
    # The new duty where it was inserted, between the first and the second; nothing else marked.
    assert "工作职责 新增 1 销售计划 根据公司确定的楼盘销售任务" in text
    assert f"新增 {NEW_DUTY} 销售管理 组织制定销售部的各类管理制度" in text
    compared = text.split("逐项比较", 1)[1]
    assert compared.count("新增") == 2
    assert "删除" not in compared and "移动" not in compared and "修改" not in compared


def test_holder_who_confirmed_v1_sees_only_the_added_duty_under_this_change(
    client, demo, reader, sales_manager
):
    acknowledgements.acknowledge(user=reader, version=sales_manager.current_version)
    add_duty_as_hr(client, demo, sales_manager, after=1)
    publish_through_workflow(demo, Position.objects.get(pk=sales_manager.pk))
    client.force_login(reader)
    text = page_text(client.get(reverse("positions:my-position")))
    assert "我已阅读并确认 本次变更 V1 → V2" in text
    changes = text.split("本次变更 V1 → V2", 1)[1].split("我的上级", 1)[0]
    assert changes.strip() == f"工作职责 新增 1 新增 {NEW_DUTY}"

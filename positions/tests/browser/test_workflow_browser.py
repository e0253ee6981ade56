"""The README's demo path in Chromium: 王人事 编制 → 陈经理 审核 → 赵总 审批 → 林员工 reads V2,
sees 本次变更 and confirms → 王人事 prints the 签收单."""

import re
from pathlib import Path

import pytest

from people.services import demo
from positions.models import Position, WorkflowEvent
from positions.tests.browser.seeding import load_once, seed_demo_with_revisions
from positions.tests.text import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_DUTY = "新增职责：维护客户档案，每周更新来访与成交记录；"


@pytest.fixture
def seeded(transactional_db):
    # As setup_demo does (the role groups must be recreated after each flush).
    load_once("demo+revisions", seed_demo_with_revisions)


def log_in(page, live_server, username: str) -> None:
    page.context.clear_cookies()  # whoever was signed in before is gone
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/me/$"))


def open_from_queue(page, title: str) -> None:
    page.locator("#nav-queue").click()
    page.wait_for_url(re.compile(r"/todo/$"))
    page.locator("tr", has_text=title).get_by_role("link", name="办理").click()
    page.wait_for_url(re.compile(r"/workflow/$"))


def test_readme_demo_path_from_edit_to_the_printed_receipt(seeded, live_server, page, screenshot):
    clerk = Position.objects.get(code="FZ-XS-101")  # 售楼员, held by 林员工, V1 in force

    # 王人事 adds a duty to the published sheet and submits the draft.
    log_in(page, live_server, "hr")
    page.goto(f"{live_server.url}/positions/{clerk.pk}/edit/")
    page.get_by_role("button", name="添加职责").click()
    page.locator("[data-rows='duties'] > [data-row]").last.locator("textarea[name$='-tasks']").fill(
        NEW_DUTY
    )
    page.get_by_role("button", name="保存").first.click()
    page.wait_for_url(re.compile(r"/positions/\d+/$"))
    assert "现行版本 V1 继续有效" in page.locator(".alert-success").inner_text()
    page.locator("#workflow-button").click()
    page.get_by_role("button", name="提交审核").click()
    assert "已提交审核" in page.locator(".alert-success").inner_text()
    assert "待 陈经理 审核" in page.locator("#workflow-next").inner_text()
    screenshot("demo-path-1-hr-submitted")

    # 陈经理 sees it in 待办 (badge 1) and reviews it with a comment.
    log_in(page, live_server, "manager")
    assert page.locator("#nav-queue-count").inner_text() == "1"
    open_from_queue(page, "售楼员")
    page.locator("#review-comment").fill("新增职责合理，同意。")
    screenshot("demo-path-2-manager-reviewing")
    page.get_by_role("button", name="审核通过").click()
    assert "已审核通过" in page.locator(".alert-success").inner_text()
    assert "新增职责合理，同意。" in page.locator("#workflow-events").inner_text()
    assert "待 赵总 审批" in page.locator("#workflow-next").inner_text()

    # 赵总 approves, after a confirmation page that says what publishing does.
    log_in(page, live_server, "director")
    assert page.locator("#nav-queue-count").inner_text() == "1"
    open_from_queue(page, "售楼员")
    page.get_by_role("button", name="审批通过并生效").click()
    confirm = page.locator("#approve-confirm")
    assert "确认审批通过并生效？" in confirm.inner_text()
    assert "V2 立即生效" in confirm.inner_text()
    assert Position.objects.get(pk=clerk.pk).status == Position.Status.REVIEWED
    screenshot("demo-path-3-director-confirming")
    page.get_by_role("button", name="确认审批通过，V2 生效").click()
    page.wait_for_url(re.compile(r"/workflow/$"))
    assert "已审批通过" in page.locator(".alert-success").inner_text()
    assert page.locator("#nav-queue-count").count() == 0

    # 林员工 reads V2 on 我的职位, from the navigation bar, with the added duty.
    log_in(page, live_server, "employee")
    page.get_by_role("link", name="组织架构", exact=True).first.click()
    page.locator("#nav-my-position").click()
    page.wait_for_url(re.compile(r"/me/$"))
    assert NEW_DUTY in page.locator(".jd-sheet").inner_text()
    assert "V2 已生效" in page.locator("#acknowledge-banner").inner_text()
    # 本次变更 V1 → V2: exactly the added duty.
    changes = page.locator("#my-changes")
    assert "本次变更V1→V2工作职责新增1" in re.sub(r"\s+", "", changes.inner_text())
    assert NEW_DUTY in changes.inner_text()
    screenshot("demo-path-4-employee-reads-v2")
    page.locator("#acknowledge-button").click()
    page.wait_for_url(re.compile(r"/me/$"))
    assert "确认阅读 V2" in page.locator("#acknowledged-note").inner_text()
    assert page.locator("#acknowledge-banner").count() == 0
    with page.expect_download() as own:
        page.locator("#receipt-button").click()
    assert own.value.suggested_filename.endswith(".pdf")

    # 王人事 prints the 签收单 of V2 from 员工确认: 林员工's page, then who has not confirmed.
    log_in(page, live_server, "hr")
    page.goto(f"{live_server.url}/positions/{clerk.pk}/versions/2/acknowledgements/")
    assert "林员工" in page.locator("main").inner_text()
    screenshot("demo-path-5-hr-acknowledgements")
    with page.expect_download() as printed:
        page.locator("#ack-receipts").click()
    receipts = pdf_text(Path(printed.value.path()).read_bytes())
    assert "林员工" in receipts and "FZ0004" in receipts and "V2" in receipts

    stored = Position.objects.get(pk=clerk.pk)
    assert stored.current_version.number == 2
    assert list(
        WorkflowEvent.objects.filter(position=stored)
        .order_by("pk")
        .values_list("action", "actor__username", "comment")
    ) == [
        ("submit", "hr", ""),
        ("review", "manager", "新增职责合理，同意。"),
        ("approve", "director", ""),
    ]

"""通知设置 (everyone's own) and 通知记录 (HR's message log)."""

from __future__ import annotations

import re

from django.urls import reverse

from notifications.models import ChatRobot, Message, Preference
from positions.services import workflow


def page_text(response) -> str:
    return response.content.decode()


def test_preferences_default_to_email_and_are_saved(client, demo):
    client.force_login(demo.employee)
    url = reverse("notifications:preferences")
    html = page_text(client.get(url))
    checked = set(re.findall(r'<input type="checkbox" name="(\w+)"[^>]* checked', html))
    assert checked == {"email"}  # no choice stored yet: e-mail, one message per event
    response = client.post(url, {"email": "on", "digest": "on"}, follow=True)
    assert "通知设置已保存。" in page_text(response)
    preference = Preference.objects.get(user=demo.employee)
    assert (preference.email, preference.digest, preference.wecom) == (True, True, False)


def test_preferences_may_switch_everything_off(client, demo):
    client.force_login(demo.manager)
    response = client.post(reverse("notifications:preferences"), {}, follow=True)
    assert "通知设置已保存。" in page_text(response)
    workflow.submit(user=demo.hr, position=demo.draft)
    assert not Message.objects.exists()  # 陈经理 is told nothing


def test_preferences_refuse_a_robot_nobody_set_up_and_change_nothing(client, demo):
    client.force_login(demo.employee)
    response = client.post(reverse("notifications:preferences"), {"email": "on", "wecom": "on"})
    assert "尚未配置企业微信群机器人，暂不能选择，请联系 HR。" in page_text(response)
    assert not Preference.objects.exists()


def test_preferences_accept_a_robot_that_is_set_up(client, demo):
    ChatRobot.objects.create(name="销售部群", kind="feishu", url="https://open.feishu.cn/x")
    client.force_login(demo.employee)
    client.post(reverse("notifications:preferences"), {"feishu": "on"})
    preference = Preference.objects.get(user=demo.employee)
    assert (preference.email, preference.feishu) == (False, True)


def test_preferences_refuse_email_without_an_address(client, demo):
    demo.employee.email = ""
    demo.employee.save(update_fields=["email"])
    client.force_login(demo.employee)
    response = client.post(reverse("notifications:preferences"), {"email": "on"})
    assert "您的账号没有电子邮件地址，无法接收邮件通知，请联系 HR 填写。" in page_text(response)
    assert not Preference.objects.exists()


def test_message_log_shows_hr_what_was_sent(client, demo):
    workflow.submit(user=demo.hr, position=demo.draft)
    client.force_login(demo.hr)
    html = page_text(client.get(reverse("notifications:message-log")))
    assert "待您审核：售楼员（FZ-XS-101）" in html
    assert "陈经理" in html and "manager@example.com" in html and "排队中" in html


def test_message_log_filters_by_status_and_explains_an_unknown_one(client, demo):
    workflow.submit(user=demo.hr, position=demo.draft)
    client.force_login(demo.hr)
    url = reverse("notifications:message-log")
    assert "没有通知记录。" in page_text(client.get(url, {"status": "failed"}))
    response = client.get(url, {"status": "bogus"})
    assert response.status_code == 400
    assert "没有“bogus”这种状态，请从列表中选择。" in page_text(response)


def test_message_log_is_refused_to_employees_and_managers(client, demo):
    for user in (demo.employee, demo.manager):
        client.force_login(user)
        response = client.get(reverse("notifications:message-log"))
        assert response.status_code == 403
        assert "只有 HR 编辑可以查看通知记录。" in page_text(response)
    assert not Message.objects.exists()


def test_account_menu_links_the_pages(client, demo):
    client.force_login(demo.employee)
    html = page_text(client.get(reverse("notifications:preferences")))
    assert 'id="nav-notifications"' in html and 'id="nav-notification-log"' not in html
    client.force_login(demo.hr)
    html = page_text(client.get(reverse("notifications:preferences")))
    assert 'id="nav-notification-log"' in html

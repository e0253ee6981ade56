"""The robots' admin: HR sets them up; a URL to a host not allowed is refused."""

from __future__ import annotations

from django.urls import reverse

from notifications.models import ChatRobot


def test_hr_adds_a_dingtalk_robot(client, demo, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["oapi.dingtalk.com"]
    client.force_login(demo.hr)
    response = client.post(
        reverse("admin:notifications_chatrobot_add"),
        {
            "name": "人事群",
            "kind": "dingtalk",
            "url": "https://oapi.dingtalk.com/robot/send?access_token=abc",
            "secret": "SECabc",
            "is_active": "on",
        },
        follow=True,
    )
    assert "人事群" in response.content.decode()
    assert ChatRobot.objects.get().get_kind_display() == "钉钉"


def test_robot_to_a_host_not_allowed_is_refused(client, demo, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["oapi.dingtalk.com"]
    client.force_login(demo.hr)
    response = client.post(
        reverse("admin:notifications_chatrobot_add"),
        {"name": "内网", "kind": "wecom", "url": "http://10.0.0.5/admin", "is_active": "on"},
    )
    assert "主机“10.0.0.5”不在允许列表（WEBHOOK_ALLOWED_HOSTS）中。" in response.content.decode()
    assert not ChatRobot.objects.exists()


def test_employee_cannot_reach_the_robots(client, demo):
    client.force_login(demo.employee)
    response = client.get(reverse("admin:notifications_chatrobot_changelist"))
    assert response.status_code == 403
    assert "您没有访问管理后台的权限" in response.content.decode()

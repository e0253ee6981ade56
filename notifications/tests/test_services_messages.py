"""Notifications from the workflow, sent by the real worker to a real SMTP server and robots."""

from __future__ import annotations

import datetime

import time_machine
from django.utils import timezone

from notifications.models import ChatRobot, Message, Preference
from notifications.services import messages
from notifications.tests.helpers import run_worker
from notifications.tests.receivers import SmtpReceiver, free_port
from positions.services import workflow


def test_submit_emails_the_reviewer_from_the_worker_not_at_once(demo, smtp):
    workflow.submit(user=demo.hr, position=demo.draft)

    message = Message.objects.get(event=Message.Event.REVIEW_WAITING)
    assert (message.recipient, message.channel, message.status) == (
        demo.manager,
        "email",
        "queued",
    )
    assert smtp.messages == []  # nothing is sent in the request
    run_worker()

    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail.to == ["manager@example.com"]
    assert mail.subject == "[职位说明书] 待您审核：售楼员（FZ-XS-101）"
    assert "王人事 已将职位说明书“售楼员（FZ-XS-101）”提交，等待您审核。" in mail.text
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)


def test_review_tells_the_approver_and_reject_tells_the_preparer(demo, smtp):
    position = workflow.review(
        user=demo.manager, position=workflow.submit(user=demo.hr, position=demo.draft)
    )
    workflow.reject(user=demo.director, position=position, comment="职责写得太笼统。")
    run_worker()

    subjects = {(mail.to[0], mail.subject) for mail in smtp.messages}
    assert ("director@example.com", "[职位说明书] 待您审批：售楼员（FZ-XS-101）") in subjects
    assert ("hr@example.com", "[职位说明书] 已退回：售楼员（FZ-XS-101）") in subjects
    returned = next(m for m in smtp.messages if m.subject.endswith("已退回：售楼员（FZ-XS-101）"))
    assert "退回意见：职责写得太笼统。" in returned.text


def test_approval_asks_each_holder_to_confirm_the_new_version(demo, smtp):
    position = workflow.review(
        user=demo.manager, position=workflow.submit(user=demo.hr, position=demo.draft)
    )
    workflow.approve(user=demo.director, position=position)
    run_worker()

    mails = [(m.to[0], m.subject) for m in smtp.messages]
    assert ("employee@example.com", "[职位说明书] 请确认新版职位说明书 售楼员 V1") in mails


def test_wecom_dingtalk_and_feishu_robots_each_get_their_own_format(demo, receiver, smtp):
    receiver.secrets |= {"dingtalk": "SECdingtalk-secret", "feishu": "feishu-secret"}
    ChatRobot.objects.create(name="销售部群", kind="wecom", url=receiver.url("wecom"))
    ChatRobot.objects.create(
        name="人事群", kind="dingtalk", url=receiver.url("dingtalk"), secret="SECdingtalk-secret"
    )
    ChatRobot.objects.create(
        name="管理群", kind="feishu", url=receiver.url("feishu"), secret="feishu-secret"
    )
    Preference.objects.create(
        user=demo.manager, email=False, wecom=True, dingtalk=True, feishu=True
    )

    workflow.submit(user=demo.hr, position=demo.draft)
    run_worker()

    assert smtp.messages == []  # e-mail switched off
    assert sorted(r.path for r in receiver.received) == ["/dingtalk", "/feishu", "/wecom"]
    assert {r.path: r.verdict for r in receiver.received} == {
        "/wecom": "ok",
        "/dingtalk": "ok",
        "/feishu": "ok",
    }
    wecom = next(r.json for r in receiver.received if r.path == "/wecom")
    assert wecom["markdown"]["content"].startswith("**待您审核：售楼员（FZ-XS-101）**\n致 陈经理：")
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}


def test_robot_refusing_the_message_is_retried_then_marked_failed(demo, receiver):
    receiver.secrets["dingtalk"] = "the-right-secret"
    ChatRobot.objects.create(
        name="人事群", kind="dingtalk", url=receiver.url("dingtalk"), secret="a-wrong-secret"
    )
    Preference.objects.create(user=demo.manager, email=False, dingtalk=True)
    workflow.submit(user=demo.hr, position=demo.draft)

    start = timezone.now()
    run_worker()
    for delay in messages.RETRY_DELAYS:
        start += datetime.timedelta(seconds=delay + 1)
        with time_machine.travel(start, tick=False):
            run_worker()

    message = Message.objects.get()
    assert (message.status, message.attempts) == ("failed", messages.MAX_TRIES)
    assert "机器人拒收" in message.last_error and "bad dingtalk sign" in message.last_error
    assert len(receiver.received) == messages.MAX_TRIES


def test_smtp_server_down_is_retried_with_backoff(demo, settings):
    port = free_port()  # nothing listens there yet
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    workflow.submit(user=demo.hr, position=demo.draft)
    run_worker()
    message = Message.objects.get()
    assert (message.status, message.attempts) == ("queued", 1)
    assert "ConnectionRefusedError" in message.last_error

    smtp = SmtpReceiver(port).start()
    try:
        run_worker()  # not due yet
        assert smtp.messages == []
        with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61), tick=False):
            run_worker()
        message.refresh_from_db()
        assert (message.status, message.attempts) == ("sent", 2)
        assert len(smtp.messages) == 1
    finally:
        smtp.stop()


def test_digest_holds_messages_until_the_daily_run(demo, smtp):
    Preference.objects.create(user=demo.manager, email=True, digest=True)
    workflow.submit(user=demo.hr, position=demo.draft)
    run_worker()
    assert smtp.messages == []
    assert Message.objects.get().status == "held"

    assert messages.send_digests() == 1
    run_worker()

    (mail,) = smtp.messages
    assert mail.to == ["manager@example.com"]
    assert "待办汇总（1 条）" in mail.subject
    assert "1. 待您审核：售楼员（FZ-XS-101）" in mail.text
    assert set(Message.objects.values_list("event", "status")) == {
        ("review_waiting", "digested"),
        ("digest", "sent"),
    }

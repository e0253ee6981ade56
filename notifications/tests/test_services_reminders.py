"""The daily run: 员工确认 reminders after N days, 复核到期 for HR, digests — each once."""

from __future__ import annotations

import datetime

from django.core.management import call_command
from django.utils import timezone

from notifications.models import Message
from notifications.services import reminders
from notifications.tests.helpers import run_worker
from positions.models import Position
from positions.services import acknowledgements, workflow


def publish(demo) -> Position:
    position = workflow.review(
        user=demo.manager, position=workflow.submit(user=demo.hr, position=demo.draft)
    )
    return workflow.approve(user=demo.director, position=position)


def test_holder_who_has_not_confirmed_is_reminded_once_after_n_days(demo, smtp, settings):
    settings.NOTIFY_ACK_REMINDER_DAYS = 7
    position = publish(demo)
    later = timezone.localdate() + datetime.timedelta(days=7)

    assert reminders.run().acknowledgement_reminders == 0  # day 0: too early
    assert not Message.objects.filter(event="ack_reminder").exists()

    assert reminders.run(today=later).acknowledgement_reminders == 1
    assert reminders.run(today=later).acknowledgement_reminders == 0  # once only
    run_worker()
    subjects = [m.subject for m in smtp.messages if m.to == ["employee@example.com"]]
    assert "[职位说明书] 提醒：请确认职位说明书 售楼员 V1" in subjects
    assert position.current_version.effective_date == timezone.localdate()


def test_holder_who_confirmed_is_not_reminded(demo, smtp):
    position = publish(demo)
    acknowledgements.acknowledge(user=demo.employee, version=position.current_version)
    later = timezone.localdate() + datetime.timedelta(days=30)
    assert reminders.run(today=later).acknowledgement_reminders == 0


def test_review_due_tells_hr_once_per_due_date(demo, smtp):
    today = timezone.localdate()
    Position.objects.filter(code="FZ-XS-001").update(next_review_on=today)
    first = reminders.run(today=today)
    again = reminders.run(today=today)
    assert first.review_due >= 1 and again.review_due == 0
    run_worker()
    mail = next(m for m in smtp.messages if "复核到期：销售经理" in m.subject)
    assert mail.to == ["hr@example.com"]
    assert f"复核日期为 {today:%Y-%m-%d}，请安排复核。" in mail.text


def test_command_reports_what_it_queued(demo, smtp, capsys):
    call_command("send_reminders")
    out = capsys.readouterr().out
    assert out.startswith("员工确认提醒 0 条，复核到期 ")
    assert out.strip().endswith("已排队发送。")

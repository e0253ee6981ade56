"""Notifications to people: who gets what on which channel, sending with retries, digests.

``notify`` is called inside the transaction of what happened; it writes the message rows
(the log HR reads) and enqueues their sending on the "notifications" queue — never sends in
the request. People who chose the daily digest get their rows held until ``send_digests``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from notifications.models import Channel, ChatRobot, Message, Preference
from notifications.services import channels

# Seconds to wait after the 1st, 2nd, 3rd and 4th failed try; the 5th failure gives up.
RETRY_DELAYS = (60, 300, 1800, 7200)
MAX_TRIES = len(RETRY_DELAYS) + 1


@dataclass(frozen=True)
class Notice:
    """What to tell one person."""

    recipient: User
    event: str
    subject: str
    body: str
    position_id: int | None = None
    reference: str = ""


def _channels(user: User, preference: Preference | None) -> list[str]:
    if preference is None:
        return [Channel.EMAIL.value] if user.email else []
    chosen = preference.channels()
    if not user.email and Channel.EMAIL in chosen:
        chosen.remove(Channel.EMAIL)
    return chosen


def notify(notices: Iterable[Notice]) -> list[Message]:
    """Write one message per notice and channel the recipient chose, and queue them (or hold
    them for the digest). Inactive accounts get nothing. A constant number of queries plus
    one insert per message."""
    notices = [n for n in notices if n.recipient.is_active]
    if not notices:
        return []
    preferences = Preference.objects.for_users({n.recipient.pk for n in notices})
    robots: dict[str, list[ChatRobot]] = defaultdict(list)
    for robot in ChatRobot.objects.filter(is_active=True):
        robots[robot.kind].append(robot)
    created = []
    for notice in notices:
        preference = preferences.get(notice.recipient.pk)
        status = Message.Status.HELD if preference and preference.digest else Message.Status.QUEUED
        for channel in _channels(notice.recipient, preference):
            targets = (
                [(None, notice.recipient.email)]
                if channel == Channel.EMAIL
                else [(robot, "") for robot in robots.get(channel, [])]
            )
            for robot, address in targets:
                created.append(
                    Message(
                        recipient=notice.recipient,
                        event=notice.event,
                        channel=channel,
                        robot=robot,
                        address=address,
                        position_id=notice.position_id,
                        reference=notice.reference,
                        subject=notice.subject[:200],
                        body=_robot_body(notice) if robot else notice.body,
                        status=status,
                    )
                )
    created = Message.objects.bulk_create(created, batch_size=500)
    queued = [m.pk for m in created if m.status == Message.Status.QUEUED]
    if len(queued) == 1:
        _enqueue(queued[0])
    elif queued:  # many at once (a batch of versions): one row now, the worker fans out
        from notifications.tasks import dispatch_messages  # noqa: PLC0415 — tasks import services

        dispatch_messages.enqueue(queued)
    return created


def _robot_body(notice: Notice) -> str:
    """A group chat is read by many: the message says whom it is for."""
    name = notice.recipient.get_full_name() or notice.recipient.get_username()
    return f"致 {name}：\n{notice.body}"


def _enqueue(message_id: int, run_after: datetime.datetime | None = None) -> None:
    from notifications.tasks import send_message  # noqa: PLC0415 — tasks import services

    task = send_message.using(run_after=run_after) if run_after else send_message
    task.enqueue(message_id)


def deliver_message(message_id: int) -> None:
    """Send one queued message (the worker's task); on failure try again later, up to
    ``MAX_TRIES`` tries, then mark it 发送失败 with the reason."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("robot", "recipient")
            .filter(pk=message_id, status=Message.Status.QUEUED)
            .first()
        )
        if message is None:
            return
        message.attempts += 1
        Message.objects.filter(pk=message.pk).update(attempts=message.attempts)
    try:
        if message.channel == Channel.EMAIL:
            channels.send_email(message.address, message.subject, message.body)
        elif message.robot is None or not message.robot.is_active:
            raise RuntimeError("群机器人已删除或停用。")
        else:
            channels.send_to_robot(message.robot, message.subject, message.body)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
        if message.attempts >= MAX_TRIES:
            Message.objects.filter(pk=message.pk).update(
                status=Message.Status.FAILED, last_error=error
            )
            return
        Message.objects.filter(pk=message.pk).update(last_error=error)
        delay = RETRY_DELAYS[message.attempts - 1]
        _enqueue(message.pk, timezone.now() + datetime.timedelta(seconds=delay))
        return
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENT, sent_at=timezone.now(), last_error=""
    )


def send_digests() -> int:
    """Bundle each person's held messages per channel (and robot) into one 每日汇总 message
    and queue it; the held rows become 已汇总发送. Returns how many digests were queued."""
    count = 0
    with transaction.atomic():
        held = list(
            Message.objects.select_for_update(of=("self",))
            .filter(status=Message.Status.HELD)
            .select_related("recipient")
            .order_by("pk")
        )
        groups: dict[tuple, list[Message]] = defaultdict(list)
        for message in held:
            groups[
                (message.recipient_id, message.channel, message.robot_id, message.address)
            ].append(message)
        today = timezone.localdate()
        for (_, channel, robot_id, address), messages in groups.items():
            lines = [f"{i}. {m.subject}\n{m.body}" for i, m in enumerate(messages, 1)]
            digest = Message.objects.create(
                recipient=messages[0].recipient,
                event=Message.Event.DIGEST,
                channel=channel,
                robot_id=robot_id,
                address=address,
                subject=f"{today:%Y年%m月%d日}待办汇总（{len(messages)} 条）",
                body="\n\n".join(lines),
                status=Message.Status.QUEUED,
            )
            Message.objects.filter(pk__in=[m.pk for m in messages]).update(
                status=Message.Status.DIGESTED
            )
            _enqueue(digest.pk)
            count += 1
    return count

"""Webhooks: signed JSON deliveries of what happened to the systems that subscribed.

Each occurrence becomes one ``Delivery`` per subscription wanting its event, with the JSON body
fixed when it happened. Deliveries run on the "webhooks" queue; a failed one is tried again with
backoff (8 tries over about 24 hours). Per subscription and position the order holds: a later
delivery waits (等待前一事件) until the earlier one succeeded or was given up.

Signature: ``X-Jobdesc-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`` with
the subscription's secret — the receiver recomputes it and rejects old timestamps.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import time
from collections.abc import Iterable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from notifications.models import Delivery, Subscription
from notifications.services import outbound
from positions import hooks
from positions.models import Acknowledgement, Assignment, Employee, Position, Version

# Seconds to wait after failed tries 1..7; the 8th failure gives up (sum ≈ 23.7 hours).
RETRY_DELAYS = (30, 120, 600, 1800, 3600, 4 * 3600, 18 * 3600)
MAX_TRIES = len(RETRY_DELAYS) + 1
SIGNATURE_HEADER = "X-Jobdesc-Signature"


def sign(secret: str, timestamp: int, body: str) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


# --- the objects, as the API shows them -------------------------------------------------------


def position_data(position: Position, filled: int) -> dict[str, Any]:
    """The API's position summary fields (``api.serializers.PositionSummarySerializer``) of the
    version in force (the working copy's for a position never published)."""
    version = position.current_version if position.current_version_id else None
    shown = version or position
    superior = position.reports_to
    return {
        "id": position.pk,
        "title": shown.title,
        "code": shown.code,
        "department_id": shown.department_id,
        "department_name": shown.department.name,
        "superior_id": superior.pk if superior else None,
        "superior_title": superior.title if superior else None,
        "status": position.status,
        "status_label": Position.Status(position.status).label,
        "current_version": version.number if version else None,
        "headcount": shown.headcount,
        "filled": filled,
    }


def _version(version: Version) -> dict[str, Any]:
    return {
        "number": version.number,
        "label": version.label,
        "title": version.title,
        "code": version.code,
        "effective_date": version.effective_date,
    }


def _employee(employee: Employee) -> dict[str, Any]:
    return {
        "id": employee.pk,
        "name": employee.name,
        "employee_no": employee.employee_no,
        "username": employee.user.get_username(),
        "hired_on": employee.hired_on,
        "left_on": employee.left_on,
    }


def payload(occurrence: hooks.Occurrence, position: Position | None, filled: int) -> dict[str, Any]:
    """The JSON of one occurrence; ``position`` read after the change, with its 在岗人数."""
    subject = occurrence.subject
    data: dict[str, Any] = {
        "event": occurrence.kind,
        "occurred_at": timezone.now(),
        "position": position_data(position, filled) if position else None,
    }
    if isinstance(subject, Version):
        data["version"] = _version(subject)
    elif isinstance(subject, Assignment):
        data["employee"] = _employee(subject.employee)
        data["start_date"] = subject.start_date
    elif isinstance(subject, Employee):
        data["employee"] = _employee(subject)
    elif isinstance(subject, Acknowledgement):
        data["employee"] = _employee(subject.employee)
        data["version"] = _version(subject.version)
        data["acknowledged_at"] = subject.acknowledged_at
    return data


# --- recording and ordering -------------------------------------------------------------------


def record(occurrences: Iterable[hooks.Occurrence]) -> list[Delivery]:
    """One delivery per occurrence and subscription wanting it (called in the transaction of
    what happened). One query when nobody subscribed; else a fixed number for any batch."""
    subscriptions = list(Subscription.objects.filter(is_active=True))
    if not subscriptions:
        return []
    wanted = [
        (occurrence, [s for s in subscriptions if occurrence.kind in (s.events or [])])
        for occurrence in occurrences
    ]
    wanted = [(occurrence, subs) for occurrence, subs in wanted if subs]
    if not wanted:
        return []
    position_ids = {o.position.pk for o, _ in wanted if o.position is not None}
    positions = Position.objects.select_related(
        "department", "reports_to", "current_version__department"
    ).in_bulk(position_ids)
    filled = dict(
        Assignment.objects.current()
        .filter(position_id__in=position_ids, employee__left_on__isnull=True)
        .values("position_id")
        .annotate(n=Count("pk"))
        .values_list("position_id", "n")
    )
    # (subscription, position) pairs with a delivery under way: new ones wait behind it
    busy = set(
        Delivery.objects.unfinished()
        .filter(position_id__in=position_ids)
        .values_list("subscription_id", "position_id")
    )
    created = []
    for occurrence, subs in wanted:
        position = positions.get(occurrence.position.pk) if occurrence.position else None
        data = payload(occurrence, position, filled.get(position.pk, 0) if position else 0)
        body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
        for subscription in subs:
            key = (subscription.pk, position.pk if position else None)
            waits = position is not None and key in busy
            if position is not None:
                busy.add(key)
            created.append(
                Delivery(
                    subscription=subscription,
                    event=occurrence.kind,
                    position_id=key[1],
                    body=body,
                    status=Delivery.Status.WAITING if waits else Delivery.Status.QUEUED,
                )
            )
    created = Delivery.objects.bulk_create(created, batch_size=500)
    queued = [d.pk for d in created if d.status == Delivery.Status.QUEUED]
    if len(queued) == 1:
        _enqueue(queued[0])
    elif queued:  # many at once (a batch of versions): one row now, the worker fans out
        from notifications.tasks import dispatch_deliveries  # noqa: PLC0415 — tasks import services

        dispatch_deliveries.enqueue(queued)
    return created


def _add(subscription: Subscription, event: str, position_id: int | None, body: str) -> Delivery:
    earlier = (
        position_id is not None
        and Delivery.objects.unfinished()
        .filter(subscription=subscription, position_id=position_id)
        .exists()
    )
    delivery = Delivery.objects.create(
        subscription=subscription,
        event=event,
        position_id=position_id,
        body=body,
        status=Delivery.Status.WAITING if earlier else Delivery.Status.QUEUED,
    )
    if not earlier:
        _enqueue(delivery.pk)
    return delivery


def resend(delivery: Delivery) -> Delivery:
    """「重新发送」: the same body again as a new delivery (the old one stays in the log)."""
    with transaction.atomic():
        return _add(delivery.subscription, delivery.event, delivery.position_id, delivery.body)


def _enqueue(delivery_id: int, run_after: datetime.datetime | None = None) -> None:
    from notifications.tasks import deliver_webhook  # noqa: PLC0415 — tasks import services

    task = deliver_webhook.using(run_after=run_after) if run_after else deliver_webhook
    task.enqueue(delivery_id)


def _release_next(delivery: Delivery) -> None:
    """The delivery is finished: queue the next one waiting for the same position."""
    if delivery.position_id is None:
        return
    following = (
        Delivery.objects.filter(
            subscription_id=delivery.subscription_id,
            position_id=delivery.position_id,
            status=Delivery.Status.WAITING,
        )
        .order_by("pk")
        .first()
    )
    if following is not None:
        Delivery.objects.filter(pk=following.pk).update(status=Delivery.Status.QUEUED)
        _enqueue(following.pk)


def deliver(delivery_id: int) -> None:
    """Try one delivery (the worker's task)."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .select_related("subscription")
            .filter(pk=delivery_id, status=Delivery.Status.QUEUED)
            .first()
        )
        if delivery is None:
            return
        if (
            delivery.position_id is not None
            and Delivery.objects.unfinished()
            .filter(
                subscription_id=delivery.subscription_id,
                position_id=delivery.position_id,
                pk__lt=delivery.pk,
            )
            .exists()
        ):  # an earlier one is still under way: wait for it to release this one
            Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.WAITING)
            return
        delivery.attempts += 1
        Delivery.objects.filter(pk=delivery.pk).update(attempts=delivery.attempts)
    subscription = delivery.subscription
    timestamp = int(time.time())
    answer = outbound.post(
        subscription.url,
        delivery.body.encode(),
        {
            SIGNATURE_HEADER: sign(subscription.secret, timestamp, delivery.body),
            "X-Jobdesc-Event": delivery.event,
            "X-Jobdesc-Delivery": str(delivery.pk),
            "User-Agent": "jobdesc-webhooks/1",
        },
    )
    now = timezone.now()
    with transaction.atomic():
        fields = {
            "response_status": answer.status,
            "response_ms": answer.elapsed_ms,
            "last_error": answer.error,
        }
        if answer.ok:
            fields |= {
                "status": Delivery.Status.SUCCEEDED,
                "finished_at": now,
                "next_attempt_at": None,
            }
        elif delivery.attempts >= MAX_TRIES or outbound.url_refusal(subscription.url):
            fields |= {
                "status": Delivery.Status.FAILED,
                "finished_at": now,
                "next_attempt_at": None,
            }
        else:
            run_after = now + datetime.timedelta(seconds=RETRY_DELAYS[delivery.attempts - 1])
            fields["next_attempt_at"] = run_after
            _enqueue(delivery.pk, run_after)
        Delivery.objects.filter(pk=delivery.pk).update(**fields)
        if fields.get("finished_at"):
            _release_next(delivery)


def status_counts() -> dict[str, int]:
    return dict(Delivery.objects.values_list("status").annotate(n=Count("pk")))

"""Webhooks against a real local receiver that verifies each signature."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from notifications.models import Delivery, Subscription
from notifications.services import webhooks
from notifications.tests.conftest import WEBHOOK_SECRET
from notifications.tests.helpers import run_worker
from people.services.people import employee_leaves
from positions.models import Position
from positions.services import acknowledgements, workflow
from positions.services.versions import publish_versions

ALL_EVENTS = [value for value, _ in Subscription.Event.choices]


@pytest.fixture
def subscription(receiver):
    return Subscription.objects.create(
        name="ERP", url=receiver.url("hook"), secret=WEBHOOK_SECRET, events=ALL_EVENTS
    )


def publish(demo) -> Position:
    position = workflow.review(
        user=demo.manager, position=workflow.submit(user=demo.hr, position=demo.draft)
    )
    return workflow.approve(user=demo.director, position=position)


def test_published_version_is_posted_signed_with_the_position_as_the_api_shows_it(
    demo, receiver, subscription
):
    position = publish(demo)
    assert receiver.received == []  # queued, not sent in the step
    run_worker()

    (request,) = receiver.received
    assert request.verdict == "ok"  # the receiver recomputed X-Jobdesc-Signature
    assert request.headers["X-Jobdesc-Event"] == "version.published"
    body = request.json
    assert body["event"] == "version.published"
    assert body["version"]["label"] == "V1"
    assert {
        k: body["position"][k] for k in ("id", "title", "code", "status", "current_version")
    } == {
        "id": position.pk,
        "title": "售楼员",
        "code": "FZ-XS-101",
        "status": "published",
        "current_version": 1,
    }
    assert body["position"]["department_name"] == "销售部"
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("succeeded", 1, 200)
    assert delivery.response_ms is not None


def test_signature_is_hmac_sha256_of_timestamp_dot_body():
    expected = hmac.new(b"secret", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
    assert webhooks.sign("secret", 1700000000, '{"a":1}') == f"t=1700000000,v1={expected}"


def test_a_receiver_answering_500_gets_the_delivery_again_after_the_backoff(
    demo, receiver, subscription
):
    receiver.statuses = [500]
    publish(demo)
    run_worker()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("queued", 1, 500)
    assert delivery.last_error == "HTTP 500"

    run_worker()  # not due yet: nothing more
    assert len(receiver.received) == 1
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=31), tick=False):
        run_worker()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("succeeded", 2, 200)
    assert [r.verdict for r in receiver.received] == ["ok", "ok"]
    assert receiver.received[0].body == receiver.received[1].body


def test_later_events_of_a_position_wait_for_the_earlier_one(demo, receiver, subscription):
    receiver.statuses = [500]
    position = publish(demo)  # A: 售楼员 V1, answered 500 at first
    acknowledgements.acknowledge(user=demo.employee, version=position.current_version)  # B
    in_force = Position.objects.get(code="FZ-XS-001")  # C: another position
    acknowledgements.acknowledge(user=demo.manager, version=in_force.current_version)
    run_worker()

    statuses = dict(Delivery.objects.values_list("event", "status").filter(position=position))
    assert statuses == {"version.published": "queued", "acknowledgement.completed": "waiting"}
    assert Delivery.objects.get(position=in_force).status == "succeeded"  # not held up

    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=31), tick=False):
        run_worker()
    order = [r.json["event"] for r in receiver.received if r.json["position"]["id"] == position.pk]
    assert order == ["version.published", "version.published", "acknowledgement.completed"]
    assert set(Delivery.objects.values_list("status", flat=True)) == {"succeeded"}


def test_eight_tries_over_a_day_then_given_up_and_the_next_event_goes(demo, receiver, subscription):
    assert 23 * 3600 < sum(webhooks.RETRY_DELAYS) <= 24 * 3600
    receiver.statuses = [500] * webhooks.MAX_TRIES
    position = publish(demo)
    acknowledgements.acknowledge(user=demo.employee, version=position.current_version)
    now = timezone.now()
    run_worker()
    for delay in webhooks.RETRY_DELAYS:
        now += datetime.timedelta(seconds=delay + 1)
        with time_machine.travel(now, tick=False):
            run_worker()

    first = Delivery.objects.get(event="version.published")
    assert (first.status, first.attempts, first.last_error) == ("failed", 8, "HTTP 500")
    second = Delivery.objects.get(event="acknowledgement.completed")
    assert (second.status, second.attempts) == ("succeeded", 1)
    assert len(receiver.received) == 9


def test_host_not_allowed_is_given_up_without_a_request(demo, receiver, subscription, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["erp.example.com"]
    publish(demo)
    run_worker()
    delivery = Delivery.objects.get()
    assert delivery.status == "failed"
    assert delivery.last_error == "主机“127.0.0.1”不在允许列表（WEBHOOK_ALLOWED_HOSTS）中。"
    assert receiver.received == []


def test_redirect_is_not_followed(demo, receiver, subscription):
    receiver.statuses = [302]
    publish(demo)
    run_worker()
    delivery = Delivery.objects.get()
    assert (delivery.response_status, delivery.last_error, delivery.status) == (
        302,
        "HTTP 302",
        "queued",
    )
    assert len(receiver.received) == 1


def test_slow_receiver_does_not_slow_the_approval_page(client, demo, receiver, subscription):
    receiver.delay = 1
    position = workflow.review(
        user=demo.manager, position=workflow.submit(user=demo.hr, position=demo.draft)
    )
    client.force_login(demo.director)
    response = client.post(
        reverse("positions:position-workflow", kwargs={"pk": position.pk}),
        {"action": "approve", "confirmed": "1"},
        follow=True,
    )
    assert "已生效" in response.content.decode()
    assert receiver.received == []  # the page answered before anything was posted
    assert Delivery.objects.get().status == "queued"

    run_worker()
    delivery = Delivery.objects.get()
    assert delivery.status == "succeeded" and delivery.response_ms >= 1000


def test_transfer_and_leaving_are_told(demo, receiver, subscription):
    employee = demo.employee.employee
    employee_leaves(employee=employee, left_on=timezone.localdate())
    run_worker()
    (request,) = receiver.received
    assert request.json["event"] == "employee.left"
    assert request.json["employee"]["name"] == employee.name
    assert request.json["position"]["code"] == "FZ-XS-101"


def test_resend_in_the_admin_posts_the_same_body_again(client, demo, receiver, subscription):
    publish(demo)
    run_worker()
    delivery = Delivery.objects.get()
    client.force_login(demo.admin)
    response = client.post(
        reverse("admin:notifications_delivery_changelist"),
        {"action": "resend", "_selected_action": [delivery.pk]},
        follow=True,
    )
    assert "已重新排队发送 1 条投递。" in response.content.decode()
    run_worker()
    assert len(receiver.received) == 2
    assert json.loads(receiver.received[1].body) == json.loads(receiver.received[0].body)
    assert list(Delivery.objects.values_list("status", flat=True)) == ["succeeded", "succeeded"]


def test_subscription_admin_refuses_a_host_not_allowed(client, demo, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["erp.example.com"]
    client.force_login(demo.admin)
    response = client.post(
        reverse("admin:notifications_subscription_add"),
        {
            "name": "外部",
            "url": "http://169.254.169.254/latest/",
            "secret": "short",
            "events": ["version.published"],
            "is_active": "on",
        },
    )
    text = response.content.decode()
    assert "主机“169.254.169.254”不在允许列表（WEBHOOK_ALLOWED_HOSTS）中。" in text
    assert "签名密钥至少 16 个字符。" in text
    assert not Subscription.objects.exists()


def test_a_receiver_slower_than_the_read_timeout_is_cut_off_and_retried(
    demo, receiver, subscription, settings
):
    settings.WEBHOOK_READ_TIMEOUT_SECONDS = 1  # production waits 10 s; the cut is the same
    receiver.delay = 1.5
    publish(demo)
    run_worker()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.response_status) == ("queued", None)
    assert delivery.last_error.startswith("ReadTimeout")
    assert 1_000 <= delivery.response_ms < 1_500


def test_many_versions_at_once_are_written_in_bulk_and_all_delivered(demo, receiver, subscription):
    in_force = list(Position.objects.filter(code__in=["FZ-XS-001", "FZ-XS-101"]).order_by("code"))
    publish_versions(in_force)
    assert Delivery.objects.filter(status="queued").count() == 2
    run_worker()  # the fan-out task queues one delivery task each
    assert sorted(r.json["position"]["code"] for r in receiver.received) == [
        "FZ-XS-001",
        "FZ-XS-101",
    ]
    assert all(r.verdict == "ok" for r in receiver.received)

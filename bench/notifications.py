"""Benchmark: what notifications and webhooks add to publishing, and how fast the worker sends.

On a throw-away test database, in one process:

* publish — ``publish_versions`` of N positions (one holder each, with an e-mail address), first
  with nothing subscribed, then with one webhook subscription to every event: the extra time is
  what the hook costs inside the publishing transaction (a delivery and a message per version);
* send — the real ``db_worker`` sending those N e-mails to an aiosmtpd server and POSTing the N
  signed deliveries to a local HTTP receiver (``notifications/tests/receivers.py``).

Targets (2-core machine): the hook adds ≤ 10 ms per version published; the worker sends
≥ 20 messages or deliveries a second to local receivers.

    DEBUG=1 .venv/bin/python bench/notifications.py [--size 200] [--smoke]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

TARGET_HOOK_MS = 10.0
TARGET_RATE = 20.0
SMOKE = False  # --smoke (CI): 5 positions, no targets


def _setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobdesc.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()


def _positions(size: int, tag: str):
    from positions.models import Position
    from positions.tests.factories import DepartmentFactory, EmployeeFactory, PositionFactory

    department = DepartmentFactory(name=f"测试部{tag}", code=f"B-{tag}")
    positions = []
    for n in range(size):
        position = PositionFactory(
            title=f"岗位{tag}{n}",
            code=f"B-{tag}-{n:04d}",
            department=department,
            status=Position.Status.PUBLISHED,
        )
        employee = EmployeeFactory(position=position, employee_no=f"B{tag}{n:05d}")
        employee.user.email = f"e{tag}{n}@example.com"
        employee.user.save(update_fields=["email"])
        positions.append(position)
    return positions


def _line(label: str, value: str, goal: str = "") -> None:
    print(f"{label:<40} {value}{'' if SMOKE else goal}")


def _measure(size: int) -> None:
    from django.conf import settings

    from notifications.models import Delivery, Message, Subscription
    from notifications.tests.conftest import WEBHOOK_SECRET
    from notifications.tests.helpers import run_worker
    from notifications.tests.receivers import HttpReceiver, SmtpReceiver
    from positions.services.versions import publish_versions

    quiet = _positions(size, "A")
    started = time.perf_counter()
    publish_versions(quiet)
    bare_s = time.perf_counter() - started

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: a line per command
    receiver = HttpReceiver(secrets={"hook": WEBHOOK_SECRET}).start()
    smtp = SmtpReceiver().start()
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
    told = _positions(size, "B")  # (the factory publishes V1 before anyone subscribed)
    Message.objects.all().delete()
    try:
        Subscription.objects.create(
            name="ERP",
            url=receiver.url("hook"),
            secret=WEBHOOK_SECRET,
            events=[value for value, _ in Subscription.Event.choices],
        )
        started = time.perf_counter()
        publish_versions(told)
        told_s = time.perf_counter() - started
        extra_ms = (told_s - bare_s) * 1000 / size
        _line(f"发布 {size} 个版本（无订阅）", f"{bare_s * 1000:8.0f} ms")
        _line(f"发布 {size} 个版本（1 个订阅 + 邮件）", f"{told_s * 1000:8.0f} ms")
        verdict = "ok" if extra_ms <= TARGET_HOOK_MS else "超出目标"
        _line("每个版本增加", f"{extra_ms:8.1f} ms", f"  目标 ≤ {TARGET_HOOK_MS:.0f} ms  {verdict}")

        started = time.perf_counter()
        run_worker()
        send_s = time.perf_counter() - started
        sent = Message.objects.filter(status="sent").count()
        delivered = Delivery.objects.filter(status="succeeded").count()
        assert sent == size and delivered == size, (sent, delivered)
        assert len(smtp.messages) == size and all(r.verdict == "ok" for r in receiver.received)
        rate = (sent + delivered) / send_s
        _line(
            f"worker 发送 {sent} 封邮件 + {delivered} 个 Webhook",
            f"{send_s * 1000:8.0f} ms（{rate:.0f} 条/秒）",
            f"  目标 ≥ {TARGET_RATE:.0f} 条/秒  {'ok' if rate >= TARGET_RATE else '低于目标'}",
        )
    finally:
        receiver.stop()
        smtp.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200, help="positions published per run")
    parser.add_argument("--smoke", action="store_true", help="CI: 5 positions, no targets")
    args = parser.parse_args()
    if args.smoke:
        global SMOKE
        SMOKE = True
        args.size = 5
    _setup_django()
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    setup_test_environment()
    names = setup_databases(verbosity=0, interactive=False)
    try:
        _measure(args.size)
    finally:
        teardown_databases(names, verbosity=0)


if __name__ == "__main__":
    main()

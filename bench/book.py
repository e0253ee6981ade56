"""Benchmark: a department book (职位说明书汇编) of 100 generated, seed-sized positions.

Measures, in a warm process (fonts loaded once, as in the task worker):

* cold render — building the 100 sheets and laying the book out as one document, no storage;
* the whole job through the real queue — ``request_book`` + ``manage.py db_worker --batch``
  (build, render, store through Django's storage);
* from storage — the second download, a full request through the Django test client;
* the file size and page count.

Targets (2-core machine): cold ≤ 20 s, from storage ≤ 15 ms, file ≤ 3 MB.

    DEBUG=1 .venv/bin/python bench/book.py [--runs 3] [--smoke]

``run()`` is also called by ``bench/pdf.py``. It needs Django set up; it builds its data in a
throw-away test database (created here unless the caller already runs inside one) and keeps
stored files in a temporary MEDIA_ROOT.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

BOOK_SIZE = 100
TARGET_COLD_S = 20.0
TARGET_STORED_MS = 15.0
TARGET_SIZE_MB = 3.0
SMOKE = False  # --smoke (CI): a 5-position book, one run, no targets


def _setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobdesc.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()


def _in_test_database() -> bool:
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    return name.startswith("file:memorydb") or "test" in Path(name).name


def _make_positions(count: int):
    """``count`` published positions in one department, copied round-robin from the seed."""
    from django.contrib.auth import get_user_model

    from positions.models import Department, Position
    from positions.services import editing, seed, versions

    if not Position.objects.filter(code="FZ-XS-001").exists():
        seed.load_seed()
    admin, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_superuser": True, "is_staff": True}
    )
    parent = Department.objects.get(name="福州项目公司")
    department, _ = Department.objects.get_or_create(
        code="BENCH-BOOK", defaults={"name": "汇编测试部", "parent": parent}
    )
    seeds = list(Position.objects.in_force().order_by("code", "pk"))
    for number in range(1, count + 1):
        source = seeds[(number - 1) % len(seeds)]
        copy = editing.copy_position(
            user=admin,
            source=source,
            code=f"BK-{number:03d}",
            title=f"{source.title}{number:03d}",
            department=department,
        )
        Position.objects.filter(pk=copy.pk).update(
            status=Position.Status.PUBLISHED,
            prepared_by_name="王人事",
            reviewed_by_name="陈经理",
            approved_by_name="赵总",
        )
        versions.publish_version(copy)
    return department, admin


def _run_worker() -> None:
    from django.core.management import call_command

    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command(
            "db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0
        )
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _measure(runs: int, out) -> dict:
    from django.test import Client
    from django.urls import reverse

    from positions.models import BookJob
    from printing.services import books

    started = time.perf_counter()
    department, admin = _make_positions(BOOK_SIZE)
    out(f"准备数据：{BOOK_SIZE} 个已生效职位，用时 {time.perf_counter() - started:.1f} s")
    selection = books.department_selection(department, include_subdepartments=False)
    assert len(selection.versions) == BOOK_SIZE

    # Warm the process as the worker is warm: fonts, templates, one small book.
    books.render_book(selection.versions[:2], title="预热")

    cold, cold_cpu = [], []
    pdf = None
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        pdf = books.render_book(selection.versions, title=selection.title)
        cold.append(time.perf_counter() - t0)
        cold_cpu.append(time.process_time() - c0)

    t0 = time.perf_counter()
    job = books.request_book(selection, admin)
    _run_worker()
    job_seconds = time.perf_counter() - t0
    job.refresh_from_db()
    assert job.status == BookJob.Status.DONE, job.error

    client = Client()
    client.force_login(admin)
    url = reverse("positions:book-download", kwargs={"pk": job.pk})
    stored, stored_cpu = [], []
    for _ in range(runs if SMOKE else max(20, runs)):
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get(url)
        body = b"".join(response.streaming_content)
        stored.append((time.perf_counter() - t0) * 1000)
        stored_cpu.append((time.process_time() - c0) * 1000)
        assert response.status_code == 200 and body.startswith(b"%PDF")

    result = {
        "positions": BOOK_SIZE,
        "pages": pdf.page_count,
        "cold_s": statistics.median(cold),
        "cold_runs_s": cold,
        "cold_cpu_s": statistics.median(cold_cpu),
        "job_s": job_seconds,
        "stored_ms": statistics.median(stored),
        "stored_cpu_ms": statistics.median(stored_cpu),
        "size_mb": job.file_size / 1024 / 1024,
    }
    rows = (
        (
            f"冷渲染（中位数，{runs} 次，墙钟）",
            f"{result['cold_s']:7.2f} s",
            f"≤ {TARGET_COLD_S:.0f} s",
        ),
        ("冷渲染（本进程 CPU 时间）", f"{result['cold_cpu_s']:7.2f} s", ""),
        ("队列全程（入队→db_worker→存储）", f"{result['job_s']:7.2f} s", ""),
        (
            "存储读取（完整请求，中位数）",
            f"{result['stored_ms']:7.2f} ms",
            f"≤ {TARGET_STORED_MS:.0f} ms",
        ),
        ("存储读取（本进程 CPU 时间）", f"{result['stored_cpu_ms']:7.2f} ms", ""),
        ("文件大小", f"{result['size_mb']:7.2f} MB", f"≤ {TARGET_SIZE_MB:.0f} MB"),
    )
    out("")
    out(f"职位说明书汇编（{BOOK_SIZE} 个职位，{result['pages']} 页，一份文档）")
    for label, value, target in rows:
        out(f"  {label:<24}{value:>12}  {('目标 ' + target) if target and not SMOKE else ''}")
    return result


def run(runs: int = 3, out=print) -> dict:
    """Measure the book; returns the numbers (seconds, milliseconds, megabytes)."""
    from django.test.utils import override_settings, setup_test_environment

    with (
        tempfile.TemporaryDirectory(prefix="jobdesc-bench-media-") as media,
        override_settings(MEDIA_ROOT=media, ALLOWED_HOSTS=["testserver", "localhost"]),
    ):
        if _in_test_database():
            return _measure(runs, out)
        from django.test.utils import setup_databases, teardown_databases

        with contextlib.suppress(RuntimeError):  # the caller set the test environment up
            setup_test_environment()
        names = setup_databases(verbosity=0, interactive=False)
        try:
            return _measure(runs, out)
        finally:
            teardown_databases(names, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="cold renders to take the median of")
    parser.add_argument("--smoke", action="store_true", help="CI: 5 positions, 1 run, no targets")
    args = parser.parse_args()
    if args.smoke:
        global BOOK_SIZE, SMOKE
        BOOK_SIZE, SMOKE, args.runs = 5, True, 1
    _setup_django()
    run(runs=args.runs)


if __name__ == "__main__":
    main()

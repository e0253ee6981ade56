"""Profile one page request as a reader, under the production settings (DEBUG off).

Builds a throw-away seeded SQLite database (or uses --database-url), signs the demo 员工 in
through the test client (the whole stack: every middleware, context processor and template),
warms the page once, then prints for the next requests: the SQL queries (each, with its time),
the median wall and CPU time, and cProfile's functions by cumulative time.

    .venv/bin/python bench/profile_page.py [--page sheet|pdf|me|list|search|chart] [--runs 50]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", default="sheet")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--database-url")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--smoke", action="store_true", help="CI: 3 requests, the top 10")
    args = parser.parse_args()
    if args.smoke:
        args.runs, args.top = 3, 10
    tmp = Path(tempfile.mkdtemp(prefix="jobdesc-profile-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="jobdesc.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver,127.0.0.1",
        DATABASE_URL=args.database_url or f"sqlite:///{tmp / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp / "media"),
        STORAGE_BACKEND="local",
        HTTPS="0",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    # Static files are not collected here: the manifest storage would refuse every {% static %}.
    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }
    from positions.models import Position

    if not args.database_url:
        call_command("migrate", interactive=False, verbosity=0)
        settings.DEBUG = True  # setup_demo refuses DEBUG off (published passwords)
        call_command("setup_demo", verbosity=0)
        call_command("rebuild_search_index", if_empty=True, verbosity=0)
        settings.DEBUG = False
    position = Position.objects.get(code="FZ-XS-101")
    paths = {
        "sheet": reverse("positions:position-sheet", kwargs={"pk": position.pk}),
        "pdf": reverse(
            "positions:version-pdf",
            kwargs={"pk": position.pk, "number": position.current_version.number},
        ),
        "me": reverse("positions:my-position"),
        "list": reverse("positions:position-list"),
        "search": reverse("positions:search") + "?q=销售",
        "chart": reverse("positions:org-chart"),
    }
    path = paths[args.page]
    client = Client()
    client.post(reverse("login"), {"username": "employee", "password": "jobdesc-demo"})
    for _ in range(2):  # warm: caches, the stored PDF, template loader
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    print(f"{path}: {len(queries)} queries")
    for query in queries.captured_queries:
        print(f"  {float(query['time']) * 1000:6.2f} ms  {query['sql'][:150]}")
    times, cpu = [], []
    for _ in range(args.runs):
        started, started_cpu = time.perf_counter(), time.thread_time()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    # CPU time (this thread's; SQLite runs in it) is what a shared machine disturbs least.
    print(
        f"median {statistics.median(times):.2f} ms wall, {statistics.median(cpu):.2f} ms CPU "
        f"over {args.runs} requests"
    )
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.runs):
        client.get(path)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()

"""Benchmark: page server times and SQL query counts at 10,000 positions (PostgreSQL).

Measures, through the Django test client (the whole request: middleware, permissions, queries,
template), the median server time and the number of SQL queries of:

1. the position list (first page, 50 rows) — as HR (working copies) and as an employee (the
   versions in force); and a 5-row filtered list, to show the query count does not grow;
2. search for a common two-character word (销售), a rare longer phrase (碳排放核查), and pinyin
   initials (zygw → 置业顾问);
3. the sheet page of a generated position with ten duties;
4. the org chart of the largest generated department (about 200 positions).

Targets: median ≤ 50 ms at 10,000 positions (≤ 100 ms at 100,000); query counts independent of
the rows shown and of the number of positions.

100,000 positions: when the database ``jobdesc_bench100k`` exists on the same server (generated
once, outside CI: ``DATABASE_URL=…/jobdesc_bench100k manage.py generate_positions --count 100000
--prefix SIM``), the same pages are measured there too (by a second run of this script) and
printed beside the 10,000 figures. It is never generated here.

``--designs`` also compares, in SQL alone, the search index designs for a two-character query:
the bigram GIN index (ours), a LIKE scan, and a pg_trgm GIN index (created in a transaction
that is rolled back).

Data: the database named by DATABASE_URL (default: the benchmark database
postgres://jobdesc:jobdesc@127.0.0.1:5432/jobdesc_bench). It is migrated, and filled with
``generate_positions --count 10000`` when it holds fewer generated positions.

    make bench                                   # or:
    DEBUG=1 .venv/bin/python bench/pages.py [--runs 15] [--designs] [--smoke]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgres://jobdesc:jobdesc@127.0.0.1:5432/jobdesc_bench"
TARGET_MS = 50.0
TARGET_100K_MS = 100.0
POSITIONS = 10_000
DATABASE_100K = "jobdesc_bench100k"
SMOKE_POSITIONS = 40  # --smoke (CI): the code paths, not the scale
PREFIX = "SIM"


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobdesc.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE)
    import django

    django.setup()


def _ensure_data() -> None:
    from django.core.management import call_command

    from positions.models import Position

    call_command("migrate", verbosity=0)
    have = Position.objects.filter(code__startswith=f"{PREFIX}-").count()
    if have < POSITIONS:
        if have:
            sys.exit(
                f"The database holds {have} generated positions (fewer than {POSITIONS}); "
                "use an empty database."
            )
        print(f"Generating {POSITIONS} positions (once; takes a few minutes) …", flush=True)
        started = time.perf_counter()
        call_command("generate_positions", count=POSITIONS, seed=1, prefix=PREFIX)
        print(f"Generated {POSITIONS} positions in {time.perf_counter() - started:.0f} s.")


def _users():
    from django.contrib.auth import get_user_model

    from positions import permissions

    model = get_user_model()
    hr, _ = model.objects.get_or_create(username="bench-hr", defaults={"first_name": "王人事"})
    hr.groups.set([permissions.role_group(permissions.HR_EDITOR)])
    employee, _ = model.objects.get_or_create(
        username="bench-employee", defaults={"first_name": "林员工"}
    )
    employee.groups.set([permissions.role_group(permissions.EMPLOYEE)])
    return {"HR": hr, "员工": employee}


def _measure(client, url: str, runs: int) -> tuple[float, float, int, int]:
    """(median ms, median CPU ms, queries, status) of GET url after one warm-up request.

    The CPU time is this thread's (Python: middleware, ORM, templates), without the database
    server's and without the waiting for a core that a shared machine adds to the wall time.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    times, cpu = [], []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.thread_time()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - started_cpu) * 1000)
        queries = len(captured)
    return statistics.median(times), statistics.median(cpu), queries, response.status_code


def _pages() -> list[tuple[str, str, str]]:
    """(label, url, note) of every page measured."""
    from django.db.models import Count
    from django.urls import reverse

    from positions.models import Department, Position

    sheet = (
        Position.objects.filter(code__startswith=f"{PREFIX}-", department__name="销售部")
        .annotate(duty_count=Count("duties"))
        .filter(duty_count=10)
        .order_by("pk")
        .first()
    )
    largest = (
        Department.objects.filter(code__startswith=f"{PREFIX}-")
        .annotate(size=Count("positions"))
        .order_by("-size", "pk")
        .first()
    )
    small = (
        Department.objects.filter(code__startswith=f"{PREFIX}-")
        .annotate(size=Count("positions"))
        .filter(size__gte=5)
        .order_by("size", "pk")
        .first()
    )
    search = reverse("positions:search")
    listing = reverse("positions:position-list")
    pages = [
        ("职位列表（50 行）", listing, "first page"),
        (
            "职位列表（筛选后 9 行）",
            f"{listing}?q={small.code}-00",
            f"codes {small.code}-001…009",
        ),
        ("搜索：销售", f"{search}?q=销售", "common 2-character word"),
        ("搜索：碳排放核查", f"{search}?q=碳排放核查", "rare 5-character phrase"),
        ("搜索：zygw（拼音）", f"{search}?q=zygw", "pinyin initials of 置业顾问"),
        ("职位说明书", reverse("positions:position-sheet", kwargs={"pk": sheet.pk}), "10 duties"),
    ]
    pages.append(
        (
            f"组织架构图（{largest.parent.name}{largest.name}）",
            reverse("positions:department-chart", kwargs={"pk": largest.pk}),
            f"{largest.size} positions",
        )
    )
    return pages


def _designs(runs: int) -> None:
    """Two-character query over the whole index: bigram GIN vs LIKE scan vs pg_trgm GIN."""
    from django.db import connection, transaction

    def timed(sql: str, params: list) -> tuple[float, int]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                cursor.execute(sql, params)
                (count,) = cursor.fetchone()
                times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times), count

    table = "positions_searchentry"
    # As HR searches: the working copies' rows (the partial GIN index of that source).
    where = "source = 'working' AND "
    queries = {
        "bigram GIN (ours), 销售": (
            f"SELECT count(*) FROM {table} WHERE {where}string_to_array(tokens, ' ') @> %s::text[]",
            [["销售"]],
        ),
        "bigram GIN (ours), 碳排放核查": (
            f"SELECT count(*) FROM {table} WHERE {where}"
            "string_to_array(tokens, ' ') @> %s::text[] AND normalised LIKE %s",
            [["碳排", "排放", "放核", "核查"], "%碳排放核查%"],
        ),
        "LIKE scan, 销售": (
            f"SELECT count(*) FROM {table} WHERE {where}normalised LIKE %s",
            ["%销售%"],
        ),
    }
    print("\nSearch index designs over the working copies' index rows (SQL only):")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        print(f"  index rows: {cursor.fetchone()[0]}")
    for label, (sql, params) in queries.items():
        ms, count = timed(sql, params)
        print(f"  {label:<28} {ms:8.1f} ms  ({count} rows)")
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                started = time.perf_counter()
                cursor.execute(
                    f"CREATE INDEX bench_trgm ON {table} USING gin (normalised gin_trgm_ops)"
                )
                built = time.perf_counter() - started
                cursor.execute(f"ANALYZE {table}")
            for word in ("销售", "碳排放核查"):
                ms, count = timed(
                    f"SELECT count(*) FROM {table} WHERE {where}normalised LIKE %s",
                    [f"%{word}%"],
                )
                label = f"pg_trgm GIN, {word}"
                print(f"  {label:<28} {ms:8.1f} ms  ({count} rows; built in {built:.0f} s)")
            transaction.set_rollback(True)
    except Exception as error:  # the comparison is optional: say why it was skipped
        print(f"  pg_trgm: not measured ({error})")


def _measure_all(runs: int) -> list[dict]:
    """Every page as HR and as an employee: label, who, median ms and CPU ms, queries, status,
    note."""
    from django.db import connection
    from django.test import Client

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    users = _users()
    pages = _pages()
    rows = []
    for who, user in users.items():
        client = Client()
        client.force_login(user)
        for label, url, note in pages:
            ms, cpu, queries, status = _measure(client, url, runs)
            rows.append(
                {"label": label, "who": who, "ms": ms, "cpu": cpu, "queries": queries}
                | {"status": status, "note": note}
            )
    return rows


def _database_url(name: str) -> str:
    """DATABASE_URL with another database name on the same server."""
    url = os.environ["DATABASE_URL"]
    return url.rsplit("/", 1)[0] + "/" + name


def _measure_100k(runs: int) -> list[dict] | None:
    """The same pages on jobdesc_bench100k when it exists (a second run of this script)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_100K])
        if cursor.fetchone() is None:
            return None
    done = subprocess.run(
        [sys.executable, __file__, "--existing", "--runs", str(runs)],
        env=os.environ | {"DATABASE_URL": _database_url(DATABASE_100K)},
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if done.returncode:
        print(f"{DATABASE_100K}: not measured ({done.stderr.strip()[-500:]})")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])  # the same pages, in order


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--designs", action="store_true", help="compare index designs in SQL")
    parser.add_argument(
        "--smoke", action="store_true", help="CI: a few dozen positions, 2 runs, no targets"
    )
    parser.add_argument(
        "--existing", action="store_true", help="measure the database as it is; print JSON"
    )
    args = parser.parse_args()
    if args.smoke:
        global POSITIONS
        POSITIONS, args.runs = SMOKE_POSITIONS, 2
    _setup_django()
    from django.conf import settings
    from django.db import connection

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if args.existing:
        print(json.dumps(_measure_all(args.runs), ensure_ascii=False))
        return
    _ensure_data()
    load_before = os.getloadavg()
    if connection.vendor != "postgresql":
        print(f"Warning: measuring on {connection.vendor}, not PostgreSQL.")
    rows = _measure_all(args.runs)
    big = None if args.smoke else _measure_100k(args.runs)
    print(
        f"Pages at {POSITIONS} positions on {connection.vendor}; median of {args.runs} runs; "
        f"load average before {' '.join(f'{x:.2f}' for x in load_before)}, after "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)."
    )
    if big is None and not args.smoke:
        print(f"({DATABASE_100K} does not exist: 100,000 positions not measured.)")
    header = f"{'page':<34}{'who':<6}{'median ms':>10}{'CPU ms':>8}{'queries':>9}  status"
    if big is not None:
        header += f"{'100k ms':>9}{'CPU ms':>8}{'queries':>9}"
    print(header + "  note")
    failures = []
    for n, row in enumerate(rows):
        label, who, ms, queries, status = (
            row[k] for k in ("label", "who", "ms", "queries", "status")
        )
        ok = args.smoke or (ms <= TARGET_MS and status == 200)
        if not ok:
            failures.append(f"{label} ({who})")
        line = f"{label:<34}{who:<6}{ms:>10.1f}{row['cpu']:>8.1f}{queries:>9}  {status:>6}"
        if big is not None:
            other = big[n] if len(big) == len(rows) else None
            if other is None:
                line += f"{'—':>9}{'—':>8}{'—':>9}"
            else:
                line += f"{other['ms']:>9.1f}{other['cpu']:>8.1f}{other['queries']:>9}"
                if not args.smoke and other["ms"] > TARGET_100K_MS:
                    failures.append(f"{label} ({who}, 100k)")
        print(f"{line}  {row['note']}{'' if ok else '  ← over target'}")
    if args.designs:
        _designs(args.runs)
    if args.smoke:
        print("\nSmoke run: figures only, no targets.")
        return
    print(
        f"\nTargets: median ≤ {TARGET_MS:.0f} ms at {POSITIONS} positions"
        + (f", ≤ {TARGET_100K_MS:.0f} ms at 100,000" if big is not None else "")
        + "."
        + (f" Over target: {', '.join(failures)}." if failures else " All pages within target.")
    )


if __name__ == "__main__":
    main()

"""Benchmark: the 组织诊断 at 10,000 positions and 100,000 duties (PostgreSQL).

Measures:

1. one department's report — ``build_report`` of the largest generated 销售部 (about 200
   positions and 2,000 duties) and the report page as the HR editor sees it (the whole
   request), median of ``--runs``; the same for the largest generated 项目公司 (about 800
   positions), printed without a target;
2. the whole organisation as the job the task worker runs (``run_job``: every check, the report
   stored as JSON on the job), with the number of findings of each type and the duty-overlap
   candidates the prefix-filtered bigram index compared, against all pairs within the blocks.

Targets (printed, never asserted): one department's report ≤ 1 s; the whole organisation as a
job ≤ 30 s.

Data: the database named by DATABASE_URL (default: the benchmark database
postgres://jobdesc:jobdesc@127.0.0.1:5432/jobdesc_bench, shared with bench/pages.py). It is
migrated, and filled with ``generate_positions --count 10000`` when it holds no generated
positions. ``--smoke`` (CI): 40 positions in a throw-away SQLite database, 2 runs, no targets.

    DEBUG=1 .venv/bin/python bench/diagnosis.py [--runs 5] [--smoke]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgres://jobdesc:jobdesc@127.0.0.1:5432/jobdesc_bench"
POSITIONS = 10_000
SMOKE_POSITIONS = 40
PREFIX = "SIM"
TARGET_DEPARTMENT_S = 1.0
TARGET_WHOLE_S = 30.0


def _setup_django(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobdesc.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()


def _ensure_data(count: int) -> None:
    from django.core.management import call_command

    from positions.models import Position

    call_command("migrate", verbosity=0)
    have = Position.objects.filter(code__startswith=f"{PREFIX}-").count()
    if have == 0:
        print(f"Generating {count} positions (once) …", flush=True)
        started = time.perf_counter()
        call_command("generate_positions", count=count, seed=1, prefix=PREFIX, verbosity=0)
        print(f"Generated {count} positions in {time.perf_counter() - started:.0f} s.")
    elif have < count:
        print(f"Note: the database holds {have} generated positions (fewer than {count}).")


def _timed(fn, runs: int) -> tuple[float, object]:
    fn()  # warm-up
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _hr_client():
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from positions import permissions

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    user, _ = get_user_model().objects.get_or_create(
        username="bench-hr", defaults={"first_name": "王人事"}
    )
    user.groups.set([permissions.role_group(permissions.HR_EDITOR)])
    client = Client()
    client.force_login(user)
    return client


def _candidates() -> tuple[int, int]:
    """(pairs the index compared, all pairs within the blocks) over the whole organisation."""
    from diagnosis.services import findings

    compared = 0
    original = findings.jaccard

    def counting(a, b):
        nonlocal compared
        compared += 1
        return original(a, b)

    findings.jaccard = counting  # counts comparisons only; the rule runs unchanged
    try:
        from positions.models import Position

        findings.duty_overlaps(Position.objects.active())
    finally:
        findings.jaccard = original
    from collections import defaultdict

    from positions.models import Duty

    superiors = dict(Position.objects.active().values_list("pk", "reports_to_id"))
    per_position: dict[int, int] = defaultdict(int)
    for pk in Duty.objects.filter(responsibility=Duty.Responsibility.FULL).values_list(
        "position_id", flat=True
    ):
        per_position[pk] += 1
    blocks: dict[int, int] = defaultdict(int)
    for pk, n in per_position.items():
        blocks[pk] += n
        first = superiors.get(pk)
        for anchor in (first, superiors.get(first) if first else None):
            if anchor is not None:
                blocks[anchor] += n
    return compared, sum(n * (n - 1) // 2 for n in blocks.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="CI: 40 positions, SQLite, 2 runs")
    args = parser.parse_args()
    count = POSITIONS
    scratch = None
    if args.smoke:
        count, args.runs = SMOKE_POSITIONS, 2
        scratch = tempfile.TemporaryDirectory()
        database = f"sqlite:///{scratch.name}/bench.sqlite3"
    else:
        database = os.environ.get("DATABASE_URL", DEFAULT_DATABASE)
    _setup_django(database)

    from django.db import connection
    from django.db.models import Count
    from django.urls import reverse

    from diagnosis.models import DiagnosisJob
    from diagnosis.services import jobs
    from diagnosis.services.report import build_report
    from positions.models import Department, Duty, Position

    _ensure_data(count)
    positions = Position.objects.active().count()
    duties = Duty.objects.count()
    print(
        f"组织诊断 on {connection.vendor}: {positions} positions, {duties} duties; "
        f"median of {args.runs} runs."
    )
    generated = Department.objects.filter(code__startswith=f"{PREFIX}-")
    sales = (
        generated.filter(name="销售部")
        .annotate(size=Count("positions"))
        .order_by("-size", "pk")
        .first()
    )
    company = (
        generated.filter(kind=Department.Kind.COMPANY)
        .annotate(size=Count("children__positions"))
        .order_by("-size", "pk")
        .first()
    )
    client = _hr_client()
    failures = []
    for label, department in (("销售部", sales), ("项目公司", company)):
        if department is None:
            continue
        seconds, report = _timed(lambda d=department: build_report(d), args.runs)
        page_seconds, _ = _timed(
            lambda d=department: client.get(reverse("diagnosis:report", args=[d.pk])), args.runs
        )
        worst = max(seconds, page_seconds)
        targeted = label == "销售部"  # the target is one department's; a company is printed
        ok = args.smoke or not targeted or worst <= TARGET_DEPARTMENT_S
        if not ok:
            failures.append(label)
        target = (
            f"  [target ≤ {TARGET_DEPARTMENT_S:.0f} s"
            f"{'' if args.smoke else (': ok' if ok else ': MISSED')}]"
            if targeted
            else "  [no target: a whole company]"
        )
        print(
            f"  {'one department' if targeted else 'one company'} ({label} {department.code}, "
            f"{report.positions} positions): report {seconds * 1000:.0f} ms, "
            f"page {page_seconds * 1000:.0f} ms, {report.open_count} findings{target}"
        )

    job = DiagnosisJob.objects.create(department=None, total=0)
    started = time.perf_counter()
    job = jobs.run_job(job.pk)
    whole = time.perf_counter() - started
    report = jobs.job_report(job)
    ok = args.smoke or whole <= TARGET_WHOLE_S
    if not ok:
        failures.append("whole organisation")
    print(
        f"  whole organisation as a job: {whole:.1f} s, {report.open_count} findings, "
        f"stored report {len(str(job.report)) / 1e6:.1f} MB  [target ≤ {TARGET_WHOLE_S:.0f} s"
        f"{'' if args.smoke else (': ok' if ok else ': MISSED')}]"
    )
    for section in report.sections:
        print(f"    {section.label}: {len(section.entries)}")
    compared, all_pairs = _candidates()
    print(
        f"  duty overlap: {compared} pairs compared through the bigram index, "
        f"of {all_pairs} pairs within the blocks"
    )
    DiagnosisJob.objects.filter(pk=job.pk).delete()
    if scratch is not None:
        connection.close()
        scratch.cleanup()
    if failures:
        print("Targets missed: " + ", ".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()

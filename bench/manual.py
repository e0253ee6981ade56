"""Benchmark: the 权责手册 grid JSON and its A3 PDF at size.

Measures, in one process on a throw-away database made from DATABASE_URL (PostgreSQL for the
figures that count; SQLite when unset):

* grid — the grid editor's JSON (``GET /rights/grid/data/``, the whole manual, as an unscoped HR
  editor) of a 200-position × 300-band matrix (10 categories × 10 matters × 3 bands, a third of
  the cells filled, 3 bodies), through the Django test client: the whole request, server side.
  Target ≤ 300 ms (median of 7), with its SQL query count.
* pdf — the A3 landscape PDF of the same 300 bands with one page width of columns (28: what an
  A3 row holds; more columns print as further groups of pages), through the warm render worker
  (``printing.pdf.render_html``, as the PDF view renders). Target ≤ 10 s (median of 3).

    DATABASE_URL=postgres://jobdesc:jobdesc@127.0.0.1:5432/jobdesc_bench \\
        DEBUG=1 .venv/bin/python bench/manual.py [--smoke]

``--smoke`` (CI): 20 positions × 30 bands, one run each, no targets.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

POSITIONS = 200
CATEGORIES = 10  # × 10 matters × 3 bands = 300 bands
GRID_RUNS = 7
PDF_RUNS = 3
PDF_COLUMNS = 28
TARGETS = {"grid": 0.300, "pdf": 10.0}
SMOKE = False


def _setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobdesc.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()


def _target(name: str, unit: str) -> str:
    if SMOKE:
        return ""
    value = TARGETS[name] * 1000 if unit == "ms" else TARGETS[name]
    return f"  目标 ≤ {value:.0f} {unit}"


def _load() -> str:
    with contextlib.suppress(OSError):
        return f"{os.getloadavg()[0]:.1f}"
    return "?"


def _organisation():
    """A group, 5 companies × 4 departments, POSITIONS positions spread over them; an HR editor."""
    from django.contrib.auth import get_user_model

    from positions import permissions
    from positions.models import Department, Position

    group = Department.objects.create(name="集团公司", code="G", kind="group")
    departments = []
    for c in range(5):
        company = Department.objects.create(
            name=f"项目公司{c}", code=f"G{c}", kind="company", parent=group
        )
        for d in range(4):
            departments.append(
                Department.objects.create(name=f"部门{c}-{d}", code=f"G{c}-{d}", parent=company)
            )
    Position.objects.bulk_create(
        Position(
            title=f"职位{n}",
            code=f"B{n:04d}",
            department=departments[n % len(departments)],
            grade_min=1 + n % 9,
            grade_max=2 + n % 9,
        )
        for n in range(POSITIONS)
    )
    hr = get_user_model().objects.create(username="bench-hr", first_name="王人事")
    hr.groups.add(permissions.role_group(permissions.HR_EDITOR))
    return hr


def _document() -> dict:
    from positions.models import ManualLevel, Position

    levels = [value for value, _ in ManualLevel.choices]
    keys = [f"p{pk}" for pk in Position.objects.order_by("pk").values_list("pk", flat=True)]
    bodies = ["董事会", "股东会", "总经理办公会"]
    keys += [f"b{name}" for name in bodies]
    categories = []
    n = 0
    for c in range(CATEGORIES):
        matters = []
        for m in range(10):
            bands = []
            for b in range(3):
                cells = {key: levels[(n + i) % 6] for i, key in enumerate(keys) if (n + i) % 3 == 0}
                bands.append({"condition": f"金额 ≤ {(b + 1) * 50} 万", "cells": cells})
                n += 1
            matters.append({"name": f"事项{c}-{m}", "note": "", "bands": bands})
        categories.append({"name": f"类别{c}", "matters": matters})
    return {
        "title": "权责手册",
        "doc_no": "BENCH-QZ-2026-01",
        "columns": [{"key": f"b{name}", "kind": "body", "label": name} for name in bodies],
        "categories": categories,
    }


def _measure(out) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from positions.services import manual
    from printing import render_pool
    from printing.services import manual_pdf

    hr = _organisation()
    document = _document()
    started = time.perf_counter()
    manual.write_manual(
        user=None,
        document=document,
        lock_version=manual.get_manual().lock_version,
        source="bench",
    )
    write_s = time.perf_counter() - started
    whole = manual.manual_document()
    bands = sum(len(m["bands"]) for c in whole["categories"] for m in c["matters"])
    cells = sum(
        len(b["cells"]) for c in whole["categories"] for m in c["matters"] for b in m["bands"]
    )
    out(
        f"权责手册 {len(whole['columns'])} 列 × {bands} 档位，{cells} 个单元格 "
        f"（{connection.vendor}，负载 {_load()}）；写入 {write_s:.2f} s"
    )

    client = Client()
    client.force_login(hr)
    url = reverse("rights:grid-data")
    client.get(url)  # warm: templates, the first query plans
    times = []
    for _ in range(1 if SMOKE else GRID_RUNS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    grid_s = statistics.median(times)
    out(
        f"  表格 JSON（{len(response.content) / 1024:.0f} KB）中位数 {grid_s * 1000:7.1f} ms  "
        f"{len(queries)} 条 SQL{_target('grid', 'ms')}"
    )

    edition = manual_pdf.Edition("V1", None, "已生效", draft=False)
    one_width = {**whole, "columns": whole["columns"][:PDF_COLUMNS]}
    with override_timeout(settings, 120):
        render_pool.worker(settings.PDF_RENDER_MAX_RENDERS)  # started and warm, as in a server
        manual_pdf.render_manual({**one_width, "categories": []}, edition)
        times = []
        for _ in range(1 if SMOKE else PDF_RUNS):
            started = time.perf_counter()
            data = manual_pdf.render_manual(one_width, edition)
            times.append(time.perf_counter() - started)
        pdf_s = statistics.median(times)
        out(
            f"  A3 PDF {len(one_width['columns'])} 列 × {bands} 档位（{len(data) / 1024:.0f} KB）"
            f"中位数 {pdf_s:6.2f} s{_target('pdf', 's')}"
        )
    return {"grid_s": grid_s, "pdf_s": pdf_s, "write_s": write_s}


@contextlib.contextmanager
def override_timeout(settings, seconds: int):
    """The render worker's time limit for the bench (the PDF view uses the setting as is)."""
    before = settings.PDF_RENDER_TIMEOUT_SECONDS
    settings.PDF_RENDER_TIMEOUT_SECONDS = max(before, seconds)
    try:
        yield
    finally:
        settings.PDF_RENDER_TIMEOUT_SECONDS = before


def run(out=print) -> dict:
    from django.test.utils import (
        override_settings,
        setup_databases,
        setup_test_environment,
        teardown_databases,
    )

    with (
        tempfile.TemporaryDirectory(prefix="jobdesc-bench-media-") as media,
        override_settings(MEDIA_ROOT=media),
    ):
        with contextlib.suppress(RuntimeError):
            setup_test_environment()
        names = setup_databases(verbosity=0, interactive=False)
        try:
            return _measure(out)
        finally:
            teardown_databases(names, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="CI: 20 × 30, one run, no targets")
    args = parser.parse_args()
    if args.smoke:
        global POSITIONS, CATEGORIES, SMOKE
        POSITIONS, CATEGORIES, SMOKE = 20, 1, True
    _setup_django()
    run()


if __name__ == "__main__":
    main()

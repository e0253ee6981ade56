"""Benchmark: Excel export and import of 300 seed-sized positions.

Measures, in one process on a throw-away test database:

* export — reading 300 positions and writing the workbook (what 导出 Excel does);
* preview of the unchanged export — parse, check and compare every position (all 无变化);
* preview and apply of the same workbook with every title changed (300 updates, one transaction).

Targets (2-core machine): export ≤ 5 s, preview ≤ 8 s, apply ≤ 20 s for 300 positions.

    DEBUG=1 .venv/bin/python bench/excel.py [--runs 3] [--smoke]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

SIZE = 300
TARGETS = {"export": 5.0, "preview": 8.0, "apply": 20.0}
SMOKE = False  # --smoke (CI): 10 positions, one run, no targets


def _target(name: str) -> str:
    return "" if SMOKE else f"  目标 ≤ {TARGETS[name]:.0f} s"


def _setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobdesc.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()


def _make_positions(count: int):
    from django.contrib.auth import get_user_model

    from positions.models import Department, Position
    from positions.services import editing, seed

    seed.load_seed()
    admin, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_superuser": True, "is_staff": True}
    )
    parent = Department.objects.get(name="福州项目公司")
    department = Department.objects.create(code="BENCH-XL", name="导入测试部", parent=parent)
    seeds = list(Position.objects.in_force().order_by("code", "pk"))
    for number in range(1, count + 1):
        source = seeds[(number - 1) % len(seeds)]
        editing.copy_position(
            user=admin,
            source=source,
            code=f"XL-{number:03d}",
            title=f"{source.title}{number:03d}",
            department=department,
        )
    return department, admin


def _timed(function, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _measure(runs: int, out) -> dict:
    from openpyxl import load_workbook

    from positions.models import Position
    from transfer.services import excel, importing

    department, admin = _make_positions(SIZE)
    positions = Position.objects.filter(department=department).order_by("code")
    export_s, data = _timed(
        lambda: excel.position_workbook(excel.contents_for(admin, positions)), runs
    )
    preview_s, plan = _timed(lambda: importing.plan_position_import(data, admin), runs)
    assert plan.ok and plan.unchanged == SIZE, plan.problems[:3]
    workbook = load_workbook(io.BytesIO(data))
    for row in workbook["职位"].iter_rows(min_row=2):
        row[1].value = f"{row[1].value}（改）"
    buffer = io.BytesIO()
    workbook.save(buffer)
    changed = buffer.getvalue()
    update_preview_s, plan = _timed(lambda: importing.plan_position_import(changed, admin), 1)
    assert plan.ok and plan.updated == SIZE, plan.problems[:3]
    started = time.perf_counter()
    importing.apply_plan(plan, admin)
    apply_s = time.perf_counter() - started
    result = {
        "export_s": export_s,
        "preview_s": preview_s,
        "update_preview_s": update_preview_s,
        "apply_s": apply_s,
        "size_kb": len(data) / 1024,
    }
    out(f"Excel 导出/导入（{SIZE} 个职位，工作簿 {result['size_kb']:.0f} KB）")
    out(f"  导出（中位数，{runs} 次）        {export_s:7.2f} s{_target('export')}")
    out(f"  预览·全部无变化（中位数）     {preview_s:7.2f} s{_target('preview')}")
    out(f"  预览·全部更新                 {update_preview_s:7.2f} s")
    out(f"  确认写入 {SIZE} 个更新（一个事务） {apply_s:7.2f} s{_target('apply')}")
    return result


def run(runs: int = 3, out=print) -> dict:
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
            return _measure(runs, out)
        finally:
            teardown_databases(names, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="CI: 10 positions, 1 run, no targets")
    args = parser.parse_args()
    if args.smoke:
        global SIZE, SMOKE
        SIZE, SMOKE, args.runs = 10, True, 1
    _setup_django()
    run(runs=args.runs)


if __name__ == "__main__":
    main()

"""Benchmark: go-live of 300 Word 职位说明书 and batch 提交/审核/审批 of 300 sheets.

Measures, in one process on a throw-away test database with the seed loaded:

* parse — parsing and resolving 300 small .docx files (what the Word preview does);
* in force — confirming them 作为已生效版本导入: 300 historical V1s in one transaction
  (``positions.services.golive.import_in_force``), with its SQL query count;
* batch — 300 drafts taken through 提交审核, 审核通过 and 审批通过 with
  ``positions.services.workflow.batch`` (each sheet a step of its own).

Targets (2-core machine): in force ≤ 20 s for 300; each batch step ≤ 20 s for 300. A batch
request stops after ``workflow.BATCH_SECONDS`` and reports the rest as not done; the bench then
sends the rest again, as a user would, and prints how many requests it took.

    DEBUG=1 .venv/bin/python bench/golive.py [--smoke]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

SIZE = 300
TARGETS = {"in_force": 20.0, "batch": 20.0}
SMOKE = False  # --smoke (CI): 10 files, no targets


def _target(name: str) -> str:
    return "" if SMOKE else f"  目标 ≤ {TARGETS[name]:.0f} s"


def _setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobdesc.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()


def _users():
    from django.contrib.auth import get_user_model

    from positions import permissions

    model = get_user_model()
    hr = model.objects.create(username="bench-hr", first_name="王人事")
    hr.groups.add(permissions.role_group(permissions.HR_EDITOR))
    reviewer = model.objects.create(username="bench-hr2", first_name="李人事")
    reviewer.groups.add(permissions.role_group(permissions.HR_EDITOR))
    approver = model.objects.create(username="bench-admin", is_superuser=True, is_staff=True)
    return hr, reviewer, approver


class _Counter:
    """Counts SQL statements (``connection.execute_wrapper``; no 9,000-query cap)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _counted(function):
    from django.db import connection

    counter = _Counter()
    with connection.execute_wrapper(counter):
        result = function()
    return result, counter.count


def _measure(out) -> dict:
    from positions.models import Position
    from positions.services import seed, workflow
    from positions.tests import golive_helpers
    from transfer.services.word_import.parser import parse_docx
    from transfer.services.word_import.resolve import resolve_import
    from transfer.services.word_import.write import import_sheets

    seed.load_seed()
    hr, reviewer, approver = _users()
    template = golive_helpers.template_docx()
    files = [
        (f"{golive_helpers.title(n)}.docx", golive_helpers.numbered_docx(template, n))
        for n in range(1, 2 * SIZE + 1)
    ]

    started = time.perf_counter()
    taken: set[str] = set()
    plans = [
        resolve_import(hr, parse_docx(data, name), taken_codes=taken) for name, data in files[:SIZE]
    ]
    parse_s = time.perf_counter() - started
    assert all(plan.ok for plan in plans), [p.problems for p in plans if p.problems][:3]

    started = time.perf_counter()
    written, in_force_queries = _counted(lambda: import_sheets(hr, plans, in_force=True))
    in_force_s = time.perf_counter() - started
    assert len(written) == SIZE

    drafts = import_sheets(
        hr, [resolve_import(hr, parse_docx(data, name)) for name, data in files[SIZE:]]
    )
    ids = [position.pk for position in drafts]
    steps, step_queries, rounds = {}, {}, {}
    for action, user in (("submit", hr), ("review", reviewer), ("approve", approver)):
        # A batch stops after workflow.BATCH_SECONDS: the user selects the rest again.
        left, rounds[action], step_queries[action] = list(ids), 0, 0
        started = time.perf_counter()
        while left:
            result, queries = _counted(
                lambda action=action, user=user, left=left: workflow.batch(
                    user=user, action=action, ids=left, comment="批量"
                )
            )
            rounds[action] += 1
            step_queries[action] += queries
            done = {outcome.position_id for outcome in result.done}
            assert done, result.refused[:3]
            left = [pk for pk in left if pk not in done]
        steps[action] = time.perf_counter() - started
    assert Position.objects.filter(pk__in=ids, status="published").count() == SIZE

    out(f"上线导入（{SIZE} 份 Word 职位说明书）")
    out(f"  解析并核对 {SIZE} 个文件（预览）        {parse_s:7.2f} s")
    out(
        f"  作为已生效版本导入（一个事务）        {in_force_s:7.2f} s"
        f"  {in_force_queries / SIZE:.0f} 条 SQL/份{_target('in_force')}"
    )
    for action, label in (("submit", "提交审核"), ("review", "审核通过"), ("approve", "审批通过")):
        out(
            f"  批量{label} {SIZE} 份（逐份办理）        {steps[action]:7.2f} s"
            f"  {step_queries[action] / SIZE:.0f} 条 SQL/份  {rounds[action]} 次提交"
            f"{_target('batch')}"
        )
    return {"parse_s": parse_s, "in_force_s": in_force_s, "queries": in_force_queries, **steps}


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
    parser.add_argument("--smoke", action="store_true", help="CI: 10 files, no targets")
    args = parser.parse_args()
    if args.smoke:
        global SIZE, SMOKE
        SIZE, SMOKE = 10, True
    _setup_django()
    run()


if __name__ == "__main__":
    main()

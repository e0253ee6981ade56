"""Migration 0023: the per-position 工作权限 (``Authority``) become the 权责手册's V1."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("positions", "0022_authority_manual")]
AFTER = [("positions", "0024_remove_authority")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_authorities_move_into_the_manual_published_as_v1():
    apps = migrate(BEFORE)
    try:
        Department = apps.get_model("positions", "Department")
        Position = apps.get_model("positions", "Position")
        Authority = apps.get_model("positions", "Authority")
        sales = Department.objects.create(name="销售部", code="MIG-S")
        clerk = Position.objects.create(title="售楼员", department=sales, status="published")
        manager = Position.objects.create(title="销售经理", department=sales, status="draft")
        Authority.objects.create(position=clerk, name="优惠申请权", level="execute", order=1)
        Authority.objects.create(position=clerk, name="合同变更申请权", level="propose", order=2)
        Authority.objects.create(position=manager, name="优惠申请权", level="approve", order=1)

        apps = migrate(AFTER)

        Manual = apps.get_model("positions", "Manual")
        Row = apps.get_model("positions", "ManualVersionRow")
        Grant = apps.get_model("positions", "Grant")
        manual = Manual.objects.get()
        assert (manual.status, manual.current_version.number) == ("published", 1)
        document = manual.current_version.document
        assert document["categories"][0]["name"] == "其他"
        matters = document["categories"][0]["matters"]
        assert [m["name"] for m in matters] == ["优惠申请权", "合同变更申请权"]
        assert matters[0]["bands"] == [
            {"condition": "", "cells": {f"p{clerk.pk}": "execute", f"p{manager.pk}": "approve"}}
        ]
        rows = Row.objects.filter(position_id=clerk.pk).order_by("order")
        assert [(r.matter, r.condition, r.level) for r in rows] == [
            ("优惠申请权", "", "execute"),
            ("合同变更申请权", "", "propose"),
        ]
        assert Grant.objects.count() == 3  # the working copy is the same matrix
    finally:
        migrate(executor_leaf())


def executor_leaf():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()

"""The seed organisation: fixtures/seed.json, its history and its historical V1s.

The demo accounts that hold its positions are people's (``people.services.demo``).
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from positions import hooks
from positions.models import (
    Acknowledgement,
    Assignment,
    Body,
    Department,
    Manual,
    ManualVersion,
    MatterCategory,
    Position,
    Version,
)
from positions.services import manual as manual_service
from positions.services.history import ensure_initial_revisions
from positions.services.versions import ensure_versions

SEED_MANUAL = "manual.json"


@transaction.atomic
def load_seed(*, reload: bool = False) -> int:
    """Load fixtures/seed.json; returns the number of positions loaded (0 when skipped).

    Without ``reload`` an existing organisation is left alone, so running set-up twice is safe.
    With ``reload`` every department and position is removed first, together with every
    assignment (they PROTECT their positions; the employees themselves stay), and reporting
    lines and the department tree are cut before the delete, since both are PROTECTed.
    """
    if Position.objects.exists() or Department.objects.exists():
        if not reload:
            return 0
        Assignment.objects.all().delete()
        Acknowledgement.objects.all().delete()
        _clear_manual()
        Position.objects.update(reports_to=None, current_version=None)
        Version.objects.all().delete()
        Position.objects.all().delete()
        Department.objects.update(parent=None)
        Department.objects.all().delete()
    call_command("loaddata", "seed", verbosity=0)
    ensure_initial_revisions()  # loaddata records no revision: start each history here
    load_seed_manual()  # before the V1s: they freeze their 工作权限 from it
    ensure_versions()  # the seed's sheets were approved on paper: each becomes a historical V1
    hooks.sheets_written(Position.objects.values_list("pk", flat=True))  # search, drafts too
    return Position.objects.count()


def _clear_manual() -> None:
    Manual.objects.update(current_version=None, status=Manual.Status.DRAFT)
    ManualVersion.objects.all().delete()
    MatterCategory.objects.all().delete()
    Body.objects.all().delete()


def _seed_manual_path() -> Path:
    for directory in settings.FIXTURE_DIRS:
        path = Path(directory) / SEED_MANUAL
        if path.exists():
            return path
    raise FileNotFoundError(SEED_MANUAL)


def load_seed_manual() -> ManualVersion:
    """fixtures/manual.json — the seed's 营销管理 matrix, columns named by position title — as
    the 权责手册's V1 (signed off on paper like the seed's sheets: no sign-off names)."""
    data = json.loads(_seed_manual_path().read_text(encoding="utf-8"))
    ids = dict(Position.objects.values_list("title", "pk"))
    keys = {
        column["key"]: manual_service.position_key(ids[column["key"]])
        if column["kind"] == "position"
        else manual_service.body_key(column["label"])
        for column in data["columns"]
    }
    document = {
        "title": data["title"],
        "doc_no": data["doc_no"],
        "columns": [c for c in data["columns"] if c["kind"] == "body"],
        "categories": [
            {
                "name": category["name"],
                "matters": [
                    {
                        "name": matter["name"],
                        "note": matter["note"],
                        "bands": [
                            {
                                "condition": band["condition"],
                                "cells": {keys[k]: v for k, v in band["cells"].items()},
                            }
                            for band in matter["bands"]
                        ],
                    }
                    for matter in category["matters"]
                ],
            }
            for category in data["categories"]
        ],
    }
    manual = manual_service.get_manual()
    manual = manual_service.write_manual(
        user=None, document=document, lock_version=manual.lock_version, source="种子数据"
    )
    effective = datetime.date.fromisoformat(data["effective_date"])
    return manual_service.publish_manual(manual, effective=effective)

"""Move the per-position 工作权限 (``Authority`` rows) into the 权责手册 and publish it as V1.

Each authority becomes a matter of the category 「其他」 (its name; positions sharing a name share
the matter), with one band without condition, and the position's cell at its level; the
matrix is published as the manual's first version (signed off by nobody: it is what the sheets
already said), so every sheet's 工作权限 reads the same rows as before. The next migration
removes ``Authority``.
"""

from django.db import migrations
from django.utils import timezone

CATEGORY = "其他"


def grade_label(low, high):
    if low is None and high is None:
        return ""
    if low is None or high is None or low == high:
        return str(low if low is not None else high)
    return f"{low}–{high}"


def forward(apps, schema_editor):
    Authority = apps.get_model("positions", "Authority")
    Manual = apps.get_model("positions", "Manual")
    MatterCategory = apps.get_model("positions", "MatterCategory")
    Matter = apps.get_model("positions", "Matter")
    Band = apps.get_model("positions", "Band")
    Grant = apps.get_model("positions", "Grant")
    ManualVersion = apps.get_model("positions", "ManualVersion")
    ManualVersionRow = apps.get_model("positions", "ManualVersionRow")
    authorities = list(
        Authority.objects.select_related("position__department").order_by(
            "position__department_id", "position_id", "order", "pk"
        )
    )
    if not authorities:
        return
    manual, _ = Manual.objects.get_or_create(pk=1)
    category, _ = MatterCategory.objects.get_or_create(
        manual=manual, name=CATEGORY, defaults={"order": 1}
    )
    bands = {}  # matter name → band
    cells = {}  # (matter name, position id) → level
    positions = {}
    for authority in authorities:
        name = authority.name.strip()[:100] or "未命名权限"
        if name not in bands:
            matter = Matter.objects.create(category=category, name=name, order=len(bands) + 1)
            bands[name] = Band.objects.create(matter=matter, condition="", order=1)
        if (name, authority.position_id) in cells:
            continue  # the same authority twice on a sheet: the first one stands
        cells[(name, authority.position_id)] = authority.level
        positions[authority.position_id] = authority.position
        Grant.objects.create(
            band=bands[name], position_id=authority.position_id, level=authority.level
        )
    columns = [
        {
            "key": f"p{p.pk}",
            "kind": "position",
            "label": p.title,
            "department": p.department.name,
            "archived": p.status == "archived",
            "grade": grade_label(p.grade_min, p.grade_max),
            "grade_min": p.grade_min,
            "grade_max": p.grade_max,
        }
        for p in positions.values()
    ]
    matters = [
        {
            "name": name,
            "note": "",
            "bands": [
                {
                    "condition": "",
                    "cells": {
                        f"p{pk}": level for (matter, pk), level in cells.items() if matter == name
                    },
                }
            ],
        }
        for name in bands
    ]
    document = {
        "title": manual.title,
        "doc_no": manual.doc_no,
        "version": "V1",
        "columns": columns,
        "categories": [{"name": CATEGORY, "matters": matters}],
    }
    version = ManualVersion.objects.create(
        manual=manual,
        number=1,
        doc_no=manual.doc_no,
        document=document,
        effective_date=timezone.localdate(),
    )
    order = {name: number for number, name in enumerate(bands, start=1)}
    ManualVersionRow.objects.bulk_create(
        [
            ManualVersionRow(
                version=version,
                position_id=pk,
                category=CATEGORY,
                matter=name,
                condition="",
                level=level,
                order=order[name],
            )
            for (name, pk), level in cells.items()
        ],
        batch_size=1000,
    )
    manual.current_version = version
    manual.status = "published"
    manual.save()


def backward(apps, schema_editor):
    """Give each position back its rows of the manual version in force."""
    Authority = apps.get_model("positions", "Authority")
    Manual = apps.get_model("positions", "Manual")
    ManualVersionRow = apps.get_model("positions", "ManualVersionRow")
    manual = Manual.objects.filter(pk=1).first()
    if manual is None or manual.current_version_id is None:
        return
    rows = ManualVersionRow.objects.filter(version_id=manual.current_version_id).order_by(
        "position_id", "order", "pk"
    )
    numbers = {}
    created = []
    for row in rows:
        numbers[row.position_id] = numbers.get(row.position_id, 0) + 1
        name = f"{row.matter}（{row.condition}）" if row.condition else row.matter
        level = row.level if row.level != "countersign" else "review"
        created.append(
            Authority(
                position_id=row.position_id,
                name=name[:100],
                level=level,
                order=numbers[row.position_id],
            )
        )
    Authority.objects.bulk_create(created, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("positions", "0022_authority_manual")]

    operations = [migrations.RunPython(forward, backward)]

"""The one writer of the 权责手册 (authority matrix): its document, checks, workflow and versions.

The matrix is one document (``manual_document``): rows are 事项 in categories, each split into
bands (档位); columns are positions and bodies (董事会…); a cell is a ``ManualLevel``. The grid
editor, the Excel import of the matrix and the imports of sheets' 工作权限 all write it through
``write_manual`` — all or nothing, optimistic lock on ``Manual.lock_version``, scope asked of
``positions.permissions``; an edit of a manual under review or in force returns it to 草稿 (the
version in force stays what the sheets show).

The workflow (``submit`` → ``review`` → ``approve``, ``reject``) follows the sheets' rules
(preparer ≠ reviewer ≠ approver); approving freezes the matrix as a ``ManualVersion`` with one
``ManualVersionRow`` per position cell: what a position's 工作权限 shows (``positions.sheet``), so
a sheet and the matrix cannot disagree, and a published sheet version keeps the rows it was
published with.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import reversion
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.utils import timezone

from positions import hooks, permissions
from positions.models import (
    Assignment,
    Band,
    Body,
    Department,
    Grant,
    Manual,
    ManualLevel,
    ManualVersion,
    ManualVersionRow,
    Matter,
    MatterCategory,
    Position,
)
from positions.org import department_index

Status = Manual.Status

MAX_BANDS = 2_000
MAX_COLUMNS = 500
MAX_CATEGORIES = 200
MAX_MATTERS = 1_000
MAX_ERRORS = 20  # messages listed at most; the rest are counted

LEVEL_LABELS = dict(ManualLevel.choices)
# A cell may be given as the value (approve) or as its label (审批).
_LEVEL_OF = {value: value for value in LEVEL_LABELS} | {
    label: value for value, label in LEVEL_LABELS.items()
}


class ManualEditConflict(Exception):
    """The manual was saved by someone else since the writer read it."""

    def __init__(self, current: Manual) -> None:
        self.current = current
        super().__init__(
            f"权责手册在您编辑期间已被他人修改（当前编辑版本 {current.lock_version}），"
            "请刷新后重新编辑。"
        )


@dataclass(frozen=True)
class ManualIssue:
    """A finding of ``check_manual``: the band (category, matter, condition), the column key
    ("" for the band as a whole) and the Chinese message."""

    category: str
    matter: str
    condition: str
    column: str
    message: str

    @property
    def band(self) -> str:
        return band_label(self.matter, self.condition)


def band_label(matter: str, condition: str) -> str:
    return f"{matter}（{condition}）" if condition else matter


def get_manual() -> Manual:
    """The one manual row (created on first use)."""
    manual, _ = Manual.objects.get_or_create(pk=Manual.SINGLETON_PK)
    return manual


# --- the document -------------------------------------------------------------------------------


def position_key(position_id: int) -> str:
    return f"p{position_id}"


def body_key(name: str) -> str:
    return f"b{name}"


def _scope_ids(scope: Department | None) -> set[int] | None:
    return None if scope is None else department_index().subtree_ids(scope.pk)


def _position_columns(scope: Department | None) -> list[Position]:
    """The positions of ``scope`` (None: all) that are columns: the ones not archived, and the
    archived ones that still hold a cell, in department tree order."""
    ids = _scope_ids(scope)
    # Exists, not a join + DISTINCT: the join multiplied each position by its grants (1,073 →
    # 372 ms for the bench's 200 × 300 grid on PostgreSQL).
    positions = Position.objects.filter(
        ~Q(status=Position.Status.ARCHIVED) | Exists(Grant.objects.filter(position=OuterRef("pk")))
    )
    if ids is not None:
        positions = positions.filter(department_id__in=ids)
    positions = list(positions.select_related("department").order_by("sort_order", "code", "pk"))
    order = {
        department.pk: number
        for number, (department, _depth) in enumerate(department_index().preorder())
    }
    return sorted(positions, key=lambda p: order.get(p.department_id, len(order)))


def _holders(position_ids: list[int]) -> dict[int, list[int]]:
    held: dict[int, list[int]] = defaultdict(list)
    rows = Assignment.objects.current().filter(
        position_id__in=position_ids, employee__left_on__isnull=True
    )
    for position_id, employee_id in rows.values_list("position_id", "employee_id"):
        held[position_id].append(employee_id)
    return held


def _column(position: Position, holders: list[int]) -> dict[str, Any]:
    return {
        "key": position_key(position.pk),
        "kind": "position",
        "label": position.title,
        "department": position.department.name,
        "archived": position.status == Position.Status.ARCHIVED,
        "grade": position.grade_display,
        "grade_min": position.grade_min,
        "grade_max": position.grade_max,
        "holders": holders,
    }


def manual_document(
    *, scope: Department | None = None, version: ManualVersion | None = None
) -> dict:
    """The manual as one plain document (the grid's JSON, the Excel sheet, a version's snapshot).

    ``version``: that published version as frozen (its columns as they stood), else the working
    copy. ``scope``: only the position columns of that department subtree (plus every body).
    A fixed number of queries whatever the size.
    """
    if version is not None:
        return _scoped_version(version, scope)
    manual = get_manual()
    positions = _position_columns(scope)
    holders = _holders([p.pk for p in positions])
    bodies = list(Body.objects.filter(manual=manual).order_by("order", "pk"))
    columns = [_column(p, holders.get(p.pk, [])) for p in positions] + [
        {"key": body_key(b.name), "kind": "body", "label": b.name} for b in bodies
    ]
    keys = {column["key"] for column in columns}
    cells: dict[int, dict[str, str]] = defaultdict(dict)
    # Bodies' keys from the bodies already read: no join to the body table per cell.
    body_keys = {b.pk: body_key(b.name) for b in bodies}
    grants = Grant.objects.filter(band__matter__category__manual=manual).values_list(
        "band_id", "position_id", "body_id", "level"
    )
    for band_id, position_id, body_id, level in grants:
        key = position_key(position_id) if position_id is not None else body_keys.get(body_id)
        if key in keys:
            cells[band_id][key] = level
    bands: dict[int, list[Band]] = defaultdict(list)
    for band in Band.objects.filter(matter__category__manual=manual).order_by("order", "pk"):
        bands[band.matter_id].append(band)
    matters: dict[int, list[Matter]] = defaultdict(list)
    for matter in Matter.objects.filter(category__manual=manual).order_by("order", "pk"):
        matters[matter.category_id].append(matter)
    categories = [
        {
            "name": category.name,
            "matters": [
                {
                    "name": matter.name,
                    "note": matter.note,
                    "bands": [
                        {"condition": band.condition, "cells": cells.get(band.pk, {})}
                        for band in bands[matter.pk]
                    ],
                }
                for matter in matters[category.pk]
            ],
        }
        for category in MatterCategory.objects.filter(manual=manual).order_by("order", "pk")
    ]
    return {
        "title": manual.title,
        "doc_no": manual.doc_no,
        "lock_version": manual.lock_version,
        "status": manual.status,
        "status_label": manual.get_status_display(),
        "version": manual.current_version.label if manual.current_version_id else "",
        "columns": columns,
        "categories": categories,
    }


def _scoped_version(version: ManualVersion, scope: Department | None) -> dict:
    document = dict(version.document)
    document["version"] = version.label
    if scope is None:
        return document
    ids = _scope_ids(scope)
    in_scope = set(
        position_key(pk)
        for pk in Position.objects.filter(department_id__in=ids).values_list("pk", flat=True)
    )
    columns = [c for c in document["columns"] if c["kind"] == "body" or c["key"] in in_scope]
    keys = {c["key"] for c in columns}
    document["columns"] = columns
    document["categories"] = [
        {
            **category,
            "matters": [
                {
                    **matter,
                    "bands": [
                        {
                            "condition": band["condition"],
                            "cells": {k: v for k, v in band["cells"].items() if k in keys},
                        }
                        for band in matter["bands"]
                    ],
                }
                for matter in category["matters"]
            ],
        }
        for category in document["categories"]
    ]
    return document


# --- checks -------------------------------------------------------------------------------------


def _top_grade(column: dict) -> int | None:
    high, low = column.get("grade_max"), column.get("grade_min")
    return high if high is not None else low


def check_manual(document: dict) -> list[ManualIssue]:
    """The findings shown beside the grid (they do not block saving):

    every band has exactly one 审批; nobody (the same person holding two positions) both 审核
    and 审批 the same band; 审批 held at a higher grade than 审核 where both have grades; no band
    without 执行; a column whose position is archived and still holds cells.
    """
    columns = {column["key"]: column for column in document.get("columns", [])}
    issues: list[ManualIssue] = []
    used_archived: dict[str, tuple[str, str, str]] = {}
    for category in document.get("categories", []):
        for matter in category.get("matters", []):
            for band in matter.get("bands", []):
                where = (category["name"], matter["name"], band.get("condition", ""))
                label = band_label(matter["name"], where[2])
                cells = {k: _LEVEL_OF.get(v, v) for k, v in band.get("cells", {}).items() if v}

                def issue(column: str, message: str, where=where) -> None:
                    issues.append(ManualIssue(*where, column, message))

                approvers = [k for k, v in cells.items() if v == ManualLevel.APPROVE]
                reviewers = [k for k, v in cells.items() if v == ManualLevel.REVIEW]
                if not approvers:
                    issue("", f"“{label}”没有审批。")
                elif len(approvers) > 1:
                    names = "、".join(columns.get(k, {}).get("label", k) for k in approvers)
                    issue("", f"“{label}”有 {len(approvers)} 个审批（{names}），应只有一个。")
                if ManualLevel.EXECUTE not in cells.values():
                    issue("", f"“{label}”没有执行。")
                for approver in approvers:
                    a = columns.get(approver, {})
                    for reviewer in reviewers:
                        r = columns.get(reviewer, {})
                        shared = set(a.get("holders") or []) & set(r.get("holders") or [])
                        if shared:
                            issue(
                                approver,
                                f"“{label}”由同一人既审核（{r.get('label')}）"
                                f"又审批（{a.get('label')}）。",
                            )
                        high_a, high_r = _top_grade(a), _top_grade(r)
                        if high_a is not None and high_r is not None and high_a <= high_r:
                            issue(
                                approver,
                                f"“{label}”的审批（{a.get('label')}，{a.get('grade')} 级）"
                                f"不高于审核（{r.get('label')}，{r.get('grade')} 级）。",
                            )
                for key in cells:
                    if columns.get(key, {}).get("archived") and key not in used_archived:
                        used_archived[key] = where
    for key, where in used_archived.items():
        issues.append(
            ManualIssue(
                *where, key, f"职位“{columns[key]['label']}”已归档，仍在权责手册中持有权限。"
            )
        )
    return issues


# --- validation ---------------------------------------------------------------------------------


@dataclass
class _Parsed:
    title: str | None
    doc_no: str | None
    bodies: list[str] | None  # body columns given, in order (None: none given)
    # [(category, [(matter, note, [(condition, {key: level})])])]
    categories: list[tuple[str, list[tuple[str, str, list[tuple[str, dict[str, str]]]]]]]


class _Errors:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, message: str) -> None:
        self.messages.append(message)

    def raise_any(self) -> None:
        if not self.messages:
            return
        shown = self.messages[:MAX_ERRORS]
        if len(self.messages) > MAX_ERRORS:
            shown.append(f"……另有 {len(self.messages) - MAX_ERRORS} 处错误。")
        raise ValidationError(shown)


def _text(value: Any, what: str, limit: int, errors: _Errors, *, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str | int | float):
        errors.add(f"{what}格式不正确。")
        return ""
    text = str(value).strip()
    if required and not text:
        errors.add(f"{what}不能为空。")
    if len(text) > limit:
        errors.add(f"{what}“{text[:20]}…”超过 {limit} 个字。")
    return text


def _list(value: Any, what: str, errors: _Errors) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        errors.add(f"{what}格式不正确。")
        return []
    return value


def _parse(document: Any, errors: _Errors) -> _Parsed:
    if not isinstance(document, dict):
        errors.add("权责手册内容格式不正确。")
        errors.raise_any()
    title = doc_no = None
    if "title" in document:
        title = _text(document["title"], "权责手册名称", 100, errors, required=True)
    if "doc_no" in document:
        doc_no = _text(document["doc_no"], "文号", 50, errors, required=False)
    columns = _list(document.get("columns"), "列", errors)
    if len(columns) > MAX_COLUMNS:
        errors.add(f"权责手册最多 {MAX_COLUMNS} 列，此次有 {len(columns)} 列。")
        errors.raise_any()
    bodies: list[str] | None = None
    for column in columns:
        if isinstance(column, dict) and column.get("kind") == "body":
            name = _text(column.get("label"), "机构名称", 50, errors, required=True)
            bodies = (bodies or []) + [name]
    if bodies is not None and len(set(bodies)) != len(bodies):
        errors.add("机构列名称重复。")
    categories: list = []
    band_count = matter_count = 0
    raw_categories = _list(document.get("categories"), "事项类别", errors)
    if len(raw_categories) > MAX_CATEGORIES:
        errors.add(f"权责手册最多 {MAX_CATEGORIES} 个事项类别。")
        errors.raise_any()
    seen_categories: set[str] = set()
    for c_number, raw_category in enumerate(raw_categories, start=1):
        if not isinstance(raw_category, dict):
            errors.add(f"第 {c_number} 个事项类别格式不正确。")
            continue
        c_name = _text(
            raw_category.get("name"), f"第 {c_number} 个事项类别的名称", 50, errors, required=True
        )
        if c_name in seen_categories:
            errors.add(f"事项类别“{c_name}”重复。")
        seen_categories.add(c_name)
        matters: list = []
        seen_matters: set[str] = set()
        for m_number, raw_matter in enumerate(
            _list(raw_category.get("matters"), f"“{c_name}”的事项", errors), start=1
        ):
            matter_count += 1
            if not isinstance(raw_matter, dict):
                errors.add(f"“{c_name}”第 {m_number} 个事项格式不正确。")
                continue
            m_name = _text(
                raw_matter.get("name"),
                f"“{c_name}”第 {m_number} 个事项的名称",
                100,
                errors,
                required=True,
            )
            note = _text(
                raw_matter.get("note"), f"事项“{m_name}”的说明", 200, errors, required=False
            )
            if m_name in seen_matters:
                errors.add(f"“{c_name}”中事项“{m_name}”重复。")
            seen_matters.add(m_name)
            bands: list = []
            seen_conditions: set[str] = set()
            raw_bands = _list(raw_matter.get("bands"), f"事项“{m_name}”的档位", errors) or [
                {"condition": "", "cells": {}}
            ]
            for raw_band in raw_bands:
                band_count += 1
                if not isinstance(raw_band, dict):
                    errors.add(f"事项“{m_name}”的档位格式不正确。")
                    continue
                condition = _text(
                    raw_band.get("condition"), f"事项“{m_name}”的档位", 100, errors, required=False
                )
                label = band_label(m_name, condition)
                if condition in seen_conditions:
                    errors.add(f"事项“{m_name}”的档位“{condition or '不分档'}”重复。")
                seen_conditions.add(condition)
                cells: dict[str, str] = {}
                raw_cells = raw_band.get("cells") or {}
                if not isinstance(raw_cells, dict):
                    errors.add(f"“{label}”的权限格式不正确。")
                    raw_cells = {}
                for key, raw_level in raw_cells.items():
                    if raw_level in (None, ""):
                        continue
                    level = _LEVEL_OF.get(str(raw_level).strip())
                    if level is None:
                        errors.add(
                            f"“{label}”：未知的权限级别“{str(raw_level)[:20]}”"
                            f"（可选：{'、'.join(LEVEL_LABELS.values())}）。"
                        )
                        continue
                    cells[str(key)] = level
                bands.append((condition, cells))
            matters.append((m_name, note, bands))
        categories.append((c_name, matters))
        if band_count > MAX_BANDS or matter_count > MAX_MATTERS:
            break
    if band_count > MAX_BANDS:
        errors.add(f"权责手册最多 {MAX_BANDS} 个档位（行）。")
    if matter_count > MAX_MATTERS:
        errors.add(f"权责手册最多 {MAX_MATTERS} 个事项。")
    errors.raise_any()
    return _Parsed(title, doc_no, bodies, categories)


# --- the writer ---------------------------------------------------------------------------------


def _lock(manual: Manual, lock_version: int) -> Manual:
    rows = Manual.objects.filter(pk=manual.pk, lock_version=lock_version)
    if not rows.update(lock_version=F("lock_version") + 1):
        raise ManualEditConflict(Manual.objects.get(pk=manual.pk))
    return Manual.objects.select_for_update().get(pk=manual.pk)


def mark_edited(manual: Manual) -> None:
    """What an edit does to the workflow (in memory): under review → back to 草稿, its 审核/审批
    cleared; in force → the draft of the next version (the version in force stays)."""
    returned = manual.status in (Status.SUBMITTED, Status.REVIEWED)
    started = manual.status == Status.PUBLISHED
    if started:
        manual.prepared_by, manual.prepared_by_name, manual.prepared_at = None, "", None
    if returned or started:
        manual.status = Status.DRAFT
        manual.reviewed_by, manual.reviewed_by_name, manual.reviewed_at = None, "", None
        manual.approved_by, manual.approved_by_name, manual.approved_at = None, "", None
    manual.returned_to_draft = returned


def _record(user: AbstractBaseUser | None, manual: Manual, comment: str) -> None:
    """The audit entry: one django-reversion revision of the manual row (who, when, what)."""
    with reversion.create_revision(manage_manually=True):
        reversion.add_to_revision(manual)
        if user is not None:
            reversion.set_user(user)
        reversion.set_comment(comment)


def _writable_positions(
    parsed: _Parsed, scope: Department | None, errors: _Errors
) -> dict[str, Position]:
    """The position columns the cells name, checked: known, in scope, not newly archived."""
    keys = {
        key
        for _c, matters in parsed.categories
        for _m, _n, bands in matters
        for _cond, cells in bands
        for key in cells
        if key.startswith("p")
    }
    ids = {}
    for key in keys:
        try:
            ids[key] = int(key[1:])
        except ValueError:
            errors.add(f"未知的列“{key[:20]}”。")
    found = Position.objects.select_related("department").in_bulk(list(ids.values()))
    in_scope = _scope_ids(scope)
    positions: dict[str, Position] = {}
    for key, pk in ids.items():
        position = found.get(pk)
        if position is None:
            errors.add(f"列“{key}”的职位不存在（可能已被删除）。")
        elif in_scope is not None and position.department_id not in in_scope:
            errors.add(f"职位“{position.title}”不在“{scope.name}”范围内，不能在此编辑其权责。")
        else:
            positions[key] = position
    return positions


def write_manual(
    *,
    user: AbstractBaseUser | None,
    document: dict,
    lock_version: int,
    scope: Department | None = None,
    source: str,
) -> Manual:
    """Write the manual's working copy from ``document``, all or nothing; returns the manual.

    Rows (categories, matters, bands) are replaced as given (kept by name, so the cells of
    columns outside ``scope`` stay with their bands); the cells of the scope's position columns
    and of every body are replaced. ``source`` names the writer in the audit entry (表格编辑,
    Excel 导入 …). ``user=None`` is the system (seed, migrations) and is not checked.

    Raises ``PermissionDenied`` (outside the user's scope), ``ManualEditConflict`` (a stale
    ``lock_version``) or ``ValidationError`` (Chinese messages); nothing is written then.
    """
    if user is not None:
        reason = permissions.manual_edit_refusal(user, scope=scope)
        if reason is not None:
            raise PermissionDenied(reason)
    return _write_manual(
        user=user, document=document, lock_version=lock_version, scope=scope, source=source
    )


def _write_manual(
    *,
    user: AbstractBaseUser | None,
    document: dict,
    lock_version: int,
    scope: Department | None,
    source: str,
) -> Manual:
    """``write_manual`` once the user's right to write was checked."""
    errors = _Errors()
    parsed = _parse(document, errors)
    manual = get_manual()
    with transaction.atomic():
        manual = _lock(manual, lock_version)
        positions = _writable_positions(parsed, scope, errors)
        bodies = _write_bodies(manual, parsed, scope, errors)
        for key in {
            k
            for _c, ms in parsed.categories
            for _m, _n, bs in ms
            for _x, cs in bs
            for k in cs
            if k.startswith("b")
        }:
            if key[1:] not in bodies:
                errors.add(f"未知的机构列“{key[1:][:20]}”。")
        _check_archived(manual, parsed, positions, errors)
        errors.raise_any()
        _write_rows(manual, parsed, scope, positions, bodies)
        if parsed.title is not None:
            manual.title = parsed.title
        if parsed.doc_no is not None:
            manual.doc_no = parsed.doc_no
        mark_edited(manual)
        manual.save()
        said = f"编辑权责手册（{source}）"
        if scope is not None:
            said += f"：{scope.name}"
        if manual.returned_to_draft:
            said += "（退回草稿，需重新提交审核）"
        _record(user, manual, said)
    return manual


def _write_bodies(
    manual: Manual, parsed: _Parsed, scope: Department | None, errors: _Errors
) -> dict[str, Body]:
    stored = {body.name: body for body in Body.objects.filter(manual=manual)}
    if parsed.bodies is None:
        return stored
    for order, name in enumerate(parsed.bodies, start=1):
        body = stored.get(name)
        if body is None:
            stored[name] = Body.objects.create(manual=manual, name=name, order=order)
        elif body.order != order:
            body.order = order
            body.save(update_fields=["order"])
    if scope is None:  # the whole matrix: bodies not given are removed
        gone = [name for name in stored if name not in parsed.bodies]
        Body.objects.filter(manual=manual, name__in=gone).delete()
        for name in gone:
            stored.pop(name)
    return stored


def _check_archived(
    manual: Manual, parsed: _Parsed, positions: dict[str, Position], errors: _Errors
) -> None:
    """An archived position may keep the cells it holds, never gain one."""
    archived = {k: p for k, p in positions.items() if p.status == Position.Status.ARCHIVED}
    if not archived:
        return
    held = set(
        Grant.objects.filter(position__in=archived.values()).values_list(
            "band__matter__category__name", "band__matter__name", "band__condition", "position_id"
        )
    )
    for c_name, matters in parsed.categories:
        for m_name, _note, bands in matters:
            for condition, cells in bands:
                for key in cells:
                    position = archived.get(key)
                    if position and (c_name, m_name, condition, position.pk) not in held:
                        errors.add(f"职位“{position.title}”已归档，不能再授予权限。")


def _write_rows(
    manual: Manual,
    parsed: _Parsed,
    scope: Department | None,
    positions: dict[str, Position],
    bodies: dict[str, Body],
) -> None:
    # Categories, kept by name.
    categories = {c.name: c for c in MatterCategory.objects.filter(manual=manual)}
    wanted = [name for name, _ in parsed.categories]
    MatterCategory.objects.filter(manual=manual).exclude(name__in=wanted).delete()
    for order, name in enumerate(wanted, start=1):
        category = categories.get(name)
        if category is None:
            categories[name] = MatterCategory.objects.create(manual=manual, name=name, order=order)
        elif category.order != order:
            category.order = order
            category.save(update_fields=["order"])
    # Matters, kept by (category, name).
    stored_matters = {
        (m.category_id, m.name): m for m in Matter.objects.filter(category__manual=manual)
    }
    keep_matters: set[int] = set()
    new_matters: list[Matter] = []
    changed_matters: list[Matter] = []
    for c_name, matters in parsed.categories:
        category = categories[c_name]
        for order, (m_name, note, _bands) in enumerate(matters, start=1):
            matter = stored_matters.get((category.pk, m_name))
            if matter is None:
                new_matters.append(Matter(category=category, name=m_name, note=note, order=order))
            else:
                keep_matters.add(matter.pk)
                if (matter.note, matter.order) != (note, order):
                    matter.note, matter.order = note, order
                    changed_matters.append(matter)
    Matter.objects.filter(category__manual=manual).exclude(pk__in=keep_matters).delete()
    Matter.objects.bulk_update(changed_matters, ["note", "order"], batch_size=500)
    Matter.objects.bulk_create(new_matters, batch_size=500)
    matter_ids = {
        (m.category_id, m.name): m.pk for m in Matter.objects.filter(category__manual=manual)
    }
    # Bands, kept by (matter, condition).
    stored_bands = {
        (b.matter_id, b.condition): b for b in Band.objects.filter(matter__category__manual=manual)
    }
    keep_bands: set[int] = set()
    new_bands: list[Band] = []
    changed_bands: list[Band] = []
    wanted_cells: list[tuple[tuple[int, str], dict[str, str]]] = []
    for c_name, matters in parsed.categories:
        for m_name, _note, bands in matters:
            matter_id = matter_ids[(categories[c_name].pk, m_name)]
            for order, (condition, cells) in enumerate(bands, start=1):
                band = stored_bands.get((matter_id, condition))
                if band is None:
                    new_bands.append(Band(matter_id=matter_id, condition=condition, order=order))
                else:
                    keep_bands.add(band.pk)
                    if band.order != order:
                        band.order = order
                        changed_bands.append(band)
                wanted_cells.append(((matter_id, condition), cells))
    Band.objects.filter(matter__category__manual=manual).exclude(pk__in=keep_bands).delete()
    Band.objects.bulk_update(changed_bands, ["order"], batch_size=500)
    Band.objects.bulk_create(new_bands, batch_size=500)
    band_ids = {
        (b.matter_id, b.condition): b.pk
        for b in Band.objects.filter(matter__category__manual=manual)
    }
    _write_grants(manual, scope, positions, bodies, band_ids, wanted_cells)


def _write_grants(
    manual: Manual,
    scope: Department | None,
    positions: dict[str, Position],
    bodies: dict[str, Body],
    band_ids: dict[tuple[int, str], int],
    wanted_cells: list[tuple[tuple[int, str], dict[str, str]]],
) -> None:
    """Replace the cells of the writable columns: the scope's positions and every body."""
    in_scope = _scope_ids(scope)
    writable = Grant.objects.filter(band__matter__category__manual=manual)
    if in_scope is not None:
        writable = writable.filter(Q(body__isnull=False) | Q(position__department_id__in=in_scope))
    stored = {
        (g.band_id, position_key(g.position_id) if g.position_id else body_key(g.body.name)): g
        for g in writable.select_related("body")
    }
    creates: list[Grant] = []
    updates: list[Grant] = []
    for band_key, cells in wanted_cells:
        band_id = band_ids[band_key]
        for key, level in cells.items():
            grant = stored.pop((band_id, key), None)
            if grant is not None:
                if grant.level != level:
                    grant.level = level
                    updates.append(grant)
            elif key.startswith("p"):
                creates.append(Grant(band_id=band_id, position=positions[key], level=level))
            else:
                creates.append(Grant(band_id=band_id, body=bodies[key[1:]], level=level))
    Grant.objects.filter(pk__in=[g.pk for g in stored.values()]).delete()
    Grant.objects.bulk_update(updates, ["level"], batch_size=1000)
    Grant.objects.bulk_create(creates, batch_size=1000)


# --- the workflow -------------------------------------------------------------------------------


def _display_name(user: AbstractBaseUser) -> str:
    return (user.get_full_name() or user.get_username()).strip()[:50]


def _signed(role: str, user: AbstractBaseUser, on: datetime.date | None = None) -> dict[str, Any]:
    return {
        f"{role}_by_id": user.pk,
        f"{role}_by_name": _display_name(user),
        f"{role}_at": on or timezone.localdate(),
    }


def _step(
    *,
    user: AbstractBaseUser,
    expected: tuple[str, ...],
    refusal,
    changes: dict[str, Any],
    comment: str,
) -> Manual:
    with transaction.atomic():
        manual = get_manual()
        Manual.objects.filter(pk=manual.pk).update(lock_version=F("lock_version") + 1)
        manual = Manual.objects.select_for_update().get(pk=manual.pk)
        if manual.status not in expected:
            raise ValidationError(
                f"权责手册当前状态为“{manual.get_status_display()}”，不能执行此操作"
                "（可能已被他人处理，请刷新页面）。",
                code="state",
            )
        reason = refusal(user, manual)
        if reason is not None:
            raise PermissionDenied(reason)
        for name, value in changes.items():
            setattr(manual, name, value)
        manual.save()
        _record(user, manual, comment)
    return manual


def submit(*, user: AbstractBaseUser) -> Manual:
    """草稿 → 待审核, by an HR editor, who becomes the 编制人."""
    return _step(
        user=user,
        expected=(Status.DRAFT,),
        refusal=permissions.manual_submit_refusal,
        changes={"status": Status.SUBMITTED} | _signed("prepared", user),
        comment="提交审核",
    )


def review(*, user: AbstractBaseUser, comment: str = "") -> Manual:
    """待审核 → 待审批 (``permissions.manual_review_refusal``)."""
    said = "审核通过" + (f"：{comment.strip()[:200]}" if comment.strip() else "")
    return _step(
        user=user,
        expected=(Status.SUBMITTED,),
        refusal=permissions.manual_review_refusal,
        changes={"status": Status.REVIEWED} | _signed("reviewed", user),
        comment=said,
    )


def reject(*, user: AbstractBaseUser, comment: str) -> Manual:
    """待审核 / 待审批 → 草稿 with a required comment; clears this round's 审核/审批."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "请填写退回意见。"}, code="required")
    if len(comment) > 500:
        raise ValidationError({"comment": "退回意见不能超过 500 个字。"}, code="max_length")

    def refusal(user: AbstractBaseUser, manual: Manual) -> str | None:
        if manual.status == Status.SUBMITTED:
            return permissions.manual_review_refusal(user, manual)
        return permissions.manual_approval_refusal(user, manual)

    return _step(
        user=user,
        expected=(Status.SUBMITTED, Status.REVIEWED),
        refusal=refusal,
        changes={
            "status": Status.DRAFT,
            "reviewed_by_id": None,
            "reviewed_by_name": "",
            "reviewed_at": None,
            "approved_by_id": None,
            "approved_by_name": "",
            "approved_at": None,
        },
        comment=f"退回：{comment}",
    )


def approve(*, user: AbstractBaseUser, comment: str = "") -> ManualVersion:
    """待审批 → 已生效: freezes the matrix as the next ``ManualVersion``, which the sheets'
    工作权限 show from now on; returns it."""
    today = timezone.localdate()
    with transaction.atomic():
        manual = _step(
            user=user,
            expected=(Status.REVIEWED,),
            refusal=permissions.manual_approval_refusal,
            changes={"status": Status.PUBLISHED} | _signed("approved", user, today),
            comment="审批通过" + (f"：{comment.strip()[:200]}" if comment.strip() else ""),
        )
        return publish_manual(manual, effective=today)


def publish_manual(manual: Manual, *, effective: datetime.date | None = None) -> ManualVersion:
    """Freeze the working matrix as the next version (the seed and the migration call it
    directly for a manual signed off on paper) and make it the version in force."""
    with transaction.atomic():
        manual = Manual.objects.select_for_update().get(pk=manual.pk)
        number = (manual.versions.aggregate(last=Max("number"))["last"] or 0) + 1
        document = manual_document()
        # The frozen document keeps the columns that hold a cell (and every body).
        held = {key for _c, _m, band in _bands(document) for key in band["cells"]}
        document["columns"] = [
            c for c in document["columns"] if c["kind"] == "body" or c["key"] in held
        ]
        for column in document["columns"]:
            column.pop("holders", None)
        document.pop("lock_version", None)
        document.pop("status", None)
        document.pop("status_label", None)
        document["version"] = f"V{number}"
        version = ManualVersion.objects.create(
            manual=manual,
            number=number,
            doc_no=manual.doc_no,
            document=document,
            effective_date=effective or timezone.localdate(),
            prepared_by_name=manual.prepared_by_name,
            prepared_at=manual.prepared_at,
            reviewed_by_name=manual.reviewed_by_name,
            reviewed_at=manual.reviewed_at,
            approved_by_name=manual.approved_by_name,
            approved_at=manual.approved_at,
            prepared_by_id=manual.prepared_by_id,
            reviewed_by_id=manual.reviewed_by_id,
            approved_by_id=manual.approved_by_id,
        )
        ManualVersionRow.objects.bulk_create(_version_rows(version, document), batch_size=1000)
        manual.current_version = version
        manual.status = Status.PUBLISHED
        manual.save(update_fields=["current_version", "status", "updated_at"])
        # The search index holds no 工作权限, and the cached sheet HTML is keyed by the manual
        # version in force (``reading.sheet_html``); printing stores the version's A3 PDF once
        # this commits (render on publish).
        hooks.manual_published(version.pk)
    return version


def _bands(document: dict) -> Iterable[tuple[str, str, dict]]:
    for category in document["categories"]:
        for matter in category["matters"]:
            for band in matter["bands"]:
                yield category["name"], matter["name"], band


def _version_rows(version: ManualVersion, document: dict) -> list[ManualVersionRow]:
    rows = []
    for order, (category, matter, band) in enumerate(_bands(document), start=1):
        for key, level in band["cells"].items():
            if key.startswith("p"):
                rows.append(
                    ManualVersionRow(
                        version=version,
                        position_id=int(key[1:]),
                        category=category,
                        matter=matter,
                        condition=band["condition"],
                        level=level,
                        order=order,
                    )
                )
    return rows


# --- a sheet's 工作权限 written from a file (Excel, Word) -----------------------------------------


@dataclass(frozen=True)
class AuthorityLine:
    """A row of a sheet file's 工作权限: 事项（档位） and a level (value or label)."""

    name: str
    level: str


def parse_authority_name(name: str) -> tuple[str, str]:
    """「优惠申请（折扣 ≤ 98%）」 → (优惠申请, 折扣 ≤ 98%); a name without brackets has no band."""
    name = (name or "").strip()
    for opening, closing in (("（", "）"), ("(", ")")):
        if name.endswith(closing) and opening in name:
            at = name.index(opening)
            if at > 0:
                return name[:at].strip(), name[at + 1 : -1].strip()
    return name, ""


def check_authority_lines(lines: Iterable[AuthorityLine], *, label: str = "") -> list[str]:
    """The Chinese errors of a file's 工作权限 rows (an import's preview refuses them)."""
    errors = []
    for number, line in enumerate(lines, start=1):
        where = f"{label}工作权限第 {number} 行"
        matter, condition = parse_authority_name(line.name)
        if not matter:
            errors.append(f"{where}：权限不能为空。")
        elif len(matter) > 100 or len(condition) > 100:
            errors.append(f"{where}：权限“{line.name[:20]}…”过长（事项、档位各不超过 100 字）。")
        if _LEVEL_OF.get((line.level or "").strip()) is None:
            errors.append(
                f"{where}：未知的权限级别“{(line.level or '')[:20]}”"
                f"（可选：{'、'.join(LEVEL_LABELS.values())}）。"
            )
    return errors


def write_position_authorities(
    *,
    user: AbstractBaseUser | None,
    authorities: dict[int, list[AuthorityLine]],
    source: str,
) -> Manual | None:
    """Set the cells of these positions in the manual's working copy (a sheet import's
    工作权限): each position's cells become exactly its lines; a matter named nowhere yet is
    added to 「其他」. Same writer, same all-or-nothing; the user must edit each position
    (``permissions.can_edit_position``). The sheets show it once the manual is published."""
    if not authorities:
        return None
    positions = Position.objects.select_related("department").in_bulk(list(authorities))
    if user is not None:
        for position in positions.values():
            if not permissions.can_edit_position(user, position):
                raise PermissionDenied(f"您无权编辑职位“{position.title}”的工作权限。")
    errors = [
        message
        for pk, lines in authorities.items()
        for message in check_authority_lines(lines, label=f"{positions[pk].title}：")
    ]
    if errors:
        raise ValidationError(errors[:MAX_ERRORS])
    with transaction.atomic():
        manual = get_manual()
        document = manual_document()
        keys = {position_key(pk) for pk in authorities}
        where: dict[tuple[str, str], tuple[str, dict]] = {}
        other = None
        for category in document["categories"]:
            for matter in category["matters"]:
                for band in matter["bands"]:
                    for key in keys & set(band["cells"]):
                        del band["cells"][key]
                    where.setdefault((matter["name"], band["condition"]), (category["name"], band))
                if category["name"] == "其他":
                    other = category
        for pk, lines in authorities.items():
            for line in lines:
                matter_name, condition = parse_authority_name(line.name)
                found = where.get((matter_name, condition))
                if found is None:
                    if other is None:
                        other = {"name": "其他", "matters": []}
                        document["categories"].append(other)
                    matter = next((m for m in other["matters"] if m["name"] == matter_name), None)
                    if matter is None:
                        matter = {"name": matter_name, "note": "", "bands": []}
                        other["matters"].append(matter)
                    band = {"condition": condition, "cells": {}}
                    matter["bands"].append(band)
                    found = where[(matter_name, condition)] = ("其他", band)
                found[1]["cells"][position_key(pk)] = _LEVEL_OF[line.level.strip()]
        document["columns"] = [c for c in document["columns"] if c["kind"] == "body"]
        return _write_manual(
            user=user,
            document=document,
            lock_version=manual.lock_version,
            scope=None,
            source=source,
        )


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatrixRow:
    """One band of the matrix as a table row: the category and matter cells span their bands
    (``*_span`` 0: covered by the row above)."""

    category: str
    category_span: int
    matter: str
    note: str
    matter_span: int
    condition: str
    cells: tuple[str, ...]  # level labels, one per column ("" for none)
    issues: tuple[str, ...] = ()


def matrix_rows(document: dict, issues: Iterable[ManualIssue] = ()) -> list[MatrixRow]:
    """The document's bands as table rows, cells in the order of ``document["columns"]``."""
    keys = [column["key"] for column in document["columns"]]
    found: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for issue in issues:
        found[(issue.category, issue.matter, issue.condition)].append(issue.message)
    rows = []
    for category in document["categories"]:
        category_span = sum(len(m["bands"]) for m in category["matters"])
        for m_index, matter in enumerate(category["matters"]):
            for b_index, band in enumerate(matter["bands"]):
                first_of_category = m_index == 0 and b_index == 0
                rows.append(
                    MatrixRow(
                        category=category["name"],
                        category_span=category_span if first_of_category else 0,
                        matter=matter["name"],
                        note=matter.get("note", ""),
                        matter_span=len(matter["bands"]) if b_index == 0 else 0,
                        condition=band["condition"],
                        cells=tuple(
                            LEVEL_LABELS.get(band["cells"].get(key, ""), "") for key in keys
                        ),
                        issues=tuple(
                            found.get((category["name"], matter["name"], band["condition"]), ())
                        ),
                    )
                )
    return rows


def versions() -> list[ManualVersion]:
    """The published versions, newest first (their documents deferred)."""
    return list(ManualVersion.objects.defer("document").order_by("-number"))


def version_by_number(number: int) -> ManualVersion | None:
    return ManualVersion.objects.filter(manual_id=Manual.SINGLETON_PK, number=number).first()

"""The one writer: every change of a sheet — a position and its sections — goes through here.

The editor, copy and archive, restore from the history, the Excel and Word imports, the
workflow and the data generator all call ``write_sheets`` (content) or ``change_state``
(status and sign-off). Each write, whoever calls it:

* **takes plain data** (``SheetContent``: field values, related position ids and section rows as
  dicts), never forms;
* **checks the scope** with ``positions.permissions`` before (the stored department) and after
  (the department written) — a scoped HR editor can neither edit nor move a sheet outside their
  departments; ``user=None`` is the system (seed, generator) and is not checked; a write that
  arrives signed (``SheetWrite.state``: a historical file going live) is refused to anyone but an
  unscoped HR editor;
* **locks optimistically**: one conditional ``UPDATE … SET lock_version = lock_version + 1
  WHERE pk = … AND lock_version = <expected>``; a stale writer gets ``EditConflict`` and nothing
  is written (the ``UPDATE`` also holds the row lock to the end of the transaction);
* applies **the workflow consequence of an edit**: a sheet under review returns to 草稿 (its
  审核/审批 cleared), a published one starts the draft of V(n+1) (its version in force is
  untouched);
* **validates** the position and every row with ``full_clean`` (a value too long is refused
  with a Chinese message, never cut);
* **replaces the sections** given (rows keep their identity by ``id``; duties are ranked 1..n
  and the other sections ordered 1..n by one helper), with bulk inserts;
* records **one django-reversion revision per position** (user and comment), holding the
  position and all its sections — the revisions of a bulk write inserted together, with the
  same serialised text django-reversion writes;
* **reindexes the search** of every position written, in one batch at the end.

A bulk write costs about one statement per sheet (its own INSERT or UPDATE) plus a few per
section and batch: what each sheet's checks would ask the database one by one (its department,
its superior's existence, who holds its code) is looked up once for the batch (``_Known``).

All of it in one transaction: a refusal of any sheet of a bulk write changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core import serializers
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, router, transaction
from django.db.models import F, Max, Model, prefetch_related_objects
from django.utils import timezone
from django.utils.encoding import force_str
from reversion.models import Revision
from reversion.models import Version as RevisionVersion
from reversion.revisions import _follow_relations, _get_content_type, _get_options

from positions import hooks, permissions
from positions.models import (
    SHEET_SECTIONS,
    Department,
    Duty,
    Indicator,
    Position,
    Qualification,
    Relationship,
)

# The position's own fields a content write may set (attnames), besides related_positions.
CONTENT_FIELDS = (
    "title",
    "code",
    "department_id",
    "reports_to_id",
    "grade_min",
    "grade_max",
    "headcount",
    "sort_order",
    "location",
    "purpose",
    "summary",
    "commitments",
    "work_environment",
    "other_requirements",
)
# What the workflow sets (never a content write).
STATE_FIELDS = (
    "status",
    "prepared_by_id",
    "prepared_by_name",
    "prepared_at",
    "reviewed_by_id",
    "reviewed_by_name",
    "reviewed_at",
    "approved_by_id",
    "approved_by_name",
    "approved_at",
    "next_review_on",
)


@dataclass(frozen=True)
class Section:
    key: str  # related name on Position
    model: type[Model]
    fields: tuple[str, ...]  # the row's content fields
    order_field: str | None  # rank / order, numbered 1..n by the writer; None: single row

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)


SECTIONS: dict[str, Section] = {
    section.key: section
    for section in (
        Section(
            "duties",
            Duty,
            ("group", "kind", "title", "tasks", "responsibility", "assessment"),
            "rank",
        ),
        Section("relationships", Relationship, ("kind", "party", "purpose"), "order"),
        Section("indicators", Indicator, ("name", "description"), "order"),
        Section("qualification", Qualification, tuple(Qualification.SHEET_FIELDS), None),
    )
}

Row = Mapping[str, Any]


@dataclass(frozen=True)
class SheetContent:
    """What a sheet says, as plain values. Only what is given changes.

    ``fields``: ``CONTENT_FIELDS`` by attname (``department_id``, ``reports_to_id``).
    ``related_positions``: position ids (None: unchanged).
    ``sections``: section key → the rows it holds from now on, in order (a section not named is
    unchanged). A row may carry ``id``: that stored row is updated (or, when it no longer exists,
    brought back with that id — a restore). Rows without ``id`` are new, unless ``reuse_rows``:
    then they take the stored rows not named by id, in order (imports, whose files know no ids,
    keep the rows' identity and so a readable history).
    """

    fields: Mapping[str, Any] = field(default_factory=dict)
    related_positions: Sequence[int] | None = None
    sections: Mapping[str, Sequence[Row]] = field(default_factory=dict)
    reuse_rows: bool = False
    # Links to other sheets of the same bulk write, by their ``SheetWrite.key`` (an import's
    # new positions, whose ids do not exist before the write).
    reports_to_key: str = ""
    related_keys: Sequence[str] = ()


@dataclass(frozen=True)
class SheetWrite:
    """One sheet of a write: the stored position (None creates one) and its new content."""

    position: Position | None
    content: SheetContent
    # The lock_version the writer started from; None: not checked (the row is still locked).
    expected_lock_version: int | None = None
    label: str = ""  # how errors name this sheet in a bulk write (a file, a row)
    comment: str = ""  # the revision's comment when it differs from the call's
    key: str = ""  # what other writes of the batch link to (``reports_to_key``)
    # ``STATE_FIELDS`` the sheet is written with, for a sheet that arrives already signed off
    # on paper and goes live as it is (a historical import, ``services.golive``): applied
    # after the edit's workflow consequence, in the same revision. The writer refuses it to
    # anyone ``permissions.in_force_import_refusal`` refuses.
    state: Mapping[str, Any] = field(default_factory=dict)


class EditConflict(Exception):
    """The position was saved by someone else since the writer read it."""

    def __init__(self, current: Position) -> None:
        self.current = current
        super().__init__(
            f"职位“{current.title}”在您编辑期间已被他人修改"
            f"（当前编辑版本 {current.lock_version}）。"
        )


# --- the workflow consequence of an edit --------------------------------------------------------


def mark_edited(position: Position) -> None:
    """What an edit does to the workflow state (in memory; the writer saves).

    Editing a sheet under review sends it back to 草稿 (its 审核/审批 cleared): what was
    reviewed is not this; whoever submits it again signs as 编制人. Editing a published sheet
    starts the draft of its next version; the version in force (``current_version``) is
    untouched and stays what everyone else reads. Sets ``returned_to_draft`` /
    ``started_next_version`` for the caller's message.
    """
    position.returned_to_draft = position.status in (
        Position.Status.SUBMITTED,
        Position.Status.REVIEWED,
    )
    position.started_next_version = position.status == Position.Status.PUBLISHED
    if position.started_next_version:
        position.prepared_by, position.prepared_by_name, position.prepared_at = None, "", None
    if position.returned_to_draft or position.started_next_version:
        position.status = Position.Status.DRAFT
        position.reviewed_by, position.reviewed_by_name, position.reviewed_at = None, "", None
        position.approved_by, position.approved_by_name, position.approved_at = None, "", None


# --- checks -----------------------------------------------------------------------------------


def _named(label: str, messages: Iterable[str]) -> list[str]:
    return [f"{label}：{message}" if label else message for message in messages]


def _field_messages(model: type[Model], error: ValidationError) -> list[str]:
    """「职位名称：…」 for each field error, the bare message for the others."""
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    messages = []
    for name, errors in error.message_dict.items():
        if name == NON_FIELD_ERRORS:
            messages.extend(errors)
            continue
        try:
            verbose = str(model._meta.get_field(name).verbose_name)
        except Exception:
            verbose = ""
        messages.extend(f"{verbose}：{m}" if verbose else m for m in errors)
    return messages


def _check_scope(
    user: AbstractBaseUser | None,
    stored: Position | None,
    department_id,
    departments: Mapping[int, Department],
) -> None:
    """``departments``: the batch's departments by id, looked up once (``_Known``)."""
    if user is None:
        return
    department = departments.get(department_id)
    reason = permissions.sheet_write_refusal(user, stored=stored, department=department)
    if reason is not None:
        raise PermissionDenied(reason)


def _lock(write: SheetWrite) -> Position:
    """The stored position with its lock moved on; ``EditConflict`` when it is stale."""
    pk = write.position.pk
    rows = Position.objects.filter(pk=pk)
    if write.expected_lock_version is not None:
        rows = rows.filter(lock_version=write.expected_lock_version)
    if not rows.update(lock_version=F("lock_version") + 1):
        current = Position.objects.filter(pk=pk).first()
        if current is None:
            raise ValidationError("该职位已不存在。")
        raise EditConflict(current)
    return Position.objects.get(pk=pk)


# --- sections -----------------------------------------------------------------------------------


@dataclass
class _SectionPlan:
    """What one write does to one section, gathered for bulk statements."""

    deletes: list[int] = field(default_factory=list)
    updates: list[Model] = field(default_factory=list)
    creates: list[Model] = field(default_factory=list)


def _clean_row(section: Section, row: Model, label: str, number: int) -> None:
    exclude = ["position", *([section.order_field] if section.order_field else [])]
    try:
        row.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        where = f"{section.label}第 {number} 行" if section.order_field else section.label
        messages = _named(where, _field_messages(section.model, error))
        raise ValidationError(_named(label, messages)) from None


def _plan_section(
    position: Position,
    section: Section,
    rows: Sequence[Row],
    stored: list[Model],
    *,
    reuse: bool,
    label: str,
    plan: _SectionPlan,
) -> None:
    """Match ``rows`` to the stored rows, validate them, and add the statements to ``plan``."""
    by_id = {row.pk: row for row in stored}
    named = {int(values["id"]) for values in rows if values.get("id") is not None}
    free = [row for row in stored if row.pk not in named]
    if section.order_field is None:  # the qualification: one row, whatever its id
        reuse, free = True, stored[:1]
        named = set()
    for number, values in enumerate(rows, start=1):
        pk = values.get("id")
        pk = int(pk) if pk is not None and section.order_field is not None else None
        if pk is not None and pk in by_id:
            row, new = by_id[pk], False
        elif pk is not None:
            row, new = section.model(pk=pk, position=position), True  # brought back
        elif reuse and free:
            row, new = free.pop(0), False
        else:
            row, new = section.model(position=position), True
        for name in section.fields:
            if name in values:
                setattr(row, name, values[name])
        if section.order_field:
            setattr(row, section.order_field, number)
        _clean_row(section, row, label, number)
        (plan.creates if new else plan.updates).append(row)
        by_id.pop(row.pk, None)
    plan.deletes.extend(by_id)


def _stored_rows(section: Section, position_ids: list[int]) -> dict[int, list[Model]]:
    ordering = [section.order_field, "pk"] if section.order_field else ["pk"]
    found: dict[int, list[Model]] = {pk: [] for pk in position_ids}
    for row in section.model.objects.filter(position_id__in=position_ids).order_by(*ordering):
        found[row.position_id].append(row)
    return found


def _write_sections(plans: dict[str, _SectionPlan], position_ids: list[int]) -> None:
    for key, plan in plans.items():
        section = SECTIONS[key]
        manager = section.model.objects
        if plan.deletes:
            manager.filter(pk__in=plan.deletes).delete()
        if key == "duties" and plan.updates:
            # (position, rank) is unique: lift the kept duties above every new rank first.
            highest = manager.filter(position_id__in=position_ids).aggregate(top=Max("rank"))
            offset = (highest["top"] or 0) + max(len(plan.updates), len(plan.creates)) + 1
            manager.filter(pk__in=[row.pk for row in plan.updates]).update(rank=F("rank") + offset)
        if plan.updates:
            fields = list(section.fields) + ([section.order_field] if section.order_field else [])
            manager.bulk_update(plan.updates, fields, batch_size=500)
        if plan.creates:
            manager.bulk_create(plan.creates, batch_size=1000)


# --- the writer ---------------------------------------------------------------------------------


def _apply_fields(position: Position, content: SheetContent) -> None:
    unknown = set(content.fields) - set(CONTENT_FIELDS)
    if unknown:
        raise ValueError(f"not content fields: {sorted(unknown)}")
    for name, value in content.fields.items():
        setattr(position, name, value)


def _apply_state(position: Position, state: Mapping[str, Any]) -> None:
    unknown = set(state) - set(STATE_FIELDS)
    if unknown:
        raise ValueError(f"not state fields: {sorted(unknown)}")
    for name, value in state.items():
        setattr(position, name, value)
    if state:
        position.returned_to_draft = False  # it goes on as signed, not back to 草稿


def _check_state_writes(user: AbstractBaseUser | None, writes: Sequence[SheetWrite]) -> None:
    if user is None or not any(write.state for write in writes):
        return
    reason = permissions.in_force_import_refusal(user)
    if reason is not None:
        raise PermissionDenied(reason)


# Set by the workflow, not by a content write: not checked again on every edit.
_NOT_VALIDATED = ["current_version", "prepared_by", "reviewed_by", "approved_by"]


@dataclass
class _Known:
    """What a bulk write checks for every sheet, looked up once for the batch: the departments
    written to, the superiors that exist and who holds each code — kept up to date as the
    batch's sheets are saved. Each sheet is still validated by ``full_clean``; only the
    queries it would make one by one (a foreign key's existence, the code's holder) are
    answered from here."""

    departments: dict[int, Department]
    positions: set[int]
    code_holders: dict[str, tuple[int, str]]
    code_of: dict[int, str]  # the other way round

    @classmethod
    def of(cls, writes: Sequence[SheetWrite]) -> _Known:
        department_ids, superior_ids, codes = set(), set(), set()
        for write in writes:
            fields = write.content.fields
            if write.position is not None:
                department_ids.add(write.position.department_id)
                codes.add(write.position.code)
            department_ids.add(fields.get("department_id"))
            superior_ids.add(fields.get("reports_to_id"))
            codes.add(str(fields.get("code") or "").strip())
        department_ids.discard(None)
        superior_ids.discard(None)
        codes.discard("")
        holders = Position.objects.filter(code__in=codes).values_list("code", "pk", "title")
        return cls(
            departments=Department.objects.in_bulk(department_ids),
            positions=set(
                Position.objects.filter(pk__in=superior_ids).values_list("pk", flat=True)
            ),
            code_holders={code: (pk, title) for code, pk, title in holders},
            code_of={pk: code for code, pk, _title in holders},
        )

    def saved(self, position: Position) -> None:
        """The batch saved this position: it exists, and holds its code (only)."""
        self.positions.add(position.pk)
        before = self.code_of.pop(position.pk, None)
        if before is not None and self.code_holders.get(before, (None,))[0] == position.pk:
            del self.code_holders[before]
        if position.code:
            self.code_holders[position.code] = (position.pk, position.title)
            self.code_of[position.pk] = position.code


def _clean_position(position: Position, label: str, known: _Known | None = None) -> None:
    exclude = list(_NOT_VALIDATED)
    if known is not None:
        # Foreign keys known to exist are not looked up again, one query each.
        if position.department_id in known.departments:
            exclude.append("department")
        if position.reports_to_id is not None and position.reports_to_id in known.positions:
            exclude.append("reports_to")
        position.code_holders = known.code_holders
    try:
        # Position.clean() checks the rules of the named constraints (code unique, grade range,
        # not its own superior) with Chinese messages; validating the constraints again would
        # cost a query each per sheet (a third of a 1,000-sheet import). The database still
        # enforces them.
        position.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as error:
        raise ValidationError(_named(label, _field_messages(Position, error))) from None
    finally:
        position.code_holders = None


def write_sheets(
    *,
    user: AbstractBaseUser | None,
    writes: Sequence[SheetWrite],
    comment: str,
) -> list[Position]:
    """Write every sheet, all or nothing; returns the positions as stored.

    Raises ``EditConflict`` (a stale ``expected_lock_version``), ``PermissionDenied`` (outside
    the user's scope, or a signed ``state`` the user may not write) or ``ValidationError``
    (Chinese messages, each named by the write's ``label``); nothing is written then.
    """
    written: list[Position] = []
    _check_state_writes(user, writes)
    by_key: dict[str, Position] = {}  # the batch's sheets written so far, by SheetWrite.key
    with transaction.atomic():
        known = _Known.of(writes)
        for write in writes:
            creating = write.position is None or write.position.pk is None
            stored = None if creating else _lock(write)
            department_id = write.content.fields.get(
                "department_id", None if stored is None else stored.department_id
            )
            if department_id not in known.departments and department_id is not None:
                known.departments.update(Department.objects.in_bulk([department_id]))
            _check_scope(user, stored, department_id, known.departments)
            position = Position(status=Position.Status.DRAFT) if creating else stored
            if creating:
                position.returned_to_draft = position.started_next_version = False
            else:
                mark_edited(position)
            _apply_fields(position, write.content)
            _apply_state(position, write.state)
            superior = by_key.get(write.content.reports_to_key or "")
            if superior is not None:
                # A superior written earlier in the batch has its id already: linked now, the
                # sheet is cleaned and saved once (a later one is linked after the loop).
                position.reports_to = superior
            _clean_position(position, write.label, known)
            position.save()
            known.saved(position)
            if write.key:
                by_key[write.key] = position
            if write.content.related_positions is not None:
                related = [pk for pk in write.content.related_positions if pk != position.pk]
                if not creating:
                    position.related_positions.set(related)
                elif related:  # a new position has none yet: nothing to compare
                    position.related_positions.add(*related)
            position.created = creating
            written.append(position)
        _link_within_batch(writes, written, known)
        _write_all_sections(writes, written)
        _load_sections(written)
        said = []
        for write, position in zip(writes, written, strict=True):
            text = write.comment or comment
            if position.returned_to_draft:
                text += "（退回草稿，需重新提交审核）"
            said.append((position, text))
        _record_revisions(user, said)
        hooks.sheets_written([position.pk for position in written])
    return written


def _link_within_batch(
    writes: Sequence[SheetWrite], written: list[Position], known: _Known
) -> None:
    """Set the links between sheets of this write (new ones have ids only now)."""
    by_key = {w.key: p for w, p in zip(writes, written, strict=True) if w.key}
    for write, position in zip(writes, written, strict=True):
        content = write.content
        if content.reports_to_key and position.reports_to_id != by_key[content.reports_to_key].pk:
            position.reports_to = by_key[content.reports_to_key]
            _clean_position(position, write.label, known)  # a reporting cycle only shows now
            position.save(update_fields=["reports_to", "updated_at"])
        if content.related_keys:
            linked = [by_key[key].pk for key in content.related_keys]
            position.related_positions.add(*[pk for pk in linked if pk != position.pk])


def _write_all_sections(writes: Sequence[SheetWrite], written: list[Position]) -> None:
    plans: dict[str, _SectionPlan] = {}
    for key, section in SECTIONS.items():
        targets = [
            (write, position)
            for write, position in zip(writes, written, strict=True)
            if key in write.content.sections
        ]
        if not targets:
            continue
        stored = _stored_rows(section, [position.pk for _write, position in targets])
        plan = plans.setdefault(key, _SectionPlan())
        for write, position in targets:
            _plan_section(
                position,
                section,
                write.content.sections[key],
                stored[position.pk],
                reuse=write.content.reuse_rows,
                label=write.label,
                plan=plan,
            )
    unknown = {key for write in writes for key in write.content.sections} - set(SECTIONS)
    if unknown:
        raise ValueError(f"unknown sections: {sorted(unknown)}")
    _write_sections(plans, [position.pk for position in written])


def _load_sections(positions: list[Position]) -> None:
    """The sections as just written, loaded for every position in one query per section: the
    revisions follow them (``reversion.register(Position, follow=SHEET_SECTIONS)``) without a
    query per position and section (a sixth of a 1,000-sheet import otherwise)."""
    for position in positions:
        position._prefetched_objects_cache = {}  # never a stale, earlier prefetch
        position._state.fields_cache.pop("qualification", None)
    prefetch_related_objects(positions, *SHEET_SECTIONS, "related_positions")


def _followed(obj: Model) -> list[Model]:
    """``obj`` and what its revision holds with it, in the order django-reversion's
    ``add_to_revision`` visits them (the registration's ``follow``: a position's sections)."""
    seen: dict[tuple[type[Model], Any], Model] = {}

    def visit(item: Model) -> None:
        key = (type(item), item.pk)
        if item.pk is None or key in seen:
            return
        seen[key] = item
        for related in _follow_relations(item):
            visit(related)

    visit(obj)
    return list(seen.values())


def _serialised(objs: Sequence[Model]) -> list[str]:
    """Each object as django-reversion stores it: ``serializers.serialize(format, (obj,),
    fields=…, use_natural_foreign_keys=…)`` of its registration. For JSON, the objects of one
    model go through Django's python serializer together and each is dumped as the json
    serializer writes a one-object list (the same text, a third of the time)."""
    options = _get_options(type(objs[0]))
    if options.format != "json":
        return [
            serializers.serialize(
                options.format,
                (obj,),
                fields=options.fields,
                use_natural_foreign_keys=options.use_natural_foreign_keys,
            )
            for obj in objs
        ]
    dicts = serializers.get_serializer("python")().serialize(
        objs, fields=options.fields, use_natural_foreign_keys=options.use_natural_foreign_keys
    )
    return ["[" + json.dumps(d, cls=DjangoJSONEncoder, ensure_ascii=False) + "]" for d in dicts]


def _revision_versions(held: Sequence[tuple[Model, Revision]], db: str) -> list[RevisionVersion]:
    """The stored copies of the objects in their revisions, in the order given."""
    by_model: dict[type[Model], list[int]] = {}
    for index, (obj, _revision) in enumerate(held):
        by_model.setdefault(type(obj), []).append(index)
    data: list[str] = [""] * len(held)
    for indexes in by_model.values():
        for index, text in zip(indexes, _serialised([held[i][0] for i in indexes]), strict=True):
            data[index] = text
    # Each model's registration and content type, looked up once (not once per object).
    models = {model: (_get_options(model), _get_content_type(model, db)) for model in by_model}
    versions = []
    for (obj, revision), serialized in zip(held, data, strict=True):
        options, content_type = models[type(obj)]
        versions.append(
            RevisionVersion(
                # By id: the same columns, without caching the related objects on every copy.
                revision_id=revision.pk,
                content_type_id=content_type.pk,
                object_id=force_str(getattr(obj, options.object_id_field)),
                db=db,
                format=options.format,
                serialized_data=serialized,
                object_repr=force_str(obj),
            )
        )
    return versions


def _record_revisions(
    user: AbstractBaseUser | None, entries: Sequence[tuple[Position, str]]
) -> None:
    """One django-reversion revision per position (user, comment), holding it with every
    section — as ``reversion.create_revision`` + ``add_to_revision`` record it, but the
    revisions and their versions of a whole batch inserted in two statements (what a bulk
    write just saved needs no existence check). The sections are followed from the
    positions' prefetched rows (``_load_sections``)."""
    if not entries:
        return
    db = router.db_for_write(Position)
    now = timezone.now()
    revisions = [Revision(date_created=now, user=user, comment=said) for _p, said in entries]
    if connections[db].features.can_return_rows_from_bulk_insert:
        Revision.objects.using(db).bulk_create(revisions, batch_size=1000)
    else:  # pragma: no cover — every backend we run returns the ids
        for revision in revisions:
            revision.save(using=db)
    held = [
        (obj, revision)
        for (position, _said), revision in zip(entries, revisions, strict=True)
        for obj in _followed(position)
    ]
    RevisionVersion.objects.using(db).bulk_create(_revision_versions(held, db), batch_size=1000)


def _record_revision(user: AbstractBaseUser | None, position: Position, comment: str) -> None:
    """One revision of its own for the position, holding it with every section."""
    _record_revisions(user, [(position, comment)])


def create_sheets(*, writes: Sequence[SheetWrite], comment: str) -> list[Position]:
    """The system's bulk entry point for many NEW sheets at once (the data generator).

    The same validation as ``write_sheets`` — every position and every row through
    ``full_clean`` with the same Chinese messages, the section plans, one revision per position
    holding it with every section, a reindex at the end — but the positions are inserted with
    one statement per thousand rather than one each, and the revisions are recorded in bulk
    (``_record_revisions``). Only for ``user=None`` writes that create: no scope, lock or
    workflow consequence applies to a sheet that does not exist yet. A superior is named by
    ``reports_to_key`` (an earlier write of the batch: reporting order) or by ``reports_to_id``
    (a stored position, e.g. of an earlier batch); either way no cycle can arise, a new sheet
    having no subordinates. A code used twice in the batch is refused like one already stored.
    All or nothing.
    """
    for write in writes:
        if write.position is not None and write.position.pk is not None:
            raise ValueError("create_sheets only creates: use write_sheets to change a sheet")
        if write.state or write.content.related_positions or write.content.related_keys:
            raise ValueError("create_sheets writes content and reporting lines only")
    seen: dict[str, str] = {}
    with transaction.atomic():
        # The departments written to and the codes' holders, looked up once for the batch (a
        # query per sheet otherwise: two thirds of the generator's queries).
        known = _Known.of(writes)
        written: list[Position] = []
        by_key: dict[str, int] = {}
        stored_superiors: dict[int, int] = {}  # write number → a stored superior's id
        for number, write in enumerate(writes):
            position = Position(status=Position.Status.DRAFT)
            _apply_fields(position, write.content)
            if position.reports_to_id is not None:
                stored_superiors[number] = position.reports_to_id
            position.reports_to_id = None  # linked below, once the batch has its ids
            # Position.clean() checks the code against its holders (looked up above); the
            # unique constraints are enforced by the database (validate_unique off).
            exclude = list(_NOT_VALIDATED)
            if position.department_id in known.departments:
                exclude.append("department")  # known to exist: not looked up again
            elif position.department_id is not None:
                raise ValidationError(_named(write.label, ["所选部门不存在。"]))
            position.code_holders = known.code_holders
            try:
                position.full_clean(
                    exclude=exclude, validate_unique=False, validate_constraints=False
                )
            except ValidationError as error:
                raise ValidationError(
                    _named(write.label, _field_messages(Position, error))
                ) from None
            finally:
                position.code_holders = None
            if position.code and position.code in seen:
                message = f"职位编号“{position.code}”已被“{seen[position.code]}”使用。"
                raise ValidationError(_named(write.label, [message]))
            seen[position.code] = position.title
            if write.content.reports_to_key and write.content.reports_to_key not in by_key:
                raise ValueError(f"reports_to_key {write.content.reports_to_key!r} is not earlier")
            if write.key:
                by_key[write.key] = number
            position.returned_to_draft = position.started_next_version = False
            position.created = True
            written.append(position)
        # A superior stored before (an earlier batch): it must exist. A new sheet has no
        # subordinates yet, so no link made here can close a reporting cycle.
        found = set(
            Position.objects.filter(pk__in=set(stored_superiors.values())).values_list(
                "pk", flat=True
            )
        )
        for number, superior_id in stored_superiors.items():
            if superior_id not in found:
                raise ValidationError(_named(writes[number].label, ["所选直接上级职位不存在。"]))
        Position.objects.bulk_create(written, batch_size=1000)
        linked = []
        for number, (write, position) in enumerate(zip(writes, written, strict=True)):
            if write.content.reports_to_key:
                position.reports_to = written[by_key[write.content.reports_to_key]]
                linked.append(position)
            elif number in stored_superiors:
                position.reports_to_id = stored_superiors[number]
                linked.append(position)
        Position.objects.bulk_update(linked, ["reports_to"], batch_size=1000)
        _write_all_sections(writes, written)
        _load_sections(written)
        comments = [write.comment or comment for write in writes]
        _record_revisions(None, list(zip(written, comments, strict=True)))
        hooks.sheets_written([position.pk for position in written])
    return written


def write_sheet(
    *,
    user: AbstractBaseUser | None,
    position: Position | None,
    content: SheetContent,
    comment: str,
    expected_lock_version: int | None = None,
) -> Position:
    """``write_sheets`` for one sheet."""
    write = SheetWrite(position, content, expected_lock_version)
    return write_sheets(user=user, writes=[write], comment=comment)[0]


def change_state(
    *,
    user: AbstractBaseUser | None,
    position: Position,
    check: Callable[[Position], None],
    changes: Mapping[str, Any] | Callable[[Position], Mapping[str, Any]],
    comment: str | Callable[[Position], str],
) -> Position:
    """A workflow step: set status and sign-off fields (``STATE_FIELDS``) of one position.

    The row is locked and its ``lock_version`` moved on (so an editor open on the earlier state
    conflicts); ``check(stored)`` refuses (raises) on the stored, locked row — the workflow asks
    ``permissions`` there — and then the changes (or ``changes(stored)``) are saved with one
    revision and a reindex.
    Must run inside the caller's transaction when the caller writes more (an event, a version).
    """
    with transaction.atomic():
        locked = Position.objects.filter(pk=position.pk)
        if not locked.update(lock_version=F("lock_version") + 1):
            raise ValidationError("该职位已不存在。")
        stored = Position.objects.select_related("department").get(pk=position.pk)
        check(stored)
        if callable(changes):
            changes = changes(stored)
        unknown = set(changes) - set(STATE_FIELDS)
        if unknown:
            raise ValueError(f"not state fields: {sorted(unknown)}")
        for name, value in changes.items():
            setattr(stored, name, value)
        stored.save()
        _record_revision(user, stored, comment(stored) if callable(comment) else comment)
        hooks.sheets_written([stored.pk])
    return stored

"""The ordered diff of two sheets: what 版本比较 and 本次变更 show.

Each section of the sheet is a sequence of items (a header field, a paragraph, a whole duty, a
任职资格 row …). ``difflib.SequenceMatcher`` over those items keeps their order, so inserting
one duty marks only that duty 新增 and the ones after it stay in place. Within a block the
matcher replaced, an old item and a new one that are similar enough (or carry the same label,
e.g. the same 任职资格 row) are one item 修改, with the changed characters marked; an item
deleted in one place and inserted unchanged in another is 移动.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from positions.sheet import DutyRow, Sheet

# An old and a new item at least this similar (SequenceMatcher.ratio) are the same item edited.
SIMILAR = 0.6

STATUS_LABELS = {
    "added": "新增",
    "removed": "删除",
    "changed": "修改",
    "moved": "移动",
    "same": "",
}

# Latin words and numbers stay whole; Chinese (and anything else) is compared character by
# character, which is how a Chinese reader sees a changed word.
_TOKEN = re.compile(r"[A-Za-z0-9_.%]+|\s+|.", re.DOTALL)


@dataclass(frozen=True)
class Piece:
    text: str
    marked: bool  # deleted (old side) or inserted (new side)


@dataclass(frozen=True)
class DiffItem:
    status: str  # added / removed / changed / moved / same
    label: str  # 职位名称, 学历, 内部工作关系 … or "" (paragraphs, duties)
    old: str  # "" when added
    new: str  # "" when removed
    old_pieces: tuple[Piece, ...] = ()  # changed only: old text with the deleted parts marked
    new_pieces: tuple[Piece, ...] = ()  # changed only: new text with the inserted parts marked

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def is_change(self) -> bool:
        return self.status != "same"


@dataclass(frozen=True)
class DiffSection:
    key: str
    label: str
    items: tuple[DiffItem, ...]

    def _count(self, status: str) -> int:
        return sum(1 for item in self.items if item.status == status)

    @property
    def changes(self) -> tuple[DiffItem, ...]:
        return tuple(item for item in self.items if item.is_change)

    @property
    def change_count(self) -> int:
        return len(self.changes)

    @property
    def counts(self) -> tuple[tuple[str, str, int], ...]:
        """(status, label, count) for each kind of change present, e.g. ("added", "新增", 1)."""
        found = []
        for status in ("added", "removed", "changed", "moved"):
            count = self._count(status)
            if count:
                found.append((status, STATUS_LABELS[status], count))
        return tuple(found)


@dataclass(frozen=True)
class SheetChanges:
    old: Sheet
    new: Sheet
    sections: tuple[DiffSection, ...]  # in the sheet's order; sections empty on both sides left out

    @property
    def change_count(self) -> int:
        return sum(section.change_count for section in self.sections)

    @property
    def is_empty(self) -> bool:
        return self.change_count == 0

    @property
    def changed_sections(self) -> tuple[DiffSection, ...]:
        return tuple(section for section in self.sections if section.change_count)


@dataclass(frozen=True)
class _Item:
    label: str
    text: str

    @property
    def key(self) -> str:
        return f"{self.label}\n{self.text}"


def _duty_text(duty: DutyRow, heading: str) -> str:
    lines = [f"【{heading}】"] if heading else []
    head = "　".join(
        part for part in (duty.title, duty.kind_note, duty.responsibility_label) if part
    )
    if head:
        lines.append(head)
    lines += duty.tasks
    lines += [f"考核要点：{line}" for line in duty.assessment]
    return "\n".join(lines)


def _sections(sheet: Sheet) -> list[tuple[str, str, list[_Item]]]:
    """The sheet as (key, label, items), in the sheet's order."""

    def lines(texts: tuple[str, ...]) -> list[_Item]:
        return [_Item("", text) for text in texts]

    return [
        ("header", "基本信息", [_Item(f.label, f.value) for f in sheet.header if f.value]),
        ("related", "相关职位", lines(sheet.related_positions)),
        ("purpose", "设岗目的", lines(sheet.purpose)),
        ("summary", "职位概要", lines(sheet.summary)),
        (
            "duties",
            "工作职责",
            [
                _Item("", _duty_text(duty, group.heading))
                for group in sheet.duties.groups
                for duty in group.duties
            ],
        ),
        ("commitments", "主要责任", lines(sheet.commitments)),
        ("authorities", "工作权限", [_Item(a.name, a.level_label) for a in sheet.authorities]),
        (
            "qualifications",
            "任职资格",
            [_Item(row.label, "\n".join(row.lines)) for row in sheet.qualifications],
        ),
        (
            "relationships",
            "工作关系",
            [
                _Item(group.label, f"{i.party}：{i.purpose}" if i.purpose else i.party)
                for group in sheet.relationships
                for i in group.items
            ],
        ),
        (
            "indicators",
            "关键指标",
            [
                _Item(i.name, i.description) if i.description else _Item("", i.name)
                for i in sheet.indicators
            ],
        ),
    ]


def _pieces(old: str, new: str) -> tuple[tuple[Piece, ...], tuple[Piece, ...]]:
    """Both texts cut into pieces, the parts only one side has marked."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    left: list[Piece] = []
    right: list[Piece] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if i2 > i1:
            left.append(Piece("".join(a[i1:i2]), tag != "equal"))
        if j2 > j1:
            right.append(Piece("".join(b[j1:j2]), tag != "equal"))
    return tuple(left), tuple(right)


def _ratio(old: _Item, new: _Item) -> float:
    return SequenceMatcher(None, old.text, new.text, autojunk=False).ratio()


def _same_item(old: _Item, new: _Item) -> bool:
    """Edited rather than replaced: the same labelled row, or a text similar enough."""
    if old.label and old.label == new.label:
        return True
    return old.label == new.label and _ratio(old, new) >= SIMILAR


def _changed(old: _Item, new: _Item) -> DiffItem:
    old_pieces, new_pieces = _pieces(old.text, new.text)
    label = new.label if old.label == new.label else ""
    return DiffItem("changed", label, old.text, new.text, old_pieces, new_pieces)


def diff_items(old: list[_Item], new: list[_Item]) -> tuple[DiffItem, ...]:
    """One section's items, in the new order, removed ones where they stood."""
    opcodes = SequenceMatcher(
        None, [i.key for i in old], [i.key for i in new], autojunk=False
    ).get_opcodes()
    # Pair edited items within each replaced block, in order.
    paired: dict[int, int] = {}  # old index → new index
    for tag, i1, i2, j1, j2 in opcodes:
        if tag != "replace":
            continue
        j = j1
        for i in range(i1, i2):
            for candidate in range(j, j2):
                if _same_item(old[i], new[candidate]):
                    paired[i] = candidate
                    j = candidate + 1
                    break
    # What is left deleted and inserted unchanged elsewhere was moved.
    deleted = [
        i
        for tag, i1, i2, _, _ in opcodes
        if tag != "equal"
        for i in range(i1, i2)
        if i not in paired
    ]
    inserted = [
        j
        for tag, _, _, j1, j2 in opcodes
        if tag != "equal"
        for j in range(j1, j2)
        if j not in paired.values()
    ]
    moved: dict[int, int] = {}  # new index → old index
    for j in inserted:
        match = next((i for i in deleted if i not in moved.values() and old[i] == new[j]), None)
        if match is not None:
            moved[j] = match
    moved_from = set(moved.values())
    by_new = {j: i for i, j in paired.items()}
    items: list[DiffItem] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            items += [DiffItem("same", n.label, n.text, n.text) for n in new[j1:j2]]
            continue
        for i in range(i1, i2):
            if i not in paired and i not in moved_from:
                items.append(DiffItem("removed", old[i].label, old[i].text, ""))
        for j in range(j1, j2):
            if j in by_new:
                items.append(_changed(old[by_new[j]], new[j]))
            elif j in moved:
                items.append(DiffItem("moved", new[j].label, new[j].text, new[j].text))
            else:
                items.append(DiffItem("added", new[j].label, "", new[j].text))
    return tuple(items)


def diff_sheets(old: Sheet, new: Sheet) -> SheetChanges:
    """The ordered diff of two sheets, section by section (see the module's docstring)."""
    new_sections = _sections(new)
    sections = []
    for (key, label, old_items), (_, _, new_items) in zip(
        _sections(old), new_sections, strict=True
    ):
        if not old_items and not new_items:
            continue
        sections.append(DiffSection(key, label, diff_items(old_items, new_items)))
    return SheetChanges(old=old, new=new, sections=tuple(sections))


__all__ = ["DiffItem", "DiffSection", "Piece", "SheetChanges", "diff_sheets"]

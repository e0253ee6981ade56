"""The findings of the 组织诊断, one pure function per type over a QuerySet of positions.

Every function takes the positions of a scope (``scope_positions``: a department subtree,
archived positions left out) and returns plain ``Finding`` values in a fixed number of
queries, whatever the scope's size. A finding's ``key`` is stable — built from the positions
(and, for duty overlaps, the texts) it is about, never from row ids that a rewrite of a sheet
renews — so what HR marked 「已知悉/不适用」 stays attached to it (``FindingNote``).

Duty overlap uses the Chinese character bigrams of each 全责 duty (title and tasks, letters
and digits only). Candidates come from an inverted bigram index with prefix filtering, built
per *block* (a position, its direct reports and theirs): two duties whose bigram sets have a
Jaccard similarity of at least ``t`` must share one of the first ``n - ceil(t·n) + 1`` bigrams
of each, ordered rarest first, so only those are indexed and compared — never all pairs.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import itertools
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from positions.models import (
    Acknowledgement,
    Assignment,
    Band,
    Department,
    Duty,
    Grant,
    Indicator,
    ManualLevel,
    Position,
    grade_label,
)
from positions.org import DepartmentIndex, department_index

# --- the values a report is made of ------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """A run of a duty's text; ``shared`` when its characters are in the other text too."""

    text: str
    shared: bool


@dataclass(frozen=True)
class PositionRef:
    pk: int
    title: str
    code: str
    department: str

    @property
    def label(self) -> str:
        return f"{self.title}（{self.code}）" if self.code else self.title


@dataclass(frozen=True)
class Finding:
    kind: str
    key: str
    message: str
    department_id: int  # the first position's department: who may mark the finding
    positions: tuple[PositionRef, ...]
    texts: tuple[tuple[Segment, ...], ...] = ()  # duty overlaps: the texts, marked
    owners: tuple[str, ...] = ()  # duty overlaps: who holds each text
    similarity: int | None = None  # duty overlaps: percent

    @property
    def panels(self) -> list[tuple[str, tuple[Segment, ...]]]:
        """Who holds each text, with the text, side by side (duty overlaps)."""
        return list(zip(self.owners, self.texts, strict=False))

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "key": self.key,
            "message": self.message,
            "department_id": self.department_id,
            "positions": [[p.pk, p.title, p.code, p.department] for p in self.positions],
            "texts": [[[s.text, s.shared] for s in text] for text in self.texts],
            "owners": list(self.owners),
            "similarity": self.similarity,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Finding:
        return cls(
            kind=data["kind"],
            key=data["key"],
            message=data["message"],
            department_id=data["department_id"],
            positions=tuple(PositionRef(*row) for row in data["positions"]),
            texts=tuple(tuple(Segment(*s) for s in text) for text in data["texts"]),
            owners=tuple(data.get("owners", ())),
            similarity=data.get("similarity"),
        )


# --- scope and shared loading -------------------------------------------------------------------


def scope_positions(department: Department | None) -> QuerySet[Position]:
    """The positions a report covers: the department and every department below it (None:
    the whole organisation), archived positions left out."""
    positions = Position.objects.active()
    if department is None:
        return positions
    return positions.filter(department_id__in=department_index().subtree_ids(department.pk))


class Row(NamedTuple):
    pk: int
    title: str
    code: str
    department_id: int
    department: str
    reports_to_id: int | None
    grade_min: int | None
    grade_max: int | None
    current_version_id: int | None
    version_number: int | None
    status: str
    next_review_on: datetime.date | None

    @property
    def ref(self) -> PositionRef:
        return PositionRef(self.pk, self.title, self.code, self.department)


ROW_FIELDS = (
    "pk",
    "title",
    "code",
    "department_id",
    "department__name",
    "reports_to_id",
    "grade_min",
    "grade_max",
    "current_version_id",
    "current_version__number",
    "status",
    "next_review_on",
)


def _rows(positions: QuerySet[Position]) -> dict[int, Row]:
    """The positions as plain rows, in the positions' order (one query)."""
    return {
        values[0]: Row(*values)
        for values in positions.order_by(*Position._meta.ordering, "pk").values_list(*ROW_FIELDS)
    }


def _superiors(rows: dict[int, Row]) -> dict[int, int | None]:
    """The 直接上级 of the scope's positions and of every position above them (chains run
    across department borders): one query per level above the scope, none for the whole
    organisation."""
    superiors = {pk: row.reports_to_id for pk, row in rows.items()}
    wanted = {pk for pk in superiors.values() if pk is not None and pk not in superiors}
    while wanted:
        found = dict(
            Position.objects.active().filter(pk__in=wanted).values_list("pk", "reports_to_id")
        )
        for pk in wanted:
            superiors[pk] = found.get(pk)  # an archived superior ends the chain
        wanted = {pk for pk in found.values() if pk is not None and pk not in superiors}
    return superiors


def _extra_rows(rows: dict[int, Row], wanted: Iterable[int | None]) -> dict[int, Row]:
    """``rows`` plus the rows of ``wanted`` positions outside them (superiors above a scope)."""
    missing = {pk for pk in wanted if pk is not None and pk not in rows}
    if not missing:
        return rows
    return rows | _rows(Position.objects.filter(pk__in=missing))


def _key(*parts: object) -> str:
    return "-".join(str(part) for part in parts)


def _digest(*texts: str) -> str:
    return hashlib.sha1("\x1f".join(texts).encode()).hexdigest()[:12]


def _names(items: list[str], limit: int = 5) -> str:
    shown = "、".join(items[:limit])
    return shown + (f" 等 {len(items)} 人" if len(items) > limit else "")


# --- duty overlap ---------------------------------------------------------------------------------

# 「总经理交办的其他工作」 and its like are on every sheet: never an overlap.
BOILERPLATE = re.compile(r"(其他|其它).{0,6}(工作|任务|事项)|(交办|交给|安排)的")
MIN_BIGRAMS = 4  # shorter duties (「其他」) say too little to compare


_NOT_ALNUM = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """Letters, digits and Chinese characters only (NFKC, lower case): what bigrams are of."""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text).lower())


def bigrams(text: str) -> frozenset[str]:
    """The character bigrams of ``normalise(text)`` (a one-character text: that character)."""
    norm = normalise(text)
    if len(norm) < 2:
        return frozenset([norm]) if norm else frozenset()
    return frozenset(norm[i : i + 2] for i in range(len(norm) - 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


@functools.lru_cache(maxsize=4096)
def _significant(text: str) -> tuple[tuple[int, str], ...]:
    """The positions and normalised characters of ``text``'s letters, digits, Chinese."""
    return tuple(
        (i, unicodedata.normalize("NFKC", ch).lower()) for i, ch in enumerate(text) if ch.isalnum()
    )


def marked(text: str, other: frozenset[str]) -> tuple[Segment, ...]:
    """``text`` cut into runs, ``shared`` where a bigram of it (letters, digits, Chinese
    characters; punctuation skipped) is among ``other``'s bigrams."""
    flags = [False] * len(text)
    for (i, a), (j, b) in itertools.pairwise(_significant(text)):
        if a + b in other:
            flags[i] = flags[j] = True
    segments: list[Segment] = []
    start = 0
    for n in range(1, len(text) + 1):
        if n == len(text) or flags[n] != flags[start]:
            segments.append(Segment(text[start:n], flags[start]))
            start = n
    return tuple(segments)


def duty_text(title: str, tasks: str) -> str:
    """A duty as one line: 「主要职责：任务一；任务二」."""
    lines = [line.strip() for line in tasks.splitlines() if line.strip()]
    body = "".join(line if line[-1] in "；;。，," else line + "；" for line in lines)
    return f"{title}：{body}" if title else body


def _company_of(index: DepartmentIndex) -> dict[int, int]:
    """Each department's company: the nearest department (itself or above) that is a 项目公司
    or the 集团公司, else its root."""
    company: dict[int, int] = {}
    for dept, _depth in index.preorder():
        parent = dept.parent_id
        if dept.kind in (Department.Kind.COMPANY, Department.Kind.GROUP) or parent not in company:
            company[dept.pk] = dept.pk
        else:
            company[dept.pk] = company[parent]
    return company


def similar_pairs(
    items: list[frozenset[str]], blocks: Iterable[list[int]], threshold: float
) -> dict[tuple[int, int], float]:
    """Pairs (i < j) of ``items`` in a common block with Jaccard ≥ ``threshold``, found with an
    inverted index of each item's prefix of rarest bigrams (prefix filtering: exact, and only
    pairs sharing a rare bigram are ever compared)."""
    frequency: Counter[str] = Counter()
    for grams in items:
        frequency.update(grams)
    ordered = [sorted(grams, key=lambda g: (frequency[g], g)) for grams in items]
    prefixes = [
        tokens[: len(tokens) - math.ceil(threshold * len(tokens)) + 1] for tokens in ordered
    ]
    found: dict[tuple[int, int], float] = {}
    for block in blocks:
        if len(block) < 2:
            continue
        index: dict[str, list[int]] = defaultdict(list)
        for i in sorted(set(block), key=lambda n: len(items[n])):
            size = len(items[i])
            seen: set[int] = set()
            for token in prefixes[i]:
                for j in index[token]:
                    if j in seen:
                        continue
                    seen.add(j)
                    pair = (j, i) if j < i else (i, j)
                    if pair in found or len(items[j]) < threshold * size:
                        continue
                    score = jaccard(items[i], items[j])
                    if score >= threshold:
                        found[pair] = score
                index[token].append(i)
    return found


OVERLAP = "overlap"
OVERLAP_SUPERIOR = "overlap_superior"
PANELS = 4  # distinct texts shown side by side at most


def _quoted(titles: list[str], limit: int = 5) -> str:
    shown = "、".join(f"“{t}”" for t in titles[:limit])
    return shown + (f" 等 {len(titles)} 个职位" if len(titles) > limit else "")


class _Cluster(NamedTuple):
    positions: tuple[int, ...]  # in the scope's order
    texts: tuple[int, ...]  # distinct texts (indexes), first held first
    score: float  # similarity of the first two texts (1.0: one text)


def duty_overlaps(
    positions: QuerySet[Position], *, threshold: float | None = None
) -> list[Finding]:
    """Positions holding 全责 for similar duties: ``OVERLAP`` between positions of one company
    that share a superior within two levels, ``OVERLAP_SUPERIOR`` between a position and its
    direct reports.

    Per block (a position, its direct reports and theirs) the distinct duty texts are joined by
    the prefix-filtered bigram index (``similar_pairs``) and grouped (similar texts, transitively):
    every group is one finding naming all the positions holding it — ten 置业顾问 with the same
    全责 duty are one finding, not forty-five pairs. A group within a larger group of another
    block (siblings, then cousins) is reported once, in the larger.
    """
    threshold = settings.DIAGNOSIS_OVERLAP_PERCENT / 100 if threshold is None else threshold
    rows = _rows(positions)
    order = {pk: n for n, pk in enumerate(rows)}
    superiors = _superiors(rows)
    company = _company_of(department_index())
    texts: list[str] = []
    norms: list[str] = []
    grams: list[frozenset[str]] = []
    text_index: dict[str, int] = {}
    held: dict[int, set[int]] = defaultdict(set)  # text → positions holding it as 全责
    duties = (
        Duty.objects.filter(position_id__in=rows, responsibility=Duty.Responsibility.FULL)
        .order_by("position_id", "rank")
        .values_list("position_id", "title", "tasks")
    )
    for position_id, title, tasks in duties:
        text = duty_text(title, tasks)
        norm = normalise(text)
        if BOILERPLATE.search(norm):
            continue
        if norm not in text_index:
            bag = bigrams(text)
            if len(bag) < MIN_BIGRAMS:
                continue
            text_index[norm] = len(texts)
            texts.append(text)
            norms.append(norm)
            grams.append(bag)
        held[text_index[norm]].add(position_id)

    def anchors(pk: int) -> set[int]:
        first = superiors.get(pk)
        second = superiors.get(first) if first is not None else None
        return {a for a in (first, second) if a is not None}

    members: dict[int, set[int]] = defaultdict(set)  # block anchor → positions
    for holders in held.values():
        for pk in holders:
            members[pk].add(pk)
            for anchor in anchors(pk):
                members[anchor].add(pk)
    blocks: dict[int, list[int]] = defaultdict(list)  # block anchor → distinct texts
    by_position: dict[int, list[int]] = defaultdict(list)
    for n, holders in held.items():
        for pk in holders:
            by_position[pk].append(n)
    for anchor, pks in members.items():
        blocks[anchor] = sorted({n for pk in pks for n in by_position[pk]})
    pairs = similar_pairs(grams, blocks.values(), threshold)
    linked: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for (i, j), score in pairs.items():
        linked[i].append((j, score))
        linked[j].append((i, score))

    horizontal: list[_Cluster] = []
    vertical: dict[tuple[int, frozenset[int]], _Cluster] = {}
    for anchor, block_texts in blocks.items():
        in_block = set(block_texts)
        reports = members[anchor] - {anchor}
        mine = members[anchor]
        local = {n: held[n] & mine for n in block_texts}  # holders within the block
        seen: set[int] = set()
        for start in block_texts:
            if start in seen:
                continue
            group, stack = [], [start]
            seen.add(start)
            while stack:
                node = stack.pop()
                group.append(node)
                for other, _score in linked[node]:
                    if other in in_block and other not in seen:
                        seen.add(other)
                        stack.append(other)
            holders = set().union(*(local[n] for n in group))
            if len(holders) < 2:
                continue
            group.sort(key=lambda n: min(order.get(pk, len(order)) for pk in local[n]))
            direct = sorted(
                (pk for pk in holders if superiors.get(pk) == anchor), key=order.__getitem__
            )
            if anchor in holders and direct and anchor in rows:
                texts_of = tuple(n for n in group if local[n] & ({anchor} | set(direct)))
                vertical[(anchor, frozenset(texts_of))] = _Cluster(
                    (anchor, *direct), texts_of, _pair_score(grams, texts_of)
                )
            by_company: dict[int, list[int]] = defaultdict(list)
            for pk in holders & reports:
                if pk in rows:
                    by_company[company[rows[pk].department_id]].append(pk)
            for pks in by_company.values():
                if len(pks) < 2:
                    continue
                pks.sort(key=order.__getitem__)
                texts_of = tuple(n for n in group if local[n] & set(pks))
                horizontal.append(_Cluster(tuple(pks), texts_of, _pair_score(grams, texts_of)))

    findings: list[Finding] = []
    kept = _widest(horizontal)
    for cluster in kept:
        titles = [rows[pk].title for pk in cluster.positions]
        names = f"“{titles[0]}”与“{titles[1]}”" if len(titles) == 2 else _quoted(titles)
        findings.append(
            _overlap_finding(
                OVERLAP,
                f"{names}对相似的职责都负全责",
                cluster,
                rows,
                texts,
                norms,
                grams,
                held,
            )
        )
    for cluster in vertical.values():
        upper, *lower = (rows[pk].title for pk in cluster.positions)
        findings.append(
            _overlap_finding(
                OVERLAP_SUPERIOR,
                f"上级“{upper}”与直接下属{'、'.join(f'“{t}”' for t in lower[:5])}"
                + (f" 等 {len(lower)} 个职位" if len(lower) > 5 else "")
                + "对相似的职责都负全责",
                cluster,
                rows,
                texts,
                norms,
                grams,
                held,
            )
        )
    findings.sort(key=lambda f: (f.kind != OVERLAP, [order[p.pk] for p in f.positions]))
    return findings


def _pair_score(grams: list[frozenset[str]], group: tuple[int, ...]) -> float:
    return jaccard(grams[group[0]], grams[group[1]]) if len(group) > 1 else 1.0


def _widest(clusters: list[_Cluster]) -> list[_Cluster]:
    """Each group once: a group whose positions and texts lie within another's is dropped."""
    ordered = sorted(
        {(c.positions, c.texts): c for c in clusters}.values(),
        key=lambda c: (-len(c.positions), -len(c.texts)),
    )
    kept: list[_Cluster] = []
    by_position: dict[int, list[int]] = defaultdict(list)
    for cluster in ordered:
        mine, my_texts = set(cluster.positions), set(cluster.texts)
        candidates = {k for pk in cluster.positions for k in by_position[pk]}
        if any(
            mine <= set(kept[k].positions) and my_texts <= set(kept[k].texts) for k in candidates
        ):
            continue
        for pk in cluster.positions:
            by_position[pk].append(len(kept))
        kept.append(cluster)
    return kept


def _overlap_finding(
    kind: str,
    message: str,
    cluster: _Cluster,
    rows: dict[int, Row],
    texts: list[str],
    norms: list[str],
    grams: list[frozenset[str]],
    held: dict[int, set[int]],
) -> Finding:
    shown = list(cluster.texts[:PANELS])
    if len(shown) == 1:
        shown = shown * 2  # one text held by all: shown beside itself
    panels = []
    owners = []
    for n, index in enumerate(shown):
        holders = [pk for pk in cluster.positions if pk in held[index]]
        if len(cluster.texts) == 1:  # the same text: first holder, then the others
            holders = holders[:1] if n == 0 else holders[1:]
        others = frozenset().union(*(grams[m] for m in shown if m != index)) or grams[index]
        panels.append(marked(texts[index], others))
        first = rows[holders[0]].title
        owners.append(first + (f" 等 {len(holders)} 个职位" if len(holders) > 1 else ""))
    percent = round(cluster.score * 100)
    ref_department = rows[cluster.positions[0]].department_id
    return Finding(
        kind=kind,
        key=_key(
            kind,
            _digest(*(str(pk) for pk in cluster.positions)),
            _digest(*sorted(norms[n] for n in cluster.texts)),
        ),
        message=f"{message}（相似度 {percent}%）",
        department_id=ref_department,
        positions=tuple(rows[pk].ref for pk in cluster.positions),
        texts=tuple(panels),
        owners=tuple(owners),
        similarity=percent,
    )


# --- gaps -----------------------------------------------------------------------------------------

MISSING_ASSESSMENT = "missing_assessment"
NO_MANAGEMENT_DUTY = "no_management_duty"
OVERDUE_REVIEW = "overdue_review"
UNCONFIRMED = "unconfirmed"

# A duty of this kind is what a manager's sheet owes its team (部门管理 and its like).
MANAGEMENT_WORDS = (
    "部门管理",
    "团队管理",
    "团队建设",
    "人员管理",
    "下属",
    "本部门员工",
    "部门员工",
    "部门内部管理",
)


def missing_assessment(positions: QuerySet[Position]) -> list[Finding]:
    """Positions without any 考核要点 (on no duty) and positions without 关键指标."""
    rows = _rows(positions)
    assessed = set(
        Duty.objects.filter(position_id__in=rows)
        .exclude(assessment="")
        .values_list("position_id", flat=True)
    )
    measured = set(
        Indicator.objects.filter(position_id__in=rows).values_list("position_id", flat=True)
    )
    findings = []
    for row in rows.values():
        for what, held in (("assessment", assessed), ("indicators", measured)):
            if row.pk in held:
                continue
            label = "没有考核要点（所有职责均未填写）" if what == "assessment" else "没有关键指标"
            findings.append(
                Finding(
                    kind=MISSING_ASSESSMENT,
                    key=_key("missing", what, row.pk),
                    message=f"“{row.title}”{label}",
                    department_id=row.department_id,
                    positions=(row.ref,),
                )
            )
    return findings


def _report_counts(ids: Iterable[int]) -> dict[int, int]:
    """How many active positions report directly to each of ``ids`` (one query)."""
    return dict(
        Position.objects.active()
        .filter(reports_to_id__in=list(ids))
        .values("reports_to_id")
        .annotate(n=Count("pk"))
        .values_list("reports_to_id", "n")
    )


def no_management_duty(positions: QuerySet[Position]) -> list[Finding]:
    """Managers' sheets (positions others report to) without a 部门管理-type duty."""
    rows = _rows(positions)
    managers = _report_counts(rows)
    words = Q()
    for word in MANAGEMENT_WORDS:
        words |= Q(title__contains=word) | Q(group__contains=word) | Q(tasks__contains=word)
    covered = set(
        Duty.objects.filter(words, position_id__in=list(managers)).values_list(
            "position_id", flat=True
        )
    )
    return [
        Finding(
            kind=NO_MANAGEMENT_DUTY,
            key=_key("no-management", row.pk),
            message=f"“{row.title}”有 {managers[row.pk]} 个直接下属，但说明书中没有部门管理类职责",
            department_id=row.department_id,
            positions=(row.ref,),
        )
        for row in rows.values()
        if row.pk in managers and row.pk not in covered
    ]


def overdue_review(
    positions: QuerySet[Position], *, today: datetime.date | None = None
) -> list[Finding]:
    """Sheets in force whose 下次复核日期 has passed (as ``positions.services.review``)."""
    today = today or timezone.localdate()
    rows = _rows(positions.in_force().filter(next_review_on__lt=today))
    return [
        Finding(
            kind=OVERDUE_REVIEW,
            key=_key("review", row.pk, row.next_review_on.isoformat()),
            message=(
                f"“{row.title}”应于 {row.next_review_on:%Y-%m-%d} 复核，"
                f"已逾期 {(today - row.next_review_on).days} 天"
            ),
            department_id=row.department_id,
            positions=(row.ref,),
        )
        for row in rows.values()
    ]


def unconfirmed(positions: QuerySet[Position]) -> list[Finding]:
    """Positions in force whose current holders have not all confirmed the version in force."""
    rows = _rows(positions.in_force())
    holders: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for position_id, employee_id, name in (
        Assignment.objects.current()
        .filter(position_id__in=rows, employee__left_on__isnull=True)
        .order_by("employee__employee_no")
        .values_list("position_id", "employee_id", "employee__name")
    ):
        holders[position_id].append((employee_id, name))
    confirmed = set(
        Acknowledgement.objects.filter(
            version_id__in=[row.current_version_id for row in rows.values()]
        ).values_list("version_id", "employee_id")
    )
    findings = []
    for row in rows.values():
        missing = [
            name for pk, name in holders[row.pk] if (row.current_version_id, pk) not in confirmed
        ]
        if missing:
            findings.append(
                Finding(
                    kind=UNCONFIRMED,
                    key=_key("unconfirmed", row.pk, row.current_version_id),
                    message=(
                        f"“{row.title}”的在岗员工 {_names(missing)} 尚未确认现行版本 "
                        f"V{row.version_number}"
                    ),
                    department_id=row.department_id,
                    positions=(row.ref,),
                )
            )
    return findings


BAND_GAP = "band_gap"


def band_gaps(positions: QuerySet[Position], *, whole: bool | None = None) -> list[Finding]:
    """Bands of the 权责手册 (its working matrix) without an 审批 or without an 执行 grant.

    A department's report holds the bands that grant any level to one of its positions; the
    whole organisation's (``whole``; by default: when ``positions`` are every active
    position) holds every band, those granted only to bodies (董事会 …) or to nobody included.
    """
    rows = _rows(positions)
    if whole is None:
        whole = len(rows) == Position.objects.active().count()
    bands = Band.objects.select_related("matter__category").order_by(
        "matter__category__order",
        "matter__category__name",
        "matter__order",
        "matter__name",
        "order",
        "pk",
    )
    if not whole:
        bands = bands.filter(grants__position_id__in=list(rows)).distinct()
    bands = list(bands)
    levels: dict[int, set[str]] = defaultdict(set)
    holders: dict[int, list[int]] = defaultdict(list)
    for band_id, level, position_id in Grant.objects.filter(
        band_id__in=[band.pk for band in bands]
    ).values_list("band_id", "level", "position_id"):
        levels[band_id].add(level)
        if position_id in rows:
            holders[band_id].append(position_id)
    order = {pk: n for n, pk in enumerate(rows)}
    roots = department_index().roots
    fallback = roots[0] if whole and roots else None
    findings = []
    for band in bands:
        matter = band.matter
        name = f"{matter.category.name} → {matter.name}" + (
            f"（{band.condition}）" if band.condition else ""
        )
        refs = tuple(rows[pk].ref for pk in sorted(set(holders[band.pk]), key=order.__getitem__))
        department_id = rows[refs[0].pk].department_id if refs else fallback
        if department_id is None:
            continue
        for level, label in ((ManualLevel.APPROVE, "审批"), (ManualLevel.EXECUTE, "执行")):
            if level in levels[band.pk]:
                continue
            findings.append(
                Finding(
                    kind=BAND_GAP,
                    key=_key(
                        "band",
                        _digest(matter.category.name, matter.name, band.condition),
                        level,
                    ),
                    message=f"权责手册“{name}”没有{label}",
                    department_id=department_id,
                    positions=refs,
                )
            )
    return findings


# --- structure ------------------------------------------------------------------------------------

GRADE_INVERSION = "grade_inversion"
SPAN = "span"
VACANT_SUPERIOR = "vacant_superior"
DEEP_CHAIN = "deep_chain"
NO_SUPERIOR = "no_superior"


def _top_grade(row: Row) -> int | None:
    return row.grade_max if row.grade_max is not None else row.grade_min


def grade_inversions(positions: QuerySet[Position]) -> list[Finding]:
    """A direct report whose highest grade is above its superior's highest grade."""
    rows = _rows(positions)
    every = _extra_rows(rows, (row.reports_to_id for row in rows.values()))
    findings = []
    for row in rows.values():
        superior = every.get(row.reports_to_id)
        if superior is None:
            continue
        mine, theirs = _top_grade(row), _top_grade(superior)
        if mine is None or theirs is None or mine <= theirs:
            continue
        findings.append(
            Finding(
                kind=GRADE_INVERSION,
                key=_key("grade", row.pk, superior.pk, mine, theirs),
                message=(
                    f"“{row.title}”的职位等级 {grade_label(row.grade_min, row.grade_max)} "
                    f"高于其直接上级“{superior.title}”的 "
                    f"{grade_label(superior.grade_min, superior.grade_max)}"
                ),
                department_id=row.department_id,
                positions=(row.ref, superior.ref),
            )
        )
    return findings


def span_of_control(
    positions: QuerySet[Position], *, low: int | None = None, high: int | None = None
) -> list[Finding]:
    """Positions with direct reports, but fewer than ``low`` or more than ``high`` of them
    (``DIAGNOSIS_SPAN_MIN`` / ``DIAGNOSIS_SPAN_MAX``)."""
    low = settings.DIAGNOSIS_SPAN_MIN if low is None else low
    high = settings.DIAGNOSIS_SPAN_MAX if high is None else high
    rows = _rows(positions)
    findings = []
    for pk, count in _report_counts(rows).items():
        if low <= count <= high:
            continue
        row = rows[pk]
        side = "low" if count < low else "high"
        bound = f"少于 {low} 个" if side == "low" else f"多于 {high} 个"
        findings.append(
            Finding(
                kind=SPAN,
                key=_key("span", pk, side),
                message=f"“{row.title}”有 {count} 个直接下属，管理幅度{bound}",
                department_id=row.department_id,
                positions=(row.ref,),
            )
        )
    order = {pk: n for n, pk in enumerate(rows)}
    return sorted(findings, key=lambda f: order[f.positions[0].pk])


def vacant_superiors(positions: QuerySet[Position]) -> list[Finding]:
    """Positions others report to that nobody holds now."""
    rows = _rows(positions)
    counts = _report_counts(rows)
    held = set(
        Assignment.objects.current()
        .filter(position_id__in=list(counts), employee__left_on__isnull=True)
        .values_list("position_id", flat=True)
    )
    return [
        Finding(
            kind=VACANT_SUPERIOR,
            key=_key("vacant", row.pk),
            message=f"“{row.title}”无人在岗，但有 {counts[row.pk]} 个职位向其汇报",
            department_id=row.department_id,
            positions=(row.ref,),
        )
        for row in rows.values()
        if row.pk in counts and row.pk not in held
    ]


def deep_chains(positions: QuerySet[Position], *, limit: int | None = None) -> list[Finding]:
    """Reporting chains longer than ``limit`` levels (``DIAGNOSIS_MAX_CHAIN``): reported once
    per branch, at the first position beyond the limit, with its chain from the top."""
    limit = settings.DIAGNOSIS_MAX_CHAIN if limit is None else limit
    rows = _rows(positions)
    superiors = _superiors(rows)
    depth: dict[int, int] = {}

    def chain_of(pk: int) -> list[int]:
        chain, seen, node = [], set(), pk
        while node is not None and node not in seen:
            seen.add(node)
            chain.append(node)
            node = superiors.get(node)
        return chain[::-1]

    def depth_of(pk: int) -> int:
        if pk not in depth:
            depth[pk] = len(chain_of(pk))
        return depth[pk]

    beyond = [
        row
        for row in rows.values()
        if depth_of(row.pk) == limit + 1  # the first level over the limit
    ]
    every = _extra_rows(rows, (pk for row in beyond for pk in chain_of(row.pk)))
    return [
        Finding(
            kind=DEEP_CHAIN,
            key=_key("chain", row.pk),
            message=(
                f"汇报链超过 {limit} 级：" + " → ".join(every[pk].title for pk in chain_of(row.pk))
            ),
            department_id=row.department_id,
            positions=tuple(every[pk].ref for pk in chain_of(row.pk)),
        )
        for row in beyond
    ]


def no_superior(positions: QuerySet[Position]) -> list[Finding]:
    """Positions without a 直接上级 other than the top ones (the heads of a 项目公司 or of the
    集团公司, and positions of a top-level department)."""
    rows = _rows(positions)
    index = department_index()
    findings = []
    for row in rows.values():
        if row.reports_to_id is not None:
            continue
        department = index.by_id[row.department_id]
        if department.parent_id is None or department.kind != Department.Kind.DEPARTMENT:
            continue
        findings.append(
            Finding(
                kind=NO_SUPERIOR,
                key=_key("no-superior", row.pk),
                message=f"“{row.title}”没有直接上级（{department.name}不是公司一级）",
                department_id=row.department_id,
                positions=(row.ref,),
            )
        )
    return findings


# --- the types, in report order ----------------------------------------------------------------


@dataclass(frozen=True)
class FindingType:
    kind: str
    group: str  # 职责 / 缺口 / 结构
    label: str
    rule: Callable[[QuerySet[Position]], list[Finding]] = field(repr=False)


TYPES: tuple[FindingType, ...] = (
    FindingType(OVERLAP, "职责", "职责重叠（同级或相近职位）", duty_overlaps),
    FindingType(OVERLAP_SUPERIOR, "职责", "职责重叠（上级与直接下属）", duty_overlaps),
    FindingType(MISSING_ASSESSMENT, "缺口", "缺少考核要点或关键指标", missing_assessment),
    FindingType(NO_MANAGEMENT_DUTY, "缺口", "管理者缺少部门管理类职责", no_management_duty),
    FindingType(OVERDUE_REVIEW, "缺口", "逾期未复核", overdue_review),
    FindingType(UNCONFIRMED, "缺口", "在岗员工未确认现行版本", unconfirmed),
    FindingType(BAND_GAP, "缺口", "权责手册档位缺少审批或执行", band_gaps),
    FindingType(GRADE_INVERSION, "结构", "职位等级倒挂", grade_inversions),
    FindingType(SPAN, "结构", "管理幅度异常", span_of_control),
    FindingType(VACANT_SUPERIOR, "结构", "有下属的职位空缺", vacant_superiors),
    FindingType(DEEP_CHAIN, "结构", "汇报链过长", deep_chains),
    FindingType(NO_SUPERIOR, "结构", "缺少直接上级", no_superior),
)
TYPE_BY_KIND = {t.kind: t for t in TYPES}

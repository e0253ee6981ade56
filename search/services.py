"""Search (搜索): find positions by title, code, department and sheet text, or by pinyin.

The index (``SearchEntry``) holds one row per searchable section of a position, twice over:
the working copy's text (read by people with draft rights, ``permissions.working_copy_q``)
and, for positions in force, the text of the version in force (read by everyone else). A
search only ever looks at the rows the user reads, so a draft's new title or duty is never
found by someone who may not read the draft.

Matching is substring matching on a normalised text (lower case, full-width ASCII folded).
Chinese has no spaces and two-character words (销售, 客服) are the common query, which
PostgreSQL's pg_trgm indexes cannot serve (trigrams need three characters). Each row therefore
stores its distinct two-character substrings (``tokens``); on PostgreSQL a GIN index over them
answers ``tokens ⊇ bigrams(query)``, which is exact for a two-character query and a tight
pre-filter (then checked with LIKE) for longer ones. A one-character query scans with LIKE
and a limit. Titles and department names also match by pinyin initials (xsjl → 销售经理),
including the initials of common alternative readings (heteronyms).

Ranking a common two-character query by the rows above read every matching section's row (销售
matches 46,000 of 100,000 positions: 161,000 rows over a 1 GB table). ``SearchDocument`` holds
one narrow row per position and source whose keys are its tokens prefixed with the best rank
of a section containing them (``0销售``: the title contains 销售), so a query whose terms all
have two characters ranks and counts positions from those rows and reads the sections' text
of the page's positions only.

``reindex_position`` is called explicitly wherever a position's content changes (save, copy,
archive, restore, publish, the seed); ``rebuild_index`` redoes everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    F,
    Func,
    Q,
    QuerySet,
)
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from positions import hooks, permissions
from positions.ids import parse_id
from positions.models import Position, SearchDocument, SearchEntry, Version
from positions.sheet import Sheet, build_sheet
from positions.text import PINYIN_QUERY, bigrams, cached_initials, initials, normalise

Section = SearchEntry.Section
Source = SearchEntry.Source

MAX_QUERY_LENGTH = 50
MAX_TERMS = 5
RESULTS_PER_PAGE = 20
MAX_PAGE = 1_000_000  # a page number beyond it is shown as the last page like any other
HITS_PER_RESULT = 3
SINGLE_CHARACTER_LIMIT = 200  # positions a one-character query may return
SNIPPET_BEFORE = 24
SNIPPET_AFTER = 56

SECTION_ORDER: tuple[str, ...] = (
    Section.TITLE,
    Section.CODE,
    Section.DEPARTMENT,
    Section.PURPOSE,
    Section.SUMMARY,
    Section.DUTIES,
    Section.COMMITMENTS,
    Section.QUALIFICATION,
    Section.INDICATORS,
)
SECTION_RANK = {section: rank for rank, section in enumerate(SECTION_ORDER)}
NAME_SECTIONS = (Section.TITLE, Section.CODE, Section.DEPARTMENT)
PINYIN_SECTIONS = (Section.TITLE, Section.DEPARTMENT)


# --- building the index ----------------------------------------------------------------------


@dataclass(frozen=True)
class SectionText:
    section: str
    text: str


SheetData = Sheet | dict[str, Any]


def _get(node: Any, name: str) -> Any:
    """A field of a sheet dataclass or of its ``as_dict()`` form (a stored version's sheet)."""
    return node[name] if isinstance(node, dict) else getattr(node, name)


def sheet_sections(sheet: SheetData) -> list[SectionText]:
    """The searchable text of a sheet, section by section (empty sections left out).

    Reads a ``Sheet`` or a version's stored ``sheet`` dict alike (no ``Sheet.from_dict``, which
    is slow for whole-index rebuilds).
    """
    duties: list[str] = []
    for group in _get(_get(sheet, "duties"), "groups"):
        for duty in _get(group, "duties"):
            number, title = _get(duty, "number"), _get(duty, "title")
            duties.append(f"{number}. {title}" if title else f"{number}.")
            duties += list(_get(duty, "tasks"))
            duties += [f"考核要点：{line}" for line in _get(duty, "assessment")]
    qualifications = [
        f"{_get(row, 'label')}：{line}"
        for row in _get(sheet, "qualifications")
        for line in _get(row, "lines")
    ]
    indicators = []
    for row in _get(sheet, "indicators"):
        name, description = _get(row, "name"), _get(row, "description")
        indicators.append(f"{name}：{description}" if description else name)
    sections = [
        SectionText(Section.TITLE, _get(sheet, "title")),
        SectionText(Section.CODE, _get(sheet, "code")),
        SectionText(Section.DEPARTMENT, _get(sheet, "department")),
        SectionText(Section.PURPOSE, "\n".join(_get(sheet, "purpose"))),
        SectionText(Section.SUMMARY, "\n".join(_get(sheet, "summary"))),
        SectionText(Section.DUTIES, "\n".join(duties)),
        SectionText(Section.COMMITMENTS, "\n".join(_get(sheet, "commitments"))),
        SectionText(Section.QUALIFICATION, "\n".join(qualifications)),
        SectionText(Section.INDICATORS, "\n".join(indicators)),
    ]
    return [s for s in sections if s.text.strip()]


def _entries(position_id: int, source: str, sheet: SheetData) -> list[SearchEntry]:
    rows = []
    for item in sheet_sections(sheet):
        norm = normalise(item.text)
        tokens = bigrams(norm)
        spelled = ""
        if item.section in PINYIN_SECTIONS:
            spellings = cached_initials(item.text)
            spelled = " ".join(spellings)
            tokens |= {f"^{gram}" for spelling in spellings for gram in bigrams(spelling)}
        rows.append(
            SearchEntry(
                position_id=position_id,
                source=source,
                section=item.section,
                rank=SECTION_RANK[item.section],
                sort_code=_get(sheet, "code")[:30],
                text=item.text,
                normalised=norm,
                initials=spelled,
                tokens=" ".join(sorted(tokens)),
            )
        )
    return rows


def _documents(rows: Sequence[SearchEntry]) -> list[SearchDocument]:
    """The ranking rows of these index rows: one per position and source, each token
    prefixed with the best (lowest) rank of a section containing it."""
    codes: dict[tuple[int, str], str] = {}
    documents: dict[tuple[int, str], dict[str, int]] = {}
    # Worst rank first: a better section's rank then overwrites a token's.
    for row in sorted(rows, key=lambda row: -row.rank):
        key = (row.position_id, row.source)
        codes[key] = min(row.sort_code, codes.get(key, row.sort_code))
        documents.setdefault(key, {}).update(dict.fromkeys(row.tokens.split(), row.rank))
    return [
        SearchDocument(
            position_id=position_id,
            source=source,
            sort_code=codes[position_id, source],
            keys=" ".join([f"{rank}{token}" for token, rank in sorted(best.items())]),
        )
        for (position_id, source), best in documents.items()
    ]


def store_entries(rows: Sequence[SearchEntry]) -> None:
    """Insert index rows and their ranking rows (every row of a position and source at once:
    none of that position and source may be stored yet)."""
    SearchEntry.objects.bulk_create(rows, batch_size=2000)
    SearchDocument.objects.bulk_create(_documents(rows), batch_size=2000)


def _delete_entries(ids: Sequence[int] | None) -> None:
    """Delete the index and ranking rows of these positions (of all positions for None)."""
    for model in (SearchEntry, SearchDocument):
        rows = model.objects.all() if ids is None else model.objects.filter(position_id__in=ids)
        rows.delete()


def index_entries(
    position: Position, version: Version | None, *, version_sheet: Sheet | None = None
) -> list[SearchEntry]:
    """The index rows of one position (from ``with_sheet()``) and its version in force.

    ``version_sheet`` may hand in the version's sheet when the caller has it already.
    """
    if position.status == Position.Status.ARCHIVED:
        return []
    rows = _entries(position.pk, Source.WORKING, build_sheet(position))
    if version_sheet is not None:
        rows += _entries(position.pk, Source.VERSION, version_sheet)
    elif version is not None:
        rows += _entries(position.pk, Source.VERSION, version.sheet)
    return rows


def version_entries(position_id: int, sheet: Sheet) -> list[SearchEntry]:
    """The index rows of a version's sheet alone: for a position just published whose
    working-copy rows are in the index already (the generator adds its V1 rows so)."""
    return _entries(position_id, Source.VERSION, sheet)


def store_published_entries(published: Sequence[tuple[int, Sheet]]) -> None:
    """Index the versions of positions just published from working copies that are indexed
    and unchanged since (the generator's V1): ``(position id, version sheet)`` in order.

    Exactly ``store_entries`` of every position's ``version_entries``, in that order. A
    version's searchable sections are its working copy's (publication sets the status, the
    sign-offs and the version number, none of which is searched), so on PostgreSQL the rows
    are not built a second time: the working copy's index and ranking rows are copied with
    source ``version``, in the order ``store_entries`` inserts them (entries by position and
    rank; ranking rows in ``_documents``' order: by the position's worst section first, then
    by position). None of these positions may have version rows yet.
    """
    if connection.vendor != "postgresql":
        store_entries([row for pk, sheet in published for row in version_entries(pk, sheet)])
        return
    ids = [pk for pk, _sheet in published]
    entry = connection.ops.quote_name(SearchEntry._meta.db_table)
    document = connection.ops.quote_name(SearchDocument._meta.db_table)
    columns = "section, rank, sort_code, text, normalised, initials, tokens"
    # The rows are picked by ``position_id = ANY(ids)`` (the tables' position indexes) and
    # ordered by the id's place in the list: a join with the list let the planner read the
    # whole ranking table for every chunk (checked with EXPLAIN on 900,000 index rows).
    ordered = "array_position(%s::bigint[], {}.position_id)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {entry} (position_id, source, {columns}) "
            f"SELECT e.position_id, %s, {columns} FROM {entry} e "
            "WHERE e.source = %s AND e.position_id = ANY(%s::bigint[]) "
            # e.id: rows of one rank in the order the working copy's were inserted.
            f"ORDER BY {ordered.format('e')}, e.rank, e.id",
            [Source.VERSION, Source.WORKING, ids, ids],
        )
        cursor.execute(
            f"INSERT INTO {document} (position_id, source, sort_code, keys) "
            f"SELECT d.position_id, %s, d.sort_code, d.keys FROM {document} d "
            "WHERE d.source = %s AND d.position_id = ANY(%s::bigint[]) "
            f"ORDER BY (SELECT MAX(e.rank) FROM {entry} e "
            "WHERE e.source = %s AND e.position_id = d.position_id) DESC, "
            f"{ordered.format('d')}",
            [Source.VERSION, Source.WORKING, ids, Source.WORKING, ids],
        )


def reindex_position(position: Position | int) -> int:
    """Rebuild the index rows of one position; returns how many rows it has now."""
    pk = position if isinstance(position, int) else position.pk
    fresh = Position.objects.with_sheet().filter(pk=pk).first()
    with transaction.atomic():
        _delete_entries([pk])
        if fresh is None:
            return 0
        version = None
        if fresh.current_version_id is not None:
            version = Version.objects.get(pk=fresh.current_version_id)
        rows = index_entries(fresh, version)
        store_entries(rows)
    return len(rows)


def reindex_positions(ids: Iterable[int]) -> int:
    """Rebuild the index rows of these positions, in batches (the writer's reindex)."""
    ids = sorted(set(ids))
    total = 0
    with transaction.atomic():
        for chunk in _batches(ids, 500):
            _delete_entries(chunk)
            total += index_positions(chunk)
    return total


def reindex_department(department_id: int) -> int:
    """Rebuild the rows of the positions in a department (after it was renamed)."""
    ids = list(Position.objects.filter(department_id=department_id).values_list("pk", flat=True))
    with transaction.atomic():
        _delete_entries(ids)
        return index_positions(ids)


def _batches(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def rebuild_index(*, batch_size: int = 500, progress=None) -> int:
    """Rebuild the whole index; returns the number of rows. ``progress(done, total)`` if given."""
    ids = list(Position.objects.order_by("pk").values_list("pk", flat=True))
    total = 0
    with transaction.atomic():
        _delete_entries(None)
        for done, chunk in enumerate(_batches(ids, batch_size), start=1):
            total += index_positions(chunk)
            if progress is not None:
                progress(min(done * batch_size, len(ids)), len(ids))
    return total


def index_positions(ids: Iterable[int]) -> int:
    """Add the index rows of these positions (which have none yet), in a few queries."""
    positions = list(Position.objects.with_sheet().filter(pk__in=list(ids)))
    version_ids = [p.current_version_id for p in positions if p.current_version_id]
    versions = {v.pk: v for v in Version.objects.filter(pk__in=version_ids)}
    rows: list[SearchEntry] = []
    for position in positions:
        rows += index_entries(position, versions.get(position.current_version_id))
    store_entries(rows)
    return len(rows)


# --- querying ---------------------------------------------------------------------------------


class TokensContain(Func):
    """``string_to_array(tokens, ' ') @> ARRAY[...]`` — served by the GIN index (PostgreSQL)."""

    output_field = BooleanField()
    operator = "@>"
    split = "string_to_array({}, ' ')"

    def __init__(self, expression, tokens: Sequence[str]) -> None:
        super().__init__(expression)
        self.tokens = list(tokens)

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        split = self.split.format(sql)
        return f"{split} {self.operator} %s::text[]", (*params, self.tokens)


class KeysOverlap(TokensContain):
    """``positions_search_keys(keys) && ARRAY[...]``: a ranking row holding any of the keys,
    served by its GIN index (migration 0028: the function splits like ``string_to_array``
    but tells the planner that splitting ~3 kB of keys is dear, so it never prefers reading
    every row's keys out of line to the index)."""

    operator = "&&"
    split = "positions_search_keys({})"


def _uses_tokens() -> bool:
    return connection.vendor == "postgresql"


def parse_query(query: str) -> list[str]:
    """The normalised search terms of a query (whitespace separates terms)."""
    terms = [normalise(term) for term in query.split()]
    return list(dict.fromkeys(t for t in terms if t))[:MAX_TERMS]


def _term_q(term: str) -> Q:
    """Rows whose text contains ``term`` (or whose initials do, for a-z queries)."""
    if len(term) >= 2 and _uses_tokens():
        text = Q(TokensContain(F("tokens"), sorted(bigrams(term))))
        if len(term) > 2:
            text &= Q(normalised__contains=term)
    else:
        text = Q(normalised__contains=term)
    if not PINYIN_QUERY.match(term):
        return text
    if _uses_tokens():
        spelled = Q(TokensContain(F("tokens"), sorted(f"^{g}" for g in bigrams(term))))
        if len(term) > 2:
            spelled &= Q(initials__contains=term)
    else:
        spelled = Q(initials__contains=term)
    return text | (spelled & Q(section__in=PINYIN_SECTIONS))


def readable_entries_q(user: User | AnonymousUser) -> Q:
    """Index rows the user reads: working copies they have draft rights to, else versions."""
    rule = permissions.working_copy_q(user)
    if not rule:  # every working copy (unscoped HR, superusers): no subquery needed
        return Q(source=Source.WORKING)
    if rule == Q(pk__in=[]):  # no draft rights at all: versions only
        return Q(source=Source.VERSION)
    working = Position.objects.filter(rule).values("pk")
    return Q(source=Source.WORKING, position__in=working) | (
        Q(source=Source.VERSION) & ~Q(position__in=working)
    )


def matching_entries(
    user: User | AnonymousUser, terms: Sequence[str], *, sections: Sequence[str] = ()
) -> QuerySet[SearchEntry]:
    """Index rows the user reads that match any term (a position must match every term)."""
    readable = readable_entries_q(user)  # built once, reused by every term's subquery
    entries = SearchEntry.objects.filter(readable)
    if sections:
        entries = entries.filter(section__in=sections)
    matched = Q(pk__in=[])
    for term in terms:
        matched |= _term_q(term)
    entries = entries.filter(matched)
    if len(terms) > 1:
        # A position must match every term, each in some section the user reads.
        for term in terms:
            rows = SearchEntry.objects.filter(readable, _term_q(term))
            if sections:
                rows = rows.filter(section__in=sections)
            entries = entries.filter(position__in=rows.values("position_id"))
    return entries


def _restrict_single_characters(
    entries: QuerySet[SearchEntry], terms: Sequence[str]
) -> tuple[QuerySet[SearchEntry], bool]:
    """One-character queries scan the text: stop after enough positions."""
    if any(len(term) >= 2 for term in terms):
        return entries, False
    scanned = list(entries.values_list("position_id", flat=True)[: SINGLE_CHARACTER_LIMIT * 5])
    ids = list(dict.fromkeys(scanned))[:SINGLE_CHARACTER_LIMIT]
    limited = len(scanned) == SINGLE_CHARACTER_LIMIT * 5 or len(ids) == SINGLE_CHARACTER_LIMIT
    return entries.filter(position_id__in=ids), limited


def position_ids_matching(
    user: User | AnonymousUser, query: str, *, sections: Sequence[str] = NAME_SECTIONS
) -> QuerySet[SearchEntry]:
    """Position ids (a values queryset, for ``pk__in``) whose given sections match ``query``."""
    terms = parse_query(query)[:MAX_TERMS]
    if not terms:
        return SearchEntry.objects.none().values("position_id")
    return matching_entries(user, terms, sections=sections).values("position_id")


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    section: str
    label: str  # 职位名称 / 工作职责 …
    snippet: SafeString  # escaped, with the match in <mark>


@dataclass(frozen=True)
class SearchResult:
    position_id: int
    title: str
    code: str
    department: str
    url: str
    hits: tuple[SearchHit, ...]
    more_hits: int  # further matching sections not shown
    is_working_copy: bool
    status_label: str
    status_badge: str  # the badge's colour class: text-bg-success for 已生效


def _spans(normalised: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    spans = []
    for term in terms:
        start = normalised.find(term)
        while start != -1:
            spans.append((start, start + len(term)))
            start = normalised.find(term, start + 1)
    return sorted(spans)


def _initial_spans(entry: SearchEntry | _Row, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Character spans of the text matched through its pinyin initials."""
    if not entry.initials:
        return []
    spellings, offsets = initials(entry.text)
    spans = []
    for term in terms:
        if not PINYIN_QUERY.match(term):
            continue
        for spelling in spellings:
            start = spelling.find(term)
            if start != -1:
                spans.append((offsets[start], offsets[start + len(term) - 1] + 1))
                break
    return sorted(spans)


def _highlight(text: str, spans: list[tuple[int, int]]) -> SafeString:
    """The line around the first span, escaped, every span inside it in <mark>."""
    first_start, first_end = spans[0]
    line_start = text.rfind("\n", 0, first_start) + 1
    line_end = text.find("\n", first_end)
    line_end = len(text) if line_end == -1 else line_end
    start = max(line_start, first_start - SNIPPET_BEFORE)
    end = min(line_end, first_end + SNIPPET_AFTER)
    parts: list[str] = ["…" if start > line_start else ""]
    cursor = start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, cursor), min(span_end, end)
        if span_start >= span_end:
            continue
        parts.append(escape(text[cursor:span_start]))
        parts.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        cursor = span_end
    parts.append(escape(text[cursor:end]))
    parts.append("…" if end < line_end else "")
    return mark_safe("".join(parts))  # every piece of text is escaped above


def hit_for(entry: SearchEntry | _Row, terms: Sequence[str]) -> SearchHit | None:
    spans = _spans(entry.normalised, terms) or _initial_spans(entry, terms)
    if not spans:
        return None
    return SearchHit(
        section=entry.section,
        label=Section(entry.section).label,
        snippet=_highlight(entry.text, spans),
    )


@dataclass(frozen=True)
class SearchPage:
    query: str
    error: str
    notice: str
    results: tuple[SearchResult, ...]
    total: int
    number: int
    num_pages: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages


def _empty(query: str, error: str = "") -> SearchPage:
    return SearchPage(
        query=query, error=error, notice="", results=(), total=0, number=1, num_pages=1
    )


def search(
    user: User | AnonymousUser,
    query: str,
    *,
    page: int | str | None = 1,
    per_page: int = RESULTS_PER_PAGE,
) -> SearchPage:
    """One page of positions matching ``query`` for ``user``, best matches first.

    A position matches when each term is found in a section the user reads; positions whose
    title matches come first, then code, department, and the sheet's text. A fixed number of
    queries whatever the number of results.
    """
    query = (query or "").strip()
    if not query:
        return _empty(query)
    if len(query) > MAX_QUERY_LENGTH:
        return _empty(query, f"搜索词不能超过 {MAX_QUERY_LENGTH} 个字，请缩短后再试。")
    terms = parse_query(query)
    if not terms:
        return _empty(query)
    entries = matching_entries(user, terms)
    entries, limited = _restrict_single_characters(entries, terms)
    # Past the last page shows the last one; MAX_PAGE keeps the offset a database integer.
    number = min(max(1, parse_id(page) or 1), MAX_PAGE)
    ranked = _ranked_by_documents(user, terms)
    ids, by_position, shown, total = _page_of(
        entries, (number - 1) * per_page, per_page, ranked=ranked
    )
    if not ids and number > 1:  # past the last page: show the last one
        number = max(1, -(-total // per_page)) if total else 1
        ids, by_position, shown, total = _page_of(
            entries, (number - 1) * per_page, per_page, ranked=ranked
        )
    num_pages = max(1, -(-total // per_page))
    marker = 987654321  # the sheet's URL reversed once for the page, not once a result
    head, tail = reverse("positions:position-sheet", kwargs={"pk": marker}).split(str(marker))
    results = []
    for pk in ids:
        hits = [h for h in (hit_for(e, terms) for e in by_position[pk]) if h]
        results.append(_result(shown[pk], hits, f"{head}{pk}{tail}"))
    notice = (
        f"单字搜索只显示前 {SINGLE_CHARACTER_LIMIT} 个职位，请输入更长的词。" if limited else ""
    )
    return SearchPage(
        query=query,
        error="",
        notice=notice,
        results=tuple(results),
        total=total,
        number=number,
        num_pages=num_pages,
    )


class _Row(NamedTuple):
    """The fields of a matching index row that its snippet needs."""

    section: str
    text: str
    normalised: str
    initials: str


def _sql_names() -> dict[str, str]:
    """Quoted table and column names for ``_page_of``'s query."""
    quote = connection.ops.quote_name

    def column(model, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    department = Position._meta.get_field("department").related_model
    return {
        "entry": quote(SearchEntry._meta.db_table),
        "position": quote(Position._meta.db_table),
        "version": quote(Version._meta.db_table),
        "department": quote(department._meta.db_table),
        "p_department": column(Position, "department"),
        "p_version": column(Position, "current_version"),
        "v_department": column(Version, "department"),
    }


def _ranked_by_documents(
    user: User | AnonymousUser, terms: Sequence[str]
) -> tuple[str, tuple] | None:
    """The SQL of ``(best, position_id, code)`` of every position matching the query, from
    the ranking rows, when every term has two characters (PostgreSQL): a section matches such
    a term by its token alone (and, for a-z, by its initials' token ``^xs``, which only
    titles and departments have). ``best`` is the lowest rank of a section containing a term
    and a position must hold every term, as ``matching_entries`` and ``_page_of`` decide
    from the matching rows. Else None.

    The position's key of each rank is looked up separately (``0销售``, ``1销售`` … — a
    position has one of them for a token), so no key is read back from the rows; when a
    position is found more than once (a pinyin term's two tokens, several terms) it keeps
    its best rank, and it must have been found for every term.
    """
    if not _uses_tokens() or any(len(term) != 2 or bigrams(term) != {term} for term in terms):
        return None
    # One key's query compiled once, then asked for every key (compiling is the CPU time).
    placeholder = ["\x00"]
    rows = SearchDocument.objects.filter(
        readable_entries_q(user), KeysOverlap(F("keys"), placeholder)
    ).order_by()
    try:
        sql, template = rows.values_list("position_id", "sort_code").query.sql_with_params()
    except EmptyResultSet:  # a reader who reads nothing
        return "SELECT 0, 0, '' WHERE FALSE", ()
    (at,) = [i for i, value in enumerate(template) if value == placeholder]
    parts, params = [], []
    for number, term in enumerate(terms):
        tokens = [term, f"^{term}"] if PINYIN_QUERY.match(term) else [term]
        for rank in sorted(SECTION_RANK.values()):
            parts.append(f"SELECT {int(rank)} AS best, {number} AS term, d.* FROM ({sql}) d")
            keys = [f"{rank}{token}" for token in tokens]
            params += [*template[:at], keys, *template[at + 1 :]]
    union = " UNION ALL ".join(parts)
    if len(terms) == 1 and not PINYIN_QUERY.match(terms[0]):
        return f"SELECT best, position_id, sort_code FROM ({union}) u", tuple(params)
    return (
        f"SELECT MIN(best), position_id, MIN(sort_code) FROM ({union}) u "
        f"GROUP BY position_id HAVING COUNT(DISTINCT term) = {len(terms)}",
        tuple(params),
    )


def _page_of(
    entries: QuerySet[SearchEntry],
    offset: int,
    limit: int,
    *,
    ranked: tuple[str, tuple] | None = None,
) -> tuple[list[int], dict[int, list[_Row]], dict[int, tuple], int]:
    """One page of matching positions, best first: their ids, their matching rows (by
    section), what their results show and the total of positions — in one query, the
    matching rows' filter compiled and run once (the page's positions and a window count
    over all of them, then the page's rows and the positions' fields joined back).

    What a result shows is the working copy's when the rows read are the working copy's
    (``readable_entries_q`` picks a position's source by ``permissions.working_copy_q``, the
    rule of ``reads_working_case``), else the version in force's.

    ``ranked`` (``_ranked_by_documents``) ranks and counts the positions from the ranking rows
    instead; then only the page's positions' matching rows are read.

    When the page is past the end, no row carries the total: it is counted separately.
    """
    if ranked is not None:
        entries = entries.filter(position_id__in=RawSQL("SELECT position_id FROM p", ()))
    matching = entries.order_by().values_list("pk", "position_id", "rank", "sort_code")
    try:
        sql, params = matching.query.sql_with_params()
    except EmptyResultSet:  # e.g. a one-character query that matched nothing
        return [], {}, {}, 0
    if ranked is None:
        head = (
            f"WITH m (id, position_id, rank, sort_code) AS ({sql}), "
            "p AS (SELECT position_id, MIN(rank) AS best, MIN(sort_code) AS code, "
            "COUNT(*) OVER () AS total FROM m GROUP BY position_id "
            "ORDER BY best, code, position_id LIMIT %s OFFSET %s) "
        )
        head_params = (*params, limit, offset)
    else:
        ranked_sql, ranked_params = ranked
        head = (
            f"WITH c (best, position_id, code) AS ({ranked_sql}), "
            # The count as a subquery of the (materialised) positions: a window count made
            # PostgreSQL sort all of them in parallel workers, twice the time on two cores.
            "p AS (SELECT position_id, best, code, (SELECT COUNT(*) FROM c) AS total FROM c "
            "ORDER BY best, code, position_id LIMIT %s OFFSET %s), "
            f"m (id, position_id, rank, sort_code) AS ({sql}) "
        )
        head_params = (*ranked_params, limit, offset, *params)
    n = _sql_names()
    with connection.cursor() as cursor:
        cursor.execute(
            # ``sql`` and ``ranked_sql`` are the ORM's own compiled queries, the names come
            # from the models' meta; values travel as parameters.
            f"{head}SELECT p.position_id, p.total, e.section, e.text, e.normalised, e.initials, "
            f"e.source, pos.status, pos.title, pos.code, d.name, pos.{n['p_version']}, "
            "v.number, v.title, v.code, vd.name "
            f"FROM p JOIN m ON m.position_id = p.position_id JOIN {n['entry']} e ON e.id = m.id "
            f"JOIN {n['position']} pos ON pos.id = p.position_id "
            f"JOIN {n['department']} d ON d.id = pos.{n['p_department']} "
            f"LEFT JOIN {n['version']} v ON v.id = pos.{n['p_version']} "
            f"LEFT JOIN {n['department']} vd ON vd.id = v.{n['v_department']} "
            "ORDER BY p.best, p.code, p.position_id, m.rank, m.id",
            (*head_params,),
        )
        rows = cursor.fetchall()
        if not rows and offset and ranked is not None:
            cursor.execute(f"SELECT COUNT(*) FROM ({ranked[0]}) c", ranked[1])
            return [], {}, {}, cursor.fetchone()[0]
    if not rows:
        total = entries.values("position_id").distinct().count() if offset else 0
        return [], {}, {}, total
    by_position: dict[int, list[_Row]] = {}
    shown: dict[int, tuple] = {}
    for row in rows:
        position_id = row[0]
        by_position.setdefault(position_id, []).append(_Row(*row[2:6]))
        if position_id not in shown:
            shown[position_id] = (position_id, row[6] == Source.WORKING, *row[7:])
    return list(by_position), by_position, shown, rows[0][1]


_STATUS_LABELS = dict(Position.Status.choices)


def _result(position: tuple, hits: list[SearchHit], url: str) -> SearchResult:
    """A result from what ``_page_of`` read of its position."""
    (pk, reads_working, status, title, code, department, version_id, number, *version) = position
    if reads_working or version_id is None:
        status_label = str(_STATUS_LABELS[status])
    else:
        title, code, department = version
        status_label = f"已生效 V{number}"
    return SearchResult(
        position_id=pk,
        title=title,
        code=code,
        department=department,
        url=url,
        hits=tuple(hits[:HITS_PER_RESULT]),
        more_hits=max(0, len(hits) - HITS_PER_RESULT),
        is_working_copy=bool(reads_working),
        status_label=status_label,
        status_badge=(
            "text-bg-success" if status_label.startswith("已生效") else "text-bg-secondary"
        ),
    )


# --- the core's hooks ---------------------------------------------------------------------------


def names_matching_q(user: User | AnonymousUser, query: str, *, field: str = "pk") -> Q:
    """Positions whose title, code or department match ``query`` in the index, pinyin
    initials included (the list filter's and the pickers' extra matches), as a condition on
    ``field`` holding the position's id."""
    return Q(**{f"{field}__in": position_ids_matching(user, query)})


def register_hooks() -> None:
    """Keep the index with the sheets and lend the core its name matching."""
    hooks.on_sheets_written(reindex_positions)
    hooks.on_match_names(names_matching_q)

"""The Word import corpus: every document parsed and compared with its expected fields.

``corpus/generate.py`` builds the documents (python-docx) and their JSON; the files are
committed. The score counts each scalar field, each duty, authority, relationship and indicator,
each 任职资格 row and each sign-off entry as one field: correct, wrong (a different value, or a
value the file does not hold) or lost (expected, not found). The corpus passes at ≥ 98 % correct
with no wrong field.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from docx.oxml.ns import qn

from positions.models import Duty
from transfer.services.legacy import convert_legacy
from transfer.services.word_import.parser import ParsedSheet, parse_docx, title_line
from transfer.services.word_import.reader import MC_FALLBACK, WordImportError
from transfer.services.word_import.vocabulary import (
    column_key,
    experience_years,
    is_serial_header,
    label_key,
    section_key,
)
from transfer.tests.corpus import generate

CORPUS = Path(generate.__file__).resolve().parent
DOCUMENTS = sorted(CORPUS.glob("*.docx"))
SCALARS = (
    "title",
    "code",
    "department",
    "superior",
    "direct_reports",
    "related",
    "grade",
    "headcount",
    "location",
    "company",
    "document_number",
    "holder",
    "indirect_reports",
    "experience_years",
)
LISTS = ("purpose", "summary", "commitments")


def fields_of(parsed: ParsedSheet) -> dict[str, object]:
    """The parse result flattened: one entry per counted field."""
    fields: dict[str, object] = {}
    for name in SCALARS:
        if name == "title":
            value = parsed.position_title
        elif name == "experience_years":
            value = experience_years(" ".join(parsed.qualifications.get("experience", [])))
        else:
            value = getattr(parsed, name)
        if value not in ("", None):
            fields[name] = value
    for name in LISTS:
        if getattr(parsed, name):
            fields[name] = list(getattr(parsed, name))
    for index, duty in enumerate(parsed.duties):
        fields[f"duties[{index}]"] = {
            "group": duty.group,
            "kind": duty.kind,
            "title": duty.title,
            "tasks": duty.tasks,
            "responsibility": duty.responsibility,
            "assessment": duty.assessment,
        }
    for name in ("authorities", "relationships", "indicators"):
        for index, item in enumerate(getattr(parsed, name)):
            fields[f"{name}[{index}]"] = list(item)
    for key, lines in parsed.qualifications.items():
        fields[f"qualifications.{key}"] = lines
    for key, value in parsed.original_signoff.items():
        fields[f"original_signoff.{key}"] = value
    return fields


def flatten(expected: dict) -> dict[str, object]:
    fields: dict[str, object] = {}
    for name, value in expected.items():
        if name == "unrecognised":
            continue
        if name in ("duties", "authorities", "relationships", "indicators"):
            for index, item in enumerate(value):
                fields[f"{name}[{index}]"] = item
        elif name in ("qualifications", "original_signoff"):
            for key, item in value.items():
                fields[f"{name}.{key}"] = item
        else:
            fields[name] = value
    return fields


def score(expected: dict[str, object], found: dict[str, object]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {"correct": [], "wrong": [], "lost": []}
    for name, value in expected.items():
        if name not in found:
            result["lost"].append(name)
        elif found[name] == value:
            result["correct"].append(name)
        else:
            result["wrong"].append(f"{name}: expected {value!r}, got {found[name]!r}")
    for name in found.keys() - expected.keys():
        result["wrong"].append(f"{name}: not in the file, got {found[name]!r}")
    return result


def expected_of(path: Path) -> dict:
    return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


def test_corpus_has_at_least_thirty_documents_each_with_its_expected_fields():
    assert len(DOCUMENTS) >= 30
    assert len(LEGACY) >= 3  # .doc copies, converted once with LibreOffice
    assert all(path.with_suffix(".json").exists() for path in DOCUMENTS)
    assert sorted(path.stem for path in DOCUMENTS) == sorted(generate.BUILDERS)


def test_corpus_files_are_what_the_generator_builds():
    for name, (data, fields) in generate.build().items():
        committed = CORPUS / f"{name}.docx"
        with (
            zipfile.ZipFile(io.BytesIO(data)) as built,
            zipfile.ZipFile(committed) as stored,
        ):
            assert built.read("word/document.xml") == stored.read("word/document.xml"), name
        assert expected_of(committed) == json.loads(json.dumps(fields)), name


def test_corpus_is_read_at_98_percent_with_no_wrong_field(capsys):
    totals = {"expected": 0, "correct": 0, "wrong": 0, "lost": 0}
    report = []
    for path in DOCUMENTS:
        expected = expected_of(path)
        parsed = parse_docx(path.read_bytes(), path.name)
        result = score(flatten(expected), fields_of(parsed))
        counted = len(flatten(expected))
        totals["expected"] += counted
        for key in ("correct", "wrong", "lost"):
            totals[key] += len(result[key])
        if result["wrong"] or result["lost"]:
            report.append(f"{path.stem}: wrong {result['wrong']} lost {result['lost']}")
        if parsed.unrecognised_texts != expected.get("unrecognised", []):
            report.append(f"{path.stem}: unrecognised {parsed.unrecognised_texts}")
    share = totals["correct"] / totals["expected"]
    with capsys.disabled():
        print(
            f"\nWord corpus: {len(DOCUMENTS)} files, fields expected {totals['expected']}, "
            f"correct {totals['correct']} ({share:.1%}), wrong {totals['wrong']}, "
            f"lost {totals['lost']}"
        )
    assert not [line for line in report if ": unrecognised " in line], "\n".join(report)
    assert share >= 0.98 and totals["wrong"] == 0, "\n".join(report)


# --- nothing silent ----------------------------------------------------------------------------

_SEGMENTS = re.compile(r"[:：|【】\t\u3000]+|\s{2,}")
_ITEMS = re.compile(r"[、，,；;\s（）()]+")
_NOISE = re.compile(r"^(?:\d{1,2}|第\d+页共\d+页|第\d+页|职位说明书|岗位说明书)$")
_NUMBER = re.compile(
    r"^(?:\d{1,2}[.、．)）]|[（(]\d{1,2}[)）]|[一二三四五六七八九十]{1,2}、|[-•])\s*"
)


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _all_texts(data: bytes) -> list[str]:
    """The text of every paragraph holding a w:t: body, headers, footers, text boxes (once)."""
    texts = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if not re.match(r"word/(document|header\d*|footer\d*)\.xml$", name):
                continue
            from lxml import etree  # noqa: PLC0415 — the test's own XML reading

            root = etree.fromstring(archive.read(name))
            for paragraph in root.iter(qn("w:p")):
                if any(a.tag == MC_FALLBACK for a in paragraph.iterancestors()):
                    continue
                own = [
                    t.text or ""
                    for t in paragraph.iter(qn("w:t"))
                    if next(t.iterancestors(qn("w:p"))) is paragraph
                ]
                text = "".join(own)
                if text.strip():
                    texts.append(text)
    return texts


def _is_vocabulary(token: str) -> bool:
    return bool(
        label_key(token)
        or section_key(token)
        or column_key(token)
        or is_serial_header(token)
        or _NOISE.match(token)
    )


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.stem for p in DOCUMENTS])
def test_every_text_of_a_corpus_document_is_placed_or_listed_as_unrecognised(path):
    data = path.read_bytes()
    parsed = parse_docx(data, path.name)
    shown = [parsed.heading_title]  # values kept as codes, with the words the file used
    for duty in parsed.duties:
        shown += [dict(Duty.Kind.choices).get(duty.kind, ""), duty.responsibility]
        shown += [dict(Duty.Responsibility.choices).get(duty.responsibility, "")]
    placed = _compact(json.dumps(fields_of(parsed), ensure_ascii=False) + "".join(shown))
    listed = re.sub(r"\s+", "", "".join(parsed.unrecognised_texts))
    for text in _all_texts(data):
        if _accounted(text, placed, listed):
            continue
        for segment in _SEGMENTS.split(text):
            if _accounted(segment, placed, listed):
                continue
            for item in _ITEMS.split(segment):
                assert _accounted(item, placed, listed), (path.stem, text, item)


def _accounted(text: str, placed: str, listed: str) -> bool:
    """Placed in a field, listed, or a word of the vocabulary (a label, a heading)."""
    compact = _compact(text)
    bare = _NUMBER.sub("", compact)
    if not compact or compact in listed or bare in placed or _is_vocabulary(compact):
        return True
    title = title_line(text)
    if title:
        return title in placed
    # A date written twice (填写日期 2006年8月16日, 时间 2006-08-16) is the same date.
    numbers = [int(n) for n in re.findall(r"\d+", compact)]
    return len(numbers) == 3 and any(
        [int(n) for n in re.findall(r"\d+", date)] == numbers
        for date in re.findall(r"\d{4}[-年./]\d{1,2}[-月./]\d{1,2}", placed)
    )


def test_unrecognised_text_names_where_it_stands():
    parsed = parse_docx((CORPUS / "03-seed-b-card.docx").read_bytes())

    assert [str(item) for item in parsed.unrecognised] == ["营销策划部经理（正文）"]


# --- refused files --------------------------------------------------------------------------------


def test_a_recruitment_request_form_is_refused_as_not_a_job_description():
    with pytest.raises(WordImportError) as excinfo:
        parse_docx(generate.recruitment_request(), "招聘需求申请表.docx")

    assert str(excinfo.value).startswith("不像职位说明书：只找到职位名称；")


def test_two_editions_of_one_sheet_in_a_file_are_reported():
    parsed = parse_docx(generate.two_editions(), "两份.docx")

    assert parsed.duplicate_titles == ["售楼员"]


# --- legacy .doc files of the corpus (converted once with LibreOffice and committed) --------------

LEGACY = sorted((CORPUS / "legacy").glob("*.doc"))


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
@pytest.mark.parametrize("path", LEGACY, ids=[p.stem for p in LEGACY])
def test_legacy_doc_of_a_corpus_document_reads_like_its_docx(path):
    data = convert_legacy(path.read_bytes(), "docx")

    parsed = parse_docx(data, path.name)

    expected = expected_of(CORPUS / f"{path.stem}.docx")
    result = score(flatten(expected), fields_of(parsed))
    assert (result["wrong"], result["lost"]) == ([], [])
    assert parsed.unrecognised_texts == expected.get("unrecognised", [])

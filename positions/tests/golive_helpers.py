"""Word files for the go-live tests: many small 职位说明书 .docx built by our own Word export.

One sheet (营销策划专员's, with a paper sign-off) is exported once with placeholders for the
title and the code; each file is that .docx with the placeholders replaced in every XML part,
so hundreds of distinct files take a second, not a minute of python-docx.
"""

from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path

from positions.models import Position
from positions.sheet import Field, SignOff, build_sheet
from transfer.services.word import render_docx

TITLE, CODE = "ZZTITLEZZ", "ZZCODEZZ"
SIGN_OFFS = (
    SignOff("prepared", "编制", "李鸿飞", "2006-08-16"),
    SignOff("reviewed", "审核", "郑长胜", "2006-08-20"),
    SignOff("approved", "审批", "赵总", "2006-08-28"),
)


def title(number: int) -> str:
    return f"上线岗位{number:03d}"


def code(number: int) -> str:
    return f"GL-{number:03d}"


def template_docx() -> bytes:
    """营销策划专员 (营销策划部) exported with placeholder title and code, signed on paper."""
    sheet = build_sheet(Position.objects.with_sheet().get(code="MK105"))
    header = tuple(
        Field(f.label, {"职位名称": TITLE, "职位编号": CODE}.get(f.label, f.value))
        for f in sheet.header
    )
    sheet = dataclasses.replace(
        sheet, title=TITLE, code=CODE, header=header, sign_offs=SIGN_OFFS, related_positions=()
    )
    return render_docx(sheet)


def numbered_docx(template: bytes, number: int) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(template))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.endswith(".xml"):
                text = data.decode("utf-8")
                text = text.replace(TITLE, title(number)).replace(CODE, code(number))
                data = text.encode("utf-8")
            target.writestr(item, data)
    return out.getvalue()


def write_files(folder: Path, count: int) -> list[Path]:
    """``count`` files 上线岗位001.docx … in ``folder`` (the seed must be loaded)."""
    template = template_docx()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(1, count + 1):
        path = folder / f"{title(number)}.docx"
        path.write_bytes(numbered_docx(template, number))
        paths.append(path)
    return paths


def zip_of(paths: list[Path], target: Path) -> Path:
    """The files as one .zip (for an upload that takes a zip)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in paths:
            archive.write(path, path.name)
    return target

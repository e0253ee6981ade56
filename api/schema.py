"""The OpenAPI shape of a sheet, derived from the sheet dataclasses themselves.

``positions.sheet.Sheet`` is what the page, the PDF and stored versions show; the API returns
``sheet.as_dict()``. Its schema is generated from the dataclasses' type hints, so it can never
drift from what the API sends (schemathesis checks every response against it).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from positions.sheet import Sheet

DESCRIPTIONS = {
    "position_id": "职位 ID",
    "title": "职位名称",
    "code": "职位编号",
    "status": "状态：draft 草稿、submitted 待审核、reviewed 待审批、published 已生效、"
    "archived 已归档；"
    "旧版本为 superseded（已被取代）",
    "status_label": "状态（中文）",
    "department": "所在部门",
    "department_path": "部门路径（从最上级到本部门）",
    "header": "表头：职位名称、职位编号、所在部门、直接上级、直接下属、"
    "职位等级、职位编制、工作地点",
    "superior": "直接上级职位名称",
    "direct_reports": "直接下属职位名称",
    "related_positions": "相关职位名称",
    "purpose": "设岗目的，每段一项",
    "summary": "职位概要，每段一项",
    "duties": "工作职责（按分组）",
    "commitments": "主要责任",
    "authorities": "工作权限",
    "qualifications": "任职资格（只列有内容的行）",
    "relationships": "工作关系",
    "indicators": "关键绩效指标",
    "sign_offs": "编制、审核、审批",
    "next_review": "下次复核日期（ISO 日期或空）",
    "is_published": "是否已生效",
    "effective_date": "生效日期（ISO 日期或空）",
    "filename": "PDF 文件名",
    "ascii_filename": "PDF 文件名（仅 ASCII）",
    "version": "版本号：已生效为其版本号，工作稿为将要成为的版本号",
    "is_snapshot": "是否为已发布版本的快照",
}


def type_schema(hint: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(hint):
        return dataclass_schema(hint)
    origin = typing.get_origin(hint)
    if origin is tuple:
        return {"type": "array", "items": type_schema(typing.get_args(hint)[0])}
    if origin in (typing.Union, types.UnionType):
        inner = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return type_schema(inner[0]) | {"nullable": True}
    return {
        str: {"type": "string"},
        int: {"type": "integer"},
        bool: {"type": "boolean"},
    }[hint]


def dataclass_schema(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    fields = dataclasses.fields(cls)
    properties = {}
    for field in fields:
        schema = type_schema(hints[field.name])
        if cls is Sheet and field.name in DESCRIPTIONS:
            schema = schema | {"description": DESCRIPTIONS[field.name]}
        properties[field.name] = schema
    return {
        "type": "object",
        "properties": properties,
        "required": [field.name for field in fields],
    }


SHEET_SCHEMA = dataclass_schema(Sheet) | {
    "description": "职位说明书：与网页、PDF 显示的内容一致（positions.sheet.build_sheet）"
}


@extend_schema_field(SHEET_SCHEMA)
class SheetField(serializers.Field):
    """A ``Sheet`` as its ``as_dict()``."""

    def to_representation(self, value: Sheet) -> dict[str, Any]:
        return value.as_dict()

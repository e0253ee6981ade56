"""JSON request bodies, within Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB by default, far
above a sheet): a larger body is refused with a Chinese 413, nothing parsed or saved."""

from __future__ import annotations

import codecs
import json

from django.conf import settings
from rest_framework import exceptions
from rest_framework.parsers import JSONParser


def body_limit() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440


class BodyTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "body_too_large"

    def __init__(self) -> None:
        megabytes = body_limit() / (1024 * 1024)
        super().__init__(f"请求体过大（超过 {megabytes:g} MB），未保存任何内容。")


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read(body_limit() + 1) if stream is not None else b""
        if len(raw) > body_limit():
            raise BodyTooLarge()
        encoding = (parser_context or {}).get("encoding", "utf-8")
        try:
            text = codecs.decode(raw, encoding)
            return json.loads(text, parse_constant=self._refuse_constant)
        except (ValueError, UnicodeDecodeError) as error:
            raise exceptions.ParseError(f"请求体不是合法的 JSON：{error}") from None

    @staticmethod
    def _refuse_constant(name: str):
        raise ValueError(f"不接受 {name}")

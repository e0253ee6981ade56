"""An uploaded Word file: checked by its content, a legacy .doc converted, then parsed.

Keeping the files between the preview and the confirmation is ``transfer.services.staging``.
"""

from __future__ import annotations

import zlib
from pathlib import Path

from transfer.services.legacy import convert_legacy
from transfer.services.uploads import FileKind, UploadError, UploadLike, validate_upload
from transfer.services.word_import.parser import ParsedSheet, parse_docx
from transfer.services.word_import.reader import WordImportError


def read_upload(upload: UploadLike) -> tuple[str, bytes, ParsedSheet]:
    """(name, .docx bytes, parsed sheet) of one uploaded file; ``WordImportError`` if refused.

    The file's type is decided by its content (``transfer.services.uploads``); a legacy .doc is
    converted with LibreOffice where installed.
    """
    name = Path(getattr(upload, "name", "") or "upload.docx").name
    try:
        checked = validate_upload(upload, accept={FileKind.DOCX, FileKind.DOC})
        data = checked.data
        if checked.kind is FileKind.DOC:
            data = convert_legacy(data, "docx")
            name = str(Path(name).with_suffix(".docx"))
    except UploadError as error:
        raise WordImportError(error.message) from error
    except zlib.error as error:  # a damaged deflate stream, met while checking the CRCs
        raise WordImportError("文件已损坏，无法读取。请在 Word 中重新保存后再上传。") from error
    return name, data, parse_docx(data, name)

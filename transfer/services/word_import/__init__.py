"""Importing existing 职位说明书 from Word (.docx) as 草稿 positions, stage by stage.

* ``vocabulary`` — the label variants, section titles and column headers (text → key);
* ``reader`` — opening a .docx, its body blocks in order, a row's cells without merged repeats;
* ``parser`` — one document → a ``ParsedSheet`` (texts as written; what is not understood is
  listed for the preview);
* ``resolve`` — a parsed sheet against the database: department, superior, the existing
  position it updates, and the Chinese problems that block it;
* ``write`` — all confirmed files through the one sheet writer, in one transaction;
* ``upload`` — an uploaded file checked, a legacy .doc converted, then parsed.

A module imports only those listed before it (an import-linter contract holds this).
Uploads are kept between the preview and the confirmation by ``transfer.services.staging``.
"""

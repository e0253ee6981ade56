"""The layout hash: kept while its files are unchanged with DEBUG off, read afresh with DEBUG on."""

from __future__ import annotations

from positions.services import layout


def _stylesheet(settings, tmp_path, css: str) -> str:
    (tmp_path / "fingerprint-test.css").write_text(css, encoding="utf-8")
    settings.STATICFILES_DIRS = [str(tmp_path)]
    return "fingerprint-test.css"


def test_templates_fingerprint_kept_per_process_without_debug(settings, tmp_path):
    settings.DEBUG = False
    name = _stylesheet(settings, tmp_path, "body { color: black; }")
    layout._fingerprints.clear()
    first = layout.templates_fingerprint("positions/_sheet_paper.html", [name])
    kept = layout._fingerprints[("positions/_sheet_paper.html", (name,))]
    assert layout.templates_fingerprint("positions/_sheet_paper.html", [name]) == first
    assert layout._fingerprints[("positions/_sheet_paper.html", (name,))] is kept  # not redone
    (tmp_path / name).write_text("body { color: red; } /* longer */", encoding="utf-8")
    assert layout.templates_fingerprint("positions/_sheet_paper.html", [name]) != first


def test_templates_fingerprint_reads_files_with_debug(settings, tmp_path):
    settings.DEBUG = True
    name = _stylesheet(settings, tmp_path, "body { color: black; }")
    first = layout.templates_fingerprint("positions/_sheet_paper.html", [name])
    (tmp_path / name).write_text("body { color: red; }", encoding="utf-8")
    assert layout.templates_fingerprint("positions/_sheet_paper.html", [name]) != first

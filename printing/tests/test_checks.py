"""The CJK font system check, as `manage.py check` reports it."""

import io
import re
from pathlib import Path

from django.conf import settings as django_settings
from django.core.checks import run_checks
from django.core.management import call_command

MISSING = "Nonexistent CJK Family 不存在的字体"


def font_messages():
    return [m for m in run_checks() if m.id == "positions.W001"]


def check_output() -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("check", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_check_cjk_font_missing_family_warns_in_chinese_and_english(settings):
    settings.CJK_FONT_FAMILY = MISSING

    output = check_output()

    assert "positions.W001" in output
    assert f"未安装中文字体“{MISSING}”" in output
    assert "is not installed" in output
    assert "apt-get install fonts-noto-cjk" in output


def test_check_cjk_font_installed_family_is_silent(settings):
    settings.CJK_FONT_FAMILY = "Noto Sans CJK SC"

    assert font_messages() == []
    assert "positions.W001" not in check_output()


def test_check_cjk_font_family_without_chinese_glyphs_warns(settings):
    settings.CJK_FONT_FAMILY = "DejaVu Sans"

    (message,) = font_messages()

    assert "DejaVu Sans" in message.msg
    assert "apt-get install fonts-noto-cjk" in message.hint


def test_check_cjk_font_without_fc_list_scans_font_folders(settings, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")  # no fc-list to be found

    settings.CJK_FONT_FAMILY = "Noto Sans CJK SC"
    assert font_messages() == []

    settings.CJK_FONT_FAMILY = MISSING
    (message,) = font_messages()
    assert MISSING in message.msg


def test_check_cjk_font_family_is_the_one_sheet_css_names_first():
    css = (Path(django_settings.BASE_DIR) / "static" / "css" / "sheet.css").read_text()
    firsts = {
        stack.split(",")[0].strip().strip('"')
        for stack in re.findall(r"(?:font-family|--sheet-font)\s*:\s*([^;]+);", css)
        if not stack.strip().startswith("var(")
    }
    assert firsts == {django_settings.CJK_FONT_FAMILY}

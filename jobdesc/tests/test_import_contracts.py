"""The layers are held by import-linter (``make lint``): the contracts hold on the tree, and an
import that breaks one makes ``lint-imports`` fail, naming it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

PACKAGES = (
    "positions",
    "people",
    "printing",
    "transfer",
    "orgchart",
    "search",
    "audit",
    "bench",
    "api",
    "notifications",
    "rights",
)
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """A copy of the project's packages and contracts, to break on purpose."""
    root = tmp_path_factory.mktemp("tree")
    for package in PACKAGES:
        shutil.copytree(
            Path(settings.BASE_DIR) / package,
            root / package,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    shutil.copy(Path(settings.BASE_DIR) / "pyproject.toml", root)
    return root


def lint(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def append(path: Path, line: str) -> str:
    original = path.read_text()
    path.write_text(f"{original}\n{line}\n")
    return original


def test_import_contracts_hold_on_the_tree(tree):
    result = lint(tree)
    assert result.returncode == 0, result.stdout
    assert "0 broken." in result.stdout and "BROKEN" not in result.stdout


def test_import_contracts_refuse_the_core_importing_an_outer_area(tree):
    models = tree / "positions" / "services" / "sheets.py"
    original = append(models, "from search import services as search_services  # noqa")
    try:
        result = lint(tree)
    finally:
        models.write_text(original)
    assert result.returncode == 1
    assert "The core never imports an outer area BROKEN" in result.stdout
    assert "positions.services.sheets -> search.services" in result.stdout


def test_import_contracts_refuse_models_importing_the_permission_module(tree):
    models = tree / "positions" / "models.py"
    original = append(models, "from positions import permissions  # noqa")
    try:
        result = lint(tree)
    finally:
        models.write_text(original)
    assert result.returncode == 1
    assert "The core's layers: views → forms → services → permissions → sheet / models BROKEN" in (
        result.stdout
    )
    assert "positions.models -> positions.permissions" in result.stdout


def test_start_up_and_the_permission_module_load_no_renderer_or_parser():
    """``migrate`` and ``db_worker`` start Django: that must not load WeasyPrint, openpyxl,
    python-docx or pypinyin (they load when a PDF, workbook, Word file or pinyin is made)."""
    code = (
        "import django, sys; django.setup(); import positions.permissions; "
        "print(sorted(m for m in ('weasyprint', 'openpyxl', 'docx', 'pypinyin') "
        "if m in sys.modules))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jobdesc.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "[]"


def test_import_contracts_refuse_an_area_importing_the_api(tree):
    views = tree / "people" / "views" / "people.py"
    original = append(views, "from api import services as api_services  # noqa")
    try:
        result = lint(tree)
    finally:
        views.write_text(original)
    assert result.returncode == 1
    assert "Nothing imports the REST API BROKEN" in result.stdout


def test_import_contracts_refuse_an_area_importing_notifications(tree):
    views = tree / "people" / "views" / "people.py"
    original = append(views, "from notifications.services import messages  # noqa")
    try:
        result = lint(tree)
    finally:
        views.write_text(original)
    assert result.returncode == 1
    assert "Nothing imports notifications BROKEN" in result.stdout

"""Page images of every print layout (``positions.layouts``) for the README.

Renders the seed's sheets as PDF in each layout — 销售经理 in the standard layout and in A,
营销策划专员 in B, 销售管理专员 in C — and turns the first page of each into a small PNG with
poppler's ``pdftoppm`` (Debian package poppler-utils), into ``docs/layouts/<key>.png``.

Data: a throw-away test database (as ``bench/pdf.py``) loaded with ``seed.load_seed()``;
nothing touches db.sqlite3 or media/. Rerun after changing a layout, its partials or
``sheet.css``, and commit the images:

    DEBUG=1 .venv/bin/python scripts/layout_images.py [--dpi 60] [--out docs/layouts]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = {"standard": "销售经理", "a": "销售经理", "b": "营销策划专员", "c": "销售管理专员"}
PDFTOPPM_TIMEOUT_S = 60


def _images(out: Path, dpi: int) -> list[Path]:
    from positions.layouts import LAYOUTS
    from positions.models import Position
    from positions.services import seed
    from positions.sheet import build_sheet
    from printing import pdf

    seed.load_seed()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="jobdesc-layouts-") as work:
        for key, layout in LAYOUTS.items():
            position = Position.objects.with_sheet().get(title=EXAMPLES.get(key, "销售经理"))
            data = pdf.render_pdf(build_sheet(position.current_version), layout=layout)
            source = Path(work) / f"{key}.pdf"
            source.write_bytes(data)
            stem = out / key
            subprocess.run(
                ["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile",
                 str(source), str(stem)],
                check=True,
                timeout=PDFTOPPM_TIMEOUT_S,
            )  # fmt: skip
            written.append(stem.with_suffix(".png"))
            print(f"{layout.name}: {position.title} → {stem.with_suffix('.png')}")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", type=int, default=60, help="image resolution (default 60)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "layouts")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobdesc.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.test.utils import (
        override_settings,
        setup_databases,
        setup_test_environment,
        teardown_databases,
    )

    with (
        tempfile.TemporaryDirectory(prefix="jobdesc-layouts-media-") as media,
        override_settings(MEDIA_ROOT=media, PDF_RENDER_TIMEOUT_SECONDS=0),
    ):
        setup_test_environment()
        names = setup_databases(verbosity=0, interactive=False)
        try:
            _images(args.out, args.dpi)
        finally:
            teardown_databases(names, verbosity=0)


if __name__ == "__main__":
    main()

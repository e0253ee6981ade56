"""Benchmark: parsing 300 Word 职位说明书 (the Word import's first stage).

The corpus of ``transfer/tests/corpus`` (the seed's layouts, public templates, text boxes,
nested tables …) repeated to 300 files, each parsed as an upload is: opened, every part walked,
fields recognised, what is left listed. No database is needed.

Target (2-core machine): 300 files ≤ 60 s in total.

    DEBUG=1 .venv/bin/python bench/word_import.py [--files 300] [--smoke]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

FILES = 300
TARGET_SECONDS = 60.0
ROOT = Path(__file__).resolve().parent.parent


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobdesc.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=FILES)
    parser.add_argument("--smoke", action="store_true", help="10 files, no target (CI)")
    args = parser.parse_args(argv)
    _setup_django()
    from transfer.services.word_import.parser import parse_docx

    corpus = sorted((ROOT / "transfer" / "tests" / "corpus").glob("*.docx"))
    documents = [(path.name, path.read_bytes()) for path in corpus]
    count = 10 if args.smoke else args.files
    times = []
    fields = 0
    started = time.perf_counter()
    for index in range(count):
        name, data = documents[index % len(documents)]
        begin = time.perf_counter()
        parsed = parse_docx(data, name)
        times.append(time.perf_counter() - begin)
        fields += len(parsed.duties) + len(parsed.qualifications)
    total = time.perf_counter() - started
    print(f"Word 导入解析：{count} 个文件（语料 {len(documents)} 份循环）")
    median, slowest = statistics.median(times) * 1000, max(times) * 1000
    print(f"  每个文件中位数 {median:.1f} ms，最慢 {slowest:.1f} ms")
    target = "" if args.smoke else f"  目标 ≤ {TARGET_SECONDS:.0f} s"
    print(f"  合计 {total:.2f} s{target}")
    if not args.smoke and total > TARGET_SECONDS:
        print("  超出目标")
        return 1
    return 0 if fields else 1


if __name__ == "__main__":
    sys.exit(main())

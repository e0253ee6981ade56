"""Benchmark: reading a stored file from S3 — django-storages' ``S3File`` against jobdesc's read.

Against a real SeaweedFS started for the run (``scripts/seaweedfs.py``, as the tests use), a
stored-PDF-sized object (28 KB, what the PDF view sends) and a book-sized one (4 MB) are read
whole, alternately, by:

* django-storages' ``S3Storage`` (``S3File``: HEAD on opening, then boto3's threaded transfer
  manager: HEAD and GET) — what ``jobdesc/s3.py`` did before;
* ``jobdesc.s3.S3Storage`` (one GetObject into a buffer).

Printed for each: requests per read, median wall time and CPU time per read, and the ratio
jobdesc ÷ django-storages measured side by side in one run. Target: the stored PDF's read
≤ 0.5 × django-storages' in wall time (it is most of what a proxied S3 download costs).

    DEBUG=1 .venv/bin/python bench/s3_read.py [--runs 200] [--smoke]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUCKET = "jobdesc-bench-read"
TARGET_RATIO = 0.5
SIZES = (("已存 PDF 28 KB", 28_000), ("汇编 4 MB", 4_000_000))


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "scripts"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobdesc.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()


def _requests_per_read(storage, name: str) -> list[str]:
    client = storage.connection.meta.client
    calls: list[str] = []

    def count(model, **_kwargs) -> None:
        calls.append(model.name)

    client.meta.events.register("before-call.s3", count)
    try:
        with storage.open(name, "rb") as handle:
            handle.read()
    finally:
        client.meta.events.unregister("before-call.s3", count)
    return calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="reads of each object by each")
    parser.add_argument("--smoke", action="store_true", help="CI: 10 reads, no target")
    args = parser.parse_args()
    runs = 10 if args.smoke else args.runs
    _setup_django()
    import seaweedfs
    from django.core.files.base import ContentFile
    from storages.backends.s3 import S3Storage as DjangoStoragesS3

    from bench.load import pad
    from jobdesc.s3 import S3Storage

    with tempfile.TemporaryDirectory(prefix="jobdesc-s3-read-") as folder:
        server = seaweedfs.start(Path(folder) / "seaweedfs")
        try:
            server.ensure_bucket(BUCKET)
            options = {
                "bucket_name": BUCKET,
                "endpoint_url": server.endpoint,
                "access_key": server.access_key,
                "secret_key": server.secret_key,
                "region_name": "us-east-1",
                "default_acl": None,
                "file_overwrite": False,
            }
            ours = S3Storage(**options)
            # The same client configuration (time limits, path-style addressing) as ours.
            theirs = DjangoStoragesS3(**options, client_config=ours.client_config)
            readers = (("django-storages S3File", theirs), ("jobdesc 一次 GET", ours))
            print(
                f"S3 读取：SeaweedFS {server.endpoint}，每个对象各读 {runs} 次（交替进行）；"
                f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
            )
            for label, size in SIZES:
                data = os.urandom(size)
                name = ours.save(f"bench/{size}.pdf", ContentFile(data))
                for _reader, storage in readers:
                    with storage.open(name, "rb") as handle:
                        assert handle.read() == data  # the same bytes, and warm connections
                wall: dict[str, list[float]] = {reader: [] for reader, _ in readers}
                cpu: dict[str, list[float]] = {reader: [] for reader, _ in readers}
                for _ in range(runs):
                    for reader, storage in readers:
                        started, started_cpu = time.perf_counter(), time.process_time()
                        with storage.open(name, "rb") as handle:
                            handle.read()
                        wall[reader].append((time.perf_counter() - started) * 1000)
                        cpu[reader].append((time.process_time() - started_cpu) * 1000)
                print(f"\n{label}")
                for reader, storage in readers:
                    calls = _requests_per_read(storage, name)
                    print(
                        f"  {pad(reader, 24)} 每次 {len(calls)} 个请求（{', '.join(calls)}）  "
                        f"中位数 {statistics.median(wall[reader]):7.2f} ms  "
                        f"CPU {statistics.mean(cpu[reader]):6.2f} ms"
                    )
                ratio = statistics.median(wall[readers[1][0]]) / statistics.median(
                    wall[readers[0][0]]
                )
                target = ""
                if not args.smoke and size == SIZES[0][1]:
                    met = ratio <= TARGET_RATIO
                    target = f"  目标 ≤ {TARGET_RATIO}  {'ok' if met else '超出目标'}"
                print(f"  {pad('比值 jobdesc ÷ django-storages', 44)}{ratio:7.2f}{target}")
        finally:
            seaweedfs.stop(server.pid)
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.smoke:
        print("Smoke run: figures only, no target.")


if __name__ == "__main__":
    main()

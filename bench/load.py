"""Benchmark: the production server under load, page by page, against its own static floor.

Starts the production configuration the way `make serve` does (deploy/gunicorn.conf.py: gthread
workers, WhiteNoise, DEBUG off) with 2 worker processes on a free loopback port, on a throw-away
seeded database (SQLite in a temporary folder unless --database-url), a generated SECRET_KEY,
static files collected into a temporary STATIC_ROOT and stored PDFs on local disk (a temporary
MEDIA_ROOT). It signs in as the demo 员工 (林员工) through the login form, then drives Debian's
`wrk` (closed loop: each connection sends its next request when the answer arrives, so latency
is measured at the client, queueing included) against, one after another:

    static file (the floor: WhiteNoise, no Django view), sheet page (the version in force),
    stored PDF (the version's PDF from local disk), search 销售, position list, org chart,
    我的职位

Each measured run follows 3 s of unmeasured warm-up on the same page: the static floor alone
sends several thousand requests per worker, past `max_requests`, and a replaced worker would
otherwise import the apps and fill its caches inside the next page's figures (the column
`recycled` counts workers replaced during each measured run).

Printed: req/s, p50/p99 latency and errors (non-2xx/3xx answers and socket errors) of each,
each page's throughput as a ratio to the floor, the RSS of every gunicorn and render process
after the run, and the load average (the machine is shared: read the figures beside it).

Targets (printed, never asserted): sheet page ≥ 200 req/s with p99 ≤ 250 ms; stored PDF
≥ 500 req/s; 0 errors; every page ≥ 0.25 × the static floor.

    make bench                          # or:
    .venv/bin/python bench/load.py [--seconds 10] [--connections 32] [--database-url URL]
    .venv/bin/python bench/load.py --smoke   # CI: 2-second runs, 4 connections, no targets
    .venv/bin/python bench/load.py --s3      # stored files in a throw-away SeaweedFS bucket

With --s3 (also in `make bench`, after the local-disk run) only what the store changes is
measured: the floor, the stored PDF read from S3 by the site (proxied, what the site does) and,
beside it, the same object fetched straight from a presigned URL (what a 302 would send the
browser to), so the two routes can be compared.
"""

from __future__ import annotations

import argparse
import html
import http.cookiejar
import json
import os
import re
import runpy
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
WORKERS = 2
USERNAME, PASSWORD = "employee", "jobdesc-demo"  # the demo 员工 (setup_demo)
SHEET_CODE = "FZ-XS-101"  # 售楼员, the position 林员工 holds

PDF_LABEL, PDF_LABEL_S3 = "已存 PDF（本地磁盘）", "已存 PDF（S3，经本站转发）"
PRESIGNED_LABEL = "S3 预签名直链（302 方案）"

TARGET_SHEET_RPS, TARGET_SHEET_P99_MS = 200.0, 250.0
TARGET_PDF_RPS = 500.0
TARGET_FLOOR_RATIO = 0.25
WARM_UP_SECONDS = 3


@dataclass
class Result:
    label: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def seaweedfs_stop(pid: int) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    import seaweedfs

    seaweedfs.stop(pid)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(
    tmp: Path, database_url: str | None, s3: dict[str, str] | None = None
) -> dict[str, str]:
    """What `make serve` exports, pointed at throw-away folders and database (and, with
    ``s3``, at a throw-away S3 bucket for stored files)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("S3_")}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        WEB_CONCURRENCY=str(WORKERS),
        DATABASE_URL=database_url or f"sqlite:///{tmp / 'db.sqlite3'}",
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
        STORAGE_BACKEND="local",
        HTTPS="0",
    )
    if s3:
        env.update(s3, STORAGE_BACKEND="s3")
    return env


def start_s3(tmp: Path) -> tuple[dict[str, str], int]:
    """A throw-away SeaweedFS S3 server (scripts/seaweedfs.py, as the tests use) with one
    bucket: the S3_* settings of the site, and the pid to stop."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import seaweedfs

    server = seaweedfs.start(tmp / "seaweedfs")
    server.ensure_bucket("jobdesc-load")
    settings = {
        "S3_BUCKET": "jobdesc-load",
        "S3_ENDPOINT_URL": server.endpoint,
        "S3_ACCESS_KEY_ID": server.access_key,
        "S3_SECRET_ACCESS_KEY": server.secret_key,
    }
    return settings, server.pid


def presigned_pdf_url(s3: dict[str, str], tmp: Path) -> str:
    """A presigned GET URL (10 minutes) of the PDF just stored in the bucket: what a 302 from
    the PDF view would send the browser to."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import seaweedfs

    client = seaweedfs.client(
        s3["S3_ENDPOINT_URL"], s3["S3_ACCESS_KEY_ID"], s3["S3_SECRET_ACCESS_KEY"]
    )
    stored = [
        item
        for item in client.list_objects_v2(Bucket=s3["S3_BUCKET"]).get("Contents", [])
        if item["Key"].endswith(".pdf")
    ]
    if not stored:
        sys.exit("No stored PDF in the bucket.")
    newest = max(stored, key=lambda item: item["LastModified"])  # the one the check stored
    return client.generate_presigned_url(
        "get_object", Params={"Bucket": s3["S3_BUCKET"], "Key": newest["Key"]}, ExpiresIn=600
    )


def manage(env: dict[str, str], *args: str, debug: bool = False) -> subprocess.Popen:
    """One `manage.py` command in the server's environment, started (``finish`` waits)."""
    return subprocess.Popen(
        [PY, "manage.py", *args],
        cwd=ROOT,
        env=env | ({"DEBUG": "1"} if debug else {}),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(process: subprocess.Popen) -> str:
    output, _ = process.communicate(timeout=600)
    if process.returncode:
        sys.exit(f"{' '.join(process.args[1:])} failed:\n{output}")
    return output


# The paths measured, looked up in the seeded database (printed one a line, after a marker).
LOOKUP = f"""
from django.core.management import call_command
from django.urls import reverse
from positions.models import Position
call_command("migrate", interactive=False, verbosity=0)
# The demo accounts refuse DEBUG off on purpose (their password is published); this database
# is thrown away with the temporary folder.
call_command("setup_demo", verbosity=0)
call_command("rebuild_search_index", if_empty=True, verbosity=0)
p = Position.objects.get(code={SHEET_CODE!r})
print("--paths--")
print(reverse("positions:position-sheet", kwargs={{"pk": p.pk}}))
print(reverse("positions:version-pdf", kwargs={{"pk": p.pk, "number": p.current_version.number}}))
for name in ("positions:search", "positions:position-list", "positions:org-chart",
             "positions:my-position", "login"):
    print(reverse(name))
"""

# --smoke leaves out the static files of the admin and the API's browsable pages and Swagger
# UI (none of the measured pages asks for them): compressing those takes minutes.
SMOKE_STATIC_IGNORE = ("drf_spectacular_sidecar", "rest_framework", "admin")


def prepare(env: dict[str, str], *, smoke: bool) -> dict[str, str]:
    """make serve's set-up steps (collectstatic, migrate, search index, check) on the throw-away
    database and folders, plus the seed and demo accounts; the database steps run beside the
    static files' collection. Returns the paths measured."""
    ignore = [arg for name in SMOKE_STATIC_IGNORE for arg in ("--ignore", name)] if smoke else []
    collect = manage(env, "collectstatic", "--noinput", "--verbosity", "0", *ignore)
    lookup = finish(manage(env, "shell", "-c", LOOKUP, debug=True))
    finish(collect)
    if not smoke:
        finish(manage(env, "check"))
    sheet, pdf, search, listing, chart, me, login = lookup.split("--paths--")[1].split()
    manifest = json.loads((Path(env["STATIC_ROOT"]) / "staticfiles.json").read_text())
    return {
        "static": "/static/" + manifest["paths"]["css/sheet.css"],
        "sheet": sheet,
        "pdf": pdf,
        "search": f"{search}?q={urllib.parse.quote('销售')}",
        "list": listing,
        "chart": chart,
        "me": me,
        "login": login,
    }


def listening() -> str:
    """How the workers listen, as deploy/gunicorn.conf.py decides on this machine."""
    if runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))["reuse_port"]:
        return "a listening socket per worker"
    return "one shared listening socket: net.ipv4.tcp_migrate_req is off, see make kernel-settings"


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [GUNICORN, "-c", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as one at the end
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn ended at start-up:\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    stop_server(process)
    sys.exit("gunicorn did not listen within 60 s")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def sign_in(base: str, login_path: str) -> str:
    """Sign in through the login form; the Cookie header of the signed-in session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + login_path, timeout=30) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        sys.exit("The login page has no CSRF token.")
    data = urllib.parse.urlencode(
        {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    with opener.open(base + login_path, data=data, timeout=30) as response:
        response.read()
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        sys.exit("Signing in as the demo 员工 failed (no session cookie).")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def check_page(base: str, path: str, cookie: str, expect: str) -> None:
    """One request before the load: the page answers 200 with what a reader should see (so a
    redirect to the login page is never measured as a fast page)."""
    request = urllib.request.Request(base + path, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
        final = response.geturl()
    text = body.decode("utf-8", "replace") if expect != "%PDF" else body[:4].decode()
    if expect not in html.unescape(text) or "/login/" in urllib.parse.urlparse(final).path:
        sys.exit(f"{path} did not answer as expected (looked for {expect!r}).")


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * _UNITS[unit]


def wrk_command(url: str, cookie: str, seconds: int, connections: int) -> list[str]:
    """wrk as every load benchmark runs it: closed loop, 10 s timeout, latency percentiles."""
    return [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-H",
        f"Cookie: {cookie}",
        url,
    ]


@dataclass
class WrkOutput:
    """What wrk printed: throughput, latency, and its errors by kind."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    connect: int
    read: int
    write: int
    timeout: int

    @classmethod
    def parse(cls, out: str) -> WrkOutput:
        non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        sockets = re.search(
            r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
        )
        connect, read, write, timeout = (
            (int(n) for n in sockets.groups()) if sockets else (0, 0, 0, 0)
        )
        return cls(
            rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            p50_ms=_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
            p99_ms=_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
            requests=int(re.search(r"(\d+) requests in", out).group(1)),
            non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
            connect=connect,
            read=read,
            write=write,
            timeout=timeout,
        )


def run_wrk(label: str, url: str, cookie: str, seconds: int, connections: int) -> Result:
    done = subprocess.run(
        wrk_command(url, cookie, seconds, connections),
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    out = done.stdout
    if done.returncode:
        sys.exit(f"wrk failed for {label}:\n{out}{done.stderr}")
    run = WrkOutput.parse(out)
    errors = run.non_2xx + run.connect + run.read + run.write + run.timeout
    if run.requests == 0:  # nothing answered within the run: every connection's request is lost
        errors = max(errors, connections)
    return Result(label, run.rps, run.p50_ms, run.p99_ms, run.requests, errors)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split() if (task / "children").exists() else []
        found += [int(child) for child in children]
    return found


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (0 when it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker_split(before: dict[int, float], after: dict[int, float]) -> str:
    """Each worker's share of the workers' CPU between two samples, largest first ("52:48").
    wrk's keep-alive connections stay with the worker that accepted them; when one gthread
    worker accepted most of them it serves most of the run while the other idles."""
    used = sorted((after[pid] - before.get(pid, 0.0) for pid in after), reverse=True)
    total = sum(used)
    return ":".join(f"{100 * u / total:.0f}" for u in used) if total > 0 else "-"


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def process_memory(master: int) -> list[tuple[str, int, float]]:
    """(role, pid, RSS MB) of the gunicorn master, its workers and their render processes."""
    rows = [("gunicorn master", master, _rss_mb(master))]
    for worker in _children(master):
        try:
            rows.append(("gunicorn worker", worker, _rss_mb(worker)))
            for child in _children(worker):
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
                role = "worker child"
                if b"resource_tracker" in cmdline:
                    role = "resource tracker"
                elif b"multiprocessing" in cmdline:
                    role = "render process"
                rows.append((f"  {role}", child, _rss_mb(child)))
        except FileNotFoundError:  # a worker replaced by max_requests meanwhile
            continue
    return rows


def pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns (a Chinese character takes two)."""
    used = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(width - used, 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--database-url", help="a throw-away database (default: SQLite in /tmp)")
    parser.add_argument("--smoke", action="store_true", help="CI: 2-second runs, 4 connections")
    parser.add_argument(
        "--s3",
        action="store_true",
        help="stored files in a throw-away SeaweedFS bucket: the stored PDF proxied by the "
        "site, and the same file fetched from a presigned URL (the 302 alternative)",
    )
    args = parser.parse_args()
    if args.smoke:
        args.seconds, args.connections = 2, 4
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: bash .ci/apt-ensure wrk")

    with tempfile.TemporaryDirectory(prefix="jobdesc-load-") as folder:
        tmp = Path(folder)
        s3, s3_pid = start_s3(tmp) if args.s3 else (None, None)
        env = server_env(tmp, args.database_url, s3)
        started = time.monotonic()
        paths = prepare(env, smoke=args.smoke)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(env, port, tmp / "gunicorn.log")
        try:
            cookie = sign_in(base, paths["login"])
            targets = [
                ("静态文件（基准）", "static", ".sheet"),
                ("职位说明书页面", "sheet", "售楼员"),
                (PDF_LABEL_S3 if s3 else PDF_LABEL, "pdf", "%PDF"),
                ("搜索：销售", "search", "销售"),
                ("职位列表", "list", "售楼员"),
                ("组织架构图", "chart", "<svg"),
                ("我的职位", "me", "售楼员"),
            ]
            if s3:  # the other pages do not read the store: measured in the local-disk run
                targets = [target for target in targets if target[1] in {"static", "pdf"}]
            for _label, key, expect in targets:
                check_page(base, paths[key], cookie, expect)  # also renders the PDF once
            urls = {key: base + paths[key] for _label, key, _expect in targets}
            if s3:
                # The 302 alternative's second request: the browser fetching the file from S3
                # itself (its first, the site's answer, costs what the PDF view costs before
                # it reads the file).
                targets.append((PRESIGNED_LABEL, "presigned", ""))
                urls["presigned"] = presigned_pdf_url(s3, tmp)
            print(
                f"Set-up {time.monotonic() - started:.0f} s. wrk: {args.connections} connections, "
                f"{args.seconds} s per page, gunicorn {WORKERS} workers "
                f"(deploy/gunicorn.conf.py, {listening()}), signed in as {USERNAME}; "
                "load average before "
                f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}."
            )
            results, replaced, splits = [], [], []
            for label, key, _expect in targets:
                if not args.smoke:
                    # Unmeasured warm-up: a worker that max_requests replaced during the run
                    # before (the static floor alone sends ~7,000 requests per worker) imports
                    # the apps and fills its caches here, not in the measured run.
                    run_wrk(label, urls[key], cookie, WARM_UP_SECONDS, args.connections)
                workers = set(_children(server.pid))
                cpu = {pid: _cpu_seconds(pid) for pid in workers}
                results.append(run_wrk(label, urls[key], cookie, args.seconds, args.connections))
                now = set(_children(server.pid))
                replaced.append(len(workers - now))
                splits.append(worker_split(cpu, {pid: _cpu_seconds(pid) for pid in now}))
            load = os.getloadavg()
            memory = process_memory(server.pid)
        finally:
            stop_server(server)
            if s3_pid is not None:
                seaweedfs_stop(s3_pid)

    floor = results[0].rps
    print(
        f"\n{'page':<22}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'requests':>10}"
        f"{'errors':>8}{'× floor':>9}{'recycled':>10}{'CPU split':>11}"
    )
    for r, gone, split in zip(results, replaced, splits, strict=True):
        print(
            f"{pad(r.label, 22)}{r.rps:>9.0f}{r.p50_ms:>9.1f}{r.p99_ms:>9.1f}{r.requests:>10}"
            f"{r.errors:>8}{r.rps / floor:>9.2f}{gone:>10}{split:>11}"
        )
    print(
        f"(recycled: workers replaced by max_requests during that measured run; every run "
        f"but --smoke's follows {WARM_UP_SECONDS} s of unmeasured warm-up on the same page. "
        f"CPU split: each worker's share of the workers' CPU in that run, largest first)"
    )
    print("\nMemory after the run (RSS):")
    for role, pid, rss in memory:
        print(f"  {role:<20} pid {pid:<8} {rss:7.1f} MB")
    if not any("render" in role for role, _pid, _rss in memory):
        print("  (no render process running: stored PDFs are served from disk)")
    print(
        f"Load average after the run: {' '.join(f'{x:.2f}' for x in load)} ({os.cpu_count()} CPUs)"
    )
    if args.smoke:
        print("\nSmoke run: figures only, no targets.")
        return
    by = {r.label: r for r in results}
    if args.s3:
        proxied, direct = by[PDF_LABEL_S3], by[PRESIGNED_LABEL]
        print(
            f"\nS3: the site proxying the stored PDF serves {proxied.rps / direct.rps:.2f} × "
            "what the store answers on presigned URLs alone; jobdesc proxies (README: "
            '"S3: proxy, not a 302"). No targets for S3 but 0 errors: '
            f"{'met' if all(r.errors == 0 for r in results) else 'NOT MET'}."
        )
        return
    sheet, pdf = by["职位说明书页面"], by[PDF_LABEL]
    checks = [
        (
            f"sheet page ≥ {TARGET_SHEET_RPS:.0f} req/s, p99 ≤ {TARGET_SHEET_P99_MS:.0f} ms",
            sheet.rps >= TARGET_SHEET_RPS and sheet.p99_ms <= TARGET_SHEET_P99_MS,
        ),
        (f"stored PDF ≥ {TARGET_PDF_RPS:.0f} req/s", pdf.rps >= TARGET_PDF_RPS),
        ("0 errors", all(r.errors == 0 for r in results)),
        (
            f"every page ≥ {TARGET_FLOOR_RATIO} × the static floor",
            all(r.rps >= TARGET_FLOOR_RATIO * floor for r in results),
        ),
    ]
    print("\nTargets:")
    for text, met in checks:
        print(f"  {'met    ' if met else 'NOT MET'}  {text}")


if __name__ == "__main__":
    main()

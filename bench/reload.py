"""Benchmark: reloading the production server under load loses no request.

Starts the production configuration as bench/load.py does (deploy/gunicorn.conf.py, 2 workers,
a throw-away seeded SQLite database), signs in as the demo 员工 and drives `wrk` against the
stored PDF for 20 s, sending gunicorn a HUP (what `systemctl reload jobdesc-web` sends: new
workers start, the old ones finish what they hold and stop) 5 and 12 seconds in. Printed: the
requests, req/s, p99 and wrk's errors by kind. A `read` error is a connection the server reset:
a request lost. A `timeout` is a request not answered within 10 s (wrk's --timeout).

On this machine deploy/gunicorn.conf.py gives each worker its own listening socket when the
kernel migrates a closing socket's queued connections (net.ipv4.tcp_migrate_req = 1, `make
kernel-settings`), and one shared socket otherwise; the header says which was measured.

    .venv/bin/python bench/reload.py [--seconds 20] [--connections 32]
    .venv/bin/python bench/reload.py --smoke   # CI: 6 s, 4 connections
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load  # the same server, set-up and sign-in as bench/load.py


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--smoke", action="store_true", help="CI: 6 s, 4 connections")
    args = parser.parse_args()
    if args.smoke:
        args.seconds, args.connections = 6, 4
    reloads = (args.seconds // 4, args.seconds * 3 // 5)
    with tempfile.TemporaryDirectory(prefix="jobdesc-reload-") as folder:
        tmp = Path(folder)
        env = load.server_env(tmp, None)
        paths = load.prepare(env, smoke=True)
        port = load.free_port()
        base = f"http://127.0.0.1:{port}"
        server = load.start_server(env, port, tmp / "gunicorn.log")
        try:
            cookie = load.sign_in(base, paths["login"])
            load.check_page(base, paths["pdf"], cookie, "%PDF")
            print(
                f"wrk: {args.connections} connections, {args.seconds} s on the stored PDF, "
                f"gunicorn {load.WORKERS} workers ({load.listening()}), HUP at "
                f"{reloads[0]} s and {reloads[1]} s."
            )
            wrk = subprocess.Popen(
                load.wrk_command(base + paths["pdf"], cookie, args.seconds, args.connections),
                stdout=subprocess.PIPE,
                text=True,
            )
            started = time.monotonic()
            for at in reloads:
                time.sleep(max(0.0, started + at - time.monotonic()))
                os.kill(server.pid, signal.SIGHUP)
            out, _ = wrk.communicate(timeout=args.seconds + 60)
            workers = load._children(server.pid)
        finally:
            load.stop_server(server)
    run = load.WrkOutput.parse(out)
    print(
        f"{run.requests} requests, {run.rps:.0f} req/s, p99 {run.p99_ms:.0f} ms; errors: "
        f"connect {run.connect}, read (reset) {run.read}, write {run.write}, timeout "
        f"{run.timeout}, non-2xx {run.non_2xx}; workers at the end: {len(workers)}."
    )
    lost = run.connect + run.read + run.write + run.non_2xx
    if args.smoke:
        print("Smoke run: figures only, no targets.")
        return
    print(f"  {'met    ' if lost == 0 else 'NOT MET'}  no request lost across two reloads")


if __name__ == "__main__":
    main()

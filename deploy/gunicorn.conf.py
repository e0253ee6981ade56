"""gunicorn's configuration for jobdesc (`make serve` and deploy/jobdesc-web.service).

    gunicorn -c deploy/gunicorn.conf.py --bind 127.0.0.1:8000

gthread workers: each worker process runs `threads` requests at once, and keeps one warm PDF
render process of its own (printing/render_pool.py), so more PDF throughput = more workers.
gunicorn itself reads WEB_CONCURRENCY, the number of workers (default 1; `make serve` and
deploy/jobdesc.env.example say 2), and GUNICORN_CMD_ARGS for any other option (e.g.
"--threads 8"). Access and error logs go to stdout/stderr, where systemd's journal (or the
terminal) keeps them beside Django's log.
"""

import errno
import socket
from pathlib import Path

# Linux hands the connections still queued on a closing listening socket to a sibling socket
# of the same port (net.ipv4.tcp_migrate_req = 1, deploy/sysctl-jobdesc.conf).
MIGRATE_REQ = Path("/proc/sys/net/ipv4/tcp_migrate_req")


def kernel_migrates_requests(setting: Path = MIGRATE_REQ) -> bool:
    try:
        return setting.read_text().strip() == "1"
    except OSError:
        return False


wsgi_app = "jobdesc.wsgi:application"
worker_class = "gthread"
threads = 4
# A gthread worker is killed only when its main loop stops answering for `timeout` seconds, not
# for one slow request; PDF renders end after PDF_RENDER_TIMEOUT_SECONDS (default 20) anyway.
timeout = 120
graceful_timeout = 30
keepalive = 5
# With one listening socket shared by the workers, a keep-alive connection stays with whichever
# worker accepted it, and that race is not decided by load: a worker busy on a request accepts
# as often as an idle one, so one worker could end up serving nearly every connection while the
# other idled (bench/load.py's "CPU split": 99:1 in half the runs). With `reuse_port` every
# worker listens on a socket of its own and the kernel spreads new connections over them.
# Only where the kernel migrates the connections queued on a replaced worker's socket to
# another worker's: without that, a worker replaced under load (max_requests, reload) would
# drop them. deploy/sysctl-jobdesc.conf sets it (`make serve` and `make bench` too, as root).
reuse_port = kernel_migrates_requests()
# Replace a worker (and its render process) now and then to cap memory, staggered: each worker
# draws its own limit between 50,000 and 75,000 requests, so the workers (which serve about as
# many requests each) are not replaced at the same moment. A new worker imports Django and the
# apps again (about 1.5 s of CPU), so the limit must be far above what a worker serves in a
# minute: at 4,000-6,000 a worker serving stored PDFs at 500 req/s was replaced every ten
# seconds, which halved the PDF throughput and put restarts into its p99 (bench/load.py, README
# "Performance"). The worker's own memory is bounded anyway (Django's cache by
# CACHE_MAX_ENTRIES, WeasyPrint in the render process, replaced after PDF_RENDER_MAX_RENDERS).
max_requests = 50000
max_requests_jitter = 25000
accesslog = "-"
errorlog = "-"
# X-Forwarded-* are trusted from the local nginx only (gunicorn's default, stated here).
forwarded_allow_ips = "127.0.0.1,::1"
# gunicorn's control socket (for `gunicornc`) would sit in the user's home, one path shared by
# every gunicorn of that user; systemd's `reload`/`stop` and signals are all we use.
control_socket_disable = True


def address_taken(host: str, port: int) -> bool:
    """Whether another server listens on (host, port): a bind without SO_REUSEPORT fails there
    (and a port of 0 never is)."""
    for family, kind, proto, _name, address in socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM
    ):
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    return True
                raise
    return False


def on_starting(server) -> None:
    # With a socket per worker a second gunicorn on the same address would bind as well and
    # silently take part of the connections; refuse to start beside another server, as the
    # shared socket does ("Connection in use").
    if not server.cfg.reuse_port:
        return
    for address in server.cfg.address:
        if isinstance(address, tuple) and address_taken(*address):
            raise SystemExit(
                f"{address[0]}:{address[1]} 已有服务在监听（另一个 gunicorn？），未启动。"
            )

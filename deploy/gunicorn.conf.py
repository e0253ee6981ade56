"""gunicorn's configuration for jobdesc (`make serve` and deploy/jobdesc-web.service).

    gunicorn -c deploy/gunicorn.conf.py --bind 127.0.0.1:8000

gthread workers: each worker process runs `threads` requests at once, and keeps one warm PDF
render process of its own (printing/render_pool.py), so more PDF throughput = more workers.
gunicorn itself reads WEB_CONCURRENCY, the number of workers (default 1; `make serve` and
deploy/jobdesc.env.example say 2), and GUNICORN_CMD_ARGS for any other option (e.g.
"--threads 8"). Access and error logs go to stdout/stderr, where systemd's journal (or the
terminal) keeps them beside Django's log.
"""

wsgi_app = "jobdesc.wsgi:application"
worker_class = "gthread"
threads = 4
# A gthread worker is killed only when its main loop stops answering for `timeout` seconds, not
# for one slow request; PDF renders end after PDF_RENDER_TIMEOUT_SECONDS (default 20) anyway.
timeout = 120
graceful_timeout = 30
keepalive = 5
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

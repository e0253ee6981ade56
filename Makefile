# jobdesc — the two commands a new machine needs:
#   make run    installs everything, migrates, loads the seed and demo accounts, serves :8000
#   make test   installs everything (idempotently) and runs the whole test suite
#   make serve  the production configuration locally: gunicorn + worker, DEBUG off (deploy/)
#
# Everything below is idempotent: a second run only checks what is already there.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= $(shell command -v python3.11 || command -v python3)
HOST ?= 127.0.0.1
PORT ?= 8000

# Debian/Ubuntu packages: WeasyPrint's libraries (Pango, HarfBuzz subset), the CJK font,
# Node.js for the npm front-end packages, venv support; the test suite adds Chromium.
APT_RUN := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fontconfig \
	python3-venv nodejs npm
# python-ldap (company directory sign-in) publishes no wheel: it builds against these.
APT_RUN += libldap2-dev libsasl2-dev build-essential python3-dev
# What checks the deployment files (deploy/check): systemd-analyze, nginx -t, a test certificate.
APT_DEPLOY := systemd nginx-light openssl
APT_TEST := chromium poppler-utils $(APT_DEPLOY)
# The ldap tests start their own slapd (never the system service) and load it with ldapadd.
APT_TEST += slapd ldap-utils
# LibreOffice converts legacy .doc / .xls uploads (tests with the libreoffice marker).
APT_TEST += libreoffice-writer-nogui libreoffice-calc-nogui
# bench/load.py drives the production server with wrk (CI's bench stage runs its --smoke).
APT_TEST += wrk

.PHONY: run serve worker test test-durations setup setup-test system-deps system-deps-test kernel-settings seed lint check clean bench

run: setup
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py setup_demo
	DEBUG=1 $(PY) manage.py rebuild_search_index --if-empty
	DEBUG=1 $(PY) manage.py check
	@echo "jobdesc 正在 http://$(HOST):$(PORT)/ 运行（演示账号见 README.md）；后台任务进程已同时启动"
	@DEBUG=1 scripts/worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# The production configuration on this machine (deploy/README.md for a real server): DEBUG off,
# static files collected and served by WhiteNoise, gunicorn (gthread) on HOST:PORT and the task
# worker, on db.sqlite3 or DATABASE_URL. The SECRET_KEY is made once and kept in .secret_key
# (git-ignored, readable by you only). Plain http here: HTTPS is nginx's job (deploy/nginx.conf).
serve: setup kernel-settings
	@test -s .secret_key || (umask 077 && $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' >.secret_key.tmp && mv .secret_key.tmp .secret_key && echo "已生成 SECRET_KEY（保存在 .secret_key）")
	@export DEBUG=0 SECRET_KEY="$${SECRET_KEY:-$$(cat .secret_key)}" ALLOWED_HOSTS="$${ALLOWED_HOSTS:-localhost,127.0.0.1,[::1]}" \
		WEB_CONCURRENCY="$${WEB_CONCURRENCY:-2}"; set -e; \
	$(PY) manage.py migrate --noinput; \
	$(PY) manage.py collectstatic --noinput --verbosity 0; \
	$(PY) manage.py rebuild_search_index --if-empty; \
	$(PY) manage.py check; \
	echo "jobdesc（生产配置，DEBUG 关闭）正在 http://$(HOST):$(PORT)/ 运行；后台任务进程已同时启动。"; \
	echo "还没有账号时先建管理员：$(PY) manage.py createsuperuser"; \
	scripts/worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py --bind $(HOST):$(PORT)

# gunicorn gives each worker a listening socket of its own where the kernel migrates a replaced
# worker's queued connections (deploy/gunicorn.conf.py, deploy/sysctl-jobdesc.conf).
kernel-settings:
	@bash .ci/sysctl-ensure deploy/sysctl-jobdesc.conf

# The background task worker alone (department books), e.g. on a second machine or terminal.
worker: setup
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 scripts/worker

# The suite in TEST_WORKERS processes (pytest-xdist; each has its own SQLite test database,
# live server and browser); --dist loadfile keeps each module in one process (its shared seed
# layer). The default, auto, is one process per CPU core; TEST_WORKERS=0 runs it in this one
# process (as plain .venv/bin/pytest does).
TEST_WORKERS ?= auto
# Python writes bytecode for the tests even where the environment says not to
# (PYTHONDONTWRITEBYTECODE): each process would otherwise compile our modules and pytest would
# rewrite every test module's asserts again (a test process's collection: 9.4 s → 4.1 s), and
# so would every subprocess the tests start (render workers, manage.py, gunicorn).
TEST_ENV = PYTHONDONTWRITEBYTECODE=
test: setup-test
	$(TEST_ENV) $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile

# Each module's seconds from a whole run, for the order in which pytest-xdist hands out modules
# (heaviest first; conftest.py). Rerun after adding a slow module; a stale file costs only balance.
test-durations: setup-test
	$(TEST_ENV) $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile -q --durations=0 \
		>.ci/test-durations.log
	$(PY) .ci/test-durations <.ci/test-durations.log >.ci/test-durations.json
	rm -f .ci/test-durations.log

setup: system-deps $(VENV)/.installed node_modules/.installed

setup-test: setup system-deps-test

# Install missing Debian packages where apt is available; elsewhere say what is missing.
system-deps:
	@bash .ci/apt-ensure $(APT_RUN)

system-deps-test:
	@bash .ci/apt-ensure $(APT_TEST)

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Throw the organisation away and load the seed again (demo accounts are reset too).
seed: setup
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py setup_demo --reload

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports
	@bash .ci/apt-ensure $(APT_DEPLOY)
	deploy/check

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache

# Benchmarks (see README 性能 / Performance). bench/pdf.py: one sheet and the book against a
# warm Chromium, in a throw-away SQLite test database. bench/pages.py needs the PostgreSQL cluster
# running and fills its own database (jobdesc_bench) with 10,000 generated positions once.
# bench/directory.py starts its own slapd (the test directory).
bench: setup kernel-settings
	@bash .ci/apt-ensure $(APT_TEST)
	DEBUG=1 $(PY) bench/pdf.py
	DEBUG=1 $(PY) bench/pages.py
	DEBUG=1 $(PY) bench/directory.py
	DEBUG=1 $(PY) bench/word_import.py
	$(PY) bench/load.py
	$(PY) bench/load.py --s3
	DEBUG=1 $(PY) bench/s3_read.py
	$(PY) bench/reload.py

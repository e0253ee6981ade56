# jobdesc — the two commands a new machine needs:
#   make run    installs everything, migrates, loads the seed and demo accounts, serves :8000
#   make test   installs everything (idempotently) and runs the whole test suite
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
APT_TEST := chromium

.PHONY: run test setup setup-test system-deps system-deps-test seed lint check clean

run: setup
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py setup_demo
	DEBUG=1 $(PY) manage.py check
	@echo "jobdesc 正在 http://$(HOST):$(PORT)/ 运行（演示账号见 README.md）"
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: setup-test
	$(VENV)/bin/pytest

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

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache

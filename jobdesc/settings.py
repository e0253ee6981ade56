"""Settings for jobdesc, read from the environment.

Every value that comes from the environment is parsed here, once. A malformed value stops
start-up with ImproperlyConfigured naming the variable, so a typo in a deployment never runs
with a silently different configuration.

Variables:
    DEBUG            "1/true/yes/on" or "0/false/no/off" (default off)
    SECRET_KEY       required unless DEBUG is on (then a dev key is generated per process)
    ALLOWED_HOSTS    comma-separated host names (default: localhost names when DEBUG is on)
    DATABASE_URL     sqlite:///path or postgres://user:pass@host:port/name
                     (default: db.sqlite3 in the project folder)
    SQLITE_TIMEOUT   seconds a SQLite writer waits for the lock held by the other process
                     (web or task worker) before failing (default 20)
    HR_CONTACT       whom people should ask about accounts and positions, shown on the
                     我的职位 page of people without a position and in the login lockout message
                     (default: 人力资源部), e.g. "人力资源部 王人事（分机 8001）"
    IMPORT_MAX_FILES, IMPORT_MAX_BATCH_MB, IMPORT_JOB_MIN_ROWS, IMPORT_JOB_TIMEOUT_SECONDS
                     the import job (see "Import jobs" below)
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"Environment variable {name}={raw!r} is not a boolean; "
        "use 1/0, true/false, yes/no or on/off."
    )


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",")]
    if not all(items):
        raise ImproperlyConfigured(
            f"Environment variable {name}={raw!r} has an empty entry; use a comma-separated list "
            "such as 'jobdesc.example.com,127.0.0.1'."
        )
    return items


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(
            f"Environment variable {name}={raw!r} is not a whole number."
        ) from None
    if value < minimum:
        raise ImproperlyConfigured(f"Environment variable {name}={raw!r} must be ≥ {minimum}.")
    return value


def env_database(name: str, default: str) -> dict:
    raw = os.environ.get(name) or default
    scheme = urlsplit(raw).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"Environment variable {name}={raw!r} is not a supported database URL; use "
            "sqlite:///path/to/db.sqlite3 or postgres://user:password@host:5432/name."
        )
    try:
        config = dj_database_url.parse(raw, conn_max_age=60)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"Environment variable {name}={raw!r} is malformed: {exc}"
        ) from exc
    if scheme != "sqlite" and not config.get("NAME"):
        raise ImproperlyConfigured(f"Environment variable {name}={raw!r} names no database.")
    if scheme == "sqlite":
        config["CONN_MAX_AGE"] = 0
    return config


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Environment variable SECRET_KEY is not set. Set it (any long random string) or run "
            "with DEBUG=1 for development."
        )
    SECRET_KEY = "dev-" + secrets.token_urlsafe(48)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])

INSTALLED_APPS = [
    "jobdesc.apps.JobdescAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "reversion",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "axes",
    "django_tasks",
    "django_tasks_db",
    # The core (models, sheets, the one writer, permissions) and the areas built on it.
    "positions",
    "people",
    "printing",
    "transfer",
    "orgchart",
    "search",
    "audit",  # the audit trail (审计日志); its settings are in their own block below
    "bench",  # the generate_positions command (benchmarks' synthetic data)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out login into our login page (below).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jobdesc.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "positions.context_processors.abilities",
            ],
        },
    },
]

WSGI_APPLICATION = "jobdesc.wsgi.application"

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}

# SQLite serves the web process and the task worker (db_worker) writing at the same time: WAL
# lets readers run beside the one writer, IMMEDIATE transactions take the write lock up front
# (no deadlocked upgrade from a read lock), and a writer waits up to SQLITE_TIMEOUT seconds for
# the lock instead of failing with "database is locked". PostgreSQL needs none of this.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("SQLITE_TIMEOUT", 20, minimum=1),
        }
    )

# Background jobs (department books) run on django-tasks with the database backend: the web
# process enqueues, `manage.py db_worker` (started by `make run`, or `make worker`) runs them.
# Works on SQLite here and on PostgreSQL with many workers on many machines.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# django-axes first: it refuses locked-out usernames before the password is even checked.
# Then Django's password check, whose permissions come from positions/permissions.py instead of
# the permissions stored on groups and users (positions/backends.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "positions.backends.PermissionsBackend",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "positions:my-position"
LOGOUT_REDIRECT_URL = "login"

HR_CONTACT = os.environ.get("HR_CONTACT", "").strip() or "人力资源部"

# Login throttling (django-axes). Lock by username only, never by IP address: a whole office
# reaches us through one NAT address, and one person's typos must not lock out colleagues.
# After AXES_FAILURE_LIMIT failures in a row the username is refused for AXES_COOLOFF_TIME,
# even with the right password; a successful login clears the count. Failed attempts made
# while locked do not restart the clock, so the time the lockout message names stays true.
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The lockout answer is our login page with a Chinese message and the username kept.
AXES_LOCKOUT_CALLABLE = "people.views.accounts.login_locked_out"
AXES_HTTP_RESPONSE_CODE = 429
# axes.W006 asks for "ip_address" in AXES_LOCKOUT_PARAMETERS. Locking by IP would lock a whole
# office at once (see above); the username lock holds whatever address or browser the guesses
# come from, which is the protection we want.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end packages come from npm (package.json); only their dist folders are served.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
]

# Uploaded imports and stored files (rendered PDFs, books, exports) go through Django's storage
# API; the local MEDIA_ROOT is the default, an object store can replace it later.
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", "").strip() or BASE_DIR / "media")

# Largest upload accepted by the Excel / Word importers, in megabytes (IMPORT_MAX_UPLOAD_MB).
IMPORT_MAX_UPLOAD_MB = env_int("IMPORT_MAX_UPLOAD_MB", 10, minimum=1)
IMPORT_MAX_UPLOAD_BYTES = IMPORT_MAX_UPLOAD_MB * 1024 * 1024
# Most data rows (below the header) an imported worksheet may hold (IMPORT_MAX_ROWS).
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20000, minimum=1)

# Single-sheet PDFs render in a warm worker process of each web process (positions/render_pool.py):
# a render longer than PDF_RENDER_TIMEOUT_SECONDS is aborted with an error page (0 = render in
# the calling process without a limit), and the worker is replaced after PDF_RENDER_MAX_RENDERS
# renders to cap its memory.
PDF_RENDER_TIMEOUT_SECONDS = env_int("PDF_RENDER_TIMEOUT_SECONDS", 20, minimum=0)
PDF_RENDER_MAX_RENDERS = env_int("PDF_RENDER_MAX_RENDERS", 200, minimum=1)
# Limits of every PDF (sheets, versions, books, org charts; printing/pdf.py render_html): HTML
# larger than PDF_MAX_HTML_MB is refused before layout; a department book job in the task worker
# may take BOOK_JOB_TIMEOUT_SECONDS in all (0 = no limit, rendered in the worker's own process);
# an org chart of more than ORGCHART_MAX_BOXES boxes is refused (page, SVG and PDF).
PDF_MAX_HTML_MB = env_int("PDF_MAX_HTML_MB", 5, minimum=1)
BOOK_JOB_TIMEOUT_SECONDS = env_int("BOOK_JOB_TIMEOUT_SECONDS", 600, minimum=0)
ORGCHART_MAX_BOXES = env_int("ORGCHART_MAX_BOXES", 2000, minimum=1)
# 公司信息 logo: PNG or JPEG only, at most COMPANY_LOGO_MAX_KB, COMPANY_LOGO_MAX_PIXELS wide/high.
COMPANY_LOGO_MAX_KB = env_int("COMPANY_LOGO_MAX_KB", 512, minimum=1)
COMPANY_LOGO_MAX_PIXELS = env_int("COMPANY_LOGO_MAX_PIXELS", 2000, minimum=16)
# LibreOffice converts legacy .doc / .xls uploads (headless) when installed; the binary's name
# or path (LIBREOFFICE_BINARY) and how long one conversion may take (LIBREOFFICE_TIMEOUT, s).
LIBREOFFICE_BINARY = os.environ.get("LIBREOFFICE_BINARY", "soffice").strip() or "soffice"
LIBREOFFICE_TIMEOUT = env_int("LIBREOFFICE_TIMEOUT", 60, minimum=1)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The seed organisation (fixtures/seed.json) and its reading notes (fixtures/README.md).
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# The CJK family static/css/sheet.css names first (a test keeps the two equal). The system check
# positions.W001 warns at start-up when it is not installed, and the PDF view refuses to render
# rather than print empty boxes.
CJK_FONT_FAMILY = "Noto Sans CJK SC"

# --- Audit trail (the audit app) ---------------------------------------------------------------
# Sign-ins, role and scope changes, admin actions, workflow decisions and exports are recorded
# (audit/services.py). AUDIT_RETENTION_DAYS: how long events are kept before
# `manage.py prune_audit_events` may remove them (default 180; fewer is refused, 等保 2.0 asks
# for six months). AUDIT_TRUSTED_PROXY_COUNT: the reverse proxies in front of the site that
# append to X-Forwarded-For (default 0: the client is REMOTE_ADDR).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 180, minimum=180)
AUDIT_TRUSTED_PROXY_COUNT = env_int("AUDIT_TRUSTED_PROXY_COUNT", 0, minimum=0)
# The request at hand for events recorded by hooks (inside django-axes, which stays last).
MIDDLEWARE.insert(
    MIDDLEWARE.index("axes.middleware.AxesMiddleware"), "audit.middleware.AuditRequestMiddleware"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "weasyprint": {"handlers": ["console"], "level": "ERROR"},
        "fontTools": {"handlers": ["console"], "level": "ERROR"},
    },
}

# --- Submitted forms, sessions and passwords -------------------------------------------------
# DATA_UPLOAD_MAX_NUMBER_FIELDS: how many fields one request may submit. The editor submits
# about nine per duty, so Django's default of 1000 refused positions of ~110 duties and lost the
# edits; above the limit a Chinese 400 page names it and nothing is saved (jobdesc/errors.py).
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 10000, minimum=1000)

# SESSION_IDLE_MINUTES: a signed-in person is signed out after that many minutes without a
# request. The session (its row and its cookie) lasts SESSION_COOKIE_AGE from its last save;
# people.middleware.SessionIdleMiddleware renews it while the person keeps working.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "people.middleware.SessionIdleMiddleware",
)

# PASSWORD_MIN_LENGTH: the shortest password accepted (default 10). A password must also not
# contain the username or the person's 工号, nor be a common or an all-digit password.
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 10, minimum=8)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "people.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "people.validators.NoAccountNameValidator"},
]

# --- Import jobs (transfer/services/import_jobs.py) ---------------------------------------------
# Word batches, .zip uploads and big Excel / 花名册 workbooks are parsed and confirmed by the task
# worker. IMPORT_MAX_FILES: files one batch (or .zip) may hold (default 500, also Django's
# DATA_UPLOAD_MAX_NUMBER_FILES); IMPORT_MAX_BATCH_MB: their uncompressed size in all (default
# 200); IMPORT_JOB_MIN_ROWS: an Excel or 花名册 workbook with at least this many data rows is
# imported as a job instead of in the request (default 500); IMPORT_JOB_TIMEOUT_SECONDS: how long
# parsing may take before the job fails (default 600). While a confirmation runs on SQLite,
# every other write is answered 「正在导入，请稍后再保存」 (503) by transfer.middleware.
IMPORT_MAX_FILES = env_int("IMPORT_MAX_FILES", 500, minimum=1)
DATA_UPLOAD_MAX_NUMBER_FILES = IMPORT_MAX_FILES
IMPORT_MAX_BATCH_MB = env_int("IMPORT_MAX_BATCH_MB", 200, minimum=1)
IMPORT_JOB_MIN_ROWS = env_int("IMPORT_JOB_MIN_ROWS", 500, minimum=0)
IMPORT_JOB_TIMEOUT_SECONDS = env_int("IMPORT_JOB_TIMEOUT_SECONDS", 600, minimum=1)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "transfer.middleware.ImportConfirmLockMiddleware",
)

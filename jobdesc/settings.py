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
    LDAP_*           sign-in with the company directory (LDAP / Active Directory), off unless
                     LDAP_SERVER_URI is set: see the block "Company directory" at the end
    API_THROTTLE_RATE
                     requests one API token (or signed-in session) may make to the REST API,
                     "N/period" with period s, min, hour or day (default 60/min)
    TASK_LEASE_SECONDS
                     seconds a task worker may stay silent before its running task counts as
                     abandoned, is queued again once, then failed (default 60, at least 2)
    IMPORT_MAX_FILES, IMPORT_MAX_BATCH_MB, IMPORT_JOB_MIN_ROWS, IMPORT_JOB_TIMEOUT_SECONDS
                     the import job (see "Import jobs" below)

Stored files (PDFs, department books, the company logo, staged uploads) — see the "Shared
object storage" block below, jobdesc/storage.py and jobdesc/s3.py:
    MEDIA_ROOT       folder of the local storage, the default (default: media/ in the project)
    STORAGE_BACKEND  "local" or "s3" (default: s3 when S3_BUCKET is set, else local)
    S3_BUCKET        the bucket (required for s3; it must exist)
    S3_ENDPOINT_URL  http(s)://host:port of a self-hosted store (SeaweedFS, MinIO, Ceph);
                     unset for AWS itself
    S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY
                     the key pair, both or neither (neither: boto3's own credential chain,
                     e.g. an instance role)
    S3_REGION        region name (default us-east-1)
    S3_LOCATION      folder (key prefix) inside the bucket for everything stored (default none)
    PDF_X_ACCEL_PREFIX  nginx's internal location of MEDIA_ROOT (e.g. /internal-media/): stored
                     PDFs are then sent by nginx (X-Accel-Redirect); local storage only
    S3_CONNECT_TIMEOUT, S3_READ_TIMEOUT
                     seconds per request to connect / to wait for an answer (default 2 / 10)
    S3_MAX_ATTEMPTS  tries per storage call, the first included (default 2)
    Any S3_* variable without S3 chosen, an s3 choice without S3_BUCKET, or one key of the pair
    without the other stops start-up.

Production (block "Production: HTTPS, headers, static files, logging" at the end; the values a
server needs are in deploy/jobdesc.env.example, explained in deploy/README.md):
    STATIC_ROOT      where `collectstatic` puts the static files WhiteNoise serves
                     (default: staticfiles/ in the project folder)
    HTTPS            the site is reached over HTTPS (default off): secure session and CSRF
                     cookies, redirect http → https, HSTS
    SECURE_PROXY_SSL_HEADER  the header a reverse proxy sets to tell Django the client used
                     HTTPS, e.g. X-Forwarded-Proto (deploy/nginx.conf sets it); only set it
                     behind a proxy that always sets or strips that header (default: none)
    SECURE_SSL_REDIRECT      redirect http requests to https (default: HTTPS)
    SECURE_HSTS_SECONDS      Strict-Transport-Security max-age (default 31536000 with HTTPS,
                     else 0); SECURE_HSTS_INCLUDE_SUBDOMAINS and SECURE_HSTS_PRELOAD (1/0,
                     default: HTTPS)
    CSRF_TRUSTED_ORIGINS     comma-separated origins forms are posted from, each with its
                     scheme, e.g. https://jobdesc.example.com (default: none)
    LOG_LEVEL        level of what goes to stdout: DEBUG, INFO, WARNING, ERROR (default INFO);
                     every 500 is logged with its traceback whatever the level
    ADMINS           who gets an e-mail with the traceback of every 500, e.g.
                     "王工 <it@example.com>, 李工 <ops@example.com>" (default: nobody)
    SERVER_EMAIL     the sender of those e-mails (default: root@localhost)
    EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS
                     the SMTP server that sends them (default: localhost:25, no login, no TLS)

Notifications and webhooks (block "Notifications and webhooks" at the end; README 通知与 Webhook):
    WEBHOOK_ALLOWED_HOSTS    comma-separated host names webhooks and group-chat robots may post
                     to (default: none), e.g. qyapi.weixin.qq.com,oapi.dingtalk.com,open.feishu.cn
    WEBHOOK_READ_TIMEOUT_SECONDS  how long a receiver may take to answer (default 10)
    NOTIFY_ACK_REMINDER_DAYS days before `send_reminders` reminds a holder to confirm (default 7)
    NOTIFY_FROM_EMAIL        the sender of notification e-mails (default: SERVER_EMAIL); they go
                     through the EMAIL_* server above
    SITE_URL         the address links in messages start with (default http://127.0.0.1:8000)
"""

from __future__ import annotations

import os
import re
import secrets
from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path
from urllib.parse import urlsplit

import csp.constants as csp
import dj_database_url
import ldap
from django.core.exceptions import ImproperlyConfigured
from django_auth_ldap.config import ActiveDirectoryGroupType, LDAPSearch
from whitenoise.compress import Compressor

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
    # SQLite keeps its connection per thread for a minute too: opening one per request (Django
    # registers its SQL functions and runs init_command each time) held the sheet page to 137
    # req/s in bench/load.py, 240 with the connection kept. Each request still runs in its own
    # transactions, so it reads what other threads and processes committed.
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
    "rights",  # 权责手册: the authority matrix's pages (its data and writer are the core's)
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
            # {% nav_url %}: the navigation bar's links, reversed once per process.
            "libraries": {"navigation": "jobdesc.templatetags.navigation"},
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
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", "").strip() or BASE_DIR / "staticfiles")
# Front-end packages come from npm (package.json); only their dist folders are served.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
]
# collectstatic leaves out the npm packages' unused builds (jobdesc/staticfiles.py).
STATICFILES_FINDERS = [
    "jobdesc.staticfiles.ProjectFilesFinder",
    "jobdesc.staticfiles.ProjectAppDirectoriesFinder",
]

# Uploaded imports and stored files (rendered PDFs, books, exports) go through Django's storage
# API; the local MEDIA_ROOT is the default, an S3 bucket replaces it (the block below).
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", "").strip() or BASE_DIR / "media")

# --- Shared object storage (jobdesc/storage.py, jobdesc/s3.py) ---------------------------------
# STORAGES["default"] is where stored PDFs, books, the logo and staged uploads go: MEDIA_ROOT on
# this machine, or an S3 bucket shared by every web and worker machine (django-storages with
# boto3). Short time limits and few tries: an unreachable store must never hang a request.
_S3_VARIABLES = (
    "S3_BUCKET",
    "S3_ENDPOINT_URL",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_REGION",
    "S3_LOCATION",
    "S3_CONNECT_TIMEOUT",
    "S3_READ_TIMEOUT",
    "S3_MAX_ATTEMPTS",
)
_s3_set = [name for name in _S3_VARIABLES if os.environ.get(name, "").strip()]
STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "").strip().lower() or (
    "s3" if os.environ.get("S3_BUCKET", "").strip() else "local"
)
if STORAGE_BACKEND not in {"local", "s3"}:
    raise ImproperlyConfigured(
        f"Environment variable STORAGE_BACKEND={os.environ['STORAGE_BACKEND']!r} is not "
        "supported; use local (MEDIA_ROOT) or s3."
    )
if STORAGE_BACKEND == "local" and _s3_set:
    raise ImproperlyConfigured(
        f"Environment variable(s) {', '.join(_s3_set)} set, but storage is local: set "
        "S3_BUCKET (and STORAGE_BACKEND=s3) to store files in S3, or unset them."
    )
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Django's own; this block decides only "default".
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if STORAGE_BACKEND == "s3":
    _s3 = {name: os.environ.get(name, "").strip() for name in _S3_VARIABLES}
    if not _s3["S3_BUCKET"]:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs the bucket: set S3_BUCKET.")
    if bool(_s3["S3_ACCESS_KEY_ID"]) != bool(_s3["S3_SECRET_ACCESS_KEY"]):
        raise ImproperlyConfigured(
            "Set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither (boto3's own "
            "credentials, e.g. an instance role)."
        )
    if _s3["S3_ENDPOINT_URL"] and (
        urlsplit(_s3["S3_ENDPOINT_URL"]).scheme not in {"http", "https"}
        or not urlsplit(_s3["S3_ENDPOINT_URL"]).netloc
    ):
        raise ImproperlyConfigured(
            f"Environment variable S3_ENDPOINT_URL={_s3['S3_ENDPOINT_URL']!r} is not an "
            "http(s)://host:port address."
        )
    STORAGES["default"] = {
        "BACKEND": "jobdesc.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _s3["S3_BUCKET"],
            "endpoint_url": _s3["S3_ENDPOINT_URL"] or None,
            "access_key": _s3["S3_ACCESS_KEY_ID"] or None,
            "secret_key": _s3["S3_SECRET_ACCESS_KEY"] or None,
            "region_name": _s3["S3_REGION"] or "us-east-1",
            "location": _s3["S3_LOCATION"].strip("/"),
            "file_overwrite": False,  # as on disk: a second file of a name gets a new name
            "default_acl": None,
            "querystring_auth": True,  # files are private; the site serves them itself
            "connect_timeout": env_int("S3_CONNECT_TIMEOUT", 2, minimum=1),
            "read_timeout": env_int("S3_READ_TIMEOUT", 10, minimum=1),
            "max_attempts": env_int("S3_MAX_ATTEMPTS", 2, minimum=1),
        },
    }
# A view that meets an unreachable store answers a Chinese 503 page, never a 500.
MIDDLEWARE.append("jobdesc.storage.StorageUnavailableMiddleware")
# Production behind nginx with local storage: a stored PDF is checked (permissions, the version
# in force, the file exists) by Django and sent by nginx from this internal location
# (X-Accel-Redirect; deploy/nginx.conf maps it to MEDIA_ROOT). Empty (default): Django sends it.
PDF_X_ACCEL_PREFIX = os.environ.get("PDF_X_ACCEL_PREFIX", "").strip()
if PDF_X_ACCEL_PREFIX and (
    STORAGE_BACKEND != "local"
    or not PDF_X_ACCEL_PREFIX.startswith("/")
    or not PDF_X_ACCEL_PREFIX.endswith("/")
):
    raise ImproperlyConfigured(
        f"Environment variable PDF_X_ACCEL_PREFIX={PDF_X_ACCEL_PREFIX!r} needs local storage "
        "and an nginx internal location such as /internal-media/ (starting and ending with /)."
    )

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
# Sessions live in the database (the only truth: a signed-out session is gone for every worker
# and server at once); jobdesc.sessions reads the row without compiling a query each request.
SESSION_ENGINE = "jobdesc.sessions"
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "people.middleware.SessionIdleMiddleware",
)

# Django's cache: local memory, one per process. It holds what never changes once made (a
# published version's rendered paper and page body, keyed by everything they show) and the API's
# request counts; nothing in it is ever the only copy. CACHE_MAX_ENTRIES bounds it per process
# (Django's default of 300 would let a few hundred sheets push each other out); past it, a third
# of the entries are dropped and rendered again when next read.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 5000, minimum=100)},
    }
}

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

# --- Company directory: LDAP / Active Directory sign-in (django-auth-ldap) ---------------------
# Off unless LDAP_SERVER_URI is set. Then a person signs in with the directory's account name and
# password (the local password check comes first, so superusers and local accounts keep working).
# The directory's 工号 attribute names the jobdesc account: the employee's account with that 工号,
# else the account named by it (the roster's username = 工号), else a new one (people/directory.py).
#   LDAP_SERVER_URI          ldap://dc1.corp.example.com (ldaps:// for TLS); empty = off
#   LDAP_START_TLS           StartTLS on an ldap:// URI (default off)
#   LDAP_BIND_DN, LDAP_BIND_PASSWORD   the read-only service account that searches the directory
#   LDAP_USER_SEARCH_BASE    where the people are, e.g. OU=Staff,DC=corp,DC=example,DC=com
#   LDAP_USER_FILTER         how the typed name finds a person; must contain %(user)s (default
#                            (&(objectClass=user)(sAMAccountName=%(user)s))). Accounts disabled in
#                            AD (userAccountControl bit 2) are always excluded on top of it.
#   LDAP_EMPLOYEE_ID_ATTR    the attribute carrying the 工号 (default employeeID)
#   LDAP_NAME_ATTR           the attribute carrying the person's name (default displayName)
#   LDAP_GROUP_SEARCH_BASE   where the groups are (default: LDAP_USER_SEARCH_BASE)
#   LDAP_GROUP_FILTER        which entries are groups (default (objectClass=group))
#   LDAP_GROUP_ROLE_MAP      "group DN=role code;…", role codes hr_editor, manager, employee,
#                            auditor. The directory is trusted for these roles: they are granted
#                            and removed at every sign-in; roles no group maps stay jobdesc's.
#   LDAP_TIMEOUT             seconds each request to the directory may take (default 5, 1–60);
#                            beyond it the login page says the directory cannot be reached
#   LDAP_LOCKOUT_THRESHOLD   required with LDAP_SERVER_URI: the directory's account lockout
#                            threshold (AD 「帐户锁定阈值」; 0 = it never locks). django-axes then
#                            locks a username after fewer failures than that (at most 5), so
#                            passwords mistyped here never lock the Windows account.
#   LDAP_LOCKOUT_WINDOW_MINUTES  AD 「重置帐户锁定计数器」 (default 30): django-axes' lock lasts
#                            at least this long, so the directory's count is back to 0 before
#                            anyone can try again.
DIRECTORY_ROLE_CODES = ("hr_editor", "manager", "employee", "auditor")
# AD: the account is disabled (userAccountControl ACCOUNTDISABLE, bit 2), by the bitwise
# matching rule LDAP_MATCHING_RULE_BIT_AND (OpenLDAP implements it too).
DIRECTORY_DISABLED_FILTER = "(userAccountControl:1.2.840.113556.1.4.803:=2)"


def env_role_map(name: str) -> dict[str, str]:
    """ "cn=hr,ou=groups,dc=x=hr_editor;…" → {group DN (lower case): role code}."""
    raw = os.environ.get(name, "").strip()
    roles: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in raw.split(";"))):
        dn, sep, code = item.rpartition("=")
        if not sep or "=" not in dn or code.strip() not in DIRECTORY_ROLE_CODES:
            raise ImproperlyConfigured(
                f"Environment variable {name}: {item!r} is not 'group DN=role code' with a role "
                f"code among {', '.join(DIRECTORY_ROLE_CODES)}."
            )
        roles[dn.strip().lower()] = code.strip()
    return roles


def directory_settings() -> dict:
    """The directory's settings from the LDAP_* variables (tests call it after changing them)."""
    uri = os.environ.get("LDAP_SERVER_URI", "").strip()
    if not uri:
        return {"DIRECTORY_ENABLED": False}
    if urlsplit(uri).scheme not in {"ldap", "ldaps"}:
        raise ImproperlyConfigured(
            f"Environment variable LDAP_SERVER_URI={uri!r} is not ldap(s)://."
        )
    if "LDAP_LOCKOUT_THRESHOLD" not in os.environ:
        raise ImproperlyConfigured(
            "LDAP_SERVER_URI is set, so LDAP_LOCKOUT_THRESHOLD must be too: the directory's "
            "account lockout threshold (0 if it never locks accounts)."
        )
    threshold = env_int("LDAP_LOCKOUT_THRESHOLD", 0, minimum=0)
    if threshold in (1, 2):
        raise ImproperlyConfigured(
            f"LDAP_LOCKOUT_THRESHOLD={threshold}: the login lock must come before the "
            "directory's, after at least 2 failures, so the threshold must be 0 or at least 3."
        )
    failure_limit = 5 if threshold == 0 else min(5, threshold - 1)
    window = timedelta(minutes=env_int("LDAP_LOCKOUT_WINDOW_MINUTES", 30, minimum=1))
    timeout = env_int("LDAP_TIMEOUT", 5, minimum=1)
    if timeout > 60:
        raise ImproperlyConfigured(f"LDAP_TIMEOUT={timeout} is too long; use 1–60 seconds.")
    user_base = os.environ.get("LDAP_USER_SEARCH_BASE", "").strip()
    if not user_base:
        raise ImproperlyConfigured("LDAP_SERVER_URI is set, so LDAP_USER_SEARCH_BASE must be too.")
    user_filter = (
        os.environ.get("LDAP_USER_FILTER", "").strip()
        or "(&(objectClass=user)(sAMAccountName=%(user)s))"
    )
    if "%(user)s" not in user_filter or not user_filter.startswith("("):
        raise ImproperlyConfigured(
            f"LDAP_USER_FILTER={user_filter!r} must be an LDAP filter containing %(user)s."
        )
    group_filter = os.environ.get("LDAP_GROUP_FILTER", "").strip() or "(objectClass=group)"
    group_base = os.environ.get("LDAP_GROUP_SEARCH_BASE", "").strip() or user_base
    return {
        "DIRECTORY_ENABLED": True,
        "AUTHENTICATION_BACKENDS": [*AUTHENTICATION_BACKENDS, "people.directory.DirectoryBackend"],
        "AXES_FAILURE_LIMIT": failure_limit,
        # A sign-in the directory could not check (down, timed out) is not a failed guess.
        "AXES_WHITELIST_CALLABLE": "people.directory.attempt_not_counted",
        # ZhangSan and zhangsan are one directory account: one failure count.
        "AXES_USERNAME_CALLABLE": "people.directory.lockout_username",
        "AXES_COOLOFF_TIME": max(timedelta(minutes=15), window)
        if threshold
        else timedelta(minutes=15),
        "AUTH_LDAP_SERVER_URI": uri,
        "AUTH_LDAP_START_TLS": env_bool("LDAP_START_TLS", default=False),
        "AUTH_LDAP_BIND_DN": os.environ.get("LDAP_BIND_DN", "").strip(),
        "AUTH_LDAP_BIND_PASSWORD": os.environ.get("LDAP_BIND_PASSWORD", ""),
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(
            user_base,
            ldap.SCOPE_SUBTREE,
            f"(&{user_filter}(!{DIRECTORY_DISABLED_FILTER}))",
        ),
        "AUTH_LDAP_GROUP_SEARCH": LDAPSearch(group_base, ldap.SCOPE_SUBTREE, group_filter),
        "AUTH_LDAP_GROUP_TYPE": ActiveDirectoryGroupType(),
        "AUTH_LDAP_USER_ATTR_MAP": {
            "first_name": os.environ.get("LDAP_NAME_ATTR", "").strip() or "displayName",
            "email": "mail",
        },
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        "AUTH_LDAP_CONNECTION_OPTIONS": {
            ldap.OPT_NETWORK_TIMEOUT: timeout,  # connecting
            ldap.OPT_TIMEOUT: timeout,  # every answer (bind, search)
            ldap.OPT_REFERRALS: 0,  # AD's referrals would be followed anonymously
        },
        "LDAP_EMPLOYEE_ID_ATTR": os.environ.get("LDAP_EMPLOYEE_ID_ATTR", "").strip()
        or "employeeID",
        "LDAP_GROUP_ROLES": env_role_map("LDAP_GROUP_ROLE_MAP"),
    }


DIRECTORY_ENABLED = False
LDAP_EMPLOYEE_ID_ATTR = "employeeID"
LDAP_GROUP_ROLES: dict[str, str] = {}
globals().update(directory_settings())
# --- Production: HTTPS, headers, static files, logging -----------------------------------------
# Variables in the module docstring; deploy/README.md shows them in use behind nginx.


def env_choice(name: str, default: str, choices: set[str]) -> str:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    value = raw.strip().upper()
    if value not in choices:
        raise ImproperlyConfigured(
            f"Environment variable {name}={raw!r} is not one of {', '.join(sorted(choices))}."
        )
    return value


def env_admins(name: str) -> list[tuple[str, str]]:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return []
    admins = getaddresses([raw])
    if not admins or any("@" not in address for _, address in admins):
        raise ImproperlyConfigured(
            f"Environment variable {name}={raw!r} is not a list of e-mail addresses; use "
            "'Name <it@example.com>, other@example.com'."
        )
    return [(person or address, address) for person, address in admins]


def env_proxy_header(name: str) -> tuple[str, str] | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    if not all(part.isalnum() for part in raw.split("-")):
        raise ImproperlyConfigured(
            f"Environment variable {name}={raw!r} is not an HTTP header name; use e.g. "
            "X-Forwarded-Proto."
        )
    return ("HTTP_" + raw.upper().replace("-", "_"), "https")


# WhiteNoise serves the collected static files (`manage.py collectstatic`, run by `make serve`
# and by the upgrade steps of deploy/README.md) from the web process itself: hashed names, gzip
# and Brotli copies, a year's cache for hashed files. ("default", the storage of uploads and
# stored PDFs, is chosen in the "Shared object storage" block.)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
# Source maps are fetched by a developer's browser tools only: served as they are, not compressed
# (a third of the bytes to gzip and Brotli at each collectstatic).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
# Pages, stylesheets and source-map comments link the hashed names only ({% static %} and the
# manifest's rewriting): the unhashed copies are deleted, not compressed.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True

# A connection kept between requests (CONN_MAX_AGE) is checked before it is reused, so a
# restarted PostgreSQL costs one reconnect instead of one failed request per web thread.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

HTTPS = env_bool("HTTPS", default=False)
SECURE_PROXY_SSL_HEADER = env_proxy_header("SECURE_PROXY_SSL_HEADER")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=HTTPS)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=HTTPS)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
if bad_origins := [o for o in CSRF_TRUSTED_ORIGINS if urlsplit(o).scheme not in {"http", "https"}]:
    raise ImproperlyConfigured(
        f"Environment variable CSRF_TRUSTED_ORIGINS has {', '.join(bad_origins)} without "
        "http:// or https://; use e.g. https://jobdesc.example.com."
    )

# Content-Security-Policy (django-csp): our own scripts, styles, fonts and images only, no
# inline script, style or style="" attribute anywhere (Bootstrap's CSS draws a few icons as
# data: images). Nothing may frame the site, and forms post only to it.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}

# Logging: everything to stdout (systemd's journal, or the terminal of `make serve`), 500s with
# their traceback (django.request logs them at ERROR with the exception), and to ADMINS by mail
# when someone is named. The render libraries are noisy below ERROR.
LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR"})
ADMINS = env_admins("ADMINS")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", "").strip() or "root@localhost"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip() or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 10
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"},
    },
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own default sends 500s only by mail when DEBUG is off; here they also reach
        # the root's stdout handler (propagate), with the traceback.
        "django": {"handlers": ["mail_admins"], "level": LOG_LEVEL, "propagate": True},
        "axes.apps": {"level": "WARNING"},  # its start-up banner, once per process
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
    },
}

# --- REST API (the api app: Django REST framework + drf-spectacular) --------------------------
# Tokens (Authorization: Bearer …) are the api app's own hashed ApiToken rows; a signed-in
# session works too (the docs page's 试一试). API_THROTTLE_RATE: requests per token (or per
# signed-in user), "N/period" with period s, min, hour or day; default 60/min. The count is kept
# in Django's cache (per process with the default local-memory cache).
INSTALLED_APPS += ["rest_framework", "drf_spectacular", "drf_spectacular_sidecar", "api"]
API_THROTTLE_RATE = (os.environ.get("API_THROTTLE_RATE") or "60/min").strip()
if not re.fullmatch(r"[1-9][0-9]*/(s|sec|m|min|h|hour|d|day)", API_THROTTLE_RATE):
    raise ImproperlyConfigured(
        f"Environment variable API_THROTTLE_RATE={API_THROTTLE_RATE!r} is not a rate; use "
        "N/s, N/min, N/hour or N/day with N ≥ 1, such as 60/min."
    )
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.LimitedJSONParser"],
    "DEFAULT_FILTER_BACKENDS": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "jobdesc 职位说明书 API",
    "DESCRIPTION": (
        "读取部门、职位说明书、版本、员工与组织架构，并由 HR 编辑在其负责范围内"
        "新建、修改职位说明书、执行审批流程。认证：在请求头中携带 "
        "`Authorization: Bearer <令牌>`（在「API 令牌」页面创建）。"
        "每个调用者看到的内容与网页完全一致。"
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}
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

# --- Task workers' leases (positions/services/task_leases.py) --------------------------------
# Every `manage.py worker` beats a heartbeat every TASK_LEASE_SECONDS / 4 and, as often, looks
# for running tasks whose worker has been silent for TASK_LEASE_SECONDS (killed, machine gone):
# such a task is queued again once, then failed (「生成任务中断（处理进程已停止），请重新生成」).
TASK_LEASE_SECONDS = env_int("TASK_LEASE_SECONDS", 60, minimum=2)

# --- Notifications and webhooks (notifications/) -------------------------------------------------
# E-mail goes through the EMAIL_* settings above (DEFAULT_FROM_EMAIL: NOTIFY_FROM_EMAIL, default
# SERVER_EMAIL). Messages and webhook deliveries run on their own task queues, "notifications"
# and "webhooks" (scripts/worker runs a second db_worker for them), so a slow receiver never
# delays department books. WEBHOOK_ALLOWED_HOSTS: comma-separated host names that webhook
# subscriptions and group-chat robots may post to (default: none, so nothing is sent until it
# is set), e.g. qyapi.weixin.qq.com,oapi.dingtalk.com,open.feishu.cn,erp.example.com.
# NOTIFY_ACK_REMINDER_DAYS: days after a version takes effect before `send_reminders` reminds a
# holder who has not confirmed it yet (default 7). SITE_URL: the address links in messages start
# with (default http://127.0.0.1:8000).
TASKS["default"]["QUEUES"] = [*TASKS["default"]["QUEUES"], "notifications", "webhooks"]
INSTALLED_APPS += ["notifications"]
WEBHOOK_ALLOWED_HOSTS = [host.lower() for host in env_list("WEBHOOK_ALLOWED_HOSTS", [])]
WEBHOOK_READ_TIMEOUT_SECONDS = env_int("WEBHOOK_READ_TIMEOUT_SECONDS", 10, minimum=1)
NOTIFY_ACK_REMINDER_DAYS = env_int("NOTIFY_ACK_REMINDER_DAYS", 7, minimum=1)
NOTIFY_FROM_EMAIL = os.environ.get("NOTIFY_FROM_EMAIL", "").strip() or SERVER_EMAIL
SITE_URL = (os.environ.get("SITE_URL", "").strip() or "http://127.0.0.1:8000").rstrip("/")
if not re.fullmatch(r"https?://[^/\s]+(/\S*)?", SITE_URL):
    raise ImproperlyConfigured(
        f"Environment variable SITE_URL={SITE_URL!r} is not an http(s) address, such as "
        "https://jobdesc.example.com."
    )

# --- 组织诊断 (diagnosis/) ----------------------------------------------------------------------
# The organisation diagnosis report (issue #25). DIAGNOSIS_SPAN_MIN / DIAGNOSIS_SPAN_MAX: the
# span of control (direct reports of a position that has any) outside which a position is
# reported (defaults 2 and 12); DIAGNOSIS_MAX_CHAIN: reporting chains longer than this many
# levels are reported (default 6); DIAGNOSIS_OVERLAP_PERCENT: how similar (Jaccard of the Chinese
# character bigrams, in percent) two 全责 duties must be to count as overlapping (default 40,
# justified in the README); DIAGNOSIS_INLINE_MAX_POSITIONS: a scope with more positions than
# this is diagnosed by the task worker as a job with progress, not in the request (default 1500);
# DIAGNOSIS_PAGE_MAX_FINDINGS: findings of one type shown on the page and in the PDF (the xlsx
# holds them all; default 200).
INSTALLED_APPS += ["diagnosis"]
DIAGNOSIS_SPAN_MIN = env_int("DIAGNOSIS_SPAN_MIN", 2, minimum=1)
DIAGNOSIS_SPAN_MAX = env_int("DIAGNOSIS_SPAN_MAX", 12, minimum=1)
if DIAGNOSIS_SPAN_MAX < DIAGNOSIS_SPAN_MIN:
    raise ImproperlyConfigured(
        f"DIAGNOSIS_SPAN_MAX={DIAGNOSIS_SPAN_MAX} is below DIAGNOSIS_SPAN_MIN={DIAGNOSIS_SPAN_MIN}."
    )
DIAGNOSIS_MAX_CHAIN = env_int("DIAGNOSIS_MAX_CHAIN", 6, minimum=1)
DIAGNOSIS_OVERLAP_PERCENT = env_int("DIAGNOSIS_OVERLAP_PERCENT", 40, minimum=1)
if DIAGNOSIS_OVERLAP_PERCENT > 100:
    raise ImproperlyConfigured(
        f"DIAGNOSIS_OVERLAP_PERCENT={DIAGNOSIS_OVERLAP_PERCENT} is not a percentage (1–100)."
    )
DIAGNOSIS_INLINE_MAX_POSITIONS = env_int("DIAGNOSIS_INLINE_MAX_POSITIONS", 1500, minimum=1)
DIAGNOSIS_PAGE_MAX_FINDINGS = env_int("DIAGNOSIS_PAGE_MAX_FINDINGS", 200, minimum=1)

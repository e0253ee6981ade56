"""Settings come from the environment; a malformed value stops start-up naming the variable.

Each case starts a real Python process, as a deployment would, and reads what it prints.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jobdesc.settings import env_database

PROJECT = Path(__file__).resolve().parents[2]

PROBE = (
    "import django; from django.conf import settings; django.setup(); "
    "db = settings.DATABASES['default']; "
    "print(settings.DEBUG, db['ENGINE'], db['NAME'], ','.join(settings.ALLOWED_HOSTS), "
    "settings.LANGUAGE_CODE, settings.TIME_ZONE, sep='|')"
)


def start(**env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}
    }
    clean["DJANGO_SETTINGS_MODULE"] = "jobdesc.settings"
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=PROJECT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_defaults_to_sqlite_in_project_folder_in_debug():
    result = start(DEBUG="1")
    assert result.returncode == 0, result.stderr
    debug, engine, name, hosts, language, tz = result.stdout.strip().split("|")
    assert debug == "True"
    assert engine == "django.db.backends.sqlite3"
    assert Path(name) == PROJECT / "db.sqlite3"
    assert hosts == "localhost,127.0.0.1,[::1]"
    assert (language, tz) == ("zh-hans", "Asia/Shanghai")


def test_settings_postgres_url_selects_postgresql():
    result = start(
        SECRET_KEY="k" * 50,
        ALLOWED_HOSTS="jobdesc.example.com",
        DATABASE_URL="postgres://hr:secret@db.internal:5433/jobdesc",
    )
    assert result.returncode == 0, result.stderr
    debug, engine, name, hosts, _, _ = result.stdout.strip().split("|")
    assert (debug, engine, name, hosts) == (
        "False",
        "django.db.backends.postgresql",
        "jobdesc",
        "jobdesc.example.com",
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "Environment variable DEBUG='maybe' is not a boolean"),
        ({"DEBUG": "0"}, "Environment variable SECRET_KEY is not set"),
        (
            {"DEBUG": "1", "DATABASE_URL": "mysql://u:p@h/db"},
            "Environment variable DATABASE_URL='mysql://u:p@h/db' is not a supported database URL",
        ),
        (
            {"DEBUG": "1", "DATABASE_URL": "postgres://u:p@h:notaport/db"},
            "Environment variable DATABASE_URL='postgres://u:p@h:notaport/db' is malformed",
        ),
        (
            {"DEBUG": "1", "DATABASE_URL": "postgres://u:p@h:5432/"},
            "Environment variable DATABASE_URL='postgres://u:p@h:5432/' names no database",
        ),
        (
            {"DEBUG": "1", "ALLOWED_HOSTS": "a.example.com,,b"},
            "Environment variable ALLOWED_HOSTS='a.example.com,,b' has an empty entry",
        ),
        (
            {"DEBUG": "1", "CACHE_MAX_ENTRIES": "many"},
            "Environment variable CACHE_MAX_ENTRIES='many' is not a whole number",
        ),
        (
            {"DEBUG": "1", "CACHE_MAX_ENTRIES": "10"},
            "Environment variable CACHE_MAX_ENTRIES='10' must be ≥ 100",
        ),
    ],
)
def test_settings_bad_value_stops_startup_naming_the_variable(env, message):
    result = start(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


# --- the company directory (LDAP_*) -------------------------------------------------------------

DIRECTORY = {
    "DEBUG": "1",
    "LDAP_SERVER_URI": "ldap://dc1.corp.example.com",
    "LDAP_USER_SEARCH_BASE": "OU=Staff,DC=corp,DC=example,DC=com",
}
DIRECTORY_PROBE = (
    "import django; from django.conf import settings; django.setup(); "
    "print(settings.DIRECTORY_ENABLED, settings.AXES_FAILURE_LIMIT, "
    "int(settings.AXES_COOLOFF_TIME.total_seconds() // 60), settings.AUTHENTICATION_BACKENDS[-1], "
    "getattr(getattr(settings, 'AUTH_LDAP_USER_SEARCH', None), 'filterstr', ''), "
    "sorted(settings.LDAP_GROUP_ROLES.items()), sep='|')"
)


def start_directory(directory: dict[str, str] = DIRECTORY, **env: str) -> list[str]:
    """Start Django with the LDAP_* variables ``directory`` and ``env``; what the probe prints."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LDAP_", "DEBUG"))}
    clean.update(DJANGO_SETTINGS_MODULE="jobdesc.settings", **directory, **env)
    result = subprocess.run(
        [sys.executable, "-c", DIRECTORY_PROBE],
        cwd=PROJECT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().split("|")


def test_settings_directory_off_by_default():
    enabled, limit, cool_off, backend, *_ = start_directory({"DEBUG": "1"})
    assert (enabled, limit, cool_off) == ("False", "5", "15")
    assert backend == "positions.backends.PermissionsBackend"


def test_settings_directory_login_lock_stays_below_the_directory_lockout():
    enabled, limit, cool_off, backend, user_filter, roles = start_directory(
        LDAP_LOCKOUT_THRESHOLD="4",
        LDAP_LOCKOUT_WINDOW_MINUTES="45",
        LDAP_GROUP_ROLE_MAP=(
            "CN=HR,OU=Groups,DC=corp,DC=example,DC=com=hr_editor; "
            "cn=managers,ou=groups,dc=corp,dc=example,dc=com=manager"
        ),
    )
    assert (enabled, limit, cool_off) == ("True", "3", "45")
    assert backend == "people.directory.DirectoryBackend"
    # Disabled AD accounts are excluded whatever LDAP_USER_FILTER says.
    assert user_filter == (
        "(&(&(objectClass=user)(sAMAccountName=%(user)s))"
        "(!(userAccountControl:1.2.840.113556.1.4.803:=2)))"
    )
    assert roles == (
        "[('cn=hr,ou=groups,dc=corp,dc=example,dc=com', 'hr_editor'), "
        "('cn=managers,ou=groups,dc=corp,dc=example,dc=com', 'manager')]"
    )


def test_settings_directory_that_never_locks_keeps_the_usual_login_lock():
    enabled, limit, cool_off, *_ = start_directory(LDAP_LOCKOUT_THRESHOLD="0")
    assert (enabled, limit, cool_off) == ("True", "5", "15")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "LDAP_SERVER_URI is set, so LDAP_LOCKOUT_THRESHOLD must be too"),
        (
            {"LDAP_LOCKOUT_THRESHOLD": "2"},
            "LDAP_LOCKOUT_THRESHOLD=2: the login lock must come before the directory's",
        ),
        (
            {"LDAP_LOCKOUT_THRESHOLD": "5", "LDAP_SERVER_URI": "http://dc1"},
            "Environment variable LDAP_SERVER_URI='http://dc1' is not ldap(s)://",
        ),
        (
            {"LDAP_LOCKOUT_THRESHOLD": "5", "LDAP_USER_SEARCH_BASE": ""},
            "LDAP_SERVER_URI is set, so LDAP_USER_SEARCH_BASE must be too",
        ),
        (
            {"LDAP_LOCKOUT_THRESHOLD": "5", "LDAP_USER_FILTER": "(sAMAccountName=zhangsan)"},
            "LDAP_USER_FILTER='(sAMAccountName=zhangsan)' must be an LDAP filter containing",
        ),
        (
            {"LDAP_LOCKOUT_THRESHOLD": "5", "LDAP_TIMEOUT": "0"},
            "Environment variable LDAP_TIMEOUT='0' must be ≥ 1",
        ),
        (
            {"LDAP_LOCKOUT_THRESHOLD": "5", "LDAP_GROUP_ROLE_MAP": "cn=hr,dc=x=boss"},
            "Environment variable LDAP_GROUP_ROLE_MAP: 'cn=hr,dc=x=boss' is not 'group DN=role",
        ),
    ],
)
def test_settings_directory_bad_value_stops_startup_naming_the_variable(env, message):
    result = start(**{**DIRECTORY, **env})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


# --- shared object storage (S3_*) -------------------------------------------------------------

STORAGE_PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps(settings.STORAGES['default']))"
)


def storage_setting(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("S3_", "STORAGE_"))}
    clean |= {"DJANGO_SETTINGS_MODULE": "jobdesc.settings", "DEBUG": "1"} | env
    return subprocess.run(
        [sys.executable, "-c", STORAGE_PROBE],
        cwd=PROJECT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_storage_defaults_to_media_root():
    result = storage_setting()
    assert result.returncode == 0, result.stderr
    assert '"django.core.files.storage.FileSystemStorage"' in result.stdout


def test_settings_s3_bucket_selects_s3_with_short_time_limits():
    result = storage_setting(
        S3_BUCKET="jobdesc-files",
        S3_ENDPOINT_URL="http://s3.internal:8333",
        S3_ACCESS_KEY_ID="key",
        S3_SECRET_ACCESS_KEY="secret",
        S3_REGION="cn-east-1",
    )
    assert result.returncode == 0, result.stderr
    setting = json.loads(result.stdout)
    assert setting["BACKEND"] == "jobdesc.s3.S3Storage"
    options = setting["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"]) == (
        "jobdesc-files",
        "http://s3.internal:8333",
    )
    assert (options["access_key"], options["secret_key"]) == ("key", "secret")
    assert options["region_name"] == "cn-east-1"
    assert (options["connect_timeout"], options["read_timeout"], options["max_attempts"]) == (
        2,
        10,
        2,
    )
    assert options["file_overwrite"] is False


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"S3_ENDPOINT_URL": "http://s3.internal:8333"},
            "Environment variable(s) S3_ENDPOINT_URL set, but storage is local",
        ),
        ({"STORAGE_BACKEND": "s3"}, "STORAGE_BACKEND=s3 needs the bucket: set S3_BUCKET."),
        ({"STORAGE_BACKEND": "ftp"}, "Environment variable STORAGE_BACKEND='ftp' is not supported"),
        (
            {"S3_BUCKET": "b", "S3_ACCESS_KEY_ID": "key"},
            "Set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither",
        ),
        (
            {"S3_BUCKET": "b", "S3_ENDPOINT_URL": "s3.internal:8333"},
            "Environment variable S3_ENDPOINT_URL='s3.internal:8333' is not an http(s)://",
        ),
        (
            {"S3_BUCKET": "b", "S3_CONNECT_TIMEOUT": "soon"},
            "Environment variable S3_CONNECT_TIMEOUT='soon' is not a whole number",
        ),
    ],
    ids=[
        "endpoint-without-bucket",
        "s3-without-bucket",
        "unknown-backend",
        "half-key",
        "endpoint-not-url",
        "bad-timeout",
    ],
)
def test_settings_half_configured_s3_stops_startup(env, message):
    result = storage_setting(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_settings_database_connections_are_kept_between_requests_on_sqlite_and_postgresql(
    monkeypatch,
):
    monkeypatch.setenv("TEST_DB_URL", "sqlite:////tmp/jobdesc-kept.sqlite3")
    assert env_database("TEST_DB_URL", "")["CONN_MAX_AGE"] == 60
    monkeypatch.setenv("TEST_DB_URL", "postgres://u:p@db.internal:5432/jobdesc")
    assert env_database("TEST_DB_URL", "")["CONN_MAX_AGE"] == 60

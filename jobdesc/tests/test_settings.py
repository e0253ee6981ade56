"""Settings come from the environment; a malformed value stops start-up naming the variable.

Each case starts a real Python process, as a deployment would, and reads what it prints.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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
    ],
)
def test_settings_bad_value_stops_startup_naming_the_variable(env, message):
    result = start(**env)
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

"""The settings of submitted forms, sessions and passwords come from the environment, with safe
defaults; a malformed value stops start-up naming the variable (a real process each)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
VARIABLES = {"DATA_UPLOAD_MAX_NUMBER_FIELDS", "SESSION_IDLE_MINUTES", "PASSWORD_MIN_LENGTH"}

PROBE = (
    "import django; from django.conf import settings; django.setup(); "
    "from django.contrib.auth.password_validation import get_default_password_validators; "
    "lengths = [v.min_length for v in get_default_password_validators() "
    "if hasattr(v, 'min_length')]; "
    "print(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS, settings.SESSION_COOKIE_AGE, "
    "settings.SESSION_SAVE_EVERY_REQUEST, lengths, sep='|')"
)


def start(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in VARIABLES | {"DEBUG"}}
    clean |= {"DJANGO_SETTINGS_MODULE": "jobdesc.settings", "DEBUG": "1"} | env
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=PROJECT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_limits_have_safe_defaults():
    result = start()

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "10000|1800|False|[10]"


def test_settings_limits_follow_the_environment():
    result = start(
        DATA_UPLOAD_MAX_NUMBER_FIELDS="20000", SESSION_IDLE_MINUTES="45", PASSWORD_MIN_LENGTH="12"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "20000|2700|False|[12]"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"DATA_UPLOAD_MAX_NUMBER_FIELDS": "lots"},
            "Environment variable DATA_UPLOAD_MAX_NUMBER_FIELDS='lots' is not a whole number",
        ),
        (
            {"SESSION_IDLE_MINUTES": "0"},
            "Environment variable SESSION_IDLE_MINUTES='0' must be ≥ 1",
        ),
        (
            {"PASSWORD_MIN_LENGTH": "6"},
            "Environment variable PASSWORD_MIN_LENGTH='6' must be ≥ 8",
        ),
    ],
)
def test_settings_limits_bad_value_stops_startup_naming_the_variable(env, message):
    result = start(**env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr

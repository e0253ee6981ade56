"""The deployment files in deploy/, checked with the real tools and against jobdesc's settings.

`manage.py check --deploy` runs in its own process with exactly the variables of
deploy/jobdesc.env.example, as systemd would pass them; nginx.conf and the systemd units go
through deploy/check (`nginx -t`, `systemd-analyze verify`), as in `make lint`.
"""

import os
import re
import runpy
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

PROJECT = Path(__file__).resolve().parents[2]
DEPLOY = PROJECT / "deploy"


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines as systemd's EnvironmentFile reads them (comments, blank lines and one
    pair of surrounding quotes left out)."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def production_environment(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The documented production variables, a fresh SECRET_KEY as the template says to make,
    and a throw-away SQLite database instead of the template's PostgreSQL server."""
    documented = read_env_file(DEPLOY / "jobdesc.env.example")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in documented and k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(documented)
    env.update(
        DJANGO_SETTINGS_MODULE="jobdesc.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        STATIC_ROOT=str(tmp_path / "static"),
    )
    env.update(overrides)
    return env


def test_deploy_check_with_documented_production_variables_has_no_issue(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=PROJECT,
        env=production_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    # axes.W006 (lock by IP) is silenced on purpose in settings.py; nothing else is.
    assert result.stdout.strip() == "System check identified no issues (1 silenced)."


def test_deploy_check_without_https_variables_names_what_is_missing(tmp_path):
    env = production_environment(tmp_path)
    for name in ("HTTPS", "SECURE_PROXY_SSL_HEADER", "CSRF_TRUSTED_ORIGINS"):
        env.pop(name)

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    found = set(re.findall(r"\((security\.W\d+)\)", result.stdout + result.stderr))
    assert found == {"security.W004", "security.W008", "security.W012", "security.W016"}


def test_env_template_names_only_variables_settings_reads():
    documented = read_env_file(DEPLOY / "jobdesc.env.example")
    settings_source = (PROJECT / "jobdesc" / "settings.py").read_text(encoding="utf-8")
    # gunicorn reads WEB_CONCURRENCY, scripts/worker WORKER_MAX_TASKS; settings.py the rest.
    outside = {"WEB_CONCURRENCY", "WORKER_MAX_TASKS"}
    unknown = [n for n in documented if n not in outside and f'"{n}"' not in settings_source]

    assert unknown == []


# --- nginx -------------------------------------------------------------------------------------


def nginx_value(directive: str) -> str:
    conf = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    values = set(re.findall(rf"^\s*{directive}\s+([^;]+);", conf, flags=re.M))
    assert len(values) == 1, f"{directive}: {values}"
    return values.pop()


def seconds(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([sm]?)", value).groups()
    return int(number) * (60 if unit == "m" else 1)


def test_nginx_conf_upload_limit_is_the_import_limit():
    assert nginx_value("client_max_body_size") == f"{settings.IMPORT_MAX_UPLOAD_MB}m"
    message = f"上传的文件超过 {settings.IMPORT_MAX_UPLOAD_MB} MB，请压缩或拆分后重试。"
    assert message in (DEPLOY / "nginx.conf").read_text(encoding="utf-8")


def test_nginx_conf_waits_longer_than_the_pdf_render_limit():
    limit = settings.PDF_RENDER_TIMEOUT_SECONDS
    assert seconds(nginx_value("proxy_read_timeout")) > limit
    assert seconds(nginx_value("proxy_send_timeout")) > limit


def test_nginx_conf_tells_django_the_scheme_and_redirects_to_https():
    conf = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")

    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "return 301 https://$host$request_uri;" in conf
    assert re.search(r"listen 443 ssl", conf)
    assert read_env_file(DEPLOY / "jobdesc.env.example")["SECURE_PROXY_SSL_HEADER"] == (
        "X-Forwarded-Proto"
    )


def run_check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(DEPLOY / "check"), *args],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_nginx_accepts_nginx_conf():
    result = run_check("nginx")

    assert result.returncode == 0, result.stderr
    assert "deploy/nginx.conf (in a test nginx.conf) test is successful" in result.stdout


def test_deploy_check_systemd_accepts_the_units():
    result = run_check("systemd")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "systemd units OK: jobdesc-web.service jobdesc-worker@.service"
    )


@pytest.fixture
def broken_copy(tmp_path):
    copy = tmp_path / "deploy"
    shutil.copytree(DEPLOY, copy)
    return copy


def test_deploy_check_systemd_refuses_an_unknown_key(broken_copy):
    """systemd-analyze itself exits 0 here ("ignoring"); the check fails on any output."""
    unit = broken_copy / "jobdesc-worker@.service"
    unit.write_text(unit.read_text().replace("Restart=always", "Restartt=always"))

    result = run_check("systemd", str(broken_copy))

    assert result.returncode == 1
    assert "Unknown key 'Restartt' in section [Service], ignoring." in result.stderr


def test_deploy_check_systemd_refuses_a_missing_program(broken_copy):
    unit = broken_copy / "jobdesc-web.service"
    unit.write_text(unit.read_text().replace(".venv/bin/gunicorn", ".venv/bin/gunicorm"))

    result = run_check("systemd", str(broken_copy))

    assert result.returncode == 1
    assert "gunicorm is not executable: No such file or directory" in result.stderr


def test_deploy_check_nginx_refuses_a_misspelt_directive(broken_copy):
    conf = broken_copy / "nginx.conf"
    conf.write_text(conf.read_text().replace("proxy_read_timeout", "proxy_read_timout"))

    result = run_check("nginx", str(broken_copy))

    assert result.returncode == 1
    assert 'unknown directive "proxy_read_timout"' in result.stderr


def gunicorn_conf() -> dict:
    return runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))


@pytest.mark.parametrize(("content", "expected"), [("1\n", True), ("0\n", False), ("2\n", False)])
def test_gunicorn_conf_reuse_port_follows_the_kernels_migrate_setting(tmp_path, content, expected):
    setting = tmp_path / "tcp_migrate_req"
    setting.write_text(content)
    assert gunicorn_conf()["kernel_migrates_requests"](setting) is expected


def test_gunicorn_conf_without_the_setting_shares_one_socket(tmp_path):
    # An older kernel (before 5.14) has no tcp_migrate_req: the workers share one socket.
    assert gunicorn_conf()["kernel_migrates_requests"](tmp_path / "missing") is False


def test_gunicorn_conf_reuse_port_is_what_this_kernel_says():
    setting = gunicorn_conf()["MIGRATE_REQ"]
    migrates = setting.exists() and setting.read_text().strip() == "1"
    assert gunicorn_conf()["reuse_port"] is migrates


def test_sysctl_file_sets_what_gunicorn_conf_reads():
    lines = [
        line.split("=")
        for line in (DEPLOY / "sysctl-jobdesc.conf").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert [(key.strip(), value.strip()) for key, value in lines] == [
        ("net.ipv4.tcp_migrate_req", "1")
    ]
    assert str(gunicorn_conf()["MIGRATE_REQ"]) == "/proc/sys/net/ipv4/tcp_migrate_req"


def test_gunicorn_conf_address_taken_sees_a_listening_server():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert gunicorn_conf()["address_taken"]("127.0.0.1", port) is True
    assert gunicorn_conf()["address_taken"]("127.0.0.1", port) is False


def test_gunicorn_with_a_socket_per_worker_refuses_to_start_beside_another_server():
    # With reuse_port a second gunicorn would bind too and take part of the connections.
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        done = subprocess.run(
            [
                str(PROJECT / ".venv" / "bin" / "gunicorn"),
                "-c",
                "deploy/gunicorn.conf.py",
                "--reuse-port",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode != 0
    assert f"127.0.0.1:{port} 已有服务在监听（另一个 gunicorn？），未启动。" in done.stderr

"""The production configuration as a server runs it: the documented variables
(deploy/jobdesc.env.example), `collectstatic`, and gunicorn with deploy/gunicorn.conf.py,
reached over HTTP as nginx would (X-Forwarded-Proto). Nothing is mocked.

The database is a fresh SQLite file without its tables (nobody ran `migrate`): static files
need no database, and any page that reads the session fails — a real 500 to find in the log.
"""

import http.client
import json
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from jobdesc.tests.test_deploy import PROJECT, production_environment
from jobdesc.tests.test_settings import start
from positions.tests.text import html_text


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    port: int
    static_root: Path
    stdout: Path
    stderr: Path

    def get(self, path: str, *, https: bool = True, **headers: str):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        if https:
            headers["X-Forwarded-Proto"] = "https"
        connection.request("GET", path, headers={"Host": "127.0.0.1", **headers})
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response, body

    def hashed(self, name: str) -> str:
        manifest = json.loads((self.static_root / "staticfiles.json").read_text())
        return manifest["paths"][name]

    def log(self, which: str = "stdout") -> str:
        return getattr(self, which).read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("production")
    env = production_environment(
        folder,
        ALLOWED_HOSTS="127.0.0.1",
        # No mail server here: 500s only go to the log.
        ADMINS="",
        EMAIL_HOST="",
        WEB_CONCURRENCY="1",
        PDF_RENDER_TIMEOUT_SECONDS="0",
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=PROJECT,
        env=env,
        check=True,
        timeout=600,
    )
    port = free_port()
    stdout, stderr = folder / "stdout.log", folder / "stderr.log"
    with stdout.open("w") as out, stderr.open("w") as err:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"),
                *("--bind", f"127.0.0.1:{port}", "--access-logfile", str(folder / "access.log")),
            ],
            cwd=PROJECT,
            env=env,
            stdout=out,
            stderr=err,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not start:\n{stderr.read_text()}")
                time.sleep(0.2)
        yield Server(port, folder / "static", stdout, stderr)
    finally:
        process.terminate()
        process.wait(timeout=60)


def test_production_login_page_links_hashed_static_files(server):
    response, body = server.get("/accounts/login/")

    assert response.status == 200
    html = body.decode()
    assert "登录" in html_text(html)
    stylesheet = server.hashed("vendor/bootstrap/css/bootstrap.min.css")
    assert stylesheet != "vendor/bootstrap/css/bootstrap.min.css"
    assert f'href="/static/{stylesheet}"' in html
    assert f'src="/static/{server.hashed("vendor/bootstrap/js/bootstrap.bundle.min.js")}"' in html


def test_production_whitenoise_serves_hashed_static_file(server):
    name = server.hashed("css/sheet.css")

    response, body = server.get(f"/static/{name}")

    assert response.status == 200
    assert response.getheader("Content-Type") == 'text/css; charset="utf-8"'
    assert response.getheader("Cache-Control") == "max-age=315360000, public, immutable"
    assert body == (server.static_root / name).read_bytes()
    assert b"@page" in body


def test_production_whitenoise_serves_compressed_copy(server):
    name = server.hashed("vendor/bootstrap/css/bootstrap.min.css")

    response, body = server.get(f"/static/{name}", **{"Accept-Encoding": "br, gzip"})

    assert response.status == 200
    assert response.getheader("Content-Encoding") == "br"
    assert body == (server.static_root / f"{name}.br").read_bytes()
    assert len(body) < (server.static_root / name).stat().st_size / 4


def test_production_collects_hashed_names_only_and_leaves_unused_bundles_out(server):
    collected = {
        p.relative_to(server.static_root).as_posix() for p in server.static_root.rglob("*")
    }
    manifest = json.loads((server.static_root / "staticfiles.json").read_text())["paths"]

    assert manifest["css/sheet.css"] in collected
    assert "css/sheet.css" not in collected  # WHITENOISE_KEEP_ONLY_HASHED_FILES
    assert manifest["admin/js/core.js"] in collected  # the apps' files are collected...
    assert not any(
        name.startswith(("rest_framework/", "drf_spectacular_sidecar/redoc/")) for name in manifest
    )
    assert any(name.startswith("drf_spectacular_sidecar/swagger-ui-dist/") for name in manifest)


def test_production_source_map_is_served_but_not_compressed(server):
    name = server.hashed("vendor/bootstrap/css/bootstrap.min.css.map")

    response, body = server.get(f"/static/{name}", **{"Accept-Encoding": "br, gzip"})

    assert response.status == 200
    assert response.getheader("Content-Encoding") is None
    assert body == (server.static_root / name).read_bytes()
    assert not (server.static_root / f"{name}.br").exists()
    assert not (server.static_root / f"{name}.gz").exists()
    stylesheet = server.static_root / server.hashed("vendor/bootstrap/css/bootstrap.min.css")
    assert f"sourceMappingURL={name.rsplit('/', 1)[1]}" in stylesheet.read_text()


def test_production_unknown_static_file_is_chinese_404(server):
    response, body = server.get("/static/css/no-such-file.css")

    assert response.status == 404
    assert "页面不存在" in html_text(body.decode())


def test_production_500_is_logged_to_stdout_with_traceback(server):
    response, body = server.get("/", Cookie="sessionid=" + "a" * 32)

    assert response.status == 500
    assert "错误代码 500 服务器出错" in html_text(body.decode())
    log = server.log("stdout")
    assert "ERROR django.request" in log
    assert "Internal Server Error: /" in log
    assert "Traceback (most recent call last):" in log
    assert "sqlite3.OperationalError: no such table: django_session" in log


def test_production_http_request_is_redirected_to_https(server):
    response, _ = server.get("/accounts/login/", https=False)

    assert response.status == 301
    assert response.getheader("Location") == "https://127.0.0.1/accounts/login/"


def test_production_https_response_carries_security_headers(server):
    response, _ = server.get("/accounts/login/")

    assert response.getheader("Strict-Transport-Security") == (
        "max-age=31536000; includeSubDomains; preload"
    )
    policy = response.getheader("Content-Security-Policy")
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.getheader("X-Frame-Options") == "DENY"
    cookies = response.getheader("Set-Cookie")
    assert "csrftoken=" in cookies and "Secure" in cookies


def test_production_500_mails_traceback_to_admins(client, settings, mailoutbox):
    settings.DEBUG = False
    settings.ADMINS = [("IT 值班", "it@example.com")]
    client.raise_request_exception = False
    client.cookies["sessionid"] = "a" * 32  # reading the session needs the database: refused

    response = client.get("/")

    assert response.status_code == 500
    (mail,) = mailoutbox
    assert mail.to == ["it@example.com"]
    assert "Internal Server Error: /" in mail.subject
    assert "Traceback (most recent call last):" in mail.body
    assert "Database access not allowed" in mail.body


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"HTTPS": "sometimes"}, "Environment variable HTTPS='sometimes' is not a boolean"),
        (
            {"SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto: https"},
            "Environment variable SECURE_PROXY_SSL_HEADER='X-Forwarded-Proto: https' is not an "
            "HTTP header name",
        ),
        (
            {"CSRF_TRUSTED_ORIGINS": "jobdesc.example.com"},
            "Environment variable CSRF_TRUSTED_ORIGINS has jobdesc.example.com without http:// "
            "or https://",
        ),
        (
            {"ADMINS": "it-at-example.com"},
            "Environment variable ADMINS='it-at-example.com' is not a list of e-mail addresses",
        ),
        ({"LOG_LEVEL": "LOUD"}, "Environment variable LOG_LEVEL='LOUD' is not one of DEBUG"),
        (
            {"SECURE_HSTS_SECONDS": "-1"},
            "Environment variable SECURE_HSTS_SECONDS='-1' must be ≥ 0",
        ),
    ],
)
def test_production_bad_value_stops_startup_naming_the_variable(env, message):
    result = start(DEBUG="1", **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr

"""Benchmark: signing in with the company directory, and how soon the login page answers when
the directory is down or hangs.

Against a real slapd started for the run (``people/tests/slapd.py``, the test directory), on a
throw-away test database, through the Django test client (a full POST of the login form):

* a directory sign-in (search, bind as the person, group search, roles) — median;
* a local account's sign-in with the directory configured (it never asks the directory);
* the directory stopped: the answer (「无法连接公司目录…」) comes at once (connection refused);
* the directory hung (the port accepts, nothing answers): the answer comes after LDAP_TIMEOUT.

Targets (2-core machine): directory sign-in ≤ 0.5 s; stopped ≤ 0.5 s; hung ≤ LDAP_TIMEOUT + 1 s.

    DEBUG=1 .venv/bin/python bench/directory.py [--runs 7] [--timeout 2] [--smoke]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SIGN_IN_S = 0.5
TARGET_REFUSED_S = 0.5
SMOKE = False  # --smoke (CI): one run each, LDAP_TIMEOUT 1, no targets


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobdesc.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()


def _median(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _line(label: str, seconds: float, target: float | None) -> None:
    goal = "" if SMOKE or target is None else f"  目标 ≤ {target:.1f} s"
    verdict = "" if SMOKE or target is None else ("  ok" if seconds <= target else "  超出目标")
    print(f"{label:<34} {seconds * 1000:8.0f} ms{goal}{verdict}")


def _measure(server, runs: int, timeout: int) -> None:
    from axes.models import AccessAttempt
    from django.test import Client

    from people.services.directory import DIRECTORY_UNREACHABLE
    from people.tests.slapd import PASSWORD
    from positions.tests.factories import UserFactory

    UserFactory(username="local-admin", is_superuser=True, is_staff=True)

    def post(username: str, password: str, expect: str | None = None) -> None:
        AccessAttempt.objects.all().delete()
        response = Client().post("/accounts/login/", {"username": username, "password": password})
        if expect is None:
            assert response.status_code == 302, response.content.decode()[:500]
        else:
            assert expect in response.content.decode(), response.content.decode()[:500]

    post("zhangsan", PASSWORD)  # the first sign-in creates the account; then time the others
    _line("目录账号登录", _median(lambda: post("zhangsan", PASSWORD), runs), TARGET_SIGN_IN_S)
    _line(
        "本地账号登录（目录已配置）",
        _median(lambda: post("local-admin", "jobdesc-pass-123"), runs),
        TARGET_SIGN_IN_S,
    )
    server.stop()
    try:
        refused = _median(lambda: post("zhangsan", PASSWORD, DIRECTORY_UNREACHABLE), runs)
        _line("目录已停止：提示出现", refused, TARGET_REFUSED_S)
        _line(
            "目录已停止：本地账号登录",
            _median(lambda: post("local-admin", "jobdesc-pass-123"), runs),
            TARGET_SIGN_IN_S,
        )
    finally:
        server.start()
    server.freeze()
    try:
        hung = _median(
            lambda: post("zhangsan", PASSWORD, DIRECTORY_UNREACHABLE), max(1, min(runs, 3))
        )
        _line(f"目录无响应（LDAP_TIMEOUT={timeout}）：提示出现", hung, timeout + 1.0)
    finally:
        server.thaw()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per measurement")
    parser.add_argument("--timeout", type=int, default=2, help="LDAP_TIMEOUT (seconds)")
    parser.add_argument("--smoke", action="store_true", help="CI: 1 run, no targets")
    args = parser.parse_args()
    if args.smoke:
        global SMOKE
        SMOKE = True
        args.runs, args.timeout = 1, 1
    _setup_django()
    from django.test.utils import (
        override_settings,
        setup_databases,
        setup_test_environment,
        teardown_databases,
    )

    from jobdesc import settings as jobdesc_settings
    from people.tests.slapd import DirectoryServer, directory_environment

    with tempfile.TemporaryDirectory(prefix="jobdesc-bench-slapd-") as folder:
        server = DirectoryServer(folder=Path(folder), base="dc=jobdesc-bench,dc=example,dc=com")
        server.configure()
        server.start()
        try:
            server.load()
            os.environ.update(directory_environment(server), LDAP_TIMEOUT=str(args.timeout))
            directory = jobdesc_settings.directory_settings()
            with override_settings(
                **directory,
                ALLOWED_HOSTS=["testserver", "localhost"],
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            ):
                setup_test_environment()
                names = setup_databases(verbosity=0, interactive=False)
                try:
                    _measure(server, args.runs, args.timeout)
                finally:
                    teardown_databases(names, verbosity=0)
        finally:
            server.stop()


if __name__ == "__main__":
    main()

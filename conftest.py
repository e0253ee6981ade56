"""Shared fixtures. The seed organisation is loaded once and shared (see ``seed``)."""

from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.signals import post_migrate
from django.test import override_settings

from positions.models import Department
from positions.permissions import HR_EDITOR, role_group
from positions.services import seed as seed_service
from positions.tests.factories import DepartmentFactory, UserFactory, create_role_groups
from printing.services import company
from scripts import seaweedfs

# The test directory (slapd) for the `ldap` tests: one per session, started on first use.
pytest_plugins = ["people.tests.slapd"]


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """Tests create many users; the production hasher's slowness is its point, not theirs.
    For the whole session, so that module-scoped fixtures' users (the permission matrix's) are
    made with it too (PBKDF2: 0.23 s of CPU per password)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


# --- what the data migrations made, after a transactional test's flush -------------------------
#
# The role groups (auth Group + Role rows) come from data migrations. A transactional test
# (browser, live_server) ends by flushing every table, which wipes them for the tests after it
# in the same process: with pytest-xdist (`make test`) a worker may run a transactional module
# and then ordinary ones. Django's flush sends ``post_migrate`` (as migrate does) unless
# inhibited, so a receiver connected for the test run only puts them back, as migrations left
# them. ``serialized_rollback`` cannot do it: Playwright's event loop gives the test's thread
# other connection objects than the ones serialized at set-up.


def _recreate_role_groups(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    if using == DEFAULT_DB_ALIAS:  # a migrate of another database makes them itself
        create_role_groups()


def pytest_configure(config):
    post_migrate.connect(_recreate_role_groups, sender=apps.get_app_config("positions"), weak=False)


@pytest.fixture
def user(db):
    return UserFactory(username="zhangsan")


@pytest.fixture
def staff_user(db):
    return UserFactory(username="hr", is_staff=True, is_superuser=True)


@pytest.fixture
def user_client(client, user):
    """A logged-in user with no role: reads published positions only."""
    client.force_login(user)
    return client


@pytest.fixture
def hr_user(db):
    """An unscoped HR editor: sees and edits everything, drafts and archived included."""
    user = UserFactory(username="hr-editor", first_name="王人事")
    user.groups.add(role_group(HR_EDITOR))
    return user


@pytest.fixture
def hr_client(client, hr_user):
    client.force_login(hr_user)
    return client


@pytest.fixture
def departments(db):
    """海峡集团 → 福州公司 (销售部 → 渠道组, 财务部) and 厦门公司, ordered by `order`.

    厦门公司 is created before 福州公司 so that tree order visibly follows `order`, not pk.
    """
    group = DepartmentFactory(name="海峡集团", code="HX", kind=Department.Kind.GROUP)
    xiamen = DepartmentFactory(
        name="厦门公司", code="XM", kind=Department.Kind.COMPANY, parent=group, order=2
    )
    fuzhou = DepartmentFactory(
        name="福州公司", code="FZ", kind=Department.Kind.COMPANY, parent=group, order=1
    )
    finance = DepartmentFactory(name="财务部", code="FZ-CW", parent=fuzhou, order=2)
    sales = DepartmentFactory(name="销售部", code="FZ-XS", parent=fuzhou, order=1)
    channel = DepartmentFactory(name="渠道组", code="FZ-XS-QD", parent=sales)
    return {
        "group": group,
        "fuzhou": fuzhou,
        "xiamen": xiamen,
        "sales": sales,
        "finance": finance,
        "channel": channel,
    }


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory):
    """Stored files (books, PDFs, uploads) go to a throw-away folder, never the project's."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fresh_company_profile():
    """The company profile is cached per process (its default name comes from the tree)."""
    company.forget_company_profile()
    yield
    company.forget_company_profile()


@pytest.fixture(autouse=True)
def fresh_cache():
    """Django's cache (rendered sheets keyed by version id, API throttle counts) starts empty:
    a rolled-back test's version ids are used again by the next test."""
    cache.clear()
    yield
    cache.clear()


# --- the shared seed organisation ------------------------------------------------------------
#
# Loading fixtures/seed.json (with its first revisions, V1 versions and search index) takes
# about half a second. Tests that ask for ``seed`` share one load: ``_seed_layer`` opens a
# transaction, loads the seed and keeps the transaction open; each test's own ``db``
# transaction nests inside it as a savepoint, so whatever a test writes rolls back and the next
# test sees the pristine seed; the layer is rolled back when the module is done. Tests that do
# not ask for ``seed`` must never see it (many build their own small organisation with clashing
# codes): ``pytest_collection_modifyitems`` runs a module's seeded tests after its other tests,
# so that each module loads the seed once, and ``pytest_runtest_setup`` rolls the layer back
# should any other test still come after them.
# Transactional (browser, live_server) tests cannot nest in a transaction: they load the seed
# themselves.


class SeedLayer:
    def __init__(self) -> None:
        self._atomic = None
        self._blocker = None

    @property
    def is_open(self) -> bool:
        return self._atomic is not None

    def open(self, django_db_blocker) -> None:
        if self.is_open:
            return
        with django_db_blocker.unblock():
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                seed_service.load_seed()
            except BaseException:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
                raise
        self._atomic, self._blocker = atomic, django_db_blocker
        company.forget_company_profile()

    def close(self) -> None:
        if not self.is_open:
            return
        atomic, self._atomic = self._atomic, None
        with self._blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
        company.forget_company_profile()


_seed_layer_state = SeedLayer()


def _uses_seed(item: pytest.Item) -> bool:
    return "_seed_layer" in getattr(item, "fixturenames", ())


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    return bool(
        (marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
        or "transactional_db" in names
        or "live_server" in names
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Within each run of one module's tests (after pytest-django's own ordering), the tests
    that use the shared seed go last, so the seed is loaded once per module at most. In a
    pytest-xdist process the modules come heaviest first (see ``_module_seconds``)."""
    runs: list[list[pytest.Item]] = []
    for item in items:
        if runs and runs[-1][0].module is getattr(item, "module", None):
            runs[-1].append(item)
        else:
            runs.append([item])
    if os.environ.get("PYTEST_XDIST_WORKER"):
        weight = _module_seconds(items)
        runs.sort(key=lambda run: -weight[_module_of(run[0])])  # stable
    items[:] = [item for run in runs for item in sorted(run, key=_uses_seed)]


BROWSER_TESTS = "positions/tests/browser/"


def _module_of(item_or_nodeid: pytest.Item | str) -> str:
    """The test module's path of a test (``positions/tests/test_x.py``), as xdist's loadfile
    groups them."""
    nodeid = item_or_nodeid if isinstance(item_or_nodeid, str) else item_or_nodeid.nodeid
    return nodeid.split("::", 1)[0]


def pytest_xdist_make_scheduler(config, log):
    """With --dist loadfile: the browser modules are one unit of work, run by one process after
    the other, while the other processes run the rest. A browser test waits on Chromium for
    much of its time; two of them at once, each with its own Chromium, only slowed each other
    down (the browser tests alone: 85 s in two processes at 105 % CPU)."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling  # noqa: PLC0415 — only with pytest-xdist

    class OneBrowserAtATime(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = _module_of(nodeid)
            return BROWSER_TESTS if module.startswith(BROWSER_TESTS) else module

    return OneBrowserAtATime(config, log)


# pytest-xdist (--dist loadfile, --no-loadscope-reorder in pytest.ini) hands each process the
# next module in collection order as it finishes one. With the modules heaviest first, the last
# ones are short and both processes end together; in plain order a browser module that comes
# last keeps one process busy for half a minute while the other has finished. The seconds are
# a recent run's (.ci/test-durations.json, `make test-durations`); a module not in it counts
# 0.02 s per test.
DURATIONS_FILE = Path(__file__).resolve().parent / ".ci" / "test-durations.json"


def _module_seconds(items: list[pytest.Item]) -> Counter[str]:
    try:
        known = json.loads(DURATIONS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    weight: Counter[str] = Counter()
    for item in items:
        module = _module_of(item)
        if module not in known:
            weight[module] += 0.02
    for module, seconds in known.items():
        if isinstance(seconds, int | float):
            weight[module] = seconds
    return weight


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if _uses_seed(item):
        if _is_transactional(item):
            raise pytest.UsageError(
                f"{item.nodeid}: a transactional test cannot use the shared seed; "
                "call seed_service.load_seed() in its own fixture"
            )
    else:
        _seed_layer_state.close()


@pytest.fixture(scope="module")
def _seed_layer(django_db_setup, django_db_blocker):
    _seed_layer_state.open(django_db_blocker)
    yield _seed_layer_state
    _seed_layer_state.close()


@pytest.fixture
def seed(_seed_layer, db):
    """The seed organisation (fixtures/seed.json: 集团公司, 福州项目公司 → 销售部 …), loaded
    once and shared; what the test changes is rolled back after it."""
    assert _seed_layer.is_open


# --- the S3 object store (tests marked ``s3``) --------------------------------------------------
#
# A real S3 server, SeaweedFS: the one `.ci/run` started (SEAWEEDFS_S3_* variables, from
# .ci/services.d/seaweedfs), else one of our own for the session, started the same way
# (scripts/seaweedfs.py), so `make test` alone works on a fresh machine. One bucket per suite
# (CI_SUITE), and every test stores under a key prefix of its own.


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    if os.environ.get(seaweedfs.ENDPOINT):
        yield seaweedfs.SeaweedFS(
            endpoint=os.environ[seaweedfs.ENDPOINT],
            access_key=os.environ[seaweedfs.ACCESS_KEY],
            secret_key=os.environ[seaweedfs.SECRET_KEY],
            pid=0,
        )
        return
    server = seaweedfs.start(tmp_path_factory.mktemp("seaweedfs"))
    yield server
    seaweedfs.stop(server.pid)


@pytest.fixture(scope="session")
def s3_bucket(s3_server) -> str:
    return s3_server.ensure_bucket(f"jobdesc-test-{os.environ.get('CI_SUITE') or 'local'}")


def s3_storage_setting(endpoint: str, access_key: str, secret_key: str, bucket: str) -> dict:
    """STORAGES["default"] as jobdesc/settings.py builds it from the S3_* variables."""
    return {
        "BACKEND": "jobdesc.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "access_key": access_key,
            "secret_key": secret_key,
            "region_name": "us-east-1",
            "location": f"tests/{uuid.uuid4().hex}",
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
            "connect_timeout": 2,
            "read_timeout": 10,
            "max_attempts": 2,
        },
    }


@pytest.fixture
def s3_storage(settings, s3_server, s3_bucket):
    """This test's default storage is the S3 bucket (under a prefix of its own)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage_setting(
            s3_server.endpoint, s3_server.access_key, s3_server.secret_key, s3_bucket
        ),
    }
    return settings.STORAGES["default"]


@pytest.fixture
def s3_unreachable(settings):
    """This test's default storage is an S3 endpoint where nothing listens (a closed port)."""
    (port,) = seaweedfs.free_ports(1)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage_setting(
            f"http://127.0.0.1:{port}", "jobdesc-test", "no-secret", "jobdesc-test-unreachable"
        ),
    }
    return settings.STORAGES["default"]


# --- static files --------------------------------------------------------------------------------


@pytest.fixture(autouse=True, scope="session")
def unhashed_static_files():
    """Production serves the hashed names of `collectstatic`'s manifest (WhiteNoise); tests
    render pages without collecting, so they link the plain names, found by the finders.
    jobdesc/tests/test_production.py collects and serves the real thing."""
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}):
        yield

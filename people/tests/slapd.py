"""A real OpenLDAP directory for the ``ldap`` tests: our own slapd, never the system service.

``directory_server`` (session scope, registered by the top-level ``conftest.py``) builds a
cn=config with ``slapadd -n0`` (core, cosine, inetorgperson and the AD-like schema of
``directory/ad-schema.ldif``; an mdb database; the password policy overlay locking an account
after ``LOCKOUT_THRESHOLD`` wrong passwords in a row, as AD's lockout threshold does), starts
``slapd -h ldap://127.0.0.1:<free port>/ -F <tmp>/slapd.d`` in the foreground and loads
``directory/tree.ldif`` with ``ldapadd``. One slapd per test session; each suite (``CI_SUITE``)
gets its own base DN, so suites running side by side never share a tree.

Tests may stop the server (``stop()``: connection refused) or freeze it (``freeze()``: the
port accepts connections and never answers, as a hung domain controller does) and must bring
it back (``start()``, ``thaw()``), which the ``directory_down`` fixture of the tests does.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import ldap
import pytest

from jobdesc import settings as jobdesc_settings

HERE = Path(__file__).resolve().parent / "directory"
SCHEMA_DIR = Path("/etc/ldap/schema")
MODULE_DIR = Path("/usr/lib/ldap")
PASSWORD = "Ad-pass-2026!"  # every directory account's password (tree.ldif)
ROOT_PASSWORD = "root-secret"
START_SECONDS = 15
LOCKOUT_THRESHOLD = 6  # the directory's (ppolicy pwdMaxFailure, tree.ldif)
# Debian installs the daemon and slapadd in /usr/sbin, which a non-root PATH may lack.
SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SLAPADD = shutil.which("slapadd") or "/usr/sbin/slapadd"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _config_ldif(folder: Path, base: str) -> str:
    includes = "\n".join(
        f"include: file://{SCHEMA_DIR / name}.ldif" for name in ("core", "cosine", "inetorgperson")
    )
    return f"""\
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: {folder}/slapd.pid

dn: cn=module{{0}},cn=config
objectClass: olcModuleList
cn: module{{0}}
olcModulePath: {MODULE_DIR}
olcModuleLoad: back_mdb
olcModuleLoad: ppolicy

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

{includes}
include: file://{HERE / "ad-schema.ldif"}

dn: olcDatabase={{-1}}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {{-1}}frontend

dn: olcDatabase={{0}}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {{0}}config
olcAccess: {{0}}to * by * none

dn: olcDatabase={{1}}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {{1}}mdb
olcDbDirectory: {folder}/data
olcDbMaxSize: 67108864
olcSuffix: {base}
olcRootDN: cn=root,{base}
olcRootPW: {ROOT_PASSWORD}
olcAccess: {{0}}to attrs=userPassword by anonymous auth by * none
olcAccess: {{1}}to * by dn.exact="cn=svc-jobdesc,ou=service,{base}" read by self read by * none

dn: olcOverlay={{0}}ppolicy,olcDatabase={{1}}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcPPolicyConfig
olcOverlay: {{0}}ppolicy
olcPPolicyDefault: cn=lockout,ou=policies,{base}
"""


@dataclass
class DirectoryServer:
    folder: Path
    base: str
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen | None = None

    @property
    def uri(self) -> str:
        return f"ldap://127.0.0.1:{self.port}/"

    @property
    def root_dn(self) -> str:
        return f"cn=root,{self.base}"

    @property
    def bind_dn(self) -> str:
        return f"cn=svc-jobdesc,ou=service,{self.base}"

    def dn(self, rdn: str) -> str:
        return f"{rdn},{self.base}"

    # --- life cycle --------------------------------------------------------------------------

    def configure(self) -> None:
        (self.folder / "data").mkdir(parents=True)
        (self.folder / "slapd.d").mkdir()
        ldif = self.folder / "config.ldif"
        ldif.write_text(_config_ldif(self.folder, self.base), encoding="utf-8")
        subprocess.run(
            [SLAPADD, "-n0", "-F", str(self.folder / "slapd.d"), "-l", str(ldif)],
            check=True,
            capture_output=True,
            timeout=30,
        )

    def start(self) -> None:
        self.process = subprocess.Popen(
            [SLAPD, "-h", self.uri, "-F", str(self.folder / "slapd.d"), "-d", "0"],
            stdout=subprocess.DEVNULL,
            stderr=(self.folder / "slapd.log").open("ab"),
        )
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                self.root_connection().unbind_s()
                return
            except ldap.SERVER_DOWN:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = (self.folder / "slapd.log").read_text(errors="replace")
                    raise RuntimeError(f"slapd did not start on {self.uri}:\n{log}") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def freeze(self) -> None:
        """The server hangs: its port still accepts connections, nothing is answered."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def load(self) -> None:
        tree = (HERE / "tree.ldif").read_text(encoding="utf-8")
        tree = tree.replace("{base}", self.base).replace("{password}", PASSWORD)
        tree = tree.replace("{dc}", self.base.split(",")[0].removeprefix("dc="))
        subprocess.run(
            ["ldapadd", "-x", "-H", self.uri, "-D", self.root_dn, "-w", ROOT_PASSWORD],
            input=tree.encode(),
            check=True,
            capture_output=True,
            timeout=30,
        )

    # --- changing the tree in a test ---------------------------------------------------------

    def root_connection(self) -> ldap.ldapobject.LDAPObject:
        connection = ldap.initialize(self.uri)
        connection.set_option(ldap.OPT_NETWORK_TIMEOUT, 5)
        connection.simple_bind_s(self.root_dn, ROOT_PASSWORD)
        return connection

    def bind(self, dn: str, password: str) -> None:
        """Bind as ``dn`` (ldap.INVALID_CREDENTIALS when refused) and unbind."""
        connection = ldap.initialize(self.uri)
        connection.set_option(ldap.OPT_NETWORK_TIMEOUT, 5)
        try:
            connection.simple_bind_s(dn, password)
        finally:
            connection.unbind_s()

    def locked_out(self, dn: str) -> bool:
        """Whether the password policy has locked the account (pwdAccountLockedTime)."""
        connection = self.root_connection()
        try:
            [(_, attrs)] = connection.search_s(dn, ldap.SCOPE_BASE, attrlist=["+"])
        finally:
            connection.unbind_s()
        return "pwdAccountLockedTime" in attrs

    def modify(self, dn: str, changes: list[tuple[int, str, list[bytes] | None]]) -> None:
        connection = self.root_connection()
        try:
            connection.modify_s(dn, changes)
        finally:
            connection.unbind_s()


@pytest.fixture(scope="session")
def directory_server(tmp_path_factory) -> DirectoryServer:
    if not (Path(SLAPD).exists() and Path(SLAPADD).exists() and shutil.which("ldapadd")):
        pytest.fail("slapd or ldapadd not found: run `make test` to install slapd and ldap-utils")
    suite = os.environ.get("CI_SUITE", "local")
    server = DirectoryServer(
        folder=tmp_path_factory.mktemp("slapd"), base=f"dc=jobdesc-{suite},dc=example,dc=com"
    )
    server.configure()
    for attempt in range(3):
        try:
            server.start()
            break
        except RuntimeError:  # the free port was taken meanwhile (suites run side by side)
            if attempt == 2:
                raise
            server.port = _free_port()
    try:
        server.load()
        yield server
    finally:
        server.stop()


def directory_environment(server: DirectoryServer) -> dict[str, str]:
    """The LDAP_* variables of a deployment using ``server`` (README: 连接 Active Directory)."""
    return {
        "LDAP_SERVER_URI": server.uri,
        "LDAP_BIND_DN": server.bind_dn,
        "LDAP_BIND_PASSWORD": PASSWORD,
        "LDAP_USER_SEARCH_BASE": server.dn("ou=users"),
        "LDAP_GROUP_SEARCH_BASE": server.dn("ou=groups"),
        "LDAP_GROUP_ROLE_MAP": (
            f"{server.dn('cn=jobdesc-hr,ou=groups')}=hr_editor;"
            f"{server.dn('cn=jobdesc-managers,ou=groups')}=manager"
        ),
        "LDAP_EMPLOYEE_ID_ATTR": "employeeID",
        "LDAP_TIMEOUT": "2",
        "LDAP_LOCKOUT_THRESHOLD": str(LOCKOUT_THRESHOLD),
    }


@pytest.fixture
def ldap_directory(directory_server, settings, monkeypatch) -> DirectoryServer:
    """Sign-in with the test directory switched on, configured as a deployment is: the LDAP_*
    variables, read by ``jobdesc.settings.directory_settings`` into the settings (restored after
    the test by pytest-django's ``settings``)."""
    for name, value in directory_environment(directory_server).items():
        monkeypatch.setenv(name, value)
    for name, value in jobdesc_settings.directory_settings().items():
        setattr(settings, name, value)
    return directory_server

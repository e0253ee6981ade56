"""The company directory as an authentication backend (django-auth-ldap, python-ldap).

``DirectoryBackend`` comes after the local password check in AUTHENTICATION_BACKENDS (only when
LDAP_SERVER_URI is set; see jobdesc/settings.py): it finds the person with the service account
(LDAP_USER_FILTER, never a disabled AD account), binds as them with the typed password, and
signs them in to the account ``people.services.directory`` chooses by their 工号, with the roles
their directory groups grant (a change of roles is recorded in the audit trail, 角色变更).

When the directory does not answer (down, refused, or beyond LDAP_TIMEOUT) django-auth-ldap
reports the error through its ``ldap_error`` signal; ``note_directory_error`` marks the request,
and the login form says so (``DIRECTORY_UNREACHABLE``) instead of "wrong password".
"""

from __future__ import annotations

import ldap
from django.conf import settings
from django.db import transaction
from django_auth_ldap.backend import LDAPBackend

from audit import services as audit
from people.services import directory

# python-ldap's errors that mean "no answer", not "wrong answer".
UNREACHABLE = (ldap.SERVER_DOWN, ldap.TIMEOUT, ldap.CONNECT_ERROR)


class DirectoryBackend(LDAPBackend):
    """django-auth-ldap's backend, with jobdesc's accounts (by 工号) and roles (by group)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.DIRECTORY_ENABLED:
            return None
        with transaction.atomic():
            user = super().authenticate(request, username=username, password=password, **kwargs)
            if user is None:
                return None
            try:
                group_dns = set(user.ldap_user.group_dns)
            except ldap.LDAPError as error:
                note_directory_error(None, request=request, exception=error)
                transaction.set_rollback(True)
                return None
            added, removed = directory.directory_signed_in(user, group_dns=group_dns)
            if added or removed:  # the audit trail's 角色变更, as when granted in the admin
                audit.record(
                    audit.Action.ROLE_CHANGE,
                    request=request,
                    user=user,
                    obj=user,
                    details={"added": sorted(added), "removed": sorted(removed)},
                )
        return user

    def get_or_build_user(self, username, ldap_user):
        values = (ldap_user.attrs or {}).get(settings.LDAP_EMPLOYEE_ID_ATTR) or [""]
        try:
            return directory.account_for(values[0])
        except directory.DirectoryRefused as refusal:
            raise ldap_user.AuthenticationFailed(str(refusal)) from None

    # Permissions come from positions.permissions alone (positions.backends), never from
    # directory groups.
    def get_group_permissions(self, user, obj=None):
        return set()

    def has_perm(self, user, perm, obj=None):
        return False

    def has_module_perms(self, user, app_label):
        return False


def note_directory_error(sender, request=None, exception=None, **kwargs) -> None:
    """django-auth-ldap's ``ldap_error`` signal: remember an unreachable directory."""
    if isinstance(exception, UNREACHABLE):
        directory.mark_unreachable(request)


def attempt_not_counted(request, credentials=None) -> bool:
    """django-axes' AXES_WHITELIST_CALLABLE: an attempt the directory could not check is no
    failed guess, so an outage never locks people out once the directory is back."""
    return directory.was_unreachable(request)


def lockout_username(request, credentials=None) -> str | None:
    """django-axes' AXES_USERNAME_CALLABLE: the directory finds ``ZhangSan``, ``zhangsan`` and
    `` zhangsan `` alike, so they share one failure count — otherwise every spelling would bring
    its own failures to the directory and lock the account there."""
    source = credentials or getattr(request, "data", request.POST)
    username = source.get("username")
    return username.strip().casefold() if isinstance(username, str) else username

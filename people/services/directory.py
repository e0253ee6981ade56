"""Signing in with the company directory (LDAP / Active Directory): which account, which roles.

django-auth-ldap (``people/directory.py``) checks the password against the directory and asks
this module which jobdesc account the person is, by the 工号 the directory carries:

1. the account of the employee with that 工号 — the roster's (username = 工号), the demo's, any;
2. else the account named by the 工号, with no employee record yet;
3. else a new account named by the 工号 (it links to the employee HR hires under that 工号).

A superuser's account is never taken over by the directory, nor an account deactivated in
jobdesc (离职): ``permissions.directory_may_sign_in``. After the directory accepted the
password, ``directory_signed_in`` makes the account directory-only (no local password) and
sets the roles the directory's groups grant (``settings.LDAP_GROUP_ROLES``), added and removed
at every sign-in; roles no group maps stay as jobdesc set them, and HR 编辑范围 stays in
jobdesc.

An account the directory creates has no employee record and, outside the mapped groups, no
role (it reads what an 员工 reads): any HR editor links it to the employee in the admin
(员工 → 增加, 登录账号), as with an account made there by hand.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User
from django.db import transaction
from django.http import HttpRequest

from people.services.accounts import set_roles
from positions import permissions
from positions.models import Employee

# What the login page says when the directory does not answer (down, or beyond LDAP_TIMEOUT).
DIRECTORY_UNREACHABLE = "无法连接公司目录，请稍后再试或联系 IT"
_UNREACHABLE_FLAG = "_directory_unreachable"


class DirectoryRefused(Exception):
    """The directory accepted the password, but jobdesc will not sign this person in."""


def account_for(employee_no: str) -> tuple[User, bool]:
    """The account a directory person with 工号 ``employee_no`` signs in to, and whether it is
    new (unsaved: django-auth-ldap saves it after filling in name and e-mail)."""
    employee_no = employee_no.strip()
    if not employee_no:
        raise DirectoryRefused("the directory entry carries no 工号")
    employee = Employee.objects.select_related("user").filter(employee_no=employee_no).first()
    user = employee.user if employee else User.objects.filter(username=employee_no).first()
    if user is None:
        return User(username=employee_no), True
    if not permissions.directory_may_sign_in(user):
        raise DirectoryRefused(f"{user.username}: a superuser's or a deactivated account")
    return user, False


def directory_roles(group_dns: set[str]) -> set[str]:
    """The role codes the directory groups ``group_dns`` grant (LDAP_GROUP_ROLE_MAP)."""
    groups = {dn.lower() for dn in group_dns}
    return {code for dn, code in settings.LDAP_GROUP_ROLES.items() if dn in groups}


@transaction.atomic
def directory_signed_in(
    user: AbstractBaseUser, *, group_dns: set[str]
) -> tuple[set[str], set[str]]:
    """The directory accepted ``user``'s password: directory-only password, the directory's
    roles. Returns the role codes (added, removed)."""
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    managed = set(settings.LDAP_GROUP_ROLES.values())
    return set_roles(user, held=directory_roles(group_dns), among=managed)


# --- the directory cannot be reached ----------------------------------------------------------


def mark_unreachable(request: HttpRequest | None) -> None:
    """Remember for this request that the directory did not answer."""
    if request is not None:
        setattr(request, _UNREACHABLE_FLAG, True)


def was_unreachable(request: HttpRequest | None) -> bool:
    return bool(getattr(request, _UNREACHABLE_FLAG, False))

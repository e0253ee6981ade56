"""Login accounts and roles in the admin, in place of Django's stock UserAdmin / GroupAdmin.

Django registers its own ``UserAdmin`` and ``GroupAdmin``, which let anyone holding
``auth.change_user`` make themselves a superuser, join any group and set any password. Ours ask
``positions.permissions``:

* A superuser sees and changes everything: accounts, flags, roles, groups.
* An HR editor sees and changes only the accounts it manages (``managed_accounts_q``: its
  employees' accounts and new accounts without a role), and only their name, e-mail, active
  flag and password — never ``is_superuser``, ``is_staff``, groups or permissions, and never a
  superuser's account (not listed; its change and password pages answer 404).
* Roles (groups) are granted by superusers only. A group grants a role through its ``Role``
  (a stable code), not its name: renaming a group keeps everyone's role.
"""

from __future__ import annotations

import django.contrib.auth.admin as auth_admin  # registers the stock admins, unregistered below
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.models import Group, User
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from audit import services as audit
from positions import permissions
from positions.admin.base import AsksPermissions

for model in (User, Group):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(User)
class AccountAdmin(AsksPermissions, auth_admin.UserAdmin):
    # What an HR editor sees of an account it manages: no flag, role or permission.
    managed_fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("first_name", "last_name", "email")}),
        ("状态", {"fields": ("is_active", "last_login", "date_joined")}),
    )
    managed_list_display = ("username", "first_name", "last_name", "email", "is_active")

    def _grants_roles(self, request: HttpRequest) -> bool:
        return permissions.can_grant_roles(request.user)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).filter(permissions.managed_accounts_q(request.user))

    def _require_managed(self, request: HttpRequest, object_id: str) -> None:
        """An account the user does not manage does not exist for them (404, not a redirect
        naming it)."""
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404("没有找到这个登录账号。")

    def change_view(self, request: HttpRequest, object_id: str, *args, **kwargs) -> HttpResponse:
        self._require_managed(request, object_id)
        return super().change_view(request, object_id, *args, **kwargs)

    def delete_view(self, request: HttpRequest, object_id: str, *args, **kwargs) -> HttpResponse:
        self._require_managed(request, object_id)
        return super().delete_view(request, object_id, *args, **kwargs)

    def history_view(self, request: HttpRequest, object_id: str, *args, **kwargs) -> HttpResponse:
        self._require_managed(request, object_id)
        return super().history_view(request, object_id, *args, **kwargs)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """Saves the roles (groups) too: the audit trail records what changed."""
        before = audit.role_codes(form.instance)
        super().save_related(request, form, formsets, change)
        audit.record_role_change(request, form.instance, before)

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None):
        if obj is None or self._grants_roles(request):
            return super().get_fieldsets(request, obj)
        return self.managed_fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple:
        if self._grants_roles(request):
            return ()
        return ("last_login", "date_joined")

    def get_list_display(self, request: HttpRequest) -> tuple:
        if self._grants_roles(request):
            return (*self.list_display, "is_superuser")
        return self.managed_list_display

    def get_list_filter(self, request: HttpRequest) -> tuple:
        if self._grants_roles(request):
            return self.list_filter
        return ("is_active",)


@admin.register(Group)
class RoleAdmin(AsksPermissions, auth_admin.GroupAdmin):
    """Roles: superusers only (``has_admin_permission`` has no rule granting ``auth.group``).

    A group's name may be changed freely: the role it grants is its ``Role`` (a stable code),
    shown read-only next to the name. A group without a role grants nothing; a role's group
    cannot be deleted (``Role.group`` protects it).
    """

    list_display = ("name", "role_label")
    fieldsets = (
        (
            None,
            {
                "fields": ("name", "role_label", "permissions"),
                "description": "用户组名称可以修改，成员的角色不受影响；"
                "没有角色的用户组不授予任何权限。",
            },
        ),
    )
    readonly_fields = ("role_label",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Group]:
        return super().get_queryset(request).select_related("role")

    @admin.display(description="角色")
    def role_label(self, group: Group) -> str:
        role = getattr(group, "role", None)
        return role.get_code_display() if role is not None else "—（不授予任何权限）"

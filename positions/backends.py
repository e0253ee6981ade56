"""The authentication backend: Django's password check, with our rules for permissions.

``ModelBackend`` also answers ``user.has_perm`` from the permissions stored on groups and users.
Ours does not: every permission question (the admin asks ``app_label.action_model``) goes to
``positions.permissions``, the one module that decides who may do what. A permission stored in
the database grants nothing.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from positions import permissions


class PermissionsBackend(ModelBackend):
    """Authenticates like ``ModelBackend``; permissions come from ``positions.permissions``."""

    def get_user(self, user_id):
        """The signed-in user of a request, loaded with their role codes in the same query
        (``permissions.signed_in_user``, its SQL compiled once per process): the request's
        permission rules then cost one query fewer.
        Inactive users are refused as by ``ModelBackend``; ``django.contrib.auth.get_user``
        still checks the session's password hash afterwards."""
        user = permissions.signed_in_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_user_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        return permissions.has_admin_permission(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        return permissions.has_admin_module_permission(user_obj, app_label)

    def with_perm(self, perm, is_active=True, include_superusers=True, obj=None):
        return get_user_model()._default_manager.none()

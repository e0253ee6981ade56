from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django_auth_ldap.backend import ldap_error

from people import middleware


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "人员与账号"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from people import directory  # noqa: PLC0415 — needs the app registry

        user_logged_in.connect(middleware.session_renewed_at_login, dispatch_uid="session-idle")
        ldap_error.connect(directory.note_directory_error, dispatch_uid="directory-unreachable")

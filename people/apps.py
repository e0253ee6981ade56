from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in

from people import middleware


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "人员与账号"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        user_logged_in.connect(middleware.session_renewed_at_login, dispatch_uid="session-idle")

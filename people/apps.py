from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "人员与账号"
    default_auto_field = "django.db.models.BigAutoField"

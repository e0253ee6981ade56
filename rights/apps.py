from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "rights"
    verbose_name = "权责手册"
    default_auto_field = "django.db.models.BigAutoField"

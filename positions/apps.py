from django.apps import AppConfig


class PositionsConfig(AppConfig):
    name = "positions"
    verbose_name = "职位说明书"
    default_auto_field = "django.db.models.BigAutoField"

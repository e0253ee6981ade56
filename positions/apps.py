from django.apps import AppConfig


class PositionsConfig(AppConfig):
    name = "positions"
    verbose_name = "职位说明书"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from positions import checks  # noqa: F401  (registers the system checks)
        from positions.services import search

        search.register_hooks()

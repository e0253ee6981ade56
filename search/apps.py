from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "搜索"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from search import services  # noqa: PLC0415 — needs the app registry

        services.register_hooks()

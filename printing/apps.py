from django.apps import AppConfig


class PrintingConfig(AppConfig):
    name = "printing"
    verbose_name = "打印与汇编"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from positions import hooks  # noqa: PLC0415 — apps are loaded
        from printing import checks  # noqa: F401, PLC0415 — registers checks when ready
        from printing.tasks import (  # noqa: PLC0415 — apps are loaded
            queue_manual_render,
            queue_render,
        )

        hooks.on_versions_published(queue_render)  # render on publish
        hooks.on_manual_published(queue_manual_render)  # the 权责手册's A3 PDF on approval

from django.apps import AppConfig


class TransferConfig(AppConfig):
    name = "transfer"
    verbose_name = "导入导出"
    default_auto_field = "django.db.models.BigAutoField"

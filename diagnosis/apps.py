from django.apps import AppConfig


class DiagnosisConfig(AppConfig):
    name = "diagnosis"
    verbose_name = "组织诊断"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class OrgchartConfig(AppConfig):
    name = "orgchart"
    verbose_name = "组织架构图"
    default_auto_field = "django.db.models.BigAutoField"

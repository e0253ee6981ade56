from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Benchmarks and the synthetic-data generator: no models and no pages; installed so that
    ``manage.py generate_positions`` runs."""

    name = "bench"
    verbose_name = "性能基准与模拟数据"
    default_auto_field = "django.db.models.BigAutoField"

"""Remove audit events older than the retention period — the only way an event is removed."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit import services


class Command(BaseCommand):
    help = (
        "清理早于保留期限的审计记录（AUDIT_RETENTION_DAYS，默认 180 天，不得少于 180 天）。"
        "清理本身也记入审计日志。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="保留最近多少天的记录（不得少于 AUDIT_RETENTION_DAYS）",
        )

    def handle(self, *args, days: int | None = None, **options):
        try:
            count, before = services.prune(days)
        except (ImproperlyConfigured, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已清理 {count} 条早于 {timezone.localtime(before):%Y-%m-%d %H:%M} 的审计记录。"
            )
        )

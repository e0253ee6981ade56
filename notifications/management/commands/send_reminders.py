"""Daily: 员工确认 reminders, 复核到期 notices for HR, then everyone's 每日汇总 (digest)."""

from django.core.management.base import BaseCommand

from notifications.services import reminders


class Command(BaseCommand):
    help = "发送员工确认提醒、复核到期通知和每日汇总（每天运行一次，例如 cron 08:00）。"

    def handle(self, *args, **options) -> None:
        result = reminders.run()
        self.stdout.write(
            f"员工确认提醒 {result.acknowledgement_reminders} 条，复核到期 {result.review_due} 条，"
            f"每日汇总 {result.digests} 条，已排队发送。"
        )

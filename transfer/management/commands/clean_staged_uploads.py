"""Delete staged import uploads older than their lifetime (run daily, e.g. from cron)."""

from django.core.management.base import BaseCommand

from transfer.services import staging


class Command(BaseCommand):
    help = (
        f"删除超过 {staging.LIFETIME.total_seconds() / 3600:.0f} 小时仍未确认或取消的导入上传文件"
        "（Excel 职位、花名册、Word 职位说明书的暂存文件）。建议每天运行一次。"
    )

    def handle(self, *args, **options):
        removed = staging.clean_expired()
        hours = f"{staging.LIFETIME.total_seconds() / 3600:.0f}"
        self.stdout.write(
            self.style.SUCCESS(f"已删除 {removed} 份超过 {hours} 小时的暂存上传文件。")
        )

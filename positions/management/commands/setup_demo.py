"""Load the seed organisation and create the demo accounts (idempotent)."""

from django.core.management.base import BaseCommand

from positions import services


class Command(BaseCommand):
    help = "载入示例数据（种子职位说明书）并创建演示账号。可重复执行。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--reload",
            action="store_true",
            help="删除现有部门和职位后重新载入种子数据。",
        )

    def handle(self, *args, reload: bool = False, **options):
        loaded = services.load_seed(reload=reload)
        if loaded:
            self.stdout.write(self.style.SUCCESS(f"已载入种子数据：{loaded} 个职位。"))
        else:
            self.stdout.write("已有职位数据，未重复载入（使用 --reload 重新载入）。")
        for account in services.ensure_demo_accounts():
            self.stdout.write(
                f"演示账号：{account.username} / {services.DEMO_PASSWORD}（{account.role}）"
            )

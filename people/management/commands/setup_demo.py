"""Load the seed organisation and create the demo accounts (idempotent; DEBUG only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from people.services import demo
from positions.services import seed

REFUSAL = (
    "DEBUG 未开启：演示账号使用公开的已知密码，绝不能在生产服务器上创建。"
    "请仅在开发环境中以 DEBUG=1 运行此命令。\n"
    "DEBUG is off: the demo accounts have a published password and must never be created on "
    "a production server. Run this command only in development, with DEBUG=1."
)


class Command(BaseCommand):
    help = "载入示例数据（种子职位说明书）并创建演示账号（仅限 DEBUG 开发环境）。可重复执行。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--reload",
            action="store_true",
            help="删除现有部门、职位与任职记录后重新载入种子数据。",
        )

    def handle(self, *args, reload: bool = False, **options):
        if not settings.DEBUG:
            raise CommandError(REFUSAL)
        loaded = seed.load_seed(reload=reload)
        if loaded:
            self.stdout.write(self.style.SUCCESS(f"已载入种子数据：{loaded} 个职位。"))
        else:
            self.stdout.write("已有职位数据，未重复载入（使用 --reload 重新载入）。")
        results = demo.ensure_demo_accounts()
        self.stdout.write(
            "演示流程：销售部的职位说明书由本部门的部门经理审核"
            "（王人事 编制 → 陈经理 审核 → 赵总 审批）。"
        )
        for result in results:
            account = result.account
            held = ""
            if result.position is not None:
                held = f" · {result.position.title} {result.position.code}".rstrip()
            self.stdout.write(
                f"演示账号：{account.username} / {demo.DEMO_PASSWORD}"
                f"（{account.full_name} · {account.role}{held}）"
            )
            if result.missing_position:
                self.stdout.write(
                    self.style.WARNING(
                        f"  未找到职位“{account.position}”，{account.full_name}暂无任职。"
                    )
                )

"""Create a realistic synthetic organisation for load and benchmark work."""

import time

from django.core.management.base import BaseCommand, CommandError

from bench.generate import generate_organisation


class Command(BaseCommand):
    help = (
        "生成一个模拟的组织（集团 → 项目公司 → 部门 → 职位，含汇报关系、工作职责、任职资格、"
        "员工与已生效版本），用于压力测试与性能基准。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="职位数量，如 10000。")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（相同种子结果相同）。")
        parser.add_argument(
            "--prefix", default="SIM", help="部门、职位编号与员工工号的前缀（默认 SIM）。"
        )
        parser.add_argument(
            "--duties", type=int, default=10, help="每个职位的工作职责条数（默认 10）。"
        )

    def handle(self, *args, count: int, seed: int, prefix: str, duties: int, **options):
        if count < 1:
            raise CommandError("--count 必须是正整数。")
        if duties < 1:
            raise CommandError("--duties 必须是正整数。")
        started = time.monotonic()
        try:
            result = generate_organisation(
                count,
                seed=seed,
                prefix=prefix,
                duties_per_position=duties,
                progress=lambda message: self.stdout.write(message),
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成 {result.departments} 个部门、{result.positions} 个职位、"
                f"{result.duties} 条工作职责、{result.employees} 名员工、"
                f"{result.versions} 个已生效版本（{elapsed:.1f} 秒）。"
            )
        )

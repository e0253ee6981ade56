"""Write everything jobdesc holds into one backup archive (.zip)."""

from django.core.management.base import BaseCommand, CommandError

from audit import services as audit
from transfer.services.backup import BackupError, export_archive


class Command(BaseCommand):
    help = (
        "导出完整备份（部门、职位及各部分、员工与任职记录、已生效版本、签核、历史记录、用户与角色）"
        "到一个 .zip 文件。用 import_all 恢复到空数据库。"
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="备份文件路径，如 jobdesc-backup.zip")

    def handle(self, *args, archive: str, **options):
        try:
            result = export_archive(archive)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        audit.record(
            audit.Action.EXPORT_BACKUP,
            details={
                "command": "manage.py export_all",
                "archive": str(result.path),
                "rows": result.total,
            },
        )
        if options["verbosity"] > 1:
            for label, count in sorted(result.counts.items()):
                self.stdout.write(f"  {label}: {count}")
        self.stdout.write(self.style.SUCCESS(f"已导出 {result.total} 行到 {result.path}。"))

"""Restore a backup archive written by export_all into an empty database."""

from django.core.management.base import BaseCommand, CommandError

from transfer.services.backup import BackupError, describe, import_archive, read_manifest


class Command(BaseCommand):
    help = (
        "从 export_all 写出的备份文件恢复全部数据。只能恢复到已执行 migrate 的空数据库；"
        "在一个事务中载入，出错则什么也不写入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="export_all 写出的 .zip 备份文件")

    def handle(self, *args, archive: str, **options):
        try:
            manifest = read_manifest(archive)
            self.stdout.write(f"备份文件：{archive}（{describe(manifest)}）")
            result = import_archive(archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] > 1:
            for label, count in sorted(result.counts.items()):
                self.stdout.write(f"  {label}: {count}")
        self.stdout.write(self.style.SUCCESS(f"已恢复 {result.total} 行。"))

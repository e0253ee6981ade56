"""Rebuild the search index (after bulk changes made outside the services, or an upgrade)."""

from django.core.management.base import BaseCommand

from positions.models import Position, SearchEntry
from search import services as search


class Command(BaseCommand):
    help = "重建职位搜索索引（工作副本与现行版本）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="仅当索引为空而已有职位时才重建（供 make run 使用）。",
        )

    def handle(self, *args, if_empty: bool = False, **options):
        if if_empty and (SearchEntry.objects.exists() or not Position.objects.exists()):
            self.stdout.write("搜索索引已存在，无需重建。")
            return
        rows = search.rebuild_index(
            progress=lambda done, total: self.stdout.write(f"已索引 {done}/{total} 个职位")
        )
        self.stdout.write(self.style.SUCCESS(f"搜索索引已重建：{rows} 条。"))

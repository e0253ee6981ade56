"""Render and store the PDF of every published version in force (the stored-PDF cache)."""

from django.core.management.base import BaseCommand, CommandError

from jobdesc.storage import STORAGE_UNAVAILABLE_MESSAGE, StorageUnavailable
from printing.pdf import CJKFontMissing
from printing.services import stored as printing


class Command(BaseCommand):
    help = (
        "为所有现行已生效版本生成并保存 PDF（已保存且模板、样式、公司信息未变的跳过），"
        "使首次下载也无需等待渲染。"
    )

    def handle(self, *args, **options):
        try:
            rendered, already = printing.warm_pdfs()
        except CJKFontMissing as exc:
            raise CommandError(f"未安装中文字体“{exc.family}”，无法生成 PDF。") from exc
        except StorageUnavailable as exc:
            raise CommandError(f"{STORAGE_UNAVAILABLE_MESSAGE}（{exc.detail}）。") from exc
        self.stdout.write(
            self.style.SUCCESS(f"已生成 {rendered} 份 PDF，{already} 份已是最新，无需重新生成。")
        )

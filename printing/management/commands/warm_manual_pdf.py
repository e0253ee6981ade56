"""Render and store the PDF of the 权责手册 version in force (no time limit: a large manual)."""

from django.core.management.base import BaseCommand, CommandError

from jobdesc.storage import STORAGE_UNAVAILABLE_MESSAGE, StorageUnavailable
from printing.pdf import CJKFontMissing
from printing.services import manual_pdf


class Command(BaseCommand):
    help = (
        "为现行权责手册版本生成并保存 A3 PDF（不受网页渲染时限限制；已保存且模板、样式、"
        "公司信息未变的跳过）。"
    )

    def handle(self, *args, **options):
        try:
            warmed = manual_pdf.warm_manual_pdf()
        except CJKFontMissing as exc:
            raise CommandError(f"未安装中文字体“{exc.family}”，无法生成 PDF。") from exc
        except StorageUnavailable as exc:
            raise CommandError(f"{STORAGE_UNAVAILABLE_MESSAGE}（{exc.detail}）。") from exc
        if warmed is None:
            self.stdout.write("权责手册尚无生效版本，未生成 PDF。")
            return
        label, rendered = warmed
        said = "已生成并保存" if rendered else "已是最新，无需重新生成"
        self.stdout.write(self.style.SUCCESS(f"权责手册 {label} 的 PDF {said}。"))

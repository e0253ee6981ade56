# 公司信息: the company identity printed on sheets, PDFs and book covers (one row, pk 1).

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("positions", "0006_versions"),
    ]

    operations = [
        migrations.CreateModel(
            name="CompanyProfile",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(
                        default=1, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="公司名称")),
                (
                    "logo",
                    models.FileField(
                        blank=True,
                        help_text="PNG、JPEG 或 SVG 图片，打印在职位说明书页眉和汇编封面上。",
                        upload_to="company/",
                        validators=[
                            django.core.validators.FileExtensionValidator(
                                ["png", "jpg", "jpeg", "svg"]
                            )
                        ],
                        verbose_name="公司标志",
                    ),
                ),
                (
                    "document_prefix",
                    models.CharField(
                        blank=True,
                        help_text="如 HXJT-HR；文件编号为“前缀-职位编号”。",
                        max_length=30,
                        verbose_name="文件编号前缀",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
            ],
            options={
                "verbose_name": "公司信息",
                "verbose_name_plural": "公司信息",
                "ordering": ["id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("id", 1)),
                        name="positions_companyprofile_single_row",
                    )
                ],
            },
        ),
    ]

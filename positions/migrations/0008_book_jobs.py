# The department book (职位说明书汇编) jobs run by the django-tasks worker.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("positions", "0007_company_identity"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="BookJob",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(editable=False, max_length=64, verbose_name="汇编标识")),
                (
                    "kind",
                    models.CharField(
                        choices=[("department", "部门"), ("selection", "自选职位")],
                        max_length=20,
                        verbose_name="范围",
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="汇编名称")),
                (
                    "include_subdepartments",
                    models.BooleanField(default=False, verbose_name="包含下级部门"),
                ),
                (
                    "version_ids",
                    models.JSONField(
                        default=list,
                        help_text="按打印顺序排列的版本 id。",
                        verbose_name="打印的版本",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "排队中"),
                            ("running", "生成中"),
                            ("done", "已完成"),
                            ("failed", "失败"),
                        ],
                        default="queued",
                        max_length=20,
                        verbose_name="状态",
                    ),
                ),
                ("done", models.PositiveIntegerField(default=0, verbose_name="已完成份数")),
                ("total", models.PositiveIntegerField(default=0, verbose_name="总份数")),
                ("error", models.TextField(blank=True, verbose_name="失败原因")),
                (
                    "file",
                    models.FileField(blank=True, upload_to="books/", verbose_name="PDF 文件"),
                ),
                (
                    "file_size",
                    models.PositiveIntegerField(default=0, verbose_name="文件大小（字节）"),
                ),
                ("page_count", models.PositiveIntegerField(default=0, verbose_name="页数")),
                ("task_id", models.CharField(blank=True, max_length=64, verbose_name="任务 id")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="申请时间")),
                (
                    "started_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="开始时间"),
                ),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="完成时间"),
                ),
                (
                    "department",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="book_jobs",
                        to="positions.department",
                        verbose_name="部门",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="book_jobs",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="申请人",
                    ),
                ),
            ],
            options={
                "verbose_name": "职位说明书汇编",
                "verbose_name_plural": "职位说明书汇编",
                "ordering": ["-created_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(fields=("key",), name="positions_bookjob_unique_key"),
                    models.CheckConstraint(
                        condition=models.Q(("done__lte", models.F("total"))),
                        name="positions_bookjob_done_within_total",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "done"), _negated=True),
                            models.Q(("file", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="positions_bookjob_done_has_file",
                    ),
                ],
            },
        ),
    ]

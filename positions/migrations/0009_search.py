"""The search index (positions.services.search).

On PostgreSQL a GIN index over the two-character tokens serves the common two-character
Chinese queries (销售, 客服) that pg_trgm cannot (its trigrams need three characters); other
databases (SQLite in development) search the normalised text with LIKE.
"""

import django.db.models.deletion
from django.db import migrations, models

# One partial GIN index per source: a reader's query names its source, so the bitmap holds
# only the rows that reader may see (half of the index).
TOKENS_INDEXES = {
    "working": "positions_searchentry_working_tokens_gin",
    "version": "positions_searchentry_version_tokens_gin",
}


class PostgresOnlySQL(migrations.RunSQL):
    """RunSQL that does nothing on databases other than PostgreSQL."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("positions", "0008_book_jobs"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[("working", "工作副本"), ("version", "现行版本")],
                        max_length=10,
                        verbose_name="来源",
                    ),
                ),
                (
                    "section",
                    models.CharField(
                        choices=[
                            ("title", "职位名称"),
                            ("code", "职位编号"),
                            ("department", "所在部门"),
                            ("purpose", "设岗目的"),
                            ("summary", "职位概要"),
                            ("duties", "工作职责"),
                            ("commitments", "主要责任"),
                            ("qualification", "任职资格"),
                            ("indicators", "关键指标"),
                        ],
                        max_length=20,
                        verbose_name="部分",
                    ),
                ),
                (
                    "rank",
                    models.PositiveSmallIntegerField(
                        help_text="部分的先后：职位名称最先。", verbose_name="排序"
                    ),
                ),
                (
                    "sort_code",
                    models.CharField(blank=True, max_length=30, verbose_name="职位编号（排序用）"),
                ),
                ("text", models.TextField(verbose_name="内容")),
                ("normalised", models.TextField(verbose_name="规范化内容")),
                ("initials", models.TextField(blank=True, verbose_name="拼音首字母")),
                ("tokens", models.TextField(blank=True, verbose_name="二字索引词")),
                (
                    "position",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="search_entries",
                        to="positions.position",
                        verbose_name="职位",
                    ),
                ),
            ],
            options={
                "verbose_name": "搜索索引",
                "verbose_name_plural": "搜索索引",
                "ordering": ["position", "source", "rank"],
                "indexes": [
                    models.Index(fields=["source", "position"], name="positions_search_src_pos")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("position", "source", "section"),
                        name="positions_searchentry_unique_section",
                    )
                ],
            },
        ),
        *(
            PostgresOnlySQL(
                sql=(
                    f"CREATE INDEX {name} ON positions_searchentry "
                    f"USING gin (string_to_array(tokens, ' ')) WHERE source = '{source}'"
                ),
                reverse_sql=f"DROP INDEX IF EXISTS {name}",
            )
            for source, name in TOKENS_INDEXES.items()
        ),
    ]

"""The search ranking index (``SearchDocument``): one narrow row per position and source.

Ranking and counting a common two-character query (销售: 46,000 of 100,000 positions) read
every matching section's ``SearchEntry`` row — 161,000 rows spread over 34,000 heap pages of
a 1 GB table. A document row holds the position's tokens prefixed with their best section
rank, stored out of line (``toast_tuple_target``), so the rows a query reads are ~100 bytes.
On PostgreSQL the rows are filled from the existing index in SQL (43 s at 10,000, 7 min 23 s at
100,000 positions on a shared machine); elsewhere in Python.
"""

import django.db.models.deletion
from django.db import migrations, models

DOCUMENT_INDEXES = {
    "working": "positions_searchdocument_working_keys_gin",
    "version": "positions_searchdocument_version_keys_gin",
}

FILL_SQL = """
INSERT INTO positions_searchdocument (position_id, source, sort_code, keys)
SELECT position_id, source, MIN(sort_code), string_agg(best || token, ' ' ORDER BY token)
FROM (
    SELECT e.position_id, e.source, MIN(e.sort_code) AS sort_code, t.token, MIN(e.rank) AS best
    FROM positions_searchentry e
    CROSS JOIN LATERAL unnest(string_to_array(e.tokens, ' ')) AS t (token)
    WHERE t.token <> ''
    GROUP BY e.position_id, e.source, t.token
) AS best_ranks
GROUP BY position_id, source
"""


def fill(apps, schema_editor):
    """Documents for the positions already indexed (``search.services._documents``)."""
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute(FILL_SQL)
            # Positions indexed without tokens (none in practice) still get their row.
            cursor.execute(
                "INSERT INTO positions_searchdocument (position_id, source, sort_code, keys) "
                "SELECT position_id, source, MIN(sort_code), '' FROM positions_searchentry e "
                "WHERE NOT EXISTS (SELECT 1 FROM positions_searchdocument d "
                "WHERE d.position_id = e.position_id AND d.source = e.source) "
                "GROUP BY position_id, source"
            )
        return
    entry_model = apps.get_model("positions", "SearchEntry")
    document_model = apps.get_model("positions", "SearchDocument")
    documents: dict = {}
    for position_id, source, sort_code, rank, tokens in entry_model.objects.values_list(
        "position_id", "source", "sort_code", "rank", "tokens"
    ).iterator():
        code, best = documents.get((position_id, source), (sort_code, {}))
        documents[position_id, source] = (min(code, sort_code), best)
        for token in tokens.split():
            best[token] = min(rank, best.get(token, rank))
    document_model.objects.bulk_create(
        [
            document_model(
                position_id=position_id,
                source=source,
                sort_code=code,
                keys=" ".join(f"{best[token]}{token}" for token in sorted(best)),
            )
            for (position_id, source), (code, best) in documents.items()
        ],
        batch_size=2000,
    )


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
        ("positions", "0026_section_ordering_by_position_id_without_joins"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
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
                    "sort_code",
                    models.CharField(blank=True, max_length=30, verbose_name="职位编号（排序用）"),
                ),
                ("keys", models.TextField(blank=True, verbose_name="二字索引词（带最佳部分）")),
                (
                    "position",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="search_documents",
                        to="positions.position",
                        verbose_name="职位",
                    ),
                ),
            ],
            options={
                "verbose_name": "搜索排序索引",
                "verbose_name_plural": "搜索排序索引",
                "ordering": ["position_id", "source"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("position", "source"), name="positions_searchdocument_unique_source"
                    )
                ],
            },
        ),
        # Rows of ~100 bytes: the keys (about 3 kB a position) always out of line.
        PostgresOnlySQL(
            sql="ALTER TABLE positions_searchdocument SET (toast_tuple_target = 128)",
            reverse_sql="ALTER TABLE positions_searchdocument RESET (toast_tuple_target)",
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        *(
            PostgresOnlySQL(
                sql=(
                    f"CREATE INDEX {name} ON positions_searchdocument "
                    f"USING gin (string_to_array(keys, ' ')) WHERE source = '{source}'"
                ),
                reverse_sql=f"DROP INDEX IF EXISTS {name}",
            )
            for source, name in DOCUMENT_INDEXES.items()
        ),
        PostgresOnlySQL(sql="ANALYZE positions_searchdocument", reverse_sql=""),
    ]

"""The ranking rows' GIN index over ``positions_search_keys(keys)`` instead of
``string_to_array(keys, ' ')``.

The keys (about 3 kB a position) are stored out of line, which PostgreSQL's cost model does
not see: at 10,000 positions, after an ANALYZE, it chose a sequential scan of the 230-page
table for 搜索 xs — splitting every row's keys, 1.5 s — over the GIN index (20 ms). The
function splits the same way (PL/pgSQL, so it is never inlined) and declares its cost, so a
scan that splits every row's keys is priced as the work it is.
"""

from django.db import migrations

OLD_INDEXES = {
    "working": "positions_searchdocument_working_keys_gin",
    "version": "positions_searchdocument_version_keys_gin",
}
INDEXES = {
    "working": "positions_searchdocument_working_keys",
    "version": "positions_searchdocument_version_keys",
}

FUNCTION = """
CREATE FUNCTION positions_search_keys(keys text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000
AS $$ BEGIN RETURN string_to_array(keys, ' '); END $$
"""


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
        ("positions", "0027_search_document"),
    ]

    operations = [
        PostgresOnlySQL(
            sql=FUNCTION, reverse_sql="DROP FUNCTION IF EXISTS positions_search_keys(text)"
        ),
        *(
            PostgresOnlySQL(
                sql=[
                    f"DROP INDEX IF EXISTS {OLD_INDEXES[source]}",
                    f"CREATE INDEX {name} ON positions_searchdocument "
                    f"USING gin (positions_search_keys(keys)) WHERE source = '{source}'",
                ],
                reverse_sql=[
                    f"DROP INDEX IF EXISTS {name}",
                    f"CREATE INDEX {OLD_INDEXES[source]} ON positions_searchdocument "
                    f"USING gin (string_to_array(keys, ' ')) WHERE source = '{source}'",
                ],
            )
            for source, name in INDEXES.items()
        ),
        PostgresOnlySQL(sql="ANALYZE positions_searchdocument", reverse_sql=""),
    ]

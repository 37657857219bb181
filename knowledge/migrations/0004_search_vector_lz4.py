"""The search document is compressed with lz4 instead of PostgreSQL's default pglz.

A search for a common word ranks every matching article, and ranking reads each match's
search document from TOAST storage. Decompressing pglz was most of that time: with 20,000
articles, ranking the 4,000 matches of "abonnement opzeggen" took 150 ms with pglz and
32 ms with lz4 (bench/RESULTS.md). Existing documents are rewritten once so that they
are compressed the new way too. Servers built without lz4 keep pglz.
"""

from django.db import migrations


def _lz4_available(cursor) -> bool:
    cursor.execute(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
    )
    row = cursor.fetchone()
    return bool(row and row[0])


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if not _lz4_available(cursor):
            return
        cursor.execute(
            "ALTER TABLE knowledge_article ALTER COLUMN search_vector SET COMPRESSION lz4"
        )
        # Stored values keep their old compression until written again.
        cursor.execute(
            "UPDATE knowledge_article SET search_vector = search_vector || ''::tsvector "
            "WHERE search_vector IS NOT NULL"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE knowledge_article ALTER COLUMN search_vector SET COMPRESSION default"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0003_postgresql_search"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]

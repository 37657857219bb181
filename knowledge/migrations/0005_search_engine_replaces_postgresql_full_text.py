"""Search moved to the search engine (knowledge/search): PostgreSQL's full-text search
document, its triggers, text search configurations and GIN index, and the trigram
vocabulary are no longer used, and go.

The `unaccent` and `pg_trgm` extensions are left installed (other schemas of the same
server may use them); nothing of this app does any more. The GIN index on `tags` stays:
the tag filter of browsing uses it. Reversing restores everything migration 0003 made.
"""

from importlib import import_module

from django.db import migrations

DROP = r"""
DROP INDEX IF EXISTS knowledge_searchterm_word_trgm;
DROP INDEX IF EXISTS knowledge_article_search_gin;
DROP TRIGGER IF EXISTS knowledge_article_vocabulary_update ON knowledge_article;
DROP TRIGGER IF EXISTS knowledge_article_vocabulary_insert ON knowledge_article;
DROP TRIGGER IF EXISTS knowledge_article_search_document ON knowledge_article;
DROP FUNCTION IF EXISTS knowledge_article_vocabulary();
DROP FUNCTION IF EXISTS knowledge_article_search_document();
DROP FUNCTION IF EXISTS knowledge_search_prepare(text);
DROP TEXT SEARCH CONFIGURATION IF EXISTS knowledge_english;
DROP TEXT SEARCH CONFIGURATION IF EXISTS knowledge_dutch;
"""


def drop_full_text(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP)


def restore_full_text(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        previous = import_module("knowledge.migrations.0003_postgresql_search")
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS knowledge_article_tags_gin")
            cursor.execute(previous.FORWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0004_search_vector_lz4"),
    ]

    operations = [
        # Reversed last: the column and the vocabulary table exist again before 0003's SQL.
        migrations.RunPython(drop_full_text, restore_full_text),
        migrations.RemoveField(model_name="article", name="search_vector"),
        migrations.DeleteModel(name="SearchTerm"),
    ]

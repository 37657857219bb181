"""Full-text search on PostgreSQL: the database maintains the search document.

- `knowledge_dutch` / `knowledge_english`: copies of the built-in configurations that map
  words through the `unaccent` dictionary before stemming (`unaccent()` itself is not
  IMMUTABLE; a text search configuration is the usual way to use it in an index).
- `knowledge_search_prepare(text)`: adds the joined form of hyphenated words, so that
  `e-sim` is also indexed as `esim` and `sim-only` as `simonly`.
- A BEFORE trigger fills `knowledge_article.search_vector` with weights: title A,
  tags and summary B, friend text C, body D. Every write path (service, admin, bulk
  load, raw SQL) keeps it right; nothing is computed per query.
- A statement-level AFTER trigger adds the article's words to `knowledge_searchterm`,
  the vocabulary used to correct typos by trigram similarity.

On SQLite (the demo) nothing of this exists; search falls back to simple matching.
"""

from django.db import migrations

FORWARD = r"""
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

DROP TEXT SEARCH CONFIGURATION IF EXISTS knowledge_dutch;
CREATE TEXT SEARCH CONFIGURATION knowledge_dutch (COPY = pg_catalog.dutch);
ALTER TEXT SEARCH CONFIGURATION knowledge_dutch
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, dutch_stem;

DROP TEXT SEARCH CONFIGURATION IF EXISTS knowledge_english;
CREATE TEXT SEARCH CONFIGURATION knowledge_english (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION knowledge_english
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;

CREATE OR REPLACE FUNCTION knowledge_search_prepare(doc text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(doc, '') || ' ' || coalesce(array_to_string(ARRAY(
        SELECT replace(m[1], '-', '')
        FROM regexp_matches(coalesce(doc, ''), '([[:alnum:]]+(?:-[[:alnum:]]+)+)', 'g') AS m
    ), ' '), '')
$$;

CREATE OR REPLACE FUNCTION knowledge_article_tag_text(tags jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(string_agg(value, ' '), '')
    FROM jsonb_array_elements_text(
        CASE WHEN jsonb_typeof(tags) = 'array' THEN tags ELSE '[]'::jsonb END
    )
$$;

CREATE OR REPLACE FUNCTION knowledge_article_search_document() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    cfg regconfig := CASE WHEN NEW.language = 'nl'
        THEN 'knowledge_dutch'::regconfig ELSE 'knowledge_english'::regconfig END;
BEGIN
    NEW.search_vector :=
           setweight(to_tsvector(cfg, knowledge_search_prepare(NEW.title)), 'A')
        || setweight(to_tsvector(cfg, knowledge_search_prepare(
               knowledge_article_tag_text(NEW.tags))), 'B')
        || setweight(to_tsvector(cfg, knowledge_search_prepare(NEW.summary)), 'B')
        || setweight(to_tsvector(cfg, knowledge_search_prepare(NEW.friend_text)), 'C')
        || setweight(to_tsvector(cfg, knowledge_search_prepare(NEW.body)), 'D');
    RETURN NEW;
END
$$;

CREATE TRIGGER knowledge_article_search_document
    BEFORE INSERT OR UPDATE OF language, title, summary, friend_text, body, tags
    ON knowledge_article
    FOR EACH ROW EXECUTE FUNCTION knowledge_article_search_document();

-- Words are inserted in sorted order so that concurrent writers wait for each other
-- instead of deadlocking on the unique index.
CREATE OR REPLACE FUNCTION knowledge_article_vocabulary() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO knowledge_searchterm (word)
    SELECT DISTINCT w
    FROM changed_articles AS a,
         regexp_split_to_table(lower(unaccent(knowledge_search_prepare(
             a.title || ' ' || a.summary || ' ' || knowledge_article_tag_text(a.tags)
             || ' ' || a.friend_text || ' ' || a.body))), '[^a-z0-9]+') AS w
    WHERE length(w) BETWEEN 4 AND 40 AND w !~ '^[0-9]+$'
    ORDER BY w
    ON CONFLICT (word) DO NOTHING;
    RETURN NULL;
END
$$;

CREATE TRIGGER knowledge_article_vocabulary_insert
    AFTER INSERT ON knowledge_article
    REFERENCING NEW TABLE AS changed_articles
    FOR EACH STATEMENT EXECUTE FUNCTION knowledge_article_vocabulary();

CREATE TRIGGER knowledge_article_vocabulary_update
    AFTER UPDATE ON knowledge_article
    REFERENCING NEW TABLE AS changed_articles
    FOR EACH STATEMENT EXECUTE FUNCTION knowledge_article_vocabulary();

-- fastupdate off: articles are written rarely and read constantly; without a pending
-- list the index is always complete and the planner's estimates stay right.
CREATE INDEX knowledge_article_search_gin ON knowledge_article USING gin (search_vector)
    WITH (fastupdate = off);
CREATE INDEX knowledge_article_tags_gin ON knowledge_article USING gin (tags jsonb_path_ops);
CREATE INDEX knowledge_searchterm_word_trgm
    ON knowledge_searchterm USING gin (word gin_trgm_ops);

UPDATE knowledge_article SET title = title;
"""

BACKWARD = r"""
DROP INDEX IF EXISTS knowledge_searchterm_word_trgm;
DROP INDEX IF EXISTS knowledge_article_tags_gin;
DROP INDEX IF EXISTS knowledge_article_search_gin;
DROP TRIGGER IF EXISTS knowledge_article_vocabulary_update ON knowledge_article;
DROP TRIGGER IF EXISTS knowledge_article_vocabulary_insert ON knowledge_article;
DROP TRIGGER IF EXISTS knowledge_article_search_document ON knowledge_article;
DROP FUNCTION IF EXISTS knowledge_article_vocabulary();
DROP FUNCTION IF EXISTS knowledge_article_search_document();
DROP FUNCTION IF EXISTS knowledge_article_tag_text(jsonb);
DROP FUNCTION IF EXISTS knowledge_search_prepare(text);
DROP TEXT SEARCH CONFIGURATION IF EXISTS knowledge_english;
DROP TEXT SEARCH CONFIGURATION IF EXISTS knowledge_dutch;
UPDATE knowledge_article SET search_vector = NULL;
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0002_article_trust_translations_feedback_questions"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD)),
    ]

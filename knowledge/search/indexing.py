"""The index's shape and how an article becomes a document in it.

One document per article (any status; searches filter on `status`). Each language has
its own text fields, analysed by that language's analyzer; an article fills only the
fields of its own language. `<lang>_words` holds every word as written, for prefixes and
typo tolerance. Summary, friend text and body are stored, so highlights are cut from the
index's own copy of the text, without a second trip to the database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tantivy

from knowledge.search.analysis import LANGUAGES, SURFACE, analyzers, joined_hyphens

# Relevance weight of a match in each field: title > tags, summary > friend text > body.
FIELD_BOOSTS = {"title": 3.0, "tags": 2.0, "summary": 2.0, "friend": 1.4, "body": 1.0}
STORED_FIELDS = ("summary", "friend", "body")
# What a document is made of: the article's columns, category slug included.
ARTICLE_COLUMNS = (
    "id",
    "language",
    "status",
    "title",
    "summary",
    "friend_text",
    "body",
    "tags",
    "category__slug",
    "updated_at",
)
ArticleRow = dict[str, Any]
_COMPOUNDS_FILE = "compound_parts.json"
WRITER_HEAP_BYTES = 64_000_000


def field_name(language: str, field: str) -> str:
    return f"{language}_{field}"


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    for keyword in ("status", "language", "category", "tag"):
        builder.add_text_field(keyword, tokenizer_name="raw", index_option="basic")
    for lang in LANGUAGES:
        for field in FIELD_BOOSTS:
            builder.add_text_field(
                field_name(lang, field),
                stored=field in STORED_FIELDS,
                tokenizer_name=f"{lang}_stem",
                index_option="freq",
            )
        builder.add_text_field(
            field_name(lang, "words"), tokenizer_name=SURFACE, index_option="basic"
        )
    return builder.build()


def index_create(path: Path, compound_parts: list[str]) -> tantivy.Index:
    """A new empty index in `path`, with the compound dictionary its analyzers use."""
    path.mkdir(parents=True)
    (path / _COMPOUNDS_FILE).write_text(json.dumps(compound_parts))
    index = tantivy.Index(schema(), path=str(path), reuse=False)
    _register(index, compound_parts)
    return index


def index_open(path: Path) -> tuple[tantivy.Index, list[str]]:
    compound_parts = json.loads((path / _COMPOUNDS_FILE).read_text())
    index = tantivy.Index.open(str(path))
    _register(index, compound_parts)
    return index, compound_parts


def _register(index: tantivy.Index, compound_parts: list[str]) -> None:
    for name, analyzer in analyzers(compound_parts).items():
        if not name.endswith("_stop"):
            index.register_tokenizer(name, analyzer)


def article_document(row: ArticleRow) -> tantivy.Document:
    lang = row["language"]
    doc = tantivy.Document()
    doc.add_integer("id", row["id"])
    doc.add_text("status", row["status"])
    doc.add_text("language", lang)
    if row["category__slug"]:
        doc.add_text("category", row["category__slug"])
    tags = [t for t in row["tags"] or [] if isinstance(t, str)]
    for tag in tags:
        doc.add_text("tag", tag)
    texts = {
        "title": row["title"],
        "tags": " ".join(tags),
        "summary": row["summary"],
        "friend": row["friend_text"],
        "body": row["body"],
    }
    all_joined = []
    for field, text in texts.items():
        name = field_name(lang, field)
        # Stored fields keep the text as written as their first value (highlights are cut
        # from it); the joined forms of hyphenated words go in a second value.
        doc.add_text(name, text)
        joined = joined_hyphens(text)
        if joined:
            doc.add_text(name, joined)
            all_joined.append(joined)
    doc.add_text(field_name(lang, "words"), " ".join([*texts.values(), *all_joined]))
    return doc


def documents_add(
    writer: tantivy.IndexWriter, *, rows: Iterable[ArticleRow], replace: bool = True
) -> int:
    """Adds the documents of `rows`, replacing their earlier versions unless the index is
    new (`replace=False`); returns how many."""
    count = 0
    for row in rows:
        if replace:
            writer.delete_documents_by_term("id", row["id"])
        writer.add_document(article_document(row))
        count += 1
    return count

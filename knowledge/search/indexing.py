"""The index's shape and how an article becomes a document in it.

One document per article (any status; searches filter on `status`). Each language has
its own text fields, analysed by that language's analyzer; an article fills only the
fields of its own language. `<lang>_words` holds every word as written, for prefixes and
typo tolerance. What ranking needs besides relevance (`id`, `language_code`,
`verified_until`) are fast fields, read for the candidates without touching their stored
documents; the only stored values are `preview`, the start of the text a highlight is cut
from, and `preview_words`, its distinct words (one per line) as a highlight looks them
up — so a page's highlights need no second trip to the database, and the documents read
back are small.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import tantivy

from knowledge.rendering import markdown_to_plain
from knowledge.search.analysis import (
    LANGUAGES,
    SURFACE,
    analyzers,
    highlight_words,
    hyphen_joiner,
    joined_hyphens,
)

# Relevance weight of a match in each field: title > tags, summary > friend text > body.
FIELD_BOOSTS = {"title": 3.0, "tags": 2.0, "summary": 2.0, "friend": 1.4, "body": 1.0}
# Raised whenever `schema()` or a document's content changes: an index on disk built
# another way is not used, but rebuilt (see `store.state_read`).
SCHEMA_VERSION = 5
LANGUAGE_CODES = tuple(LANGUAGES)  # `language_code` is a language's position here
# Summary and the start of the friend text, as plain text: where a highlight is cut.
PREVIEW_CHARS = 800
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
    "verified_until",
    "updated_at",
)
ArticleRow = dict[str, Any]
_COMPOUNDS_FILE = "compound_parts.json"
WRITER_HEAP_BYTES = 64_000_000


def field_name(language: str, field: str) -> str:
    return f"{language}_{field}"


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", indexed=True, fast=True)
    builder.add_integer_field("language_code", fast=True)
    builder.add_integer_field("verified_until", fast=True)
    builder.add_bytes_field("preview", stored=True)
    builder.add_bytes_field("preview_words", stored=True)
    for keyword in ("status", "language", "category", "tag"):
        builder.add_text_field(keyword, tokenizer_name="raw", index_option="basic")
    for lang in LANGUAGES:
        for field in FIELD_BOOSTS:
            builder.add_text_field(
                field_name(lang, field),
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


Joiner = Callable[[str, str], str]  # (language, text) → joined hyphenated words to add


def article_document(row: ArticleRow, *, joiner: Joiner) -> tantivy.Document:
    lang = row["language"]
    tags = [t for t in row["tags"] or [] if isinstance(t, str)]
    texts = {
        "title": row["title"],
        "tags": " ".join(tags),
        "summary": row["summary"],
        "friend": row["friend_text"],
        "body": row["body"],
    }
    doc = _keywords_document(row, tags)
    every_word = list(texts.values())
    for field, text in texts.items():
        joined = joiner(lang, text)  # `e-sim` → `esim`
        doc.add_text(field_name(lang, field), f"{text}\n{joined}" if joined else text)
        every_word.append(joined_hyphens(text))
    doc.add_text(field_name(lang, "words"), "\n".join(every_word))
    text = "\n".join(t for t in (row["summary"], row["friend_text"], row["body"]) if t)
    # Markdown takes room the words need: cut generously, strip it, then cut to size.
    preview = markdown_to_plain(text[: 2 * PREVIEW_CHARS])[:PREVIEW_CHARS]
    doc.add_bytes("preview", preview.encode())
    doc.add_bytes("preview_words", "\n".join(highlight_words(preview)).encode())
    return doc


def _keywords_document(row: ArticleRow, tags: list[str]) -> tantivy.Document:
    """A document with the article's id, filters and the fast fields ranking reads."""
    doc = tantivy.Document()
    doc.add_integer("id", row["id"])
    doc.add_integer("language_code", LANGUAGE_CODES.index(row["language"]))
    verified_until = row["verified_until"]
    doc.add_integer("verified_until", verified_until.toordinal() if verified_until else 0)
    doc.add_text("status", row["status"])
    doc.add_text("language", row["language"])
    if row["category__slug"]:
        doc.add_text("category", row["category__slug"])
    for tag in tags:
        doc.add_text("tag", tag)
    return doc


def documents_add(
    writer: tantivy.IndexWriter,
    *,
    rows: Iterable[ArticleRow],
    compound_parts: list[str],
    replace: bool = True,
) -> int:
    """Adds the documents of `rows`, replacing their earlier versions unless the index is
    new (`replace=False`); returns how many."""
    joiner = hyphen_joiner(compound_parts)
    count = 0
    for row in rows:
        if replace:
            writer.delete_documents_by_term("id", row["id"])
        writer.add_document(article_document(row, joiner=joiner))
        count += 1
    return count


def documents_delete(writer: tantivy.IndexWriter, *, ids: Iterable[int]) -> None:
    for pk in ids:
        writer.delete_documents_by_term("id", pk)

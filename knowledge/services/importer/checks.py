"""Reading a directory of knowledge files: every file parsed and the set checked against
itself and the database, with one error line per problem, before anything is written."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from knowledge.models import Article, Category
from knowledge.services.importer.files import (
    CATEGORIES_FILE,
    ArticleFile,
    FileProblem,
    article_file_parse,
    categories_file_parse,
)


class ImportRefused(Exception):
    """Nothing was written; `errors` has one line per problem, each naming its file."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))


def _check_set(files: list[ArticleFile], categories: Iterable[str], errors: list[str]) -> None:
    """Checks across files: duplicate slugs, unknown categories, translation links."""
    by_slug: dict[str, ArticleFile] = {}
    for item in files:
        if item.slug in by_slug:
            errors.append(
                f"{item.path}: slug {item.slug!r} is also used by {by_slug[item.slug].path}"
            )
        by_slug[item.slug] = item
    known_categories = set(categories) | set(
        Category.objects.filter(slug__in={f.category for f in files}).values_list("slug", flat=True)
    )
    referenced = {f.translation_of for f in files if f.translation_of}
    stored = {
        a.slug: a
        for a in Article.objects.filter(slug__in=referenced | set(by_slug)).only(
            "slug", "language", "translation_source_id"
        )
    }
    for item in files:
        if item.category not in known_categories:
            errors.append(f"{item.path}: category: unknown category {item.category!r}")
        existing = stored.get(item.slug)
        if existing is not None and existing.language != item.language:
            errors.append(
                f"{item.path}: language: {item.slug!r} exists in {existing.language!r}; "
                "the language of an article cannot change"
            )
        if item.translation_of:
            errors.extend(_translation_problems(item, by_slug=by_slug, stored=stored))


def _translation_problems(
    item: ArticleFile, *, by_slug: dict[str, ArticleFile], stored: dict[str, Article]
) -> list[str]:
    """What is wrong with a file's `translation_of`: its source, in the set or stored, must
    exist, be in the other language and not be a translation itself."""
    slug = item.translation_of or ""
    source_file, source = by_slug.get(slug), stored.get(slug)
    if source_file is not None:
        language = source_file.language
    elif source is not None:
        language = source.language
    else:
        return [f"{item.path}: translation_of: no article {slug!r}"]
    is_translation = bool(source_file and source_file.translation_of) or (
        source is not None and source.translation_source_id is not None
    )
    problems = []
    if language == item.language:
        problems.append(f"{item.path}: translation_of: the source is in the same language")
    if is_translation:
        problems.append(
            f"{item.path}: translation_of: {slug!r} is itself a translation; point at its source"
        )
    return problems


def articles_read(directory: Path) -> tuple[list[ArticleFile], list[dict[str, Any]]]:
    """Parses every `*.md` under `directory` (and `categories.yaml`); raises ImportRefused
    listing every bad file."""
    if not directory.is_dir():
        raise ImportRefused([f"{directory}: not a directory"])
    errors: list[str] = []
    categories: list[dict[str, Any]] = []
    categories_path = directory / CATEGORIES_FILE
    if categories_path.exists():
        try:
            categories = categories_file_parse(categories_path)
        except FileProblem as exc:
            errors.append(f"{categories_path}: {exc}")
    files: list[ArticleFile] = []
    paths = sorted(directory.rglob("*.md"))
    if not paths:
        errors.append(f"{directory}: no .md files")
    for path in paths:
        try:
            files.append(article_file_parse(path))
        except FileProblem as exc:
            errors.append(f"{path}: {exc}")
    if not errors or categories or not categories_path.exists():
        # A broken categories file would make every article's category "unknown".
        _check_set(files, [c["slug"] for c in categories], errors)
    if errors:
        raise ImportRefused(errors)
    return files, categories

"""Import articles from Markdown files with YAML front matter (see README, "Knowledge files").

Two phases: every file is read and checked first (`files`, `checks`), collecting a clear
error per bad file; only a clean set is written, in one transaction (`writing`).
Re-importing the same files changes nothing (articles are matched by slug).
"""

from knowledge.services.importer.checks import ImportRefused, articles_read
from knowledge.services.importer.files import ArticleFile, article_file_parse
from knowledge.services.importer.writing import (
    ImportResult,
    articles_import,
    articles_import_directory,
)

__all__ = [
    "ArticleFile",
    "ImportRefused",
    "ImportResult",
    "article_file_parse",
    "articles_import",
    "articles_import_directory",
    "articles_read",
]

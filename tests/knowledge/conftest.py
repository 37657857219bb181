from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from backend.accounts.models import Employee
from knowledge.demo import SEED_DIR
from knowledge.models import Article, Category
from knowledge.services.articles import article_create, article_publish
from knowledge.services.importer import ImportResult, articles_import_directory


@pytest.fixture
def category(db: None) -> Category:
    return Category.objects.create(slug="plans", name_nl="Abonnementen", name_en="Plans")


@pytest.fixture
def make_article(category: Category, editor: Employee) -> Callable[..., Article]:
    """Creates an article through the services; published unless `status="draft"`."""

    def make(*, status: str = "published", **fields: Any) -> Article:
        values: dict[str, Any] = {
            "language": "nl",
            "title": "Sim-only abonnement",
            "summary": "Een samenvatting.",
            "friend_text": "Tekst voor een vriend.",
            "body": "Uitleg.",
            "category": category,
        }
        values.update(fields)
        article = article_create(editor=editor, **values)
        if status == "published":
            article = article_publish(article=article, editor=editor)
        elif status == "archived":
            from knowledge.services.articles import article_archive

            article = article_archive(
                article=article_publish(article=article, editor=editor), editor=editor
            )
        return article

    return make


@pytest.fixture
def seed_corpus(db: None) -> ImportResult:
    return articles_import_directory(directory=Path(SEED_DIR))


def make_stale(article: Article, days_ago: int = 1) -> None:
    Article.objects.filter(pk=article.pk).update(
        verified_until=timezone.localdate() - timedelta(days=days_ago)
    )

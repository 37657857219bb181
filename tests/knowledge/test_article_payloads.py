"""The views render articles with plain functions (for speed); they must say exactly what
the documented serializers say, for every kind of article."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from backend.accounts.models import Employee
from knowledge.apis.serializers import (
    ArticleDetailSerializer,
    ArticleListItemSerializer,
    article_detail,
    article_list_items,
)
from knowledge.models import Article, ArticleFeedback
from knowledge.selectors.articles import article_get, article_translations
from knowledge.services.articles import article_update


def test_list_items_match_the_list_serializer(make_article, editor: Employee) -> None:
    now = timezone.now()
    plain = make_article(title="Plain", tags=[])
    notice = make_article(
        title="Storing",
        tags=["storing", "utrecht"],
        notice_starts_at=now - timedelta(hours=1),
        notice_ends_at=now + timedelta(hours=3),
    )
    ended = make_article(
        title="Oude storing",
        notice_starts_at=now - timedelta(days=3),
        notice_ends_at=now - timedelta(days=2),
    )
    source = make_article(language="en", title="Source", slug="source")
    translation = make_article(title="Vertaling", translation_of=source)
    article_update(
        article=source, editor=editor, data={"title": "Source, edited"}, expected_revision=None
    )
    Article.objects.filter(pk=plain.pk).update(verified_until=None, category=None)
    articles = list(
        Article.objects.select_related("category", "translation_source").filter(
            pk__in=[plain.pk, notice.pk, ended.pk, translation.pk]
        )
    )
    highlights = {notice.pk: "<mark>Storing</mark> in Utrecht"}

    rendered = article_list_items(articles, highlights)

    expected = ArticleListItemSerializer(
        articles, many=True, context={"highlights": highlights}
    ).data
    assert rendered == expected
    assert [item["translation_outdated"] for item in rendered].count(True) == 1
    assert article_list_items(articles) == ArticleListItemSerializer(articles, many=True).data


def test_detail_matches_the_detail_serializer(make_article, editor: Employee, employee) -> None:
    source = make_article(language="en", title="Source", slug="source")
    translation = make_article(title="Vertaling", slug="vertaling", translation_of=source)
    feedback = ArticleFeedback.objects.create(
        article=translation, employee=employee, helpful=False, reason="unclear", comment="Vaag"
    )
    for article, my_feedback in ((translation, feedback), (source, None)):
        loaded = article_get(slug=article.slug, employee=employee)
        translations = article_translations(article=loaded, employee=employee)

        rendered = article_detail(loaded, translations=translations, my_feedback=my_feedback)

        context = {"translations": translations, "my_feedback": my_feedback}
        assert rendered == ArticleDetailSerializer(loaded, context=context).data
    assert rendered["translations"][0]["slug"] == "vertaling"

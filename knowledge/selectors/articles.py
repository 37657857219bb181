"""Reads for articles: what an employee may see, browsing, search, detail and notices."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID

from django.db import connection
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from backend.accounts.models import Employee
from backend.accounts.roles import Role
from backend.api.errors import NotFound
from knowledge.models import Article, ArticleStatus, Category
from knowledge.records import ArticleCard, ArticleDetail
from knowledge.search.query import ParsedQuery, SearchFilters, query_parse
from knowledge.search.ranking import articles_rank
from knowledge.sql import article_cards_fetch, article_detail_fetch


def is_editor(employee: Employee) -> bool:
    return employee.has_role(Role.EDITOR)


def _may_see(status: str, employee: Employee) -> bool:
    """Published articles are for everyone; the rest for editors. The role is only looked
    up for an unpublished article (it comes with the signed-in employee: no query)."""
    return status == ArticleStatus.PUBLISHED or is_editor(employee)


@dataclass
class ArticleListParams:
    q: str | None = None
    lang: str | None = None
    category: str | None = None
    tag: str | None = None
    status: str | None = None
    offset: int = 0
    limit: int = 20


@dataclass
class ArticlePage:
    articles: list[ArticleCard]  # with their highlights when searching
    has_more: bool
    notices: list[ArticleCard]  # the active outage notices (`notices_active`)
    parsed: ParsedQuery | None = None


def category_get(*, slug: str) -> Category:
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        raise NotFound(
            f"There is no category {slug!r}.",
            code="category_not_found",
            fields={"category": [{"code": "does_not_exist", "message": "No such category."}]},
        )
    return category


def article_list(*, employee: Employee, params: ArticleListParams) -> ArticlePage:
    """Browse (no `q`: by title, the employee's own language first) or search (`q`:
    ranked across both languages, highlighted) articles of one status (published unless an
    editor asks for another; the caller checks the role), with the active outage notices.
    Browsing is two queries (the page's ids, then its rows and the notices); a search's ids
    come from the engine and its rows and the notices are loaded in one query; one more
    checks a `category`."""
    status = params.status or ArticleStatus.PUBLISHED
    category = category_get(slug=params.category) if params.category else None
    preferred = params.lang or employee.language
    if params.q is None:
        return _browse(params, status=status, category=category, preferred=preferred)
    parsed = query_parse(params.q)
    if not parsed.terms:
        notices = notices_active(employee=employee, language=params.lang)
        return ArticlePage(articles=[], has_more=False, notices=notices, parsed=parsed)
    ranked = articles_rank(
        parsed=parsed,
        filters=SearchFilters(
            status=status, language=params.lang, category=params.category, tag=params.tag
        ),
        preferred_language=preferred,
        today=timezone.localdate(),
        offset=params.offset,
        limit=params.limit,
    )
    return _page(
        ranked.ids,
        status=status,
        limit=params.limit,
        language=params.lang,
        preferred=preferred,
        parsed=parsed,
        highlights=ranked.highlights,
    )


def _browse(
    params: ArticleListParams, *, status: str, category: Category | None, preferred: str
) -> ArticlePage:
    """A page of articles by title, those in `preferred` language first."""
    queryset = Article.objects.filter(status=status)
    if params.lang:
        queryset = queryset.filter(language=params.lang)
    if category is not None:
        queryset = queryset.filter(category=category)
    if params.tag:
        queryset = _filter_tag(queryset, params.tag)
    language_first = Case(
        When(language=preferred, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    window = slice(params.offset, params.offset + params.limit + 1)
    ordered = queryset.order_by(language_first, "title", "id").values_list("id", flat=True)
    return _page(
        list(ordered[window]),
        status=status,
        limit=params.limit,
        language=params.lang,
        preferred=preferred,
    )


def _page(
    ids: list[int],
    *,
    status: str,
    limit: int,
    language: str | None,
    preferred: str,
    parsed: ParsedQuery | None = None,
    highlights: Mapping[int, str] | None = None,
) -> ArticlePage:
    """The page of `ids` (one more than `limit` when there is a next page), in that order,
    and the notices; an article that changed status since its id was read is left out."""
    cards = article_cards_fetch(ids=ids, status=status, highlights=highlights, with_notices=True)
    rows = [cards.by_id[pk] for pk in ids if pk in cards.by_id]
    return ArticlePage(
        articles=rows[:limit],
        has_more=len(rows) > limit,
        notices=_notices_chosen(cards.notices, language=language, preferred=preferred),
        parsed=parsed,
    )


def _filter_tag(queryset: QuerySet[Article], tag: str) -> QuerySet[Article]:
    if connection.vendor == "postgresql":
        return queryset.filter(tags__contains=[tag])  # GIN (jsonb_path_ops)
    # SQLite has no JSON containment; the quoted tag in the JSON text is exact enough.
    return queryset.filter(tags__icontains=f'"{tag}"')


_NOT_FOUND = "No published article with this slug."


def article_detail_get(*, slug: str, employee: Employee) -> ArticleDetail:
    """The full article with the other language versions the employee may see and the
    employee's own feedback (one query), or 404 when it does not exist or is not visible
    to the employee."""
    detail = article_detail_fetch(slug=slug, reader_id=employee.pk)
    if detail is None or not _may_see(detail.status, employee):
        raise NotFound(_NOT_FOUND)
    hidden = [v for v in detail.translations if not _may_see(v.status, employee)]
    if hidden:
        visible = tuple(v for v in detail.translations if v not in hidden)
        detail = replace(detail, translations=visible)
    return detail


def article_get(*, slug: str, employee: Employee) -> Article:
    """The article (id, slug and status only; the rest loads on use) when the employee may
    see it, else 404."""
    article = Article.objects.only("id", "slug", "status").filter(slug=slug).first()
    if article is None or not _may_see(article.status, employee):
        raise NotFound(_NOT_FOUND)
    return article


def article_get_for_edit(*, slug: str) -> Article:
    article = Article.objects.select_related("category").filter(slug=slug).first()
    if article is None:
        raise NotFound("No article with this slug.")
    return article


def notices_active(*, employee: Employee, language: str | None = None) -> list[ArticleCard]:
    """Published outage notices whose window holds now: one per translation group, in the
    employee's language when there is a version in it (else the other)."""
    cards = article_cards_fetch(ids=[], status=ArticleStatus.PUBLISHED, with_notices=True)
    return _notices_chosen(
        cards.notices, language=language, preferred=language or employee.language
    )


def _notices_chosen(
    notices: list[tuple[ArticleCard, UUID]], *, language: str | None, preferred: str
) -> list[ArticleCard]:
    """Of the active notices (oldest first, with their translation group): only those in
    `language` if given, one per group (in `preferred` language if there is one), newest
    first."""
    chosen: dict[UUID, ArticleCard] = {}
    for card, group in notices:
        if language and card.language != language:
            continue
        current = chosen.get(group)
        if current is None or (card.language == preferred and current.language != preferred):
            chosen[group] = card
    position = {card.id: index for index, (card, _) in enumerate(notices)}
    return sorted(chosen.values(), key=lambda card: position[card.id], reverse=True)


def categories_with_counts() -> QuerySet[Category]:
    published = Q(articles__status=ArticleStatus.PUBLISHED)
    return Category.objects.annotate(
        article_count_nl=Count("articles", filter=published & Q(articles__language="nl")),
        article_count_en=Count("articles", filter=published & Q(articles__language="en")),
    ).order_by("position", "slug")


def stale_on(day: date) -> Q:
    return Q(verified_until__isnull=True) | Q(verified_until__lt=day)

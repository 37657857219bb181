"""Reads for articles: what an employee may see, browsing, search, detail and notices."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from backend.accounts.models import Employee
from backend.accounts.roles import Role
from backend.api.errors import NotFound
from knowledge.models import Article, ArticleFeedback, ArticleStatus, Category
from knowledge.search.query import ParsedQuery, SearchFilters, query_parse
from knowledge.search.ranking import articles_rank

# Columns a list row needs; the body stays in the database until the detail is opened.
_LIST_DEFER = ("body", "body_html")


def is_editor(employee: Employee) -> bool:
    return employee.has_role(Role.EDITOR)


def _may_see(article: Article, employee: Employee) -> bool:
    """Published articles are for everyone; the rest for editors. The role is only looked
    up (one query) for an unpublished article, so employees' reads never pay for it."""
    return article.status == ArticleStatus.PUBLISHED or is_editor(employee)


def _with_list_relations(queryset: QuerySet[Article]) -> QuerySet[Article]:
    return queryset.select_related("category", "translation_source").only(
        *[
            f.name
            for f in Article._meta.concrete_fields
            if f.name not in _LIST_DEFER and not f.is_relation
        ],
        "category",
        "translation_source",
        "category__slug",
        "category__name_nl",
        "category__name_en",
        "translation_source__content_revision",
    )


# The detail's three reads are written out: opening an article is the most frequent read
# after /me, and compiling the equivalent querysets (a four-table join) cost several times
# more CPU than running them (see bench/RESULTS.md).
_ARTICLE_DETAIL = f"""
    SELECT {", ".join(f"a.{f.column}" for f in Article._meta.concrete_fields)},
        c.slug AS category_slug, c.name_nl AS category_name_nl, c.name_en AS category_name_en,
        s.slug AS source_slug, s.content_revision AS source_content_revision,
        o.display_name AS owner_display_name
    FROM knowledge_article AS a
    LEFT JOIN knowledge_category AS c ON c.id = a.category_id
    LEFT JOIN knowledge_article AS s ON s.id = a.translation_source_id
    LEFT JOIN accounts_employee AS o ON o.id = a.owner_id
    WHERE a.slug = %s
"""  # noqa: S608  (column names from the model, values as parameters)
_ARTICLE_TRANSLATIONS = """
    SELECT a.id, a.slug, a.language, a.title, a.status, a.translation_source_id,
        a.translation_source_revision, s.content_revision AS source_content_revision
    FROM knowledge_article AS a
    LEFT JOIN knowledge_article AS s ON s.id = a.translation_source_id
    WHERE a.translation_group = %s AND a.id <> %s
    ORDER BY a.language
"""
_OWN_FEEDBACK = """
    SELECT id, helpful, reason, comment FROM knowledge_articlefeedback
    WHERE article_id = %s AND employee_id = %s
"""


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
    articles: list[Article]
    has_more: bool
    parsed: ParsedQuery | None = None
    highlights: dict[int, str] = field(default_factory=dict)


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
    editor asks for another; the caller checks the role). A search is two queries (the
    engine's candidates re-checked, then the page's rows) plus one to check a `category`."""
    queryset = Article.objects.filter(status=params.status or ArticleStatus.PUBLISHED)
    if params.lang:
        queryset = queryset.filter(language=params.lang)
    if params.category:
        queryset = queryset.filter(category=category_get(slug=params.category))
    if params.tag:
        queryset = _filter_tag(queryset, params.tag)
    preferred = params.lang or employee.language
    if params.q is None:
        language_first = Case(
            When(language=preferred, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        window = slice(params.offset, params.offset + params.limit + 1)
        rows = list(_with_list_relations(queryset.order_by(language_first, "title", "id"))[window])
        return ArticlePage(articles=rows[: params.limit], has_more=len(rows) > params.limit)
    parsed = query_parse(params.q)
    if not parsed.terms:
        return ArticlePage(articles=[], has_more=False, parsed=parsed)
    ranked = articles_rank(
        parsed=parsed,
        filters=SearchFilters(
            status=params.status or ArticleStatus.PUBLISHED,
            language=params.lang,
            category=params.category,
            tag=params.tag,
        ),
        visible=queryset,
        preferred_language=preferred,
        today=timezone.localdate(),
        offset=params.offset,
        limit=params.limit,
    )
    found = _with_list_relations(queryset).in_bulk(ranked.ids) if ranked.ids else {}
    rows = [found[pk] for pk in ranked.ids if pk in found]
    return ArticlePage(
        articles=rows[: params.limit],
        has_more=len(rows) > params.limit,
        parsed=parsed,
        highlights=ranked.highlights,
    )


def _filter_tag(queryset: QuerySet[Article], tag: str) -> QuerySet[Article]:
    if connection.vendor == "postgresql":
        return queryset.filter(tags__contains=[tag])  # GIN (jsonb_path_ops)
    # SQLite has no JSON containment; the quoted tag in the JSON text is exact enough.
    return queryset.filter(tags__icontains=f'"{tag}"')


def article_get(*, slug: str, employee: Employee) -> Article:
    """The full article, or 404 when it does not exist or is not visible to the employee.
    Category, translation source and owner come in the same query."""
    found = list(Article.objects.raw(_ARTICLE_DETAIL, [slug]))
    article = found[0] if found else None
    if article is None or not _may_see(article, employee):
        raise NotFound("No published article with this slug.")
    raw = article.__dict__
    if article.category_id is not None:
        article.category = Category(
            id=article.category_id,
            slug=raw.pop("category_slug"),
            name_nl=raw.pop("category_name_nl"),
            name_en=raw.pop("category_name_en"),
        )
    if article.translation_source_id is not None:
        article.translation_source = Article(
            id=article.translation_source_id,
            slug=raw.pop("source_slug"),
            content_revision=raw.pop("source_content_revision"),
        )
    if article.owner_id is not None:
        article.owner = Employee(id=article.owner_id, display_name=raw.pop("owner_display_name"))
    return article


def article_get_for_edit(*, slug: str) -> Article:
    article = Article.objects.select_related("category").filter(slug=slug).first()
    if article is None:
        raise NotFound("No article with this slug.")
    return article


def article_translations(*, article: Article, employee: Employee) -> list[Article]:
    """The other language versions the employee may see, with what `translation_outdated`
    needs (one query)."""
    group = Article._meta.get_field("translation_group").get_db_prep_value(
        article.translation_group, connection
    )
    versions = list(Article.objects.raw(_ARTICLE_TRANSLATIONS, [group, article.pk]))
    for version in versions:
        revision = version.__dict__.pop("source_content_revision")
        if version.translation_source_id is not None:
            version.translation_source = Article(
                id=version.translation_source_id, content_revision=revision
            )
    return [version for version in versions if _may_see(version, employee)]


def article_feedback_of(*, article: Article, employee: Employee) -> ArticleFeedback | None:
    found = list(ArticleFeedback.objects.raw(_OWN_FEEDBACK, [article.pk, employee.pk]))
    return found[0] if found else None


def notices_active(
    *, employee: Employee, language: str | None = None, now: datetime | None = None
) -> list[Article]:
    """Published outage notices whose window holds now: one per translation group, in the
    employee's language when there is a version in it (else the other)."""
    now = now or timezone.now()
    preferred = language or employee.language
    queryset = Article.objects.filter(
        status=ArticleStatus.PUBLISHED, notice_starts_at__lte=now, notice_ends_at__gt=now
    )
    if language:
        queryset = queryset.filter(language=language)
    chosen: dict[object, Article] = {}
    for article in _with_list_relations(queryset).order_by("notice_starts_at", "id"):
        current = chosen.get(article.translation_group)
        if current is None or (article.language == preferred and current.language != preferred):
            chosen[article.translation_group] = article
    return sorted(chosen.values(), key=lambda a: (a.notice_starts_at, a.pk), reverse=True)


def categories_with_counts() -> QuerySet[Category]:
    published = Q(articles__status=ArticleStatus.PUBLISHED)
    return Category.objects.annotate(
        article_count_nl=Count("articles", filter=published & Q(articles__language="nl")),
        article_count_en=Count("articles", filter=published & Q(articles__language="en")),
    ).order_by("position", "slug")


def stale_on(day: date) -> Q:
    return Q(verified_until__isnull=True) | Q(verified_until__lt=day)

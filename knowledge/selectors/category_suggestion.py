"""Which shelf a question belongs on: the category of the published answers that look
most like it. Read when an editor looks at a question and when it becomes an article."""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone

from backend.api.errors import ServiceUnavailable
from knowledge.models import Article, ArticleStatus, Category, Question
from knowledge.search.query import SearchFilters, query_parse
from knowledge.search.ranking import articles_rank

NEIGHBOURS = 10
CATEGORY_COLUMNS = ("category_id", "category__slug", "category__name_nl", "category__name_en")


def question_suggested_category(*, question: Question) -> Category | None:
    """The category of the published answers the search engine finds closest to the
    question (the best `NEIGHBOURS`, each weighing 1/rank), or None when nothing matches
    or this server's index is still being built: a suggestion never blocks the page."""
    parsed = query_parse(f"{question.title} {question.details}")
    if not parsed.terms:
        return None
    candidates = Article.objects.filter(status=ArticleStatus.PUBLISHED, category__isnull=False)
    try:
        ranked = articles_rank(
            parsed=parsed,
            filters=SearchFilters(status=ArticleStatus.PUBLISHED),
            preferred_language=question.language,
            today=timezone.localdate(),
            offset=0,
            limit=NEIGHBOURS,
            highlight=False,  # only the ids count here
        )
    except ServiceUnavailable:
        return None
    closest = ranked.ids[:NEIGHBOURS]
    shelves: dict[int, tuple[int, str, str, str]] = {
        pk: (category_id, slug, name_nl, name_en)
        for pk, category_id, slug, name_nl, name_en in candidates.filter(
            pk__in=closest
        ).values_list("pk", *CATEGORY_COLUMNS)
    }
    weights: defaultdict[tuple[int, str, str, str], float] = defaultdict(float)
    for position, pk in enumerate(closest):
        if pk in shelves:
            weights[shelves[pk]] += 1 / (position + 1)
    if not weights:
        return None
    # Equal weight: the older category (lower id) wins, so the answer is stable.
    best = max(weights.items(), key=lambda item: (item[1], -item[0][0]))[0]
    return Category(**dict(zip(("id", "slug", "name_nl", "name_en"), best, strict=True)))

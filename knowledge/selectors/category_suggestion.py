"""Which shelf a question belongs on: the category of the published answers that look
most like it. Read when an editor looks at a question and when it becomes an article."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q

from knowledge.models import Article, ArticleStatus, Category, Question

SEARCH_CONFIGS = {"nl": "knowledge_dutch", "en": "knowledge_english"}
NEIGHBOURS = 10
CATEGORY_COLUMNS = ("category_id", "category__slug", "category__name_nl", "category__name_en")
MAX_TERMS = 12
_WORD = re.compile(r"[a-z0-9]{3,}")


def _terms(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return list(dict.fromkeys(_WORD.findall(plain)))[:MAX_TERMS]


def question_suggested_category(*, question: Question) -> Category | None:
    """The category whose published answers match the question's words best (summed
    relevance of the closest `NEIGHBOURS`), or None when nothing matches. One query."""
    terms = _terms(f"{question.title} {question.details}")
    if not terms:
        return None
    candidates = Article.objects.filter(status=ArticleStatus.PUBLISHED, category__isnull=False)
    if connection.vendor == "postgresql":
        text = " | ".join(f"{term}:*" for term in terms)
        query = SearchQuery(text, search_type="raw", config=SEARCH_CONFIGS[question.language])
        rows: list[tuple[Any, ...]] = list(
            candidates.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "id")
            .values_list(*CATEGORY_COLUMNS, "rank")[:NEIGHBOURS]
        )
    else:  # the SQLite demo: any word in the title or summary, each match weighs 1
        matches = Q()
        for term in terms:
            matches |= Q(title__icontains=term) | Q(summary__icontains=term)
        found = candidates.filter(matches).order_by("id").values_list(*CATEGORY_COLUMNS)
        rows = [(*row, 1.0) for row in found[:NEIGHBOURS]]
    weights: Counter[tuple[Any, ...]] = Counter()
    for *category, rank in rows:
        weights[tuple(category)] += float(rank)
    if not weights:
        return None
    best = max(weights.items(), key=lambda item: (item[1], -item[0][0]))[0]
    return Category(**dict(zip(("id", "slug", "name_nl", "name_en"), best, strict=True)))

"""Full-text search over published articles.

PostgreSQL: the stored `search_vector` (trigger-maintained, GIN-indexed) is matched with
a tsquery built from the typed words, parsed per article language (`knowledge_dutch`,
`knowledge_english`: unaccent + stemming). Every word matches as a prefix, so `sim`
finds `simkaart` and `prepaid` finds `prepaidkaart`; words of four letters or more that
the knowledge base does not contain are widened with their nearest vocabulary words by
trigram similarity, so `abbonement` finds `abonnement`. Words are OR-ed and ranked, with
a bonus for articles that match every word, and stale articles are ranked down.

SQLite (the demo): a plain case-insensitive substring match, scored by field.

A search costs two queries (vocabulary, ranked page); the caller adds notices and the log.
The ranked page (ids and highlights) of a search is kept in the shared cache for
KNOWLEDGE_SEARCH_CACHE_SECONDS: popular questions are asked by many employees at once,
and ranking a common word over thousands of articles is the expensive part. Every change
to an article (each one records a revision) starts a new cache generation.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import (
    Case,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Concat

from backend.api.cache import cache_outage_warning
from knowledge.models import Article, ArticleLanguage
from knowledge.rendering import HIGHLIGHT_START, HIGHLIGHT_STOP, highlight_terms

logger = logging.getLogger(__name__)

MAX_TERMS = 12
MAX_TERM_LENGTH = 40
# Typo correction: only for words of this length or more, and only this close.
CORRECTION_MIN_LENGTH = 4
CORRECTION_MIN_SIMILARITY = 0.45
CORRECTIONS_PER_TERM = 3
# Relevance multiplier for an article past its verified_until: it may still be found,
# but never above a fresh article of similar relevance.
STALE_FACTOR = 0.6
ALL_TERMS_BONUS = 0.5
# ts_rank weights for D, C, B, A: body < friend text < summary and tags < title.
RANK_WEIGHTS = [0.1, 0.2, 0.4, 1.0]

SEARCH_CONFIGS = {ArticleLanguage.NL: "knowledge_dutch", ArticleLanguage.EN: "knowledge_english"}

_HYPHENATED = re.compile(r"(?<=[a-z0-9])-(?=[a-z0-9])")
_NON_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class ParsedQuery:
    raw: str
    normalized: str
    terms: tuple[str, ...]


def query_normalize(raw: str) -> str:
    """Lower-case, accents removed, whitespace collapsed: the form logged and grouped."""
    decomposed = unicodedata.normalize("NFKD", raw)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def query_parse(raw: str) -> ParsedQuery:
    """Splits a typed query into search words. Hyphenated words are joined (`e-sim` →
    `esim`), matching how the search document indexes them."""
    normalized = query_normalize(raw)
    joined = _HYPHENATED.sub("", normalized)
    terms: list[str] = []
    for word in _NON_WORD.split(joined):
        if word and word not in terms:
            terms.append(word[:MAX_TERM_LENGTH])
    return ParsedQuery(raw=raw, normalized=normalized, terms=tuple(terms[:MAX_TERMS]))


# One ranked page: (article id, raw highlight) in rank order.
RankedRows = list[tuple[int, str]]
_GENERATION_KEY = "knowledge:search:generation"


@dataclass(frozen=True)
class RankedCacheEntry:
    """Where a ranked page is cached, the article generation it was looked up under, and
    the page if the cache had it for that generation."""

    key: str
    generation: int
    rows: RankedRows | None


def ranked_cache_get(key_parts: tuple[object, ...]) -> RankedCacheEntry:
    """One cache round trip; a cache outage just means no page."""
    key = "knowledge:search:" + hashlib.sha256(repr(key_parts).encode()).hexdigest()
    if settings.KNOWLEDGE_SEARCH_CACHE_SECONDS == 0:
        return RankedCacheEntry(key, 0, None)
    try:
        found = cache.get_many([_GENERATION_KEY, key])
    except Exception as exc:  # any cache outage: rank in the database
        cache_outage_warning(logger, "search cache unavailable", exc)
        return RankedCacheEntry(key, 0, None)
    generation = found.get(_GENERATION_KEY, 0)
    entry = found.get(key)
    rows = entry[1] if entry is not None and entry[0] == generation else None
    return RankedCacheEntry(key, generation, rows)


def ranked_cache_set(looked_up: RankedCacheEntry, rows: RankedRows) -> None:
    """Stores a page under the generation it was looked up under: if an article changed
    while it was being ranked, the page is already outdated and never served."""
    if settings.KNOWLEDGE_SEARCH_CACHE_SECONDS == 0:
        return
    try:
        cache.set(
            looked_up.key, (looked_up.generation, rows), settings.KNOWLEDGE_SEARCH_CACHE_SECONDS
        )
    except Exception as exc:
        cache_outage_warning(logger, "search cache unavailable", exc)


def ranked_cache_invalidate() -> None:
    """Articles changed: cached ranked pages are outdated. Once now (this transaction's
    own reads) and again after the commit (a search that ran in between)."""

    def bump() -> None:
        try:
            cache.set(_GENERATION_KEY, time.time_ns(), None)
        except Exception as exc:  # pages then expire on their own
            cache_outage_warning(logger, "search cache unavailable", exc)

    bump()
    transaction.on_commit(bump)


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def vocabulary_corrections(terms: tuple[str, ...]) -> dict[str, list[str]]:
    """For each word not in the vocabulary, its nearest vocabulary words (one query)."""
    candidates = [t for t in terms if len(t) >= CORRECTION_MIN_LENGTH and not t.isdigit()]
    if not candidates:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.term, s.word, s.score
            FROM unnest(%s::text[]) AS t(term)
            CROSS JOIN LATERAL (
                SELECT word, similarity(word, t.term) AS score
                FROM knowledge_searchterm
                WHERE word %% t.term AND similarity(word, t.term) >= %s
                ORDER BY score DESC, word
                LIMIT %s
            ) AS s
            """,
            [candidates, CORRECTION_MIN_SIMILARITY, CORRECTIONS_PER_TERM],
        )
        rows = cursor.fetchall()
    known = {term for term, word, _ in rows if word == term}
    corrections: dict[str, list[str]] = {}
    for term, word, _ in rows:
        if term not in known and word != term:
            corrections.setdefault(term, []).append(word)
    return corrections


def tsquery_text(terms: tuple[str, ...], corrections: dict[str, list[str]], joiner: str) -> str:
    """A `to_tsquery` expression: each word as a prefix, OR its corrections.

    Terms are `[a-z0-9]+` by construction, so nothing here can break the tsquery syntax.
    """
    groups = []
    for index, term in enumerate(terms):
        is_last = index == len(terms) - 1
        first = f"{term}:*" if (len(term) >= 3 or is_last) else term
        alternatives = [first, *corrections.get(term, [])]
        groups.append("(" + " | ".join(alternatives) + ")")
    return f" {joiner} ".join(groups)


def _per_language(expressions: dict[str, object], output_field: object) -> Case:
    return Case(
        *[When(language=lang, then=expr) for lang, expr in expressions.items()],
        output_field=output_field,
    )


def search_postgresql(
    *,
    queryset: QuerySet[Article],
    parsed: ParsedQuery,
    today: date,
    order: Sequence[Any],
    offset: int,
    limit: int,
) -> QuerySet[Article]:
    """One page of matches of `queryset`, ordered by `order` (which may use `score`), with
    `score` and `headline_raw` annotated.

    Ranks in a subquery that reads only what ranking needs, then joins and highlights the
    page's rows alone: a common word can match thousands of articles, and carrying their
    text through the sort, or highlighting them, would cost far more than the ranking.
    """
    corrections = vocabulary_corrections(parsed.terms)
    any_text = tsquery_text(parsed.terms, corrections, "|")
    all_text = tsquery_text(parsed.terms, corrections, "&")
    any_query = {
        lang: SearchQuery(any_text, search_type="raw", config=cfg)
        for lang, cfg in SEARCH_CONFIGS.items()
    }
    all_query = {
        lang: SearchQuery(all_text, search_type="raw", config=cfg)
        for lang, cfg in SEARCH_CONFIGS.items()
    }
    matches = Q()
    for lang, query in any_query.items():
        matches |= Q(language=lang, search_vector=query)
    rank = _per_language(
        {
            lang: SearchRank(F("search_vector"), query, weights=RANK_WEIGHTS)
            for lang, query in any_query.items()
        },
        FloatField(),
    )
    all_terms_bonus = Case(
        *[
            When(Q(language=lang, search_vector=query), then=Value(ALL_TERMS_BONUS))
            for lang, query in all_query.items()
        ],
        default=Value(0.0),
        output_field=FloatField(),
    )
    freshness = Case(
        When(verified_until__gte=today, then=Value(1.0)),
        default=Value(STALE_FACTOR),
        output_field=FloatField(),
    )
    document = Concat(
        F("summary"), Value(" "), F("friend_text"), Value(" "), F("body"), output_field=TextField()
    )
    headline = _per_language(
        {
            lang: SearchHeadline(
                document,
                any_query[lang],
                config=cfg,
                start_sel=HIGHLIGHT_START,
                stop_sel=HIGHLIGHT_STOP,
                max_words=30,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
            for lang, cfg in SEARCH_CONFIGS.items()
        },
        TextField(),
    )
    score = (rank + all_terms_bonus) * freshness
    page = (
        queryset.filter(matches)
        .annotate(score=score)
        .order_by(*order)
        .values("pk")[offset : offset + limit]
    )
    return (
        Article.objects.filter(pk__in=page)
        .annotate(score=score, headline_raw=headline)
        .order_by(*order)
    )


def search_plain(
    *, queryset: QuerySet[Article], parsed: ParsedQuery, today: date
) -> QuerySet[Article]:
    """The SQLite fallback: any word as a substring; title counts most."""
    matches = Q()
    score = Value(0)
    weights = {"title": 8, "summary": 4, "tags": 4, "friend_text": 2, "body": 1}
    for term in parsed.terms:
        for field, weight in weights.items():
            condition = Q(**{f"{field}__icontains": term})
            matches |= condition
            score = score + Case(
                When(condition, then=Value(weight)), default=Value(0), output_field=IntegerField()
            )
    freshness = Case(
        When(verified_until__gte=today, then=Value(1.0)),
        default=Value(STALE_FACTOR),
        output_field=FloatField(),
    )
    return queryset.filter(matches).annotate(
        score=score * freshness, headline_raw=Value("", output_field=TextField())
    )


def headline_fallback(article: Article, parsed: ParsedQuery) -> str:
    return highlight_terms(article.summary, list(parsed.terms))

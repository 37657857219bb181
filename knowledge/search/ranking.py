"""One page of search results: the engine's candidates, checked and ordered by what
PostgreSQL says now.

Tantivy returns the best `offset + limit + CANDIDATE_MARGIN` matches by BM25 (with the
field weights of the query). Those ids are then read back from the filtered queryset —
so a result is only ever an article that is visible right now, whatever the index still
holds — together with `verified_until`, and re-scored:

- an article past its `verified_until` counts `STALE_FACTOR` of its relevance: it may be
  found, but never above a fresh article of similar relevance (checked against today, so
  an article turns stale at midnight without being re-indexed);
- an article in the employee's own language gets `OWN_LANGUAGE_BONUS`, enough to break a
  near-tie and no more: an English question still finds the English answer first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import tantivy
from django.db.models import QuerySet

from knowledge.models import Article
from knowledge.search.highlight import Highlighter
from knowledge.search.indexing import STORED_FIELDS, field_name
from knowledge.search.query import ParsedQuery, SearchFilters, query_compile
from knowledge.search.reader import index_reader

STALE_FACTOR = 0.6
OWN_LANGUAGE_BONUS = 1.25
CANDIDATE_MARGIN = 30


@dataclass
class RankedPage:
    ids: list[int] = field(default_factory=list)  # in rank order; one more than asked if more
    highlights: dict[int, str] = field(default_factory=dict)  # id → safe HTML


def articles_rank(
    *,
    parsed: ParsedQuery,
    filters: SearchFilters,
    visible: QuerySet[Article],
    preferred_language: str,
    today: date,
    offset: int,
    limit: int,
    highlight: bool = True,
) -> RankedPage:
    """Ids of the page `offset`, `offset + limit` (plus the next one, if any) among the
    articles of `visible` matching `parsed`, with their highlights unless `highlight` is
    off (a caller that only wants the ids). One query."""
    reader = index_reader()
    searcher = reader.index.searcher()
    compiled = query_compile(
        parsed=parsed,
        filters=filters,
        index=reader.index,
        searcher=searcher,
        analyzers=reader.analyzers,
    )
    found = searcher.search(
        compiled.query, limit=offset + limit + 1 + CANDIDATE_MARGIN, count=False
    ).hits
    if not found:
        return RankedPage()
    ids = [int(pk or 0) for pk in searcher.fast_field_values("id", [a for _, a in found])]
    scored = _rescored(
        found=found,
        ids=ids,
        visible=visible,
        preferred_language=preferred_language,
        today=today,
    )
    page = RankedPage(ids=[hit.pk for hit in scored[offset : offset + limit + 1]])
    if not highlight:
        return page
    highlighter = Highlighter(compiled, reader.stems)
    for hit in scored[offset : offset + limit]:
        stored = searcher.doc(hit.address)
        page.highlights[hit.pk] = highlighter.passage(
            texts=[stored.get_first(field_name(hit.language, f)) or "" for f in STORED_FIELDS],
            language=hit.language,
        )
    return page


@dataclass(frozen=True)
class _Hit:
    score: float
    pk: int
    language: str
    address: tantivy.DocAddress  # where to read the stored text back


def _rescored(
    *,
    found: list[tuple[float, tantivy.DocAddress]],
    ids: list[int],
    visible: QuerySet[Article],
    preferred_language: str,
    today: date,
) -> list[_Hit]:
    """The engine's hits that are visible now, re-scored for staleness and language, best
    first (equal scores: lower id first)."""
    current = {
        pk: (language, verified_until)
        for pk, language, verified_until in visible.filter(pk__in=ids).values_list(
            "pk", "language", "verified_until"
        )
    }
    scored = []
    for (score, address), pk in zip(found, ids, strict=True):
        if pk not in current:
            continue
        language, verified_until = current[pk]
        if verified_until is None or verified_until < today:
            score *= STALE_FACTOR
        if language == preferred_language:
            score *= OWN_LANGUAGE_BONUS
        scored.append(_Hit(score, pk, language, address))
    scored.sort(key=lambda hit: (-hit.score, hit.pk))
    return scored

"""One page of search results: the engine's candidates, ordered by relevance, freshness and
language.

Tantivy returns the best `offset + limit + CANDIDATE_MARGIN` matches by BM25 (with the
field weights of the query), among the documents with the wanted status and filters.
They are re-scored from the index's fast fields, without reading their documents:

- an article past its `verified_until` counts `STALE_FACTOR` of its relevance: it may be
  found, but never above a fresh article of similar relevance (checked against today, so
  an article turns stale at midnight without being re-indexed);
- an article in the employee's own language gets `OWN_LANGUAGE_BONUS`, enough to break a
  near-tie and no more: an English question still finds the English answer first.

No database query: the index is at most `SEARCH_SYNC_SECONDS` behind PostgreSQL, and the
caller loads the page's rows by id with the status it asked for, which drops an article
that stopped being visible within those seconds (both callers do).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import tantivy

from knowledge.search.highlight import Highlighter, Preview
from knowledge.search.indexing import LANGUAGE_CODES
from knowledge.search.query import ParsedQuery, SearchFilters, query_compile
from knowledge.search.reader import index_reader

STALE_FACTOR = 0.6
OWN_LANGUAGE_BONUS = 1.25
# Candidates beyond the page: a fresh or own-language article just below it may move up.
CANDIDATE_MARGIN = 30


@dataclass
class RankedPage:
    ids: list[int] = field(default_factory=list)  # in rank order; one more than asked if more
    highlights: dict[int, str] = field(default_factory=dict)  # id → safe HTML


@dataclass(frozen=True)
class _Hit:
    score: float
    pk: int
    language: str
    address: tantivy.DocAddress  # where to read the preview back


def articles_rank(
    *,
    parsed: ParsedQuery,
    filters: SearchFilters,
    preferred_language: str,
    today: date,
    offset: int,
    limit: int,
    highlight: bool = True,
) -> RankedPage:
    """Ids of the page `offset`, `offset + limit` (plus the next one, if any) among the
    articles matching `parsed` and `filters`, with their highlights unless `highlight` is
    off (a caller that only wants the ids). No database query is made here: the caller
    loads the rows and drops any that are no longer visible (see the module's docstring)."""
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
    scored = _rescored(searcher, found, preferred_language=preferred_language, today=today)
    page = RankedPage(ids=[hit.pk for hit in scored[offset : offset + limit + 1]])
    if highlight and found:
        highlighter = Highlighter(compiled, reader.stems)
        page.highlights = _highlights(searcher, highlighter, scored[offset : offset + limit])
    return page


def _rescored(
    searcher: tantivy.Searcher,
    found: list[tuple[float, tantivy.DocAddress]],
    *,
    preferred_language: str,
    today: date,
) -> list[_Hit]:
    """The engine's hits re-scored for staleness and language, best first (equal scores:
    lower id first)."""
    addresses = [address for _, address in found]
    columns = zip(
        found,
        searcher.fast_field_values("id", addresses),
        searcher.fast_field_values("language_code", addresses),
        searcher.fast_field_values("verified_until", addresses),
        strict=True,
    )
    fresh_from = today.toordinal()
    scored = []
    for (score, address), pk, code, verified_until in columns:
        language = LANGUAGE_CODES[int(code or 0)]
        if (verified_until or 0) < fresh_from:
            score *= STALE_FACTOR
        if language == preferred_language:
            score *= OWN_LANGUAGE_BONUS
        scored.append(_Hit(score, int(pk or 0), language, address))
    scored.sort(key=lambda hit: (-hit.score, hit.pk))
    return scored


def _highlights(
    searcher: tantivy.Searcher, highlighter: Highlighter, hits: list[_Hit]
) -> dict[int, str]:
    """Id → the hit's highlighted passage, cut from the preview the index stores."""
    previews = [_preview(searcher.doc(hit.address), hit.language) for hit in hits]
    passages = highlighter.passages(previews)
    return {hit.pk: passage for hit, passage in zip(hits, passages, strict=True)}


def _preview(doc: tantivy.Document, language: str) -> Preview:
    text, words = (doc.get_first(name) for name in ("preview", "preview_words"))
    return Preview(
        text=bytes(text).decode() if text else "",
        words=bytes(words).decode() if words else "",
        language=language,
    )

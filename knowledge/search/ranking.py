"""One page of search results: the engine's candidates, ordered by relevance, freshness and
language.

Tantivy returns the best `offset + limit + CANDIDATE_MARGIN` matches by BM25 (with the
field weights of the query), among the documents with the wanted status and filters, and
every match tied with the last of them (`_candidates`: where equally relevant documents lie
in the index must not decide the page).
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
# Candidates (or four times a deep page's) when the last ones tie with documents beyond.
TIED_CANDIDATES_MAX = 2000


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
    found = _candidates(searcher, compiled.query, wanted=offset + limit + 1 + CANDIDATE_MARGIN)
    scored = _rescored(
        searcher,
        found,
        preferred_language=preferred_language,
        today=today,
        keep=offset + limit + 1,
    )
    page = RankedPage(ids=[hit.pk for hit in scored[offset : offset + limit + 1]])
    if highlight and found:
        highlighter = Highlighter(compiled, reader.stems)
        page.highlights = _highlights(searcher, highlighter, scored[offset : offset + limit])
    return page


def _candidates(
    searcher: tantivy.Searcher, query: tantivy.Query, *, wanted: int
) -> list[tuple[float, tantivy.DocAddress]]:
    """The best `wanted` matches, and every match as relevant as the last of them (up to
    `TIED_CANDIDATES_MAX`). Which of equally scored documents the engine keeps depends on
    where they lie in the index, which differs between hosts, rebuilds and catch-ups;
    with the whole tie among the candidates, the page orders it by id and is the same
    everywhere. Ties are common where every match scores alike: a typo or an unfinished
    word alone."""
    limit = wanted + 1
    hits = searcher.search(query, limit=limit, count=False).hits
    # A few more, then as many as we take (never fewer than asked for a deep page).
    for larger in (wanted * 4, max(wanted * 4, TIED_CANDIDATES_MAX)):
        every_match_is_here = len(hits) < limit
        if every_match_is_here or hits[-1][0] != hits[wanted - 1][0] or larger <= limit:
            break
        limit = larger
        hits = searcher.search(query, limit=limit, count=False).hits
    if len(hits) <= wanted:
        return hits
    last = hits[wanted - 1][0]
    return hits[:wanted] + [hit for hit in hits[wanted:] if hit[0] == last]


def _rescored(
    searcher: tantivy.Searcher,
    found: list[tuple[float, tantivy.DocAddress]],
    *,
    preferred_language: str,
    today: date,
    keep: int,
) -> list[_Hit]:
    """The best `keep` of the engine's hits re-scored for staleness and language, best
    first (equal scores: lower id first). Plain lists until the end: a tie can bring in a
    few thousand candidates."""
    addresses = [address for _, address in found]
    pks = searcher.fast_field_values("id", addresses)
    codes = searcher.fast_field_values("language_code", addresses)
    verified_until = searcher.fast_field_values("verified_until", addresses)
    fresh_from = today.toordinal()
    own = LANGUAGE_CODES.index(preferred_language) if preferred_language in LANGUAGE_CODES else -1
    scores = [
        score
        * (STALE_FACTOR if (until or 0) < fresh_from else 1.0)
        * (OWN_LANGUAGE_BONUS if code == own else 1.0)
        for (score, _), until, code in zip(found, verified_until, codes, strict=True)
    ]
    best = sorted(range(len(found)), key=lambda i: (-scores[i], pks[i] or 0))[:keep]
    return [
        _Hit(scores[i], int(pks[i] or 0), LANGUAGE_CODES[int(codes[i] or 0)], addresses[i])
        for i in best
    ]


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

"""Highlights: a short passage of the article's stored text with the matched words marked.

The passage is cut from the text the index stores (summary, friend text, body), around
the densest group of matches. A word is marked when the query matched it: same stem or
compound part, the typed prefix, or within the edits allowed for an unknown word.
Output goes through `snippet_to_html`, so `<mark>` is the only tag it can contain.
"""

from __future__ import annotations

import re

import tantivy

from knowledge.rendering import HIGHLIGHT_START, HIGHLIGHT_STOP, snippet_to_html
from knowledge.search.analysis import fold
from knowledge.search.query import CompiledQuery

PASSAGE_CHARS = 220
SCAN_CHARS = 6000  # matches further into a long body are not worth finding for a preview

_WORD = re.compile(r"\w+(?:-\w+)*")


def highlight(
    *, texts: list[str], language: str, compiled: CompiledQuery, analyzer: tantivy.TextAnalyzer
) -> str:
    text = "\n".join(t for t in texts if t)[:SCAN_CHARS]
    stems = compiled.stems.get(language, set())
    seen: dict[str, bool] = {}
    matches = []
    for word in _WORD.finditer(text):
        folded = fold(word.group())
        if folded not in seen:
            seen[folded] = _is_match(folded, stems, compiled, analyzer)
        if seen[folded]:
            matches.append(word)
    start, end = _passage(text, matches)
    pieces, cursor = [], start
    for word in matches:
        if start <= word.start() and word.end() <= end:
            pieces += [text[cursor : word.start()], HIGHLIGHT_START, word.group(), HIGHLIGHT_STOP]
            cursor = word.end()
    pieces.append(text[cursor:end])
    passage = ("… " if start > 0 else "") + "".join(pieces) + (" …" if end < len(text) else "")
    return snippet_to_html(passage)


def _is_match(
    folded: str, stems: set[str], compiled: CompiledQuery, analyzer: tantivy.TextAnalyzer
) -> bool:
    joined = folded.replace("-", "")
    if any(joined.startswith(prefix) for prefix in compiled.prefixes):
        return True
    if stems.intersection(analyzer.analyze(folded)):
        return True
    return any(_within_edits(joined, typo, edits) for typo, edits in compiled.typos.items())


def _passage(text: str, matches: list[re.Match[str]]) -> tuple[int, int]:
    """Start and end of the passage holding the most distinct matched words (the earliest
    such passage), cut at word boundaries."""
    if not matches:
        return 0, _cut(text, PASSAGE_CHARS)
    best, best_count = 0, 0
    for first, match in enumerate(matches):
        window = {
            fold(m.group()) for m in matches[first:] if m.end() - match.start() <= PASSAGE_CHARS
        }
        if len(window) > best_count:
            best, best_count = first, len(window)
    start = matches[best].start()
    lead = text.rfind(" ", 0, max(0, start - 40)) + 1 if start > 60 else 0
    return lead, _cut(text, lead + PASSAGE_CHARS)


def _cut(text: str, end: int) -> int:
    if end >= len(text):
        return len(text)
    space = text.rfind(" ", 0, end)
    return space if space > 0 else end


def _within_edits(word: str, target: str, edits: int) -> bool:
    """Levenshtein distance (adjacent transposition counting as one) at most `edits`."""
    if abs(len(word) - len(target)) > edits:
        return False
    previous, current = None, list(range(len(target) + 1))
    for i, a in enumerate(word, start=1):
        before, previous = previous, current
        current = [i] + [0] * len(target)
        for j, b in enumerate(target, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b))
            if before and i > 1 and j > 1 and a == target[j - 2] and word[i - 2] == b:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > edits:
            return False
    return current[-1] <= edits

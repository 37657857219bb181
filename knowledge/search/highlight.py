"""Highlights: a short passage of the article's text with the matched words marked.

The passage is cut from the preview the index stores (the start of summary, friend text
and body as plain text: its Markdown was removed when the article was indexed), around
the densest group of matches. A word is marked when the query matched it: same stem or
compound part, the typed prefix, or within the edits allowed for an unknown word. The text
is escaped around the marks, so `<mark>` is the only tag a highlight can contain.

The index stores each preview's distinct words, one per line. Those of a page are judged
once, and one by one only where they can match at all (they hold a typed prefix or the
start of a query stem, or are as long as a typo give or take its edits); then one regular
expression of the marked words finds them in each preview.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from knowledge.search.analysis import HIGHLIGHT_WORD, fold, fold_in_place
from knowledge.search.query import CompiledQuery

PASSAGE_CHARS = 220
# A stem is looked for without its last letters, where stemmers change a word (`happi`
# from `happy` is found as `hap`, Dutch `opwaardeer` from `opwaarderen` as `opwaarde`),
# but never shorter than `KEY_MIN_LENGTH`.
KEY_TRIM = 2
KEY_MIN_LENGTH = 3

# Where a word (`HIGHLIGHT_WORD`) ends: not inside a longer one (`sim` in `e-sim`). Where
# it starts is checked after a match (`_starts_word`): a pattern that begins with the words
# themselves lets the regular expression engine skip ahead to their first letters, which
# one that begins with a look-behind cannot (it costs 3 to 4 times as much per preview).
_WORD_END = r"(?!\w)(?!-\w)"
_WORD_CHARACTER = re.compile(r"\w")

Span = tuple[int, int]


@dataclass(frozen=True)
class Preview:
    """The stored start of an article's text, its distinct words (`highlight_words`) and
    its language."""

    text: str
    words: str  # one per line
    language: str


class Highlighter:
    """Marks the matches of one search in the previews of its page."""

    def __init__(self, compiled: CompiledQuery, stems: Callable[[str, str], tuple[str, ...]]):
        self.compiled = compiled
        self._stems = stems  # (language, word) → its stems, as the index has them
        self._prefixes = tuple(compiled.prefixes)
        self._candidates = _candidates(compiled)

    def passages(self, previews: list[Preview]) -> list[str]:
        """Safe HTML for each preview: the passage of its text with the most matches,
        matches marked."""
        patterns = self._marked_words(previews)
        passages = []
        for preview in previews:
            text, language = preview.text, preview.language
            folded = fold_in_place(text)
            if len(folded) == len(text):
                pattern = patterns.get(language)
                found = pattern.finditer(folded) if pattern else ()
                spans = [m.span() for m in found if _starts_word(folded, m.start())]
            else:  # lower-casing changed a length, so positions differ: word by word
                found = HIGHLIGHT_WORD.finditer(text)
                spans = [w.span() for w in found if self._is_match(fold(w.group()), language)]
            start, end = _passage(text, spans)
            lead, tail = ("… " if start > 0 else ""), (" …" if end < len(text) else "")
            passages.append(lead + _marked(text, spans, start, end) + tail)
        return passages

    def _marked_words(self, previews: list[Preview]) -> dict[str, re.Pattern[str]]:
        """Language → a pattern finding the words the query matched in the previews, for
        the languages where it matched any. Only the words that may match (see
        `_candidates`) are looked at one by one."""
        words: dict[str, list[str]] = {}
        for preview in previews:
            words.setdefault(preview.language, []).append(preview.words)
        patterns = {}
        for language, lines in words.items():
            found = self._candidates("\n".join(lines))
            marked = [w for w in found if self._is_match(fold(w), language)]
            if marked:
                marked.sort(key=len, reverse=True)  # the longest first, where one starts another
                alternatives = "|".join(map(re.escape, marked))
                patterns[language] = re.compile(f"(?:{alternatives}){_WORD_END}")
        return patterns

    def _is_match(self, folded: str, language: str) -> bool:
        compiled = self.compiled
        joined = folded.replace("-", "")
        if joined.startswith(self._prefixes):
            return True
        stems = compiled.stems.get(language)
        if stems and not stems.isdisjoint(self._stems(language, folded)):
            return True
        return any(
            OSA.distance(joined, typo, score_cutoff=edits) <= edits
            for typo, edits in compiled.typos.items()
        )


def _candidates(compiled: CompiledQuery) -> Callable[[str], set[str]]:
    """Finds, among words one per line, those that may match: they hold a typed prefix or
    the start of a query stem (every stem, compound part or prefix a word can match
    begins that way; a hyphen allowed between any two letters: `e-sim` holds `esim`), or
    are as long as a typo give or take its edits."""
    keys = set(compiled.prefixes)
    for stems in compiled.stems.values():
        keys.update(stem[: max(KEY_MIN_LENGTH, len(stem) - KEY_TRIM)] for stem in stems)
    keys.discard("")
    holding = None
    if keys:
        by_length = sorted(keys, key=len, reverse=True)  # the longest first
        holding = re.compile("|".join("-?".join(map(re.escape, key)) for key in by_length))
    sizes = None
    if compiled.typos:
        shortest = min(len(typo) - edits for typo, edits in compiled.typos.items())
        longest = max(len(typo) + edits for typo, edits in compiled.typos.items())
        sizes = range(max(1, shortest), longest + 1)

    def found(lines: str) -> set[str]:
        words: set[str] = set()
        if sizes:  # every word is as long as a typo give or take its edits, hyphens aside
            words.update(w for w in set(lines.split("\n")) if len(w) - w.count("-") in sizes)
        # The lines holding a key: found by the key (the engine skips ahead to its first
        # letters), then cut out, and the search goes on from the next line.
        position = 0
        while holding and (match := holding.search(lines, position)):
            start = lines.rfind("\n", 0, match.start()) + 1
            end = lines.find("\n", match.end())
            end = len(lines) if end < 0 else end
            words.add(lines[start:end])
            position = end + 1
        return words

    return found


def _starts_word(text: str, start: int) -> bool:
    """`start` begins a word: no letter or digit just before it, nor one and a hyphen."""
    if start == 0 or _WORD_CHARACTER.match(text, start - 1):
        return start == 0
    return not (text[start - 1] == "-" and start > 1 and _WORD_CHARACTER.match(text, start - 2))


def _marked(text: str, spans: list[Span], start: int, end: int) -> str:
    """`text[start:end]`, escaped, with the spans inside it marked."""
    pieces, cursor = [], start
    for first, last in spans:
        if start <= first and last <= end:
            pieces += [html.escape(text[cursor:first], quote=False), "<mark>"]
            pieces += [html.escape(text[first:last], quote=False), "</mark>"]
            cursor = last
    pieces.append(html.escape(text[cursor:end], quote=False))
    return "".join(pieces)


def _passage(text: str, spans: list[Span]) -> tuple[int, int]:
    """Start and end of the passage holding the most matches (the earliest such passage),
    cut at word boundaries."""
    if not spans:
        return 0, _cut(text, PASSAGE_CHARS)
    best, best_count, last = 0, 0, 0
    for first, (first_start, _) in enumerate(spans):
        last = max(last, first)
        while last + 1 < len(spans) and spans[last + 1][1] - first_start <= PASSAGE_CHARS:
            last += 1
        if last - first + 1 > best_count:
            best, best_count = first, last - first + 1
    start = spans[best][0]
    lead = text.rfind(" ", 0, max(0, start - 40)) + 1 if start > 60 else 0
    return lead, _cut(text, lead + PASSAGE_CHARS)


def _cut(text: str, end: int) -> int:
    if end >= len(text):
        return len(text)
    space = text.rfind(" ", 0, end)
    return space if space > 0 else end

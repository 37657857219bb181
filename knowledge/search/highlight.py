"""Highlights: a short passage of the article's stored text with the matched words marked.

The passage is cut from the preview the index stores (the start of summary, friend text
and body), around the densest group of matches. A word is marked when the query matched
it: same stem or compound part, the typed prefix, or within the edits allowed for an
unknown word. Output goes through `snippet_to_html`, so `<mark>` is the only tag it can
contain.

Only the words that can match are looked at: one regular expression finds the words
containing a typed prefix or the start of a query stem (every stem, compound part or
prefix a word can match begins that way), and only those are checked one by one. A query
with a typo looks at every word (the typo can be anywhere in it).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from knowledge.rendering import HIGHLIGHT_START, HIGHLIGHT_STOP, snippet_to_html
from knowledge.search.analysis import fold, fold_in_place
from knowledge.search.query import CompiledQuery

PASSAGE_CHARS = 220
# A stem is looked for without its last letters, where stemmers change a word (`happi`
# from `happy` is found as `hap`, Dutch `opwaardeer` from `opwaarderen` as `opwaarde`),
# but never shorter than `KEY_MIN_LENGTH`.
KEY_TRIM = 2
KEY_MIN_LENGTH = 3

_WORD = re.compile(r"\w+(?:-\w+)*")


class Highlighter:
    """Marks the matches of one search; remembers each word's verdict across its results."""

    def __init__(self, compiled: CompiledQuery, stems: Callable[[str, str], tuple[str, ...]]):
        self.compiled = compiled
        self._stems = stems  # (language, word) → its stems, as the index has them
        self.verdicts: dict[tuple[str, str], bool] = {}
        self._candidates = _candidates_pattern(compiled)

    def passage(self, *, text: str, language: str) -> str:
        matches = self._matches(text, language)
        start, end = _passage(text, matches)
        lead, tail = ("… " if start > 0 else ""), (" …" if end < len(text) else "")
        return snippet_to_html(lead + _marked(text, matches, start, end) + tail)

    def _matches(self, text: str, language: str) -> list[re.Match[str]]:
        """The words of `text` the query matched, in order."""
        matches = []
        for word in self._words(text):
            key = (language, word.group().lower())
            if key not in self.verdicts:
                self.verdicts[key] = self._is_match(fold(key[1]), language)
            if self.verdicts[key]:
                matches.append(word)
        return matches

    def _words(self, text: str) -> list[re.Match[str]]:
        """The words of `text` that may match, in order: all of them, or those the
        candidates pattern finds (in the folded text, when folding keeps its length)."""
        folded = fold_in_place(text)
        if self._candidates is None or len(folded) != len(text):
            return list(_WORD.finditer(text))
        words: dict[int, re.Match[str]] = {}
        for found in self._candidates.finditer(folded):
            word = _WORD.match(text, _word_start(folded, found.start()))
            if word and word.end() > found.start():
                words[word.start()] = word
        return list(words.values())

    def _is_match(self, folded: str, language: str) -> bool:
        compiled = self.compiled
        joined = folded.replace("-", "")
        if joined.startswith(tuple(compiled.prefixes)):
            return True
        stems = compiled.stems.get(language, set())
        if stems.intersection(self._stems(language, folded)):
            return True
        return any(_within_edits(joined, typo, edits) for typo, edits in compiled.typos.items())


def _candidates_pattern(compiled: CompiledQuery) -> re.Pattern[str] | None:
    """Finds, in folded text, the typed prefixes and the starts of the query's stems (a
    hyphen allowed between any two letters: `e-sim` holds `esim`), and the words as long
    as a typo give or take its edits. None: every word is a candidate."""
    keys = set(compiled.prefixes)
    for stems in compiled.stems.values():
        keys.update(stem[: max(KEY_MIN_LENGTH, len(stem) - KEY_TRIM)] for stem in stems)
    keys.discard("")
    if not keys:
        return None
    alternatives = ["-?".join(map(re.escape, key)) for key in sorted(keys, key=len)]
    alternatives.reverse()  # the longest first
    if compiled.typos:
        shortest = min(len(typo) - edits for typo, edits in compiled.typos.items())
        longest = max(len(typo) + edits for typo, edits in compiled.typos.items())
        alternatives.append(rf"(?<![\w-])(?:\w-?){{{max(1, shortest)},{longest}}}(?!\w)")
    return re.compile("|".join(alternatives))


def _word_start(text: str, position: int) -> int:
    """Where the word holding `position` starts (a word as `_WORD` has it)."""
    start = position
    while start > 0:
        before = text[start - 1]
        if not (before.isalnum() or before == "_" or (before == "-" and start > 1)):
            break
        if before == "-" and not (text[start - 2].isalnum() or text[start - 2] == "_"):
            break
        start -= 1
    return start


def _marked(text: str, matches: list[re.Match[str]], start: int, end: int) -> str:
    """`text[start:end]` with the matches inside it between highlight markers."""
    pieces, cursor = [], start
    for word in matches:
        if start <= word.start() and word.end() <= end:
            pieces += [text[cursor : word.start()], HIGHLIGHT_START, word.group(), HIGHLIGHT_STOP]
            cursor = word.end()
    pieces.append(text[cursor:end])
    return "".join(pieces)


def _passage(text: str, matches: list[re.Match[str]]) -> tuple[int, int]:
    """Start and end of the passage holding the most matches (the earliest such passage),
    cut at word boundaries."""
    if not matches:
        return 0, _cut(text, PASSAGE_CHARS)
    best, best_count, last = 0, 0, 0
    for first, match in enumerate(matches):
        last = max(last, first)
        while last + 1 < len(matches) and matches[last + 1].end() - match.start() <= PASSAGE_CHARS:
            last += 1
        if last - first + 1 > best_count:
            best, best_count = first, last - first + 1
    start = matches[best].start()
    lead = text.rfind(" ", 0, max(0, start - 40)) + 1 if start > 60 else 0
    return lead, _cut(text, lead + PASSAGE_CHARS)


def _cut(text: str, end: int) -> int:
    if end >= len(text):
        return len(text)
    space = text.rfind(" ", 0, end)
    return space if space > 0 else end


def _within_edits(word: str, target: str, edits: int) -> bool:
    """Levenshtein distance (adjacent transposition counting as one) at most `edits`.
    Only the band of cells within `edits` of the diagonal can stay within `edits`, so
    only those are computed; the others count as one too many."""
    if abs(len(word) - len(target)) > edits:
        return False
    over = edits + 1
    before: list[int] = []
    previous = [j if j <= edits else over for j in range(len(target) + 1)]
    for i, a in enumerate(word, start=1):
        current = [i if i <= edits else over] + [over] * len(target)
        for j in range(max(1, i - edits), min(len(target), i + edits) + 1):
            b = target[j - 1]
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b))
            if before and j > 1 and a == target[j - 2] and word[i - 2] == b:
                cost = min(cost, before[j - 2] + 1)
            current[j] = min(cost, over)
        if min(current) > edits:
            return False
        before, previous = previous, current
    return previous[-1] <= edits

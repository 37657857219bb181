"""How text becomes index terms: one analyzer per language, the same at index and query time.

- Words are lower-cased and accent-folded (`één` → `een`), then stemmed per language
  (Snowball `dutch` / `english`), so `abonnementen` finds `abonnement`.
- Hyphenated words are also indexed joined (`e-sim` → `esim`, `sim-only` → `simonly`):
  people write both forms. Not when the analyzer splits the joined form back into the
  same parts (Dutch `puk-code` → `pukcode` → `puk` `code`): the article would hold each
  part twice and outrank its translation on the strength of a hyphen.
- Dutch compounds are split into known words (`wifibereik` → `wifi` `bereik`), in the
  articles and in the query alike, by Tantivy's compound-word filter. Its dictionary is
  built from the knowledge base's own vocabulary at every full build and stored with the
  index, so both sides always split the same way (see `compound_dictionary`).
- `surface` keeps whole words (folded, not stemmed, not split): prefixes while typing and
  typo tolerance match against the words as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache

import tantivy

LANGUAGES = {"nl": "dutch", "en": "english"}
SURFACE = "surface"
# A compound part must be at least this long and occur this often on its own: `op` or a
# one-off typo must not cut every word that happens to contain it.
PART_MIN_LENGTH = 3
PART_MIN_COUNT = 2
MAX_WORD_LENGTH = 40
JOINED_CACHE_SIZE = 100_000
# Parts every telecom knowledge base has, even before its articles use them on their own.
BASE_PARTS = (
    "abonnement", "bel", "bereik", "bundel", "data", "glasvezel", "internet", "kaart",
    "kosten", "netwerk", "nummer", "pakket", "prepaid", "sim", "storing", "tegoed",
    "telefoon", "toestel", "verzekering", "wifi",
)  # fmt: skip

_HYPHENATED = re.compile(r"\w+(?:-\w+)+")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_WORD = re.compile(r"[a-z0-9]+")


def _single_letter_folds() -> dict[int, str]:
    """Accented Latin letter → its letter without accents, where that is one letter."""
    table = {}
    for code in range(0xC0, 0x250):
        decomposed = unicodedata.normalize("NFKD", chr(code))
        base = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        if len(base) == 1 and base != chr(code):
            table[code] = base
    return table


_SINGLE_LETTER_FOLDS = _single_letter_folds()


_ACCENTED = re.compile(f"[{''.join(map(chr, _SINGLE_LETTER_FOLDS))}]")


def fold_in_place(text: str) -> str:
    """Lower-case with the accents of Latin letters removed, letter for letter: each
    character stays where it was, so positions found in the result hold in `text` (unless
    lower-casing changed the length: rare, the caller checks)."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    return _ACCENTED.sub(lambda accented: _SINGLE_LETTER_FOLDS[ord(accented.group())], lowered)


def fold(text: str) -> str:
    """Lower-case without accents: the form words are compared in."""
    if text.isascii():  # nearly all text, and far cheaper
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).lower()


# A word as a highlight sees it: letters and digits, hyphens inside (`e-sim`).
HIGHLIGHT_WORD = re.compile(r"\w+(?:-\w+)*")


def highlight_words(text: str) -> list[str]:
    """The distinct words of `text` as a highlight looks them up: folded in place (see
    `fold_in_place`), hyphens kept. Worked out when the article is indexed."""
    return list(dict.fromkeys(HIGHLIGHT_WORD.findall(fold_in_place(text))))


def hyphenated_words(text: str) -> list[str]:
    """The text's hyphenated words (`e-sim`), found in the few pieces of text that hold a
    hyphen (a regular expression over the whole text costs more than all the rest)."""
    if "-" not in text:
        return []
    return [word for piece in text.split() if "-" in piece for word in _HYPHENATED.findall(piece)]


def joined_hyphens(text: str) -> str:
    """The joined forms of the text's hyphenated words (`e-sim` → `esim`), space-separated."""
    return " ".join(word.replace("-", "") for word in hyphenated_words(text))


def hyphen_joiner(compound_parts: list[str]) -> Callable[[str, str], str]:
    """(language, text) → the joined forms of the text's hyphenated words that the
    language's analyzer does not already read as the same terms."""
    stemmers = {lang: stem_analyzer(lang, compound_parts) for lang in LANGUAGES}

    @lru_cache(maxsize=JOINED_CACHE_SIZE)
    def differs(language: str, word: str) -> bool:
        analyze = stemmers[language].analyze
        return bool(analyze(word.replace("-", "")) != analyze(word))

    def joined(language: str, text: str) -> str:
        words = (word.lower() for word in hyphenated_words(text))
        return " ".join(w.replace("-", "") for w in words if differs(language, w))

    return joined


def stem_analyzer(language: str, compound_parts: list[str]) -> tantivy.TextAnalyzer:
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_WORD_LENGTH * 2))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
    )
    if language == "nl" and compound_parts:
        builder = builder.filter(tantivy.Filter.split_compound(compound_parts))
    return builder.filter(tantivy.Filter.stemmer(LANGUAGES[language])).build()


def surface_analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_WORD_LENGTH * 2))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def stopword_analyzer(language: str) -> tantivy.TextAnalyzer:
    """Empty for a word too common to search on its own (`op`, `the`): queries only."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stopword(LANGUAGES[language]))
        .build()
    )


def analyzers(compound_parts: list[str]) -> dict[str, tantivy.TextAnalyzer]:
    """Name → analyzer: `<lang>_stem` and `surface` are the index's tokenizers (for
    `Index.register_tokenizer`), `<lang>_stop` tells a query's stopwords."""
    found = {f"{lang}_stem": stem_analyzer(lang, compound_parts) for lang in LANGUAGES}
    found.update({f"{lang}_stop": stopword_analyzer(lang) for lang in LANGUAGES})
    found[SURFACE] = surface_analyzer()
    return found


def compound_dictionary(dutch_texts: Iterable[str]) -> list[str]:
    """Parts for the compound filter: Dutch words that occur on their own often enough and
    are not themselves made of other such words (so `simkaart` is split into `sim` and
    `kaart` rather than kept whole because it also occurs)."""
    counts: Counter[str] = Counter()
    for text in dutch_texts:
        folded = fold(text)
        counts.update(_WORD.findall(folded))
        counts.update(_WORD.findall(joined_hyphens(folded)))
    candidates = {
        w
        for w, n in counts.items()
        if n >= PART_MIN_COUNT and len(w) >= PART_MIN_LENGTH and not w.isdigit()
    }.union(BASE_PARTS)
    return sorted(w for w in candidates if not _is_compound(w, candidates))


def _is_compound(word: str, parts: set[str]) -> bool:
    """True when `word` is two or more words of `parts` written together."""
    reachable = [True] + [False] * len(word)
    for end in range(PART_MIN_LENGTH, len(word) + 1):
        for start in range(0, end - PART_MIN_LENGTH + 1):
            if reachable[start] and (start, end) != (0, len(word)) and word[start:end] in parts:
                reachable[end] = True
                break
    return reachable[len(word)]

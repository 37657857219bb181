"""Every kind of notification: the parameters it may carry and its text in nl and en.

The catalogue is the platform's; apps choose a kind and pass parameters. Parameters are
an allow-list per kind (ids, statuses, titles, a count, a reviewer's reason), which is
how friend data is kept out: there is no key that could carry it, and the one free text
(ops' reason) has e-mail addresses and phone numbers masked before it is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from backend.api.errors import InvalidInput


@dataclass(frozen=True)
class Kind:
    params: frozenset[str]
    texts: dict[str, tuple[str, str]]  # language -> (title, body), str.format templates


def _kind(params: str, *, en: tuple[str, str], nl: tuple[str, str]) -> Kind:
    return Kind(frozenset(params.split()), {"en": en, "nl": nl})


KINDS: dict[str, Kind] = {
    "attribution.attributed": _kind(
        "attribution_id article_title",
        en=("Your help counted", "A friend you helped signed up after “{article_title}”."),
        nl=("Je hulp telt", "Iemand die je hielp is klant geworden na “{article_title}”."),
    ),
    "attribution.confirmed": _kind(
        "attribution_id article_title",
        en=("A new customer thanks to you", "A sign-up you helped is confirmed."),
        nl=("Een nieuwe klant dankzij jou", "Een aanmelding waarbij je hielp is bevestigd."),
    ),
    "attribution.reversed": _kind(
        "attribution_id article_title reason",
        en=("A sign-up was withdrawn", "The customer withdrew; this sign-up no longer counts."),
        nl=("Een aanmelding is herroepen", "De klant heeft herroepen; deze telt niet meer mee."),
    ),
    "claim.decided": _kind(
        "claim_id status reason",
        en=("Your claim was {status}", "Sales ops: {reason}"),
        nl=("Je claim is {status}", "Sales ops: {reason}"),
    ),
    "question.answered": _kind(
        "question_id question_title",
        en=("A colleague answered your question", "“{question_title}”"),
        nl=("Een collega beantwoordde je vraag", "“{question_title}”"),
    ),
    "answer.accepted": _kind(
        "question_id question_title",
        en=("Your answer was accepted", "“{question_title}”"),
        nl=("Je antwoord is geaccepteerd", "“{question_title}”"),
    ),
    "article.expiring": _kind(
        "article_slug article_title verified_until",
        en=(
            "An article of yours expires soon",
            "“{article_title}” is verified until {verified_until}.",
        ),
        nl=(
            "Een artikel van jou verloopt bijna",
            "“{article_title}” is geverifieerd tot {verified_until}.",
        ),
    ),
    "article.stale": _kind(
        "article_slug article_title verified_until",
        en=(
            "An article of yours is stale",
            "“{article_title}” needs checking and verifying again.",
        ),
        nl=(
            "Een artikel van jou is verouderd",
            "“{article_title}” moet opnieuw gecontroleerd worden.",
        ),
    ),
    "translation.outdated": _kind(
        "article_slug article_title",
        en=("Your translation is outdated", "The source of “{article_title}” changed."),
        nl=("Je vertaling is verouderd", "De bron van “{article_title}” is gewijzigd."),
    ),
    "milestone.reached": _kind(
        "count",
        en=("Milestone: {count} customers", "{count} customers joined thanks to your help."),
        nl=("Mijlpaal: {count} klanten", "Dankzij jouw hulp werden {count} mensen klant."),
    ),
}

# Words in titles, per language, for values that are themselves choices.
STATUS_WORDS = {
    "en": {"approved": "approved", "rejected": "rejected"},
    "nl": {"approved": "goedgekeurd", "rejected": "afgewezen"},
}

MILESTONES = (1, 5, 10, 25, 50, 100, 250, 500, 1000)

_EMAIL = re.compile(r"[^\s@]+@[^\s@]+")
_PHONE = re.compile(r"\+?\d[\d\s().-]{6,}\d")


def redact(text: str) -> str:
    """Masks e-mail addresses and phone numbers in free text written by a person."""
    return _PHONE.sub("…", _EMAIL.sub("…", text))[:300]


def params_check(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters to store for `kind`; unknown kinds and keys are a programming error."""
    spec = KINDS.get(kind)
    if spec is None:
        raise InvalidInput(f"Unknown notification kind {kind!r}.", code="unknown_kind")
    unknown = set(params) - spec.params
    if unknown:
        raise InvalidInput(f"{kind} takes no {sorted(unknown)}.", code="unknown_params")
    clean = {key: value for key, value in params.items() if value not in (None, "")}
    if "reason" in clean:
        clean["reason"] = redact(str(clean["reason"]))
    return clean


# Texts for a kind when its parameters call for other words: (kind, case) -> texts.
VARIANTS: dict[tuple[str, str], dict[str, tuple[str, str]]] = {
    ("attribution.attributed", "no_article"): {
        "en": ("Your help counted", "A friend you helped signed up."),
        "nl": ("Je hulp telt", "Iemand die je hielp is klant geworden."),
    },
    ("attribution.reversed", "not_activated"): {
        "en": ("A sign-up expired", "The connection was never activated; it no longer counts."),
        "nl": ("Een aanmelding is verlopen", "De aansluiting is nooit geactiveerd; telt niet mee."),
    },
    ("milestone.reached", "first"): {
        "en": ("Your first customer", "Someone joined thanks to your help."),
        "nl": ("Je eerste klant", "Dankzij jouw hulp is iemand klant geworden."),
    },
}


def _variant(kind: str, params: dict[str, Any]) -> str:
    if kind == "attribution.attributed" and not params.get("article_title"):
        return "no_article"
    if kind == "attribution.reversed" and params.get("reason") == "not_activated":
        return "not_activated"
    if kind == "milestone.reached" and params.get("count") == 1:
        return "first"
    return ""


def render(kind: str, params: dict[str, Any], language: str) -> tuple[str, str]:
    """(title, body) of a notification in `language` (English when unknown)."""
    spec = KINDS[kind]
    texts = VARIANTS.get((kind, _variant(kind, params)), spec.texts)
    title, body = texts.get(language, texts["en"])
    values = {key: "" for key in spec.params} | params
    if "status" in values:
        words = STATUS_WORDS.get(language, STATUS_WORDS["en"])
        values["status"] = words.get(str(values["status"]), values["status"])
    return title.format(**values), body.format(**values)

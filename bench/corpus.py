"""Realistic article text for the benchmark's knowledge base.

Variants of the seed corpus alone would be near-duplicates: every common word would match
thousands of articles, which no real knowledge base does. Each generated article instead
gets its own topic (a seed article of the same language as the starting point), a subject
from a large product vocabulary (devices, plans, places, services, years), and a body of
sentences drawn from several seed articles of its category plus sentences made from the
vocabulary — so word frequencies follow a long tail, as in a real corpus.
"""

from __future__ import annotations

import html
import random
import re
from collections import defaultdict
from dataclasses import dataclass

BRANDS = [
    "Samsung Galaxy",
    "iPhone",
    "Google Pixel",
    "Fairphone",
    "Motorola Edge",
    "Nokia G",
    "OnePlus",
    "Xiaomi Redmi",
    "Oppo Find",
    "Sony Xperia",
    "Nothing Phone",
    "Honor Magic",
]
MODELS = [
    "S21",
    "S22",
    "S23",
    "S24",
    "A15",
    "A35",
    "A55",
    "12",
    "13",
    "14",
    "15",
    "16",
    "7a",
    "8",
    "8a",
    "9 Pro",
    "5",
    "40",
    "X5",
    "Z Flip",
    "Z Fold",
    "Ultra",
    "Lite",
    "Neo",
]
PLANS = [
    "Sim Only 5 GB",
    "Sim Only 10 GB",
    "Sim Only 20 GB",
    "Sim Only Onbeperkt",
    "Unlimited Max",
    "Basis 1 GB",
    "Prepaid Flex",
    "Prepaid Jaarbundel",
    "Data Only 50 GB",
    "Zakelijk Flex",
    "Gezinsbundel",
    "Jongeren 18-27",
    "Senior Bel",
    "Thuis Glasvezel 500",
    "Thuis Glasvezel 1000",
    "Thuis Kabel 400",
    "TV Start",
    "TV Compleet",
    "Combivoordeel",
    "Wereldbundel",
]
PLACES = [
    "Amsterdam",
    "Rotterdam",
    "Utrecht",
    "Den Haag",
    "Eindhoven",
    "Groningen",
    "Tilburg",
    "Almere",
    "Breda",
    "Nijmegen",
    "Apeldoorn",
    "Haarlem",
    "Arnhem",
    "Enschede",
    "Amersfoort",
    "Zaanstad",
    "Zwolle",
    "Leiden",
    "Maastricht",
    "Dordrecht",
    "Deventer",
    "Delft",
    "Venlo",
    "Assen",
    "Leeuwarden",
    "Middelburg",
    "Texel",
    "Terschelling",
    "Spanje",
    "Frankrijk",
    "Duitsland",
    "Belgie",
    "Turkije",
    "Marokko",
    "Verenigde Staten",
    "Thailand",
    "Zwitserland",
]
SERVICES = [
    "voicemail",
    "wifi-bellen",
    "VoLTE",
    "hotspot",
    "dubbele sim",
    "eSIM",
    "nummerweergave",
    "doorschakelen",
    "betaalde sms",
    "roamingblokkade",
    "datalimiet",
    "spamfilter",
    "kinderslot",
    "dataoverdracht",
    "toestelverzekering",
    "reparatieservice",
    "inruilactie",
    "ouderlijk toezicht",
    "extra bundel",
    "automatische incasso",
    "e-factuur",
    "klantenservice",
    "winkelafspraak",
    "bezorging",
    "retourzending",
    "installatieservice",
    "modem",
    "mesh-wifi",
    "tv-ontvanger",
    "streamingdienst",
    "glasvezelaansluiting",
    "storingsmelding",
]
SERVICES_EN = [
    "voicemail",
    "wifi calling",
    "VoLTE",
    "hotspot",
    "dual sim",
    "eSIM",
    "caller id",
    "call forwarding",
    "premium sms",
    "roaming block",
    "data cap",
    "spam filter",
    "parental lock",
    "data transfer",
    "device insurance",
    "repair service",
    "trade-in offer",
    "parental controls",
    "add-on bundle",
    "direct debit",
    "e-invoice",
    "customer service",
    "store appointment",
    "delivery",
    "return shipment",
    "installation service",
    "modem",
    "mesh wifi",
    "tv box",
    "streaming service",
    "fibre connection",
    "outage report",
]
YEARS = ["2024", "2025", "2026"]
NL_TEMPLATES = [
    "Met de {plan} werkt {service} ook op de {device}.",
    "Klanten in {place} melden vragen over {service} na de update van de {device}.",
    "De {device} ondersteunt {service}; controleer de instellingen na het overzetten.",
    "Vanaf {year} kost {service} bij de {plan} niets extra.",
    "In {place} is {service} beschikbaar voor wie de {plan} heeft.",
    "Wie de {device} koopt met de {plan}, krijgt {service} de eerste maand gratis.",
    "Bij een storing in {place} helpt {service} meestal niet; meld het via de app.",
    "Stap over naar de {plan} zonder je {service} kwijt te raken.",
]
EN_TEMPLATES = [
    "With the {plan} plan, {service} also works on the {device}.",
    "Customers in {place} ask about {service} after the {device} update.",
    "The {device} supports {service}; check the settings after moving over.",
    "From {year}, {service} costs nothing extra on the {plan} plan.",
    "In {place}, {service} is available to anyone on the {plan} plan.",
    "Buy the {device} with the {plan} plan and get {service} free for the first month.",
    "During an outage in {place}, {service} rarely helps; report it in the app.",
    "Move to the {plan} plan without losing your {service}.",
]
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_MARKUP = re.compile(r"[#*_>`|\[\]]+")


@dataclass(frozen=True)
class SeedArticle:
    slug: str
    language: str
    title: str
    summary: str
    friend_text: str
    body: str
    category_id: int | None
    tags: list[str]


@dataclass(frozen=True)
class GeneratedArticle(SeedArticle):
    body_html: str = ""


def _sentences(text: str) -> list[str]:
    lines = [_MARKUP.sub(" ", line).strip(" -") for line in text.splitlines()]
    flat = " ".join(line for line in lines if line)
    return [s.strip() for s in _SENTENCE.split(flat) if len(s.strip()) > 25]


class Corpus:
    def __init__(self, seeds: list[SeedArticle], rng: random.Random) -> None:
        self.seeds = seeds
        self.rng = rng
        self.by_language: dict[str, list[SeedArticle]] = defaultdict(list)
        self.sentences: dict[tuple[str, int | None], list[str]] = defaultdict(list)
        for seed in seeds:
            self.by_language[seed.language].append(seed)
            self.sentences[(seed.language, seed.category_id)] += _sentences(seed.body)
            self.sentences[(seed.language, None)] += _sentences(seed.body)

    def _device(self) -> str:
        return f"{self.rng.choice(BRANDS)} {self.rng.choice(MODELS)}"

    def _made_up(self, language: str) -> str:
        templates = NL_TEMPLATES if language == "nl" else EN_TEMPLATES
        services = SERVICES if language == "nl" else SERVICES_EN
        return self.rng.choice(templates).format(
            plan=self.rng.choice(PLANS),
            service=self.rng.choice(services),
            device=self._device(),
            place=self.rng.choice(PLACES),
            year=self.rng.choice(YEARS),
        )

    def _specific(self, language: str) -> str:
        """A sentence with the long-tail words real articles have: model numbers, error
        codes, tariff codes, postcodes."""
        rng = self.rng
        model = f"SM-{rng.choice('ASGFN')}{rng.randint(100, 999)}{rng.choice('BFNU')}"
        error = f"E{rng.randint(1000, 9999)}"
        tariff = f"T{rng.randint(10, 99)}-{rng.choice(['NL', 'EU', 'WW'])}{rng.randint(1, 9)}"
        postcode = f"{rng.randint(1000, 9999)} {rng.choice('ABCDEFGHJKLMNPRSTVWXZ')}{rng.choice('ABCDEFGHJKLMNPRSTVWXZ')}"
        if language == "nl":
            return (
                f"Bij toestel {model} verschijnt soms foutcode {error}; tariefcode {tariff} "
                f"geldt ook in postcodegebied {postcode}."
            )
        return (
            f"On device {model} error code {error} may appear; tariff code {tariff} also "
            f"applies in postcode area {postcode}."
        )

    def article(self, index: int, language: str) -> GeneratedArticle:
        rng = self.rng
        seed = rng.choice(self.by_language[language])
        services = SERVICES if language == "nl" else SERVICES_EN
        subject = rng.choice(
            [self._device(), rng.choice(PLANS), rng.choice(PLACES), rng.choice(services)]
        )
        title = f"{seed.title.rstrip('?.')}: {subject}"[:200]
        # Mostly the topic's own text, a sentence or two of a related article (same
        # category), and sentences about this variant's subject. Mixing in text from any
        # article would spread every word over thousands of articles, which real knowledge
        # bases do not do.
        own = _sentences(seed.body)
        related = self.sentences[(language, seed.category_id)]
        body_sentences = (
            rng.sample(own, min(len(own), max(1, int(len(own) * rng.uniform(0.5, 1.0)))))
            + rng.sample(related, min(len(related), rng.randint(0, 2)))
            + [self._made_up(language) for _ in range(rng.randint(1, 3))]
            + [self._specific(language) for _ in range(rng.randint(1, 3))]
        )
        rng.shuffle(body_sentences)
        paragraphs = [" ".join(body_sentences[i : i + 3]) for i in range(0, len(body_sentences), 3)]
        extra_tag = re.sub(r"[^a-z0-9]+", "-", subject.lower()).strip("-")[:40]
        return GeneratedArticle(
            slug=f"{seed.slug}-{extra_tag}-{index}"[:120],
            language=language,
            title=title,
            summary=f"{self._made_up(language)} {seed.summary}"[:500],
            friend_text=f"{seed.friend_text} {self._made_up(language)}"[:2000],
            body="\n\n".join(paragraphs),
            body_html="".join(f"<p>{html.escape(p)}</p>\n" for p in paragraphs),
            category_id=seed.category_id,
            tags=[*seed.tags[:4], extra_tag] if extra_tag else seed.tags[:4],
        )

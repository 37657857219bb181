"""The funnel report's "answers that convert": the answers whose shares led to the most
confirmed sign-ups in the period, from the rollup for its rolled-up days and the raw
tables for the rest."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, QuerySet, Sum

from knowledge.models import Article
from referrals.models import Attribution, AttributionStatus, FunnelDaily, FunnelDimension, Share

TOP_ARTICLES = 10
# Twice as many candidates as shown: some answers may have been deleted since.
CANDIDATES = TOP_ARTICLES * 2


@dataclass
class ArticleConversion:
    slug: str
    title: str
    language: str
    shares: int
    confirmed: int

    @property
    def confirmed_per_share(self) -> float | None:
        return round(self.confirmed / self.shares, 4) if self.shares else None


def top_articles(first: datetime, after: datetime, live_from: datetime) -> list[ArticleConversion]:
    """The rolled-up days are [first, live_from), the live ones [live_from, after)."""
    ranked = _ranked(_confirmed(first, after, live_from))
    shares = _shares([article.pk for _, article in ranked], first, after, live_from)
    return [
        ArticleConversion(
            slug=article.slug,
            title=article.title,
            language=article.language,
            shares=shares[article.pk],
            confirmed=n,
        )
        for n, article in ranked
    ]


def _rolled(first: datetime, live_from: datetime) -> QuerySet[FunnelDaily]:
    return FunnelDaily.objects.filter(
        dimension=FunnelDimension.ARTICLE, day__gte=first.date(), day__lt=live_from.date()
    ).exclude(key="")


def _confirmed(first: datetime, after: datetime, live_from: datetime) -> Counter[int]:
    """Confirmed sign-ups per answer: every answer with any on the live days, and the
    `CANDIDATES` answers with the most on the rolled-up days. An answer outside both has
    no more than the last of those candidates, so it cannot rank above them."""
    confirmed: Counter[int] = Counter()
    if first < live_from:
        rolled = _rolled(first, live_from).filter(confirmed__gt=0).values_list("key")
        for key, n in rolled.annotate(n=Sum("confirmed")).order_by("-n")[:CANDIDATES]:
            confirmed[int(key)] += n
    if live_from < after:
        live = Attribution.objects.filter(
            status=AttributionStatus.CONFIRMED,
            article__isnull=False,
            occurred_at__gte=live_from,
            occurred_at__lt=after,
        )
        for article_id, n in live.values_list("article_id").annotate(n=Count("id")).order_by():
            confirmed[article_id] += n
    return confirmed


def _ranked(confirmed: Counter[int]) -> list[tuple[int, Article]]:
    """The top answers that still exist, most confirmed first, then by slug."""
    top = sorted(confirmed.items(), key=lambda pair: -pair[1])[:CANDIDATES]
    articles = Article.objects.filter(pk__in=[pk for pk, _ in top]).only(
        "slug", "title", "language"
    )
    found = {article.pk: article for article in articles}
    return sorted(
        ((n, found[pk]) for pk, n in top if pk in found),
        key=lambda pair: (-pair[0], pair[1].slug),
    )[:TOP_ARTICLES]


def _shares(
    chosen: list[int], first: datetime, after: datetime, live_from: datetime
) -> Counter[int]:
    shares: Counter[int] = Counter()
    if chosen and first < live_from:
        rolled = _rolled(first, live_from).filter(key__in=[str(pk) for pk in chosen])
        for key, n in rolled.values_list("key").annotate(n=Sum("shares")).order_by():
            shares[int(key)] += n
    if chosen and live_from < after:
        live = Share.objects.filter(
            article_id__in=chosen, created_at__gte=live_from, created_at__lt=after
        )
        for article_id, n in live.values_list("article_id").annotate(n=Count("id")).order_by():
            shares[article_id] += n
    return shares

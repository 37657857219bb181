"""The funnel report's "answers that convert": the answers whose shares led to the most
confirmed sign-ups in the period, from the rollup for its rolled-up days and the raw
tables for the rest."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class RolledArticles:
    """The rolled-up days' part of "answers that convert": the `CANDIDATES` answers with
    the most confirmed sign-ups on those days, with their shares on those days."""

    confirmed: dict[int, int] = field(default_factory=dict)
    shares: dict[int, int] = field(default_factory=dict)


def rolled_articles(first: datetime, live_from: datetime) -> RolledArticles:
    """The rolled-up days are [first, live_from)."""
    if first >= live_from:
        return RolledArticles()
    rolled = _rolled(first, live_from).filter(confirmed__gt=0).values_list("key")
    confirmed = {
        int(key): n for key, n in rolled.annotate(n=Sum("confirmed")).order_by("-n")[:CANDIDATES]
    }
    return RolledArticles(confirmed, _rolled_shares(list(confirmed), first, live_from))


def top_articles(
    rolled: RolledArticles, first: datetime, after: datetime, live_from: datetime
) -> list[ArticleConversion]:
    """The rolled-up days are [first, live_from) (summed up in `rolled`), the live ones
    [live_from, after)."""
    ranked = _ranked(_confirmed(rolled, after, live_from))
    shares = _shares(rolled, [article.pk for _, article in ranked], first, after, live_from)
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


def _confirmed(rolled: RolledArticles, after: datetime, live_from: datetime) -> Counter[int]:
    """Confirmed sign-ups per answer: every answer with any on the live days, and the
    rolled-up candidates. An answer outside both has no more than the last of those
    candidates, so it cannot rank above them."""
    confirmed: Counter[int] = Counter(rolled.confirmed)
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


def _rolled_shares(chosen: list[int], first: datetime, live_from: datetime) -> dict[int, int]:
    if not chosen or first >= live_from:
        return {}
    rolled = _rolled(first, live_from).filter(key__in=[str(pk) for pk in chosen])
    return {
        int(key): n for key, n in rolled.values_list("key").annotate(n=Sum("shares")).order_by()
    }


def _shares(
    rolled: RolledArticles,
    chosen: list[int],
    first: datetime,
    after: datetime,
    live_from: datetime,
) -> Counter[int]:
    """Shares of the chosen answers: the rolled-up days' from `rolled` (queried for an
    answer that ranks only through its live days), plus the live days'."""
    shares: Counter[int] = Counter({pk: rolled.shares.get(pk, 0) for pk in chosen})
    shares.update(
        _rolled_shares([pk for pk in chosen if pk not in rolled.confirmed], first, live_from)
    )
    if chosen and live_from < after:
        live = Share.objects.filter(
            article_id__in=chosen, created_at__gte=live_from, created_at__lt=after
        )
        for article_id, n in live.values_list("article_id").annotate(n=Count("id")).order_by():
            shares[article_id] += n
    return shares

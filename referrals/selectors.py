"""Reads of the referrals app. Employee-facing reads are always scoped to the employee."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from backend.accounts.models import Employee
from backend.api.cache import cache_outage_warning
from backend.api.errors import NotFound
from referrals.models import (
    LIVE_STATUSES,
    Attribution,
    AttributionStatus,
    Campaign,
    Claim,
    ReferralCode,
    Share,
    Visit,
)

logger = logging.getLogger(__name__)

MILESTONES = (1, 5, 10, 25, 50, 100)
LEADERS = 5


def referral_codes_of(*, employee: Employee) -> QuerySet[ReferralCode]:
    return ReferralCode.objects.filter(owner=employee).select_related("campaign")


def referral_code_of(*, employee: Employee, code: str) -> ReferralCode:
    found = referral_codes_of(employee=employee).filter(code=code).first()
    if found is None:
        raise NotFound("You have no such code.", code="code_not_found")
    return found


def personal_code_of(*, employee: Employee) -> str | None:
    """The employee's live personal code (canonical form), if any. Plain SQL: `/me` is the
    most frequent call, and compiling the queryset costs more than running it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT code FROM referrals_referralcode "
            "WHERE owner_id = %s AND is_personal AND revoked_at IS NULL LIMIT 1",
            [employee.pk],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def shares_of(*, employee: Employee) -> QuerySet[Share]:
    """The employee's shares with their visit counts (one grouped query per page)."""
    return (
        Share.objects.filter(employee=employee)
        .select_related("code", "article")
        .annotate(visit_count=Count("visits"))
    )


def share_of(*, employee: Employee, token: str) -> Share:
    found = Share.objects.filter(employee=employee, token=token).select_related("code").first()
    if found is None:
        raise NotFound("You have no such share.", code="share_not_found")
    return found


# The friend's page is opened by people outside the company, the most frequent public
# read: the share, its code, the code's owner and campaign and the answer in one written-out
# statement with just the columns the page shows (compiling the five-table queryset, and
# fetching the answer's body and search document, cost more than the page itself).
_PUBLIC_SHARE = """
    SELECT s.id, s.token, s.employee_id, s.code_id, s.article_id, s.channel, s.created_at,
        c.code AS c_code, c.owner_id AS c_owner_id, c.is_personal AS c_is_personal,
        c.label AS c_label, c.campaign_id AS c_campaign_id, c.created_at AS c_created_at,
        c.revoked_at AS c_revoked_at, c.frozen_at AS c_frozen_at,
        o.display_name AS o_display_name, o.language AS o_language,
        m.name AS m_name, m.starts_at AS m_starts_at, m.ends_at AS m_ends_at,
        m.friend_perk_nl AS m_friend_perk_nl, m.friend_perk_en AS m_friend_perk_en,
        a.slug AS a_slug, a.status AS a_status, a.language AS a_language, a.title AS a_title,
        a.summary AS a_summary, a.friend_text AS a_friend_text,
        a.translation_group AS a_translation_group,
        (SELECT p.code FROM referrals_referralcode AS p
         WHERE p.owner_id = c.owner_id AND p.is_personal AND p.revoked_at IS NULL
           AND p.frozen_at IS NULL LIMIT 1) AS live_personal_code
    FROM referrals_share AS s
    JOIN referrals_referralcode AS c ON c.id = s.code_id
    JOIN accounts_employee AS o ON o.id = c.owner_id
    LEFT JOIN referrals_campaign AS m ON m.id = c.campaign_id
    LEFT JOIN knowledge_article AS a ON a.id = s.article_id
    WHERE s.token = %s
"""


def _prefixed(row: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {name[len(prefix) :]: row.pop(name) for name in list(row) if name.startswith(prefix)}


def share_get_public(*, token: str) -> Share:
    """A share a friend may open. A shared answer stays readable after its code is revoked
    or frozen (the page then offers the owner's live personal code, if any, as
    `share.live_personal_code`); a share of a code alone dies with its code, with the same
    404 as an unknown token, so a dead link tells nothing about why. The code (with its
    owner's name and language and its campaign) and the answer's public fields are loaded."""
    from knowledge.models import Article

    found = list(Share.objects.raw(_PUBLIC_SHARE, [token]))
    share = found[0] if found else None
    if share is None:
        raise NotFound("This link is not valid (any more).", code="share_not_found")
    row = share.__dict__
    code = ReferralCode(id=share.code_id, **_prefixed(row, "c_"))
    code.owner = Employee(id=code.owner_id, **_prefixed(row, "o_"))
    campaign = _prefixed(row, "m_")
    code.campaign = Campaign(id=code.campaign_id, **campaign) if code.campaign_id else None
    share.code = code
    article = _prefixed(row, "a_")
    share.article = Article(id=share.article_id, **article) if share.article_id else None
    if share.article is None and (code.revoked_at is not None or code.frozen_at is not None):
        raise NotFound("This link is not valid (any more).", code="share_not_found")
    return share


def attributions_of(*, employee: Employee, status: str | None = None) -> QuerySet[Attribution]:
    queryset = Attribution.objects.filter(employee=employee).select_related(
        "signup", "code", "share", "article"
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def claims_of(*, employee: Employee) -> QuerySet[Claim]:
    return Claim.objects.filter(employee=employee)


@dataclass
class ImpactTotals:
    shares: int = 0
    answers_shared: int = 0
    friends_reached: int = 0
    signups_attributed: int = 0
    signups_confirmed: int = 0


@dataclass
class Impact:
    own: ImpactTotals
    milestones_reached: list[int]
    next_milestone: int | None
    team: ImpactTotals
    team_name: str
    team_members: int
    team_leaders: list[dict[str, Any]] = field(default_factory=list)
    company: ImpactTotals = field(default_factory=ImpactTotals)
    company_leaders: list[dict[str, Any]] = field(default_factory=list)


def _totals(employees: Q) -> ImpactTotals:
    visited = Exists(Visit.objects.filter(share=OuterRef("pk")))
    shares = (
        Share.objects.filter(employees)
        .annotate(visited=visited)
        .aggregate(
            shares=Count("id"),
            answers_shared=Count("id", filter=Q(article__isnull=False)),
            friends_reached=Count("id", filter=Q(visited=True)),
        )
    )
    attributions = Attribution.objects.filter(employees).aggregate(
        signups_attributed=Count("id", filter=Q(status__in=LIVE_STATUSES)),
        signups_confirmed=Count("id", filter=Q(status=AttributionStatus.CONFIRMED)),
    )
    return ImpactTotals(**shares, **attributions)


# The company's leaders are cached with spare candidates, so that anyone who opts out of
# rankings or leaves between two refreshes is dropped at read time without leaving a gap.
LEADER_CANDIDATES = LEADERS * 4


def _leader_candidates() -> list[tuple[int, int]]:
    """(employee id, confirmed sign-ups) of the company's leaders, most confirmed first."""
    rows = (
        Employee.objects.filter(is_active=True, ranking_opt_out=False)
        .annotate(
            confirmed=Count(
                "attributions", filter=Q(attributions__status=AttributionStatus.CONFIRMED)
            )
        )
        .filter(confirmed__gt=0)
        .order_by("-confirmed", "display_name", "id")
        .values_list("id", "confirmed")[:LEADER_CANDIDATES]
    )
    return list(rows)


def _listed_leaders(candidates: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """The leaders among `candidates` as the employees are now (one query by primary key):
    people who opted out of rankings or left since the numbers were computed are never
    listed, from the next request on (their numbers still count in the totals)."""
    if not candidates:
        return []
    names = dict(
        Employee.objects.filter(
            pk__in=[pk for pk, _ in candidates], is_active=True, ranking_opt_out=False
        ).values_list("pk", "display_name")
    )
    kept = [(pk, confirmed) for pk, confirmed in candidates if pk in names][:LEADERS]
    return [
        {"rank": rank, "display_name": names[pk], "signups_confirmed": confirmed}
        for rank, (pk, confirmed) in enumerate(kept, start=1)
    ]


_COMPANY_KEY = "referrals:impact:company:v2"
_COMPANY_LOCK = _COMPANY_KEY + ":refreshing"


def _company_impact() -> tuple[ImpactTotals, list[tuple[int, int]]]:
    """Company totals and leader candidates: the same for every employee, and at a million
    visits far too costly to aggregate per request. Computed by one request at most every
    IMPACT_COMPANY_REFRESH_SECONDS and shared through the cache; while one request
    refreshes them the others keep showing the previous numbers. Without a cache
    (unreachable) they are computed in the request, as before."""
    fresh_for = settings.IMPACT_COMPANY_REFRESH_SECONDS
    now = time.time()
    try:
        entry = cache.get(_COMPANY_KEY)
        if entry is not None and (
            now - entry[0] < fresh_for or not cache.add(_COMPANY_LOCK, 1, 60)
        ):
            return entry[1], entry[2]
    except Exception as exc:
        cache_outage_warning(logger, "impact cache unavailable", exc)
        return _totals(Q()), _leader_candidates()
    totals, candidates = _totals(Q()), _leader_candidates()
    try:
        cache.set(_COMPANY_KEY, (now, totals, candidates), fresh_for * 10)
        cache.delete(_COMPANY_LOCK)
    except Exception as exc:
        cache_outage_warning(logger, "impact cache unavailable", exc)
    return totals, candidates


# Own and team numbers in one statement: per member of the team, their shares, answers
# shared, shares opened at least once, live and confirmed attributions. A team is about
# twenty people, so this reads the same amount whatever the size of the company; as one
# plain statement it also skips compiling six querysets per request.
_TEAM_IMPACT = """
    SELECT e.id, e.display_name, e.is_active, e.ranking_opt_out,
        COALESCE(s.shares, 0), COALESCE(s.answers_shared, 0), COALESCE(s.friends_reached, 0),
        COALESCE(a.attributed, 0), COALESCE(a.confirmed, 0)
    FROM accounts_employee AS e
    LEFT JOIN (
        SELECT sh.employee_id, COUNT(*) AS shares,
            COUNT(*) FILTER (WHERE sh.article_id IS NOT NULL) AS answers_shared,
            COUNT(*) FILTER (
                WHERE EXISTS (SELECT 1 FROM referrals_visit AS v WHERE v.share_id = sh.id)
            ) AS friends_reached
        FROM referrals_share AS sh
        JOIN accounts_employee AS m ON m.id = sh.employee_id
        WHERE m.department = %(department)s AND m.team = %(team)s
        GROUP BY sh.employee_id
    ) AS s ON s.employee_id = e.id
    LEFT JOIN (
        SELECT at.employee_id,
            COUNT(*) FILTER (WHERE at.status IN (%(live0)s, %(live1)s, %(live2)s)) AS attributed,
            COUNT(*) FILTER (WHERE at.status = %(confirmed)s) AS confirmed
        FROM referrals_attribution AS at
        JOIN accounts_employee AS m ON m.id = at.employee_id
        WHERE m.department = %(department)s AND m.team = %(team)s
        GROUP BY at.employee_id
    ) AS a ON a.employee_id = e.id
    WHERE e.department = %(department)s AND e.team = %(team)s
"""


def _team_impact(
    employee: Employee,
) -> tuple[ImpactTotals, ImpactTotals, int, list[dict[str, Any]]]:
    """Own totals, team totals, active team members and team leaders (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _TEAM_IMPACT,
            {
                "department": employee.department,
                "team": employee.team,
                **{f"live{n}": status for n, status in enumerate(sorted(LIVE_STATUSES))},
                "confirmed": AttributionStatus.CONFIRMED.value,
            },
        )
        rows = cursor.fetchall()
    own, team = ImpactTotals(), ImpactTotals()
    members = 0
    ranked = []
    for pk, name, active, opted_out, *numbers in rows:
        totals = ImpactTotals(*numbers)
        for target in (team, own) if pk == employee.pk else (team,):
            for name_, value in vars(totals).items():
                setattr(target, name_, getattr(target, name_) + value)
        members += bool(active)
        if active and not opted_out and totals.signups_confirmed > 0:
            ranked.append((-totals.signups_confirmed, name, pk))
    leaders = [
        {"rank": rank, "display_name": name, "signups_confirmed": -negative}
        for rank, (negative, name, _) in enumerate(sorted(ranked)[:LEADERS], start=1)
    ]
    return own, team, members, leaders


def impact_of(*, employee: Employee) -> Impact:
    """Own, team and company impact: one query for the employee's team (which they are
    part of), and the company's numbers from the shared cache (see `_company_impact`)."""
    own, team, members, team_leaders = _team_impact(employee)
    reached = [m for m in MILESTONES if own.signups_confirmed >= m]
    upcoming = [m for m in MILESTONES if own.signups_confirmed < m]
    company, candidates = _company_impact()
    return Impact(
        own=own,
        milestones_reached=reached,
        next_milestone=upcoming[0] if upcoming else None,
        team=team,
        team_name=employee.team or employee.department,
        team_members=members,
        team_leaders=team_leaders,
        company=company,
        company_leaders=_listed_leaders(candidates),
    )

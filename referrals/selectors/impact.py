"""The employee's impact: their own numbers, their team's and the company's, with
milestones and leaders. What counts is declared once, in `referrals.sql`."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q

from backend.accounts.models import Employee
from backend.api.cache import cache_outage_warning
from referrals import sql
from referrals.models import AttributionStatus
from referrals.sql import ImpactTotals, MemberImpact

logger = logging.getLogger(__name__)

MILESTONES = (1, 5, 10, 25, 50, 100)
LEADERS = 5
# The company's leaders are cached with spare candidates, so that anyone who opts out of
# rankings or leaves between two refreshes is dropped at read time without leaving a gap.
LEADER_CANDIDATES = LEADERS * 4


@dataclass(frozen=True)
class Leader:
    rank: int
    display_name: str
    signups_confirmed: int


@dataclass(frozen=True)
class Impact:
    own: ImpactTotals
    milestones_reached: list[int]
    next_milestone: int | None
    team: ImpactTotals
    team_name: str
    team_members: int
    team_leaders: list[Leader] = field(default_factory=list)
    company: ImpactTotals = field(default_factory=ImpactTotals)
    company_leaders: list[Leader] = field(default_factory=list)


def _ranked(confirmed: list[tuple[int, str]]) -> list[Leader]:
    """Leaders from (confirmed sign-ups, name) in the order they are listed."""
    return [
        Leader(rank=rank, display_name=name, signups_confirmed=count)
        for rank, (count, name) in enumerate(confirmed[:LEADERS], start=1)
    ]


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


def _listed_leaders(candidates: list[tuple[int, int]]) -> list[Leader]:
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
    return _ranked([(confirmed, names[pk]) for pk, confirmed in candidates if pk in names])


_COMPANY_KEY = "referrals:impact:company:v3"
_COMPANY_LOCK = _COMPANY_KEY + ":refreshing"


def _company_impact() -> tuple[ImpactTotals, list[tuple[int, int]]]:
    """Company totals and leader candidates: the same for every employee, and at a million
    visits far too costly to aggregate per request. Computed by one request at most every
    IMPACT_COMPANY_REFRESH_SECONDS and shared through the cache; while one request
    refreshes them the others keep showing the previous numbers. Without a cache
    (unreachable) they are computed in the request."""
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
        return sql.company_impact_totals(), _leader_candidates()
    totals, candidates = sql.company_impact_totals(), _leader_candidates()
    try:
        cache.set(_COMPANY_KEY, (now, totals, candidates), fresh_for * 10)
        cache.delete(_COMPANY_LOCK)
    except Exception as exc:
        cache_outage_warning(logger, "impact cache unavailable", exc)
    return totals, candidates


def _team_leaders(members: list[MemberImpact]) -> list[Leader]:
    """Active members who take part in rankings, most confirmed sign-ups first."""
    ranked = sorted(
        (-m.totals.signups_confirmed, m.display_name, m.employee_id)
        for m in members
        if m.is_active and not m.ranking_opt_out and m.totals.signups_confirmed > 0
    )
    return _ranked([(-negative, name) for negative, name, _ in ranked])


def impact_of(*, employee: Employee) -> Impact:
    """Own, team and company impact: one query for the employee's team (which they are
    part of), and the company's numbers from the shared cache (see `_company_impact`)."""
    members = sql.team_impact_members(department=employee.department, team=employee.team)
    own = sum((m.totals for m in members if m.employee_id == employee.pk), ImpactTotals())
    team = sum((m.totals for m in members), ImpactTotals())
    company, candidates = _company_impact()
    return Impact(
        own=own,
        milestones_reached=[m for m in MILESTONES if own.signups_confirmed >= m],
        next_milestone=next((m for m in MILESTONES if own.signups_confirmed < m), None),
        team=team,
        team_name=employee.team or employee.department,
        team_members=sum(m.is_active for m in members),
        team_leaders=_team_leaders(members),
        company=company,
        company_leaders=_listed_leaders(candidates),
    )

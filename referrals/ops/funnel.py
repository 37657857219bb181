"""What the funnel counts, declared once for the report (`selectors.funnel`) and the daily
rollup that feeds it (`services.rollup`): the dimensions, the paths to their values, the
metrics and how a dimension's value is stored as a rollup key. No I/O."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from referrals.models import LIVE_STATUSES, AttributionStatus, FunnelDimension

TIME_GROUPS = ("day", "week", "month")
# Every dimension but "all" is also a grouping of the report.
DIMENSIONS = tuple(d.value for d in FunnelDimension if d != FunnelDimension.ALL)
GROUPS = (*TIME_GROUPS, *DIMENSIONS)

# Per dimension, the path from a share to its value (visits reach it through `share__`).
SHARE_PATHS: dict[str, list[str]] = {
    FunnelDimension.ALL: [],
    FunnelDimension.DEPARTMENT: ["employee__department"],
    FunnelDimension.TEAM: ["employee__department", "employee__team"],
    FunnelDimension.CAMPAIGN: ["code__campaign"],
    FunnelDimension.CHANNEL: ["channel"],
    FunnelDimension.ARTICLE: ["article"],
    FunnelDimension.EMPLOYEE: ["employee"],
}
VISIT_PATHS: dict[str, list[str]] = {
    dimension: [f"share__{path}" for path in paths] for dimension, paths in SHARE_PATHS.items()
}
# The same values as an attribution reaches them (its referrer, code, share and answer).
ATTRIBUTION_PATHS: dict[str, list[str]] = {
    **SHARE_PATHS,
    FunnelDimension.CHANNEL: ["share__channel"],
}

STATUS_COUNTS = tuple(
    s.value for s in AttributionStatus if s not in (AttributionStatus.UNATTRIBUTED,)
)
# Reversed because the sign-up was never activated within ACTIVATION_DAYS: also counted
# on its own, so the funnel shows sign-ups that never became customers.
EXPIRED = Q(status=AttributionStatus.REVERSED, reason="not_activated")
# "Attributed" means credited to an employee now: not rejected (e.g. a code typo),
# reversed or unattributed, so attributed <= sign-ups and confirmed <= attributed.
CREDITED = Q(status__in=LIVE_STATUSES)
ATTRIBUTION_COUNTS = ("signups", "attributed", *STATUS_COUNTS, "expired")
METRICS = ("shares", "visits", *ATTRIBUTION_COUNTS)
# Dimensions whose value is a row id.
_ID_DIMENSIONS = (FunnelDimension.CAMPAIGN, FunnelDimension.ARTICLE, FunnelDimension.EMPLOYEE)


def encode_key(dimension: str, values: tuple[Any, ...]) -> str:
    """The rollup's text key of a dimension's value ("" for none)."""
    if dimension == FunnelDimension.ALL:
        return ""
    if dimension == FunnelDimension.TEAM:
        department, team = values
        return f"{department or ''}\t{team or ''}" if (department or team) else ""
    value = values[0]
    return "" if value in (None, "") else str(value)


def decode_key(dimension: str, key: str) -> Any:
    """The value as the live report queries return it (None for none)."""
    if not key:
        return None
    if dimension == FunnelDimension.TEAM:
        department, team = key.split("\t", 1)
        return (department, team)
    if dimension in _ID_DIMENSIONS:
        return int(key)
    return key

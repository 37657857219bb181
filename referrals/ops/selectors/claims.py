"""Employees' claims as sales ops review them: each with the sign-ups whose customer hash
matches it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.db.models import QuerySet

from backend.api.errors import NotFound
from referrals.models import Claim, Signup
from referrals.ops.selectors.review import same_customer


def claims_for_review(*, status: str | None = None, employee: int | None = None) -> QuerySet[Claim]:
    queryset = Claim.objects.select_related("employee", "decided_by")
    if status:
        queryset = queryset.filter(status=status)
    if employee:
        queryset = queryset.filter(employee_id=employee)
    return queryset


def claim_for_review(*, claim_id: int) -> Claim:
    claim = claims_for_review().filter(pk=claim_id).first()
    if claim is None:
        raise NotFound("No claim with this id.", code="claim_not_found")
    return claim


def claims_with_matches(claims: Sequence[Claim]) -> list[Claim]:
    """The claims, each with `matches`: the sign-ups whose customer hash matches it, newest
    first (`apis.claims.OpsClaimSerializer` shows them). One query for a whole page."""
    matches = _claim_matches(claims)
    for claim in claims:
        setattr(claim, "matches", matches[claim.pk])  # noqa: B010  -- not a model field
    return list(claims)


def _claim_matches(claims: Sequence[Claim]) -> dict[int, list[Signup]]:
    """The sign-ups whose customer hash matches each claim, newest first: one query for
    a whole page of claims."""
    found = (
        Signup.objects.filter(same_customer((claim.kind, claim.value_hash) for claim in claims))
        .select_related("attribution", "attribution__employee")
        .order_by("-occurred_at", "-id")
    )
    by_pair: dict[tuple[str, str], list[Signup]] = defaultdict(list)
    for signup in found if claims else []:
        for kind, value in signup.customer_hashes().items():
            by_pair[(kind, value)].append(signup)
    return {claim.pk: by_pair[(claim.kind, claim.value_hash)] for claim in claims}

"""Reads of shares: the employee's own, and the one a friend opens."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from backend.accounts.models import Employee
from backend.api.errors import NotFound
from referrals import sql
from referrals.models import Share


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


def share_get_public(*, token: str) -> sql.PublicShare:
    """A share a friend may open. A shared answer stays readable after its code is revoked
    or frozen (the page then offers the owner's live personal code, if any); a share of a
    code alone dies with its code, with the same 404 as an unknown token, so a dead link
    tells nothing about why."""
    share = sql.public_share_get(token=token)
    if share is None or (share.answer is None and not share.code_attributes):
        raise NotFound("This link is not valid (any more).", code="share_not_found")
    return share

"""Campaigns, set up by sales ops through the API or the admin."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, transaction

from backend.api.errors import Conflict, InvalidInput, NotFound
from referrals.models import Campaign

# Far-off dates are typing errors, and before 1900 time zones had odd offsets.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 12, 31, tzinfo=UTC)
EDITABLE = ("name", "starts_at", "ends_at", "friend_perk_nl", "friend_perk_en")


def _check_period(*, starts_at: datetime, ends_at: datetime) -> None:
    for name, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not EARLIEST <= moment <= LATEST:
            message = "A campaign runs within the years 2000 to 2100."
            raise InvalidInput(
                message,
                code="campaign_period_out_of_range",
                fields={name: [{"code": "campaign_period_out_of_range", "message": message}]},
            )
    if ends_at <= starts_at:
        message = "A campaign must end after it starts."
        raise InvalidInput(
            message,
            code="campaign_period_invalid",
            fields={"ends_at": [{"code": "campaign_period_invalid", "message": message}]},
        )


def _name_taken() -> Conflict:
    message = "Another campaign already has this name."
    return Conflict(
        message,
        code="campaign_name_taken",
        fields={"name": [{"code": "campaign_name_taken", "message": message}]},
    )


def campaign_create(
    *,
    name: str,
    starts_at: datetime,
    ends_at: datetime,
    friend_perk_nl: str,
    friend_perk_en: str,
) -> Campaign:
    """The unique name is the database's to enforce: two sales ops creating the same
    campaign at once get one 201 and one 409."""
    _check_period(starts_at=starts_at, ends_at=ends_at)
    try:
        with transaction.atomic():
            return Campaign.objects.create(
                name=name,
                starts_at=starts_at,
                ends_at=ends_at,
                friend_perk_nl=friend_perk_nl,
                friend_perk_en=friend_perk_en,
            )
    except IntegrityError:
        raise _name_taken() from None


@transaction.atomic
def campaign_update(*, campaign_id: int, changes: dict[str, Any]) -> Campaign:
    """Changes some of `EDITABLE`. Holds a FOR UPDATE lock on the campaign, so the period
    check sees the values it writes next to."""
    campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound("No campaign has this id.", code="campaign_not_found")
    for name in EDITABLE:
        if name in changes:
            setattr(campaign, name, changes[name])
    _check_period(starts_at=campaign.starts_at, ends_at=campaign.ends_at)
    try:
        with transaction.atomic():
            campaign.save(update_fields=[name for name in EDITABLE if name in changes] or None)
    except IntegrityError:
        raise _name_taken() from None
    return campaign

"""Referral codes, shares, visits, sign-ups and their attribution, one module per part;
everything is importable from `referrals.models`.

Friend contact data never appears here in the clear: sign-ups, live-customer rows and
claims hold keyed hashes only (see `backend.accounts.identifiers`), and visits hold a
salted daily visitor hash, never an IP address or user agent.
"""

from referrals.models.attributions import (
    LIVE_STATUSES,
    REVIEW_FIRST,
    REVIEW_RANK,
    Attribution,
    AttributionEvent,
    AttributionStatus,
    LiveCustomer,
)
from referrals.models.campaigns import Campaign
from referrals.models.claims import Claim, ClaimStatus, CustomerErasure
from referrals.models.codes import ReferralCode
from referrals.models.funnel import FunnelDaily, FunnelDimension, FunnelRollup
from referrals.models.shares import (
    FeedbackReason,
    Share,
    ShareChannel,
    ShareFeedback,
    Visit,
    VisitSalt,
)
from referrals.models.signups import COMMISSIONED_CHANNELS, SalesChannel, Signup

__all__ = [
    "COMMISSIONED_CHANNELS",
    "LIVE_STATUSES",
    "REVIEW_FIRST",
    "REVIEW_RANK",
    "Attribution",
    "AttributionEvent",
    "AttributionStatus",
    "Campaign",
    "Claim",
    "ClaimStatus",
    "CustomerErasure",
    "FeedbackReason",
    "FunnelDaily",
    "FunnelDimension",
    "FunnelRollup",
    "LiveCustomer",
    "ReferralCode",
    "SalesChannel",
    "Share",
    "ShareChannel",
    "ShareFeedback",
    "Signup",
    "Visit",
    "VisitSalt",
]

"""What happens to a stored sign-up later: activation and cancellation."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from backend.api.errors import Conflict, InvalidInput, NotFound
from referrals.models import LIVE_STATUSES, Attribution, AttributionStatus, Signup
from referrals.services.attribution import attribution_set_status, withdrawal_period


def _locked_signup(source: str, external_id: str) -> Signup:
    signup = (
        Signup.objects.select_for_update().filter(source=source, external_id=external_id).first()
    )
    if signup is None:
        raise NotFound("No sign-up with this id from your source.", code="signup_not_found")
    signup.attribution = Attribution.objects.select_for_update().get(signup=signup)
    return signup


def _not_before_signup(signup: Signup, name: str, value: datetime) -> None:
    if value < signup.occurred_at:
        message = "Must not be before the sign-up occurred."
        raise InvalidInput(message, fields={name: [{"code": "before_signup", "message": message}]})


def _recorded_before(recorded: datetime | None, given: datetime, what: str) -> bool:
    """True for a repeat of the recorded moment (harmless); 409 for another moment."""
    if recorded is None:
        return False
    if recorded != given:
        raise Conflict(
            f"This sign-up was already {what} at another moment.", code=f"already_{what}"
        )
    return True


@transaction.atomic
def signup_activate(*, source: str, external_id: str, activated_at: datetime) -> Signup:
    """Records the activation; idempotent for the same moment, 409 for another one.
    Holds FOR UPDATE locks on the sign-up, then its attribution."""
    signup = _locked_signup(source, external_id)
    if _recorded_before(signup.activated_at, activated_at, "activated"):
        return signup
    if signup.cancelled_at is not None:
        raise Conflict("This sign-up was cancelled.", code="signup_cancelled")
    _not_before_signup(signup, "activated_at", activated_at)
    signup.activated_at = activated_at
    signup.save(update_fields=["activated_at"])
    return signup


@transaction.atomic
def signup_cancel(*, source: str, external_id: str, cancelled_at: datetime) -> Signup:
    """Records a cancellation. Inside the withdrawal period (or before activation) a live
    attribution is reversed as `withdrawn`; later cancellations leave it as it is.
    Idempotent for the same moment, 409 for another one."""
    signup = _locked_signup(source, external_id)
    if _recorded_before(signup.cancelled_at, cancelled_at, "cancelled"):
        return signup
    _not_before_signup(signup, "cancelled_at", cancelled_at)
    signup.cancelled_at = cancelled_at
    signup.save(update_fields=["cancelled_at"])
    attribution = signup.attribution
    withdrawn = (
        signup.activated_at is None or cancelled_at - signup.activated_at <= withdrawal_period()
    )
    if attribution.status in LIVE_STATUSES and withdrawn:
        attribution_set_status(
            attribution=attribution,
            to_status=AttributionStatus.REVERSED,
            reason="withdrawn",
            note="Cancelled within the withdrawal period.",
        )
    return signup

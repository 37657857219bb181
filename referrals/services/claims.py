"""Claims: an employee says 'I helped this friend' for a sign-up the rules missed;
sales ops accept or reject them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.accounts.identifiers import identifier_hash
from backend.accounts.models import Employee
from backend.api.errors import Conflict, InvalidInput, NotFound
from referrals.models import LIVE_STATUSES, Attribution, Claim, ClaimStatus, Signup
from referrals.services.announce import claim_decided_announce
from referrals.services.decisions import DecisionAction, attribution_decide, attributions_lock

_HASH_FIELD = {"email": "email_hash", "phone": "phone_hash", "account": "account_hash"}


def claim_create(*, employee: Employee, kind: str, value: str, note: str = "") -> Claim:
    """Hashes the friend's identifier on arrival (the value itself is never stored) and
    links the newest sign-up with that hash, if there is one, for sales ops to review.

    The claimant learns nothing from the answer about whether this person signed up, or
    with whom: whatever matches, the claim is stored and answered alike, and its outcome
    reaches the claimant only as sales ops' decision. One open claim per employee and
    customer (a named constraint).
    """
    try:
        value_hash = identifier_hash(kind, value)
    except ValidationError as exc:
        raise InvalidInput(
            exc.messages[0],
            fields={"value": [{"code": exc.code or "invalid", "message": exc.messages[0]}]},
        ) from None
    signup = (
        Signup.objects.filter(**{_HASH_FIELD[kind]: value_hash})
        .order_by("-occurred_at", "-id")
        .first()
    )
    try:
        with transaction.atomic():
            return Claim.objects.create(
                employee=employee, kind=kind, value_hash=value_hash, note=note, signup=signup
            )
    except IntegrityError:
        raise Conflict(
            "You already have an open claim for this friend.", code="duplicate_claim"
        ) from None


def _locked_open_claim(claim_id: int, actor: Employee) -> Claim:
    claim = Claim.objects.select_for_update().filter(pk=claim_id).first()
    if claim is None:
        raise NotFound("No claim with this id.", code="claim_not_found")
    if claim.status != ClaimStatus.OPEN:
        raise Conflict(f"This claim was already {claim.status}.", code="claim_decided")
    if claim.employee_id == actor.pk:
        raise Conflict("You cannot decide on your own claim.", code="own_claim")
    return claim


def _close(claim: Claim, *, status: str, actor: Employee, reason: str) -> Claim:
    reason = reason.strip()
    if not reason:
        raise InvalidInput(
            "Give a reason for the decision.",
            fields={"reason": [{"code": "required", "message": "Give a reason."}]},
        )
    claim.status = status
    claim.decided_by = actor
    claim.decided_at = timezone.now()
    claim.decision_note = reason
    claim.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "signup"])
    claim_decided_announce(claim)
    return claim


def _claimed_signup(claim: Claim, signup_id: int) -> Signup:
    """The sign-up the claim is accepted for; its customer hash must match the claim's."""
    signup = Signup.objects.filter(pk=signup_id).select_related("attribution").first()
    if signup is None:
        raise NotFound("No sign-up with this id.", code="signup_not_found")
    if getattr(signup, _HASH_FIELD[claim.kind]) != claim.value_hash:
        raise Conflict(
            "This sign-up's customer does not match the claim.", code="signup_does_not_match"
        )
    return signup


def _credit_action(attribution: Attribution, claim: Claim) -> DecisionAction | None:
    """The decision that credits the claimant; None when it already counts for them."""
    if attribution.employee_id != claim.employee_id:
        return DecisionAction.REASSIGN
    if attribution.status in LIVE_STATUSES:
        return None
    return DecisionAction.APPROVE


@transaction.atomic
def claim_accept(
    *, claim_id: int, signup_id: int, version: int, actor: Employee, reason: str
) -> Claim:
    """Accepts a claim for one of the sign-ups whose customer hash matches it: the
    sign-up's attribution is assigned or reassigned to the claimant (an event, as for
    any decision), unless it already counts for them (then only the claim closes).
    `version` is the version of that attribution the reviewer saw.

    Locks the claim, then the sign-up and its attribution (see `attributions_decide`).
    """
    claim = _locked_open_claim(claim_id, actor)
    signup = _claimed_signup(claim, signup_id)
    attribution = attributions_lock([signup.attribution.pk])[signup.attribution.pk]
    action = _credit_action(attribution, claim)
    if action is not None:
        attribution_decide(
            attribution_id=attribution.pk,
            version=version,
            actor=actor,
            action=action,
            reason=reason,
            employee_id=claim.employee_id,
            note_prefix=f"Claim {claim.pk} accepted: ",
        )
    elif attribution.version != version:
        raise Conflict(
            "The sign-up's attribution changed since you saw it; reload and decide again.",
            code="stale_version",
            extra={"current_version": attribution.version},
        )
    claim.signup = signup
    return _close(claim, status=ClaimStatus.APPROVED, actor=actor, reason=reason)


@transaction.atomic
def claim_reject(*, claim_id: int, actor: Employee, reason: str) -> Claim:
    """Rejects an open claim; the attribution stays as it is."""
    claim = _locked_open_claim(claim_id, actor)
    return _close(claim, status=ClaimStatus.REJECTED, actor=actor, reason=reason)

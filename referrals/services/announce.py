"""Tells the employee and integrators about attribution and claim changes.

Called by the services that make the change, inside their transaction, so the
notifications and webhook deliveries (and their queued jobs) commit or roll back with
it. Nothing here carries friend data: ids, statuses, rule codes, the employee number,
the title of the shared answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from backend.accounts.models import Employee
from backend.events.catalog import MILESTONES
from backend.events.services import NotificationDraft, notification_send, notifications_send
from backend.events.webhooks import Event, events_record
from knowledge.models import Article
from referrals.models import Attribution, AttributionEvent, AttributionStatus, Claim

# Statuses that tell the employee "your help counted" (a review may still follow).
_COUNTED = {AttributionStatus.PENDING, AttributionStatus.CONFIRMED}


def _article_title(attribution: Attribution) -> str:
    return attribution.article.title if attribution.article_id else ""  # type: ignore[union-attr]


def _article_titles(attributions: Sequence[Attribution]) -> dict[int, str]:
    ids = {a.article_id for a in attributions if a.article_id}
    return dict(Article.objects.filter(pk__in=ids).values_list("pk", "title")) if ids else {}


def _employee_numbers(ids: set[int]) -> dict[int, str]:
    return dict(Employee.objects.filter(pk__in=ids).values_list("pk", "employee_number"))


def _event(attribution: Attribution, change: AttributionEvent, number: str | None) -> Event:
    created = change.from_status == ""
    return Event(
        type="attribution.created" if created else "attribution.status_changed",
        subject=f"attribution:{attribution.pk}",
        at=change.at,
        data={
            "attribution_id": attribution.pk,
            "status": attribution.status,
            "previous_status": change.from_status or None,
            "reason": attribution.reason,
            "employee_number": number,
            "version": attribution.version,
            "signup": {
                "source": attribution.signup.source,
                "external_id": attribution.signup.external_id,
            },
        },
    )


def attributions_created_announce(attributions: Sequence[Attribution], at: datetime) -> None:
    """New attributions (a batch of sign-ups): webhooks for all, a notification for each
    employee whose help counts."""
    numbers = _employee_numbers({a.employee_id for a in attributions if a.employee_id})
    titles = _article_titles(attributions)
    events_record(
        [
            _event(a, AttributionEvent(from_status="", at=at), numbers.get(a.employee_id or 0))
            for a in attributions
        ]
    )
    notifications_send(
        [
            NotificationDraft(
                a.employee_id,
                "attribution.attributed",
                {"attribution_id": a.pk, "article_title": titles.get(a.article_id or 0, "")},
                dedupe_key=f"attributed:{a.pk}",
            )
            for a in attributions
            if a.employee_id and a.status in _COUNTED
        ]
    )


def attribution_changed_announce(attribution: Attribution, change: AttributionEvent) -> None:
    """One status change (or reassignment) of an attribution."""
    employee_id = attribution.employee_id
    number = _employee_numbers({employee_id}).get(employee_id) if employee_id else None
    events_record([_event(attribution, change, number)])
    if employee_id is None or (
        attribution.status == change.from_status and not change.to_employee_id
    ):
        return
    params = {"attribution_id": attribution.pk, "article_title": _article_title(attribution)}
    status = attribution.status
    if status in _COUNTED:
        notification_send(
            employee_id=employee_id,
            kind="attribution.attributed",
            params=params,
            dedupe_key=f"attributed:{attribution.pk}",
        )
    if status == AttributionStatus.CONFIRMED:
        notification_send(
            employee_id=employee_id,
            kind="attribution.confirmed",
            params=params,
            dedupe_key=f"confirmed:{attribution.pk}",
        )
        milestone_announce(employee_id)
    elif status == AttributionStatus.REVERSED:
        notification_send(
            employee_id=employee_id,
            kind="attribution.reversed",
            params={**params, "reason": attribution.reason},
            dedupe_key=f"reversed:{attribution.pk}",
        )


def milestone_announce(employee_id: int) -> None:
    """Celebrates the highest milestone the employee's confirmed customers reached, once
    (the notification's dedupe key holds it to once, also after a reversal)."""
    confirmed = Attribution.objects.filter(
        employee_id=employee_id, status=AttributionStatus.CONFIRMED
    ).count()
    reached = [milestone for milestone in MILESTONES if milestone <= confirmed]
    if reached:
        notification_send(
            employee_id=employee_id,
            kind="milestone.reached",
            params={"count": reached[-1]},
            dedupe_key=f"milestone:{reached[-1]}",
        )


def claim_decided_announce(claim: Claim) -> None:
    """The claimant hears the decision with ops' reason; integrators hear the outcome."""
    attribution_id = (
        Attribution.objects.filter(signup_id=claim.signup_id).values_list("pk", flat=True).first()
        if claim.signup_id
        else None
    )
    number = _employee_numbers({claim.employee_id}).get(claim.employee_id)
    events_record(
        [
            Event(
                type="claim.decided",
                subject=f"claim:{claim.pk}",
                at=claim.decided_at,  # type: ignore[arg-type]
                data={
                    "claim_id": claim.pk,
                    "status": claim.status,
                    "employee_number": number,
                    "attribution_id": attribution_id,
                },
            )
        ]
    )
    notification_send(
        employee_id=claim.employee_id,
        kind="claim.decided",
        params={"claim_id": claim.pk, "status": claim.status, "reason": claim.decision_note},
    )

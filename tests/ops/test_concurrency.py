"""Two reviewers deciding at once: PostgreSQL lets only one decision apply."""

from __future__ import annotations

import pytest

from backend.accounts.roles import Role
from referrals.models import AttributionEvent
from tests.concurrency import run_concurrently
from tests.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_decisions_racing_on_one_attribution_cannot_both_apply(
    make_employee, employee, referred_by
) -> None:
    flagged = referred_by(employee, sales_channel="dealer")
    reviewers = [login(make_employee(roles=(Role.SALES_OPS,))) for _ in range(2)]
    actions = ["approve", "reject"]

    responses = run_concurrently(
        lambda i: reviewers[i].post(
            f"/api/v1/ops/attributions/{flagged.pk}/decide/",
            {"action": actions[i], "version": 1, "reason": f"Reviewer {i}"},
            format="json",
        ),
        2,
    )

    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 409]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.json()["code"] == "stale_version"
    winner = next(r for r in responses if r.status_code == 200).json()
    flagged.refresh_from_db()
    assert (flagged.status, flagged.version) == (winner["status"], 2)
    assert AttributionEvent.objects.filter(attribution=flagged).count() == 2


def test_overlapping_bulk_decisions_at_once_apply_one_and_refuse_the_other_whole(
    make_employee, employee, referred_by
) -> None:
    flagged = [referred_by(employee, sales_channel="dealer") for _ in range(6)]
    reviewers = [login(make_employee(roles=(Role.SALES_OPS,))) for _ in range(2)]
    # Overlapping sets, listed in opposite orders: locks in pk order keep this deadlock-free.
    batches = [flagged[:4], list(reversed(flagged[2:]))]

    responses = run_concurrently(
        lambda i: reviewers[i].post(
            "/api/v1/ops/attributions/bulk-decide/",
            {
                "action": "approve",
                "reason": "Batch",
                "items": [{"id": a.pk, "version": 1} for a in batches[i]],
            },
            format="json",
        ),
        2,
    )

    assert sorted(r.status_code for r in responses) == [200, 409]
    winner = next(i for i, r in enumerate(responses) if r.status_code == 200)
    decided = {a.pk for a in batches[winner]}
    for attribution in flagged:
        attribution.refresh_from_db()
        expected = "pending" if attribution.pk in decided else "needs_review"
        assert attribution.status == expected
    assert AttributionEvent.objects.count() == 6 + len(decided)

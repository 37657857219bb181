"""What happened with what I shared: per share, visits, friends' feedback and sign-ups by
status, never who; and friends' feedback reaches the answer's editors."""

from __future__ import annotations

from django.test import Client
from rest_framework.test import APIClient

from backend.accounts.models import Employee
from referrals.models import Attribution, Share
from tests.ops.conftest import decide
from tests.referrals.conftest import personal_code, signup_payload
from tests.referrals.test_landing_experience import form_token_of

# A visitor is a network address per day: each friend answers from their own phone.
PHONES = {"phone A": "198.51.100.1", "phone B": "198.51.100.2", "phone C": "198.51.100.3"}


def friend_says(share: Share, phone: str, helpful: str) -> None:
    friend = Client(REMOTE_ADDR=PHONES[phone])
    token = form_token_of(friend.get(f"/s/{share.token}").content.decode())
    response = friend.post(f"/s/{share.token}/feedback", {"helpful": helpful, "form_token": token})
    assert response.status_code == 302


def friend_says_in_the_app(share: Share, phone: str, reason: str) -> None:
    """Through the public JSON, as a shop's or partner's app would: not helpful, with why."""
    response = APIClient().post(
        f"/api/v1/public/shares/{share.token}/feedback/",
        {"helpful": False, "reason": reason},
        format="json",
        REMOTE_ADDR=PHONES[phone],
    )
    assert response.status_code == 201


def test_each_share_shows_visits_feedback_and_sign_ups_by_status_never_who(
    answer_share: Share, employee: Employee, employee_client: APIClient, crm: APIClient
) -> None:
    friend_says(answer_share, "phone A", "yes")
    friend_says(answer_share, "phone B", "no")
    friend_says_in_the_app(answer_share, "phone C", "outdated")
    for n, channel in enumerate(("online", "dealer")):
        payload = signup_payload(
            share_token=answer_share.token, email=f"vriend{n}@example.com", sales_channel=channel
        )
        response = crm.post("/api/v1/signups/", payload, format="json")
        assert response.status_code == 201, response.content

    [row] = employee_client.get("/api/v1/referrals/shares/").json()["results"]

    assert row["visit_count"] == 2
    assert row["feedback"] == {"helpful": 1, "not_helpful": 2, "reasons": {"outdated": 1}}
    assert row["signups"] == {
        "total": 2,
        "pending": 1,
        "needs_review": 1,
        "confirmed": 0,
        "rejected": 0,
        "reversed": 0,
    }
    assert "vriend" not in str(row)
    assert personal_code(employee).display == row["code"]


def test_friends_feedback_reaches_the_answers_editors(
    answer_share: Share, editor_client: APIClient
) -> None:
    friend_says(answer_share, "phone A", "no")
    friend_says_in_the_app(answer_share, "phone B", "unclear")
    friend_says(answer_share, "phone C", "yes")

    body = editor_client.get("/api/v1/knowledge/insights/").json()

    assert body["friend_feedback"] == [
        {
            "slug": answer_share.article.slug,
            "title": "Bellen in het buitenland",
            "language": "nl",
            "helpful_count": 1,
            "not_helpful_count": 2,
            "reasons": {"unclear": 1},
        }
    ]


def test_a_sign_up_reassigned_to_a_colleague_no_longer_counts_on_the_share(
    answer_share: Share,
    other_employee: Employee,
    employee_client: APIClient,
    sales_ops_client: APIClient,
    crm: APIClient,
) -> None:
    """Its status from then on is the colleague's business, not the share's maker's."""
    payload = signup_payload(share_token=answer_share.token, email="vriend@example.com")
    assert crm.post("/api/v1/signups/", payload, format="json").status_code == 201
    attribution = Attribution.objects.get(share=answer_share)
    response = decide(sales_ops_client, attribution, action="reassign", employee=other_employee.pk)
    assert response.status_code == 200, response.content

    [row] = employee_client.get("/api/v1/referrals/shares/").json()["results"]

    assert row["signups"] == {
        "total": 0,
        "pending": 0,
        "needs_review": 0,
        "confirmed": 0,
        "rejected": 0,
        "reversed": 0,
    }

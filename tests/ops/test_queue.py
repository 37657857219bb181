"""The review queue, its filters and pages, one attribution's story, and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from backend.accounts.identifiers import identifier_hash
from referrals.models import Campaign, Claim, ReferralCode, Visit
from referrals.ops.selectors.queue import joins_as_written
from referrals.services.codes import referral_code_create
from tests.ops.conftest import ingest, make_share

pytestmark = pytest.mark.django_db
QUEUE = "/api/v1/ops/attributions/"


@pytest.fixture
def world(employee, other_employee, referred_by):
    """Six attributions across statuses, people, campaigns, channels and days."""
    campaign = Campaign.objects.create(
        name="Zomer",
        starts_at=timezone.now() - timedelta(days=60),
        ends_at=timezone.now() + timedelta(days=30),
        friend_perk_nl="Gratis",
        friend_perk_en="Free",
    )
    poster = referral_code_create(employee=employee, label="Poster", campaign=campaign)
    share = make_share(other_employee, channel="sms", created_at=timezone.now() - timedelta(days=3))
    now = timezone.now()
    rows = {
        "old_pending": referred_by(employee, occurred_at=now - timedelta(days=20)),
        "flagged_old": referred_by(
            employee, sales_channel="dealer", occurred_at=now - timedelta(days=10)
        ),
        "campaign": ingest(code=poster.code, occurred_at=now - timedelta(days=3)),
        "shared": ingest(share_token=share.token, occurred_at=now - timedelta(days=2)),
        "flagged_new": referred_by(other_employee, sales_channel="telesales"),
        "orphan": ingest(),
    }
    return rows


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_needs_review_comes_first_then_newest(sales_ops_client, world) -> None:
    got = ids(sales_ops_client.get(QUEUE))

    w = world
    assert got == [
        w["flagged_new"].pk,
        w["flagged_old"].pk,
        w["orphan"].pk,
        w["shared"].pk,
        w["campaign"].pk,
        w["old_pending"].pk,
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "needs_review"}, ["flagged_new", "flagged_old"]),
        ({"status": "unattributed"}, ["orphan"]),
        ({"reason": "channel_conflict"}, ["flagged_new", "flagged_old"]),
        ({"department": "Customer Service"}, ["flagged_new", "shared"]),
        ({"team": "Billing", "status": "pending"}, ["shared"]),
        ({"channel": "sms"}, ["shared"]),
        ({"sales_channel": "dealer"}, ["flagged_old"]),
        ({"employee": "EMPLOYEE"}, ["flagged_old", "campaign", "old_pending"]),
        ({"campaign": "CAMPAIGN"}, ["campaign"]),
        (
            {"occurred_from": "DAYS-12", "occurred_to": "DAYS-2"},
            ["flagged_old", "shared", "campaign"],
        ),
        ({"occurred_to": "DAYS-15"}, ["old_pending"]),
    ],
)
def test_each_filter_narrows_the_queue(sales_ops_client, world, employee, params, expected) -> None:
    today = timezone.localdate()
    values = {}
    for name, value in params.items():
        if value == "EMPLOYEE":
            value = employee.pk
        elif value == "CAMPAIGN":
            value = Campaign.objects.get().pk
        elif str(value).startswith("DAYS-"):
            value = (today - timedelta(days=int(value[5:]))).isoformat()
        values[name] = value

    got = ids(sales_ops_client.get(QUEUE, values))

    assert got == [world[name].pk for name in expected]


def test_bad_filters_are_400(sales_ops_client) -> None:
    response = sales_ops_client.get(QUEUE, {"status": "lost", "occurred_from": "yesterday"})

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"status", "occurred_from"}


def test_pages_walk_the_queue_forwards_and_back_without_gaps(
    sales_ops_client, employee, referred_by
) -> None:
    made = [
        referred_by(employee, sales_channel="dealer" if n % 3 == 0 else "online") for n in range(11)
    ]
    expected = ids(sales_ops_client.get(QUEUE, {"page_size": 100}))
    assert sorted(expected) == sorted(a.pk for a in made)

    seen, pages, url = [], [], QUEUE + "?page_size=4"
    while url:
        page = sales_ops_client.get(url).json()
        pages.append(page)
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    back = sales_ops_client.get(pages[-1]["previous"]).json()

    assert seen == expected
    assert [len(p["results"]) for p in pages] == [4, 4, 3]
    assert pages[0]["previous"] is None
    assert [row["id"] for row in back["results"]] == expected[4:8]


def test_a_cursor_we_did_not_issue_is_400(sales_ops_client) -> None:
    response = sales_ops_client.get(QUEUE, {"cursor": "bm9wZQ"})

    assert (response.status_code, response.json()["code"]) == (400, "invalid_cursor")


@pytest.mark.parametrize("page_size", [5, 50])
def test_the_queue_reads_a_page_in_a_fixed_number_of_queries(
    sales_ops_client, world, referred_by, employee, django_assert_num_queries, page_size
) -> None:
    for _ in range(6):
        referred_by(employee)

    # Authentication (the user with their roles), the page (by the filters and order
    # alone), then everything it shows by primary key. (Outside the test's transaction one
    # more statement sets the join order: `test_joins_as_written_*`.)
    with django_assert_num_queries(3):
        response = sales_ops_client.get(QUEUE, {"page_size": page_size})

    assert len(response.json()["results"]) == min(page_size, 12)


def test_the_detail_shows_trace_events_and_every_candidate_touch(
    sales_ops_client, employee, other_employee, make_employee, referred_by
) -> None:
    share = make_share(other_employee, channel="email")
    before = timezone.now() - timedelta(hours=1)
    Visit.objects.create(share=share, day=before.date(), at=before, visitor_hash="v" * 64)
    Visit.objects.create(share=share, day=timezone.localdate(), visitor_hash="w" * 64)
    earlier = referred_by(
        other_employee,
        email="friend@example.com",
        occurred_at=timezone.now() - timedelta(days=400),
        is_new_customer=False,
    )
    attribution = ingest(
        code=ReferralCode.objects.get(owner=employee, is_personal=True).code,
        share_token=share.token,
        email="friend@example.com",
    )
    claimer = make_employee(display_name="Claire Claim")
    Claim.objects.create(
        employee=claimer,
        kind="email",
        value_hash=identifier_hash("email", "friend@example.com"),
        note="My sister",
    )

    response = sales_ops_client.get(f"{QUEUE}{attribution.pk}/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert [line["rule"] for line in body["trace"]][:2] == ["referrer", "code"]
    assert [(e["from_status"], e["to_status"]) for e in body["events"]] == [("", "pending")]
    candidates = body["candidates"]
    assert [(c["owner"]["id"], c["this_signup"]) for c in candidates["codes"]] == [
        (other_employee.pk, False),
        (employee.pk, True),
    ]
    assert [(s["employee"]["id"], s["visits_in_window"]) for s in candidates["shares"]] == [
        (other_employee.pk, 1)
    ]
    assert [(c["employee"]["id"], c["status"]) for c in candidates["claims"]] == [
        (claimer.pk, "open")
    ]
    assert [s["id"] for s in candidates["other_signups"]] == [earlier.signup.pk]
    text = response.content.decode()
    assert "friend@example.com" not in text
    assert identifier_hash("email", "friend@example.com") not in text


def test_an_unknown_attribution_detail_is_404(sales_ops_client) -> None:
    response = sales_ops_client.get(f"{QUEUE}424242/")

    assert (response.status_code, response.json()["code"]) == (404, "attribution_not_found")


def test_the_detail_reads_in_a_fixed_number_of_queries(
    sales_ops_client, employee, referred_by, django_assert_num_queries
) -> None:
    attribution = referred_by(employee)

    # auth (user with roles), attribution, other sign-ups, codes, claims, events
    with django_assert_num_queries(6):
        response = sales_ops_client.get(f"{QUEUE}{attribution.pk}/")

    assert response.status_code == 200


def export(client, **params) -> list[dict[str, str]]:
    response = client.get(QUEUE + "export/", params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_export_is_utf8_with_a_byte_order_mark_for_excel(
    sales_ops_client, make_employee, referred_by
) -> None:
    referred_by(make_employee(display_name="Zoë Ødegård"))

    response = sales_ops_client.get(QUEUE + "export/")
    raw = b"".join(response.streaming_content)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert raw.startswith(b"\xef\xbb\xbfattribution_id,")
    assert "Zoë Ødegård".encode() in raw


def test_the_export_holds_exactly_the_filtered_rows_in_queue_order(sales_ops_client, world) -> None:
    everything = export(sales_ops_client)
    flagged = export(sales_ops_client, status="needs_review")
    in_service = export(sales_ops_client, department="Customer Service")

    assert [int(r["attribution_id"]) for r in everything] == ids(sales_ops_client.get(QUEUE))
    assert [int(r["attribution_id"]) for r in flagged] == [
        world["flagged_new"].pk,
        world["flagged_old"].pk,
    ]
    assert [int(r["attribution_id"]) for r in in_service] == [
        world["flagged_new"].pk,
        world["shared"].pk,
    ]
    row = next(r for r in everything if int(r["attribution_id"]) == world["campaign"].pk)
    assert (row["campaign"], row["status"], row["sales_channel"]) == ("Zomer", "pending", "online")


def test_the_export_carries_no_friend_data_and_defuses_formulas(
    sales_ops_client, make_employee, referred_by
) -> None:
    sneaky = make_employee(display_name='=HYPERLINK("http://x")')
    referred_by(sneaky, email="secret.friend@example.com")

    response = sales_ops_client.get(QUEUE + "export/")
    text = b"".join(response.streaming_content).decode()

    assert "secret.friend" not in text
    assert identifier_hash("email", "secret.friend@example.com") not in text
    assert "hash" not in text.splitlines()[0]
    assert "'=HYPERLINK" in text


def _join_collapse_limit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW join_collapse_limit")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_joins_as_written_lasts_for_the_block_only() -> None:
    default = _join_collapse_limit()

    with joins_as_written():
        inside = _join_collapse_limit()
    after = _join_collapse_limit()

    assert (default, inside, after) == ("8", "1", "8")


@pytest.mark.django_db(transaction=True)
def test_joins_as_written_leaves_a_callers_transaction_alone() -> None:
    with transaction.atomic():
        with joins_as_written():
            inside = _join_collapse_limit()
        later_in_the_transaction = _join_collapse_limit()

    assert (inside, later_in_the_transaction) == ("8", "8")


@pytest.mark.django_db(transaction=True)
def test_the_queue_outside_a_transaction_reads_the_same_page(
    sales_ops_client, employee, referred_by
) -> None:
    made = [referred_by(employee) for _ in range(3)]

    response = sales_ops_client.get(QUEUE, {"page_size": 2})

    assert response.status_code == 200, response.content
    body = response.json()
    assert [row["id"] for row in body["results"]] == [a.pk for a in made[::-1][:2]]
    assert body["next"]
    assert _join_collapse_limit() == "8"

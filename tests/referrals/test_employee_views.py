"""The employee's own attributions, impact and claims; and nobody sees anyone else's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.models import Employee
from referrals.models import Attribution, AttributionStatus, Claim, Share
from referrals.services.attribution import attributions_finalize
from tests.conftest import login
from tests.referrals.conftest import personal_code, signup_payload, visit


def report(crm: APIClient, **fields) -> dict:
    payload = signup_payload(**fields)
    response = crm.post("/api/v1/signups/", payload, format="json")
    assert response.status_code == 201, response.content
    return payload


def report_activated_long_ago(crm: APIClient, **fields) -> None:
    payload = report(crm, occurred_at=timezone.now() - timedelta(days=30), **fields)
    response = crm.post(
        f"/api/v1/signups/{payload['external_id']}/activate/",
        {"activated_at": (timezone.now() - timedelta(days=20)).isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.content


def test_attributions_list_own_only_without_friend_data(
    employee: Employee,
    other_employee: Employee,
    employee_client: APIClient,
    crm: APIClient,
    article,
) -> None:
    share = Share.objects.create(
        token="t" * 22,
        employee=employee,
        code=personal_code(employee),
        channel="sms",
        article=article,
    )
    report(crm, share_token=share.token, email="friend@example.com", phone="0612345678")
    report(crm, code=personal_code(employee).code, sales_channel="dealer")
    report(crm, code=personal_code(other_employee).code)

    response = employee_client.get("/api/v1/referrals/attributions/")

    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["status"], r["reason"]) for r in results] == [
        ("needs_review", "channel_conflict"),
        ("pending", ""),
    ]
    assert results[1]["article"] == {"slug": article.slug, "title": article.title, "language": "nl"}
    assert results[1]["share_channel"] == "sms"
    assert results[1]["product"] == "Sim Only 10GB"
    text = str(results)
    for secret in ("friend@example.com", "0612345678", "hash", "trace", "external_id"):
        assert secret not in text


def test_attributions_filter_by_status_and_read_in_bounded_queries(
    employee: Employee, employee_client: APIClient, crm: APIClient, django_assert_num_queries
) -> None:
    code = personal_code(employee).code
    for _ in range(6):
        report(crm, code=code)
    report(crm, code=code, is_new_customer=False)

    for size in (2, 6):
        with django_assert_num_queries(2):
            response = employee_client.get(
                f"/api/v1/referrals/attributions/?status=pending&page_size={size}"
            )
        assert len(response.json()["results"]) == size
    rejected = employee_client.get("/api/v1/referrals/attributions/?status=rejected").json()
    bad = employee_client.get("/api/v1/referrals/attributions/?status=paid")
    assert [r["reason"] for r in rejected["results"]] == ["existing_customer"]
    assert bad.status_code == 400


def test_impact_counts_own_team_and_company_with_milestones(
    make_employee, crm: APIClient, article
) -> None:
    me = make_employee(display_name="Anna de Vries", team="Store A")
    teammate = make_employee(display_name="Bas Bakker", team="Store A")
    private = make_employee(display_name="Cor Claes", team="Store A")
    Employee.objects.filter(pk=private.pk).update(ranking_opt_out=True)
    elsewhere = make_employee(display_name="Dirk Dekker", team="Store B")
    share = Share.objects.create(
        token="s" * 22, employee=me, code=personal_code(me), channel="sms", article=article
    )
    Share.objects.create(token="u" * 22, employee=me, code=personal_code(me), channel="copy")
    visit(share, visitor_hash="v" * 64)
    for person, count in ((me, 6), (teammate, 2), (private, 9), (elsewhere, 1)):
        for _ in range(count):
            report_activated_long_ago(crm, code=personal_code(person).code)
    report(crm, code=personal_code(me).code)  # still pending
    attributions_finalize()

    body = login(me).get("/api/v1/referrals/impact/").json()

    assert body["own"] == {
        "shares": 2,
        "answers_shared": 1,
        "friends_reached": 1,
        "signups_attributed": 7,
        "signups_confirmed": 6,
    }
    assert body["milestones"] == {"reached": [1, 5], "next": 10}
    assert (body["team_name"], body["team_members"]) == ("Store A", 3)
    assert body["team"]["signups_confirmed"] == 17
    assert body["company"]["signups_confirmed"] == 18
    assert [(p["rank"], p["display_name"]) for p in body["team_leaders"]] == [
        (1, "Anna de Vries"),
        (2, "Bas Bakker"),
    ]
    assert "Cor Claes" not in str(body)
    assert [p["display_name"] for p in body["company_leaders"]] == [
        "Anna de Vries",
        "Bas Bakker",
        "Dirk Dekker",
    ]


def test_impact_of_a_new_employee_is_all_zero(employee_client: APIClient) -> None:
    body = employee_client.get("/api/v1/referrals/impact/").json()

    assert body["own"]["signups_confirmed"] == 0
    assert body["milestones"] == {"reached": [], "next": 1}


def test_a_claim_is_hashed_on_arrival_and_matched_to_the_sign_up(
    employee: Employee, other_employee: Employee, employee_client: APIClient, crm: APIClient
) -> None:
    report(crm, code=personal_code(other_employee).code, phone="0687654321")

    response = employee_client.post(
        "/api/v1/referrals/claims/",
        {"kind": "phone", "value": "+31 6 87654321", "note": "Helped my neighbour on Saturday"},
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["status"]) == ("phone", "open")
    claim = Claim.objects.get()
    assert "87654321" not in str(Claim.objects.values().get())
    assert claim.signup is not None
    listed = employee_client.get("/api/v1/referrals/claims/").json()["results"]
    assert [c["id"] for c in listed] == [claim.pk]


@pytest.mark.parametrize(
    ("signed_up_as", "claimed_as"),
    [
        # `00` read as the international prefix leaves too few digits: kept as written.
        ("00(-).- 6)( 89 82", "00 68 98 2"),
        # phonenumbers drops one trunk 0 after the country code per pass.
        ("+31 00 12 34 56", "+31001 23456"),
    ],
)
def test_an_unusual_number_claimed_matches_its_sign_up(
    other_employee: Employee,
    employee_client: APIClient,
    crm: APIClient,
    signed_up_as: str,
    claimed_as: str,
) -> None:
    report(crm, code=personal_code(other_employee).code, phone=signed_up_as)

    response = employee_client.post(
        "/api/v1/referrals/claims/", {"kind": "phone", "value": claimed_as}
    )

    assert response.status_code == 201, response.json()
    assert Claim.objects.get().signup is not None


def test_claims_refuse_duplicates_and_bad_values(
    employee: Employee, employee_client: APIClient, crm: APIClient
) -> None:
    report(crm, code=personal_code(employee).code, email="mine@example.com")
    url = "/api/v1/referrals/claims/"

    own = employee_client.post(url, {"kind": "email", "value": "mine@example.com"})
    first = employee_client.post(url, {"kind": "email", "value": "new@example.com"})
    again = employee_client.post(url, {"kind": "email", "value": "NEW@example.com"})
    bad = employee_client.post(url, {"kind": "phone", "value": "12"})
    mass = employee_client.post(
        url, {"kind": "email", "value": "x@example.com", "status": "approved"}
    )

    assert own.status_code == 201  # answered like any other: sales ops close it
    assert first.status_code == 201
    assert (again.status_code, again.json()["code"]) == (409, "duplicate_claim")
    assert (bad.status_code, bad.json()["fields"]["value"][0]["code"]) == (400, "invalid_phone")
    assert mass.status_code == 400
    assert Claim.objects.count() == 2


def test_a_claim_answers_alike_whether_or_not_the_friend_signed_up(
    employee: Employee, other_employee: Employee, employee_client: APIClient, crm: APIClient
) -> None:
    report(crm, code=personal_code(other_employee).code, email="theirs@example.com")
    report(crm, code=personal_code(employee).code, email="mine@example.com")
    url = "/api/v1/referrals/claims/"

    answers = [
        employee_client.post(url, {"kind": "email", "value": email})
        for email in ("theirs@example.com", "mine@example.com", "nobody@example.com")
    ]

    assert [answer.status_code for answer in answers] == [201, 201, 201]
    bodies = [answer.json() for answer in answers]
    for body in bodies:
        assert set(body) == {
            "id",
            "kind",
            "note",
            "status",
            "created_at",
            "decided_at",
            "decision_reason",
        }
    assert {
        (b["kind"], b["note"], b["status"], b["decided_at"], b["decision_reason"]) for b in bodies
    } == {("email", "", "open", None, "")}
    listed = employee_client.get(url).json()["results"]
    assert {tuple(sorted(row)) for row in listed} == {
        ("created_at", "decided_at", "decision_reason", "id", "kind", "note", "status")
    }
    assert {row["status"] for row in listed} == {"open"}


def test_claims_are_rate_limited_per_employee(
    employee_client: APIClient, other_client: APIClient, throttle_rates
) -> None:
    throttle_rates(claims="3/hour")
    url = "/api/v1/referrals/claims/"

    answers = [
        employee_client.post(url, {"kind": "email", "value": f"probe{n}@example.com"})
        for n in range(4)
    ]

    assert [answer.status_code for answer in answers] == [201, 201, 201, 429]
    assert answers[-1].json()["code"] == "throttled"
    assert 0 < int(answers[-1]["Retry-After"]) <= 3600
    assert Claim.objects.count() == 3
    assert employee_client.get(url).status_code == 200
    other = other_client.post(url, {"kind": "email", "value": "probe0@example.com"})
    assert other.status_code == 201


def test_claims_list_reads_in_bounded_queries(
    employee_client: APIClient, django_assert_num_queries
) -> None:
    for n in range(5):
        employee_client.post("/api/v1/referrals/claims/", {"kind": "email", "value": f"f{n}@x.nl"})

    for size in (2, 5):
        with django_assert_num_queries(2):
            response = employee_client.get(f"/api/v1/referrals/claims/?page_size={size}")
        assert len(response.json()["results"]) == size


# --- nobody sees anyone else's ---------------------------------------------------------------


@pytest.fixture
def owner_data(employee: Employee, employee_client: APIClient, crm: APIClient, article) -> dict:
    code = personal_code(employee)
    share = employee_client.post(
        "/api/v1/referrals/shares/", {"channel": "sms", "article": article.slug}
    ).json()
    report(crm, code=code.code)
    employee_client.post("/api/v1/referrals/claims/", {"kind": "email", "value": "f@x.nl"})
    return {"code": code.display, "token": share["token"]}


def test_a_second_employee_sees_none_of_the_first_ones_referral_data(
    owner_data: dict, other_employee: Employee, other_client: APIClient
) -> None:
    code, token = owner_data["code"], owner_data["token"]

    lists = {
        path: other_client.get(path).json()["results"]
        for path in (
            "/api/v1/referrals/codes/",
            "/api/v1/referrals/shares/",
            "/api/v1/referrals/attributions/",
            "/api/v1/referrals/claims/",
        )
    }
    impact = other_client.get("/api/v1/referrals/impact/").json()
    by_path = {
        "revoke": other_client.post(f"/api/v1/referrals/codes/{code}/revoke/"),
        "code_qr": other_client.get(f"/api/v1/referrals/codes/{code}/qr/"),
        "share_qr": other_client.get(f"/api/v1/referrals/shares/{token}/qr/"),
        "share_with_code": other_client.post(
            "/api/v1/referrals/shares/", {"channel": "sms", "code": code}
        ),
    }

    assert [c["code"] for c in lists["/api/v1/referrals/codes/"]] == [
        personal_code(other_employee).display
    ]
    assert lists["/api/v1/referrals/shares/"] == []
    assert lists["/api/v1/referrals/attributions/"] == []
    assert lists["/api/v1/referrals/claims/"] == []
    assert impact["own"]["shares"] == 0
    assert {name: r.status_code for name, r in by_path.items()} == {
        "revoke": 404,
        "code_qr": 404,
        "share_qr": 404,
        "share_with_code": 404,
    }
    assert Attribution.objects.filter(status=AttributionStatus.PENDING).count() == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/referrals/codes/"),
        ("post", "/api/v1/referrals/codes/"),
        ("get", "/api/v1/referrals/shares/"),
        ("post", "/api/v1/referrals/shares/"),
        ("get", "/api/v1/referrals/attributions/"),
        ("get", "/api/v1/referrals/impact/"),
        ("get", "/api/v1/referrals/claims/"),
        ("post", "/api/v1/referrals/claims/"),
    ],
)
def test_referral_endpoints_need_a_signed_in_employee(
    api_client: APIClient, db: None, method: str, path: str
) -> None:
    response = getattr(api_client, method)(path)

    assert response.status_code == 401
